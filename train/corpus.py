"""The training corpus: every rtqa training page cut, embedded and BM25-indexed exactly as
``newsrag ingest`` does it (the same splitter, model and tokenizer; the title as a header of the BM25
text and as a vector of its own), so the features a ranker learns from are the ones it meets at
run time.

Embedding the 13,031 pages is the slow step (92,378 passages; 20-40 minutes on 2 shared cores with
the int8 model), so its result is cached in the work folder, keyed by the data and the settings.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus.loader import Article
from index.bm25 import BM25Index
from index.embedder import Embedder
from index.passages import split_article, title_header
from index.store import date_number
from newsrag.settings import Settings
from train.rtqa import Doc

Progress = Callable[[int, int], None]
_GROUP = 2048  # passages embedded per call: a progress step, and what a crash loses


@dataclass(slots=True)
class TrainCorpus:
    """Passages of the training pages with their vectors and a BM25 index over them."""

    ids: list[str]  # "doc#index", as the store names passages
    build_seconds: float | None  # how long the cut and embedding took when it was not cached
    doc_of: np.ndarray  # (n,) object: page id per passage
    position: np.ndarray  # (n,) int: passage index within its page
    texts: list[str]  # passage text without the header
    vectors: np.ndarray  # (n, 384) float32, unit length
    bm25: BM25Index
    titles: dict[str, str]
    title_vectors: dict[str, np.ndarray]  # page id -> unit vector of its title

    def __len__(self) -> int:
        return len(self.ids)


def _key(docs: dict[str, Doc], settings: Settings) -> str:
    digest = hashlib.sha256()
    p, e = settings.passages, settings.embedding
    # "|None": a field since dropped, kept so that corpora cached before stay valid
    digest.update(f"v2|{p.max_tokens}|{p.overlap_sentences}|{e.backend}|None\n".encode())
    for doc_id in sorted(docs):
        d = docs[doc_id]
        digest.update(f"{doc_id}\0{len(d.text)}\0{d.title}\n".encode())
    return digest.hexdigest()[:16]


def build(
    docs: dict[str, Doc],
    dates: dict[str, str],
    settings: Settings,
    work: Path,
    progress: Progress | None = None,
) -> TrainCorpus:
    """Cuts and embeds ``docs`` (or loads the cached result) and indexes them with BM25."""
    key = _key(docs, settings)
    folder = work / f"corpus-{key}"
    meta_file, vec_file = folder / "passages.jsonl", folder / "vectors.npy"
    title_file = folder / "titles.npy"
    embedder: Embedder | None = None
    if not (meta_file.is_file() and vec_file.is_file() and title_file.is_file()):
        started = time.perf_counter()
        embedder = Embedder(settings.embedding)
        _embed_all(docs, settings, embedder, folder, progress)
        (folder / "built.json").write_text(
            json.dumps({"seconds": round(time.perf_counter() - started, 1)})
        )
    rows = [json.loads(line) for line in meta_file.open(encoding="utf-8")]
    vectors = np.load(vec_file).astype(np.float32)
    ids = [f"{r['doc']}#{r['i']}" for r in rows]
    texts = [docs[r["doc"]].text[r["s"] : r["e"]] for r in rows]
    titles = {doc_id: d.title for doc_id, d in docs.items()}
    order = sorted(docs)
    tvecs = np.load(title_file).astype(np.float32)
    title_vectors = {doc_id: tvecs[k] for k, doc_id in enumerate(order)}
    bm25 = BM25Index()
    bm25.build(
        [
            (
                ids,
                texts,
                [{"article_id": r["doc"], "pub": date_number(dates.get(r["doc"]))} for r in rows],
            )
        ],
        key,
        {doc_id: title_header(title) for doc_id, title in titles.items()},
    )
    # the BM25 index sorts its passages by id; ours keep file order: look up by id, not position
    try:
        build_seconds = float(json.loads((folder / "built.json").read_text())["seconds"])
    except (OSError, ValueError, KeyError):
        build_seconds = None
    return TrainCorpus(
        ids=ids,
        build_seconds=build_seconds,
        doc_of=np.array([r["doc"] for r in rows], dtype=object),
        position=np.array([r["i"] for r in rows], dtype=np.int64),
        texts=texts,
        vectors=vectors,
        bm25=bm25,
        titles=titles,
        title_vectors=title_vectors,
    )


def _embed_all(
    docs: dict[str, Doc],
    settings: Settings,
    embedder: Embedder,
    folder: Path,
    progress: Progress | None,
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    order = sorted(docs)
    titles = embedder.embed_texts([" ".join(docs[d].title.split()) for d in order])
    np.save(folder / "titles.tmp.npy", titles.astype(np.float16))
    rows: list[dict[str, object]] = []
    texts: list[str] = []
    for doc_id in order:
        d = docs[doc_id]
        article = Article(id=doc_id, title=d.title, text=d.text)
        for p in split_article(
            article,
            embedder.count_tokens,
            max_tokens=settings.passages.max_tokens,
            overlap=settings.passages.overlap_sentences,
        ):
            rows.append({"doc": doc_id, "i": p.index, "s": p.start, "e": p.end})
            texts.append(p.text)
    vectors = np.zeros((len(texts), 384), dtype=np.float16)
    for lo in range(0, len(texts), _GROUP):
        chunk = texts[lo : lo + _GROUP]
        vectors[lo : lo + len(chunk)] = embedder.embed_texts(chunk).astype(np.float16)
        if progress:
            progress(lo + len(chunk), len(texts))
    tmp = folder / "vectors.tmp.npy"
    np.save(tmp, vectors)
    with (folder / "passages.tmp").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    tmp.rename(folder / "vectors.npy")
    (folder / "passages.tmp").rename(folder / "passages.jsonl")
    (folder / "titles.tmp.npy").rename(folder / "titles.npy")
