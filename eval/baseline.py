"""The baselines users would pick instead: llama-index's defaults, three ways.

- ``baseline``: the default VectorStoreIndex over Chroma with documents as bare text;
- ``baseline-title``: the same with each document's title as metadata, as most users load news
  (llama-index embeds metadata with the text: "title: ...\n\n<chunk>");
- ``baseline-bm25``: llama-index's ``BM25Retriever.from_defaults`` over the same chunks.

Their defaults, unchanged: ``SentenceSplitter()`` (1024-token chunks, 200 overlap), the same
all-MiniLM-L6-v2 through ``HuggingFaceEmbedding``, a ``ChromaVectorStore`` in its own embedded
Chroma, and ``similarity_top_k=10``. There is no answer step, so only retrieval metrics are scored.
A dense build is cached and redone only when an article id or text changes; BM25 builds in seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from corpus.loader import Article
from eval.cache import articles_hash
from eval.metrics import PassageRef, Reply

TOP_K = 10
COLLECTION = "baseline"
# nodes per insert_nodes call: only sets how often the progress bar moves
_BATCH = 256


def _embed_model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    from index.embedder import bundled_model_path

    return HuggingFaceEmbedding(model_name=str(bundled_model_path()), device="cpu")


def _vector_store(folder: Path) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.vector_stores.chroma import ChromaVectorStore

    client = chromadb.PersistentClient(
        path=str(folder / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    return ChromaVectorStore(chroma_collection=client.get_or_create_collection(COLLECTION))


def _documents(articles: Sequence[Article], titles: bool) -> list[Any]:
    from llama_index.core import Document

    if titles:
        return [Document(text=a.text, id_=a.id, metadata={"title": a.title}) for a in articles]
    return [Document(text=a.text, id_=a.id) for a in articles]


class BaselineAsker:
    """Retrieval through llama-index's default vector retriever (no conversation, no answer)."""

    has_answers = False

    def __init__(self, retriever: Any, chunks: int, name: str = "baseline") -> None:
        self.retriever = retriever
        self.chunks = chunks
        self.name = name

    @classmethod
    def build(
        cls,
        articles: Sequence[Article],
        folder: Path,
        progress: Callable[[int, int], None] | None = None,
        titles: bool = False,
    ) -> BaselineAsker:
        """Opens the cached baseline in ``folder``, (re)building it when the articles changed;
        ``titles``: documents carry their title as metadata (``baseline-title``)."""
        from llama_index.core import StorageContext, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter

        embed = _embed_model()
        wanted = articles_hash(articles) + ("+titles" if titles else "")
        name = "baseline-title" if titles else "baseline"
        meta_file = folder / "meta.json"
        try:
            meta = json.loads(meta_file.read_text())
        except (OSError, ValueError):
            meta = {}
        if meta.get("hash") == wanted:
            index = VectorStoreIndex.from_vector_store(_vector_store(folder), embed_model=embed)
            return cls(index.as_retriever(similarity_top_k=TOP_K), int(meta.get("chunks", 0)), name)

        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        documents = _documents(articles, titles)
        # What VectorStoreIndex.from_documents does with the default transformations, in batches so
        # a progress bar can follow it.
        nodes = SentenceSplitter().get_nodes_from_documents(documents)
        storage = StorageContext.from_defaults(vector_store=_vector_store(folder))
        index = VectorStoreIndex(nodes=[], storage_context=storage, embed_model=embed)
        for lo in range(0, len(nodes), _BATCH):
            index.insert_nodes(nodes[lo : lo + _BATCH])
            if progress:
                progress(min(lo + _BATCH, len(nodes)), len(nodes))
        meta_file.write_text(
            json.dumps({"hash": wanted, "chunks": len(nodes), "articles": len(articles)})
        )
        return cls(index.as_retriever(similarity_top_k=TOP_K), len(nodes), name)

    def ask(self, question: str, conversation_id: str | None) -> Reply:
        t0 = time.perf_counter()
        nodes = self.retriever.retrieve(question)
        latency = (time.perf_counter() - t0) * 1000
        retrieved = [
            PassageRef(str(n.node.ref_doc_id or ""), str(n.node.node_id), n.node.get_content())
            for n in nodes
        ]
        return Reply(answered=None, retrieved=retrieved, latency_ms=latency)


class BM25BaselineAsker(BaselineAsker):
    """llama-index's ``BM25Retriever.from_defaults(nodes=..., similarity_top_k=10)`` over the
    default ``SentenceSplitter()`` chunks of the same articles."""

    @classmethod
    def build_bm25(
        cls, articles: Sequence[Article], progress: Callable[[int, int], None] | None = None
    ) -> BM25BaselineAsker:
        import logging

        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.retrievers.bm25 import BM25Retriever

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        nodes = SentenceSplitter().get_nodes_from_documents(_documents(articles, titles=False))
        retriever = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=TOP_K)
        if progress:
            progress(len(nodes), len(nodes))
        return cls(retriever, len(nodes), "baseline-bm25")
