"""Ingest figures: newsrag's pipeline and llama-index's default one on the same articles, and what
each really embeds.

"Embedded" means the word pieces the model actually sees: MiniLM truncates every input at 256
(special tokens included), so of a 1,024-token baseline chunk only the first 254 word pieces count.
Coverage is the share of the article text's characters that fall inside some embedded window.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from corpus.loader import Article
from eval.bench_env import flops_of_sequences, load
from index.embedder import MAX_SEQ, bundled_model_path
from newsrag.settings import Settings


def tokenizer() -> Any:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(bundled_model_path()), local_files_only=True)
    tok.model_max_length = 10**9  # counting whole articles, not feeding the model
    return tok


def article_tokens(tok: Any, articles: Sequence[Article]) -> int:
    """Word pieces of all article texts (no special tokens): the text there is to embed."""
    total = 0
    for lo in range(0, len(articles), 256):
        ids = tok([a.text for a in articles[lo : lo + 256]], add_special_tokens=False)["input_ids"]
        total += sum(len(x) for x in ids)
    return total


def embedded_windows(
    tok: Any, chunks: Iterable[tuple[str, int, str]], text_chars: dict[str, int]
) -> dict[str, Any]:
    """What the model sees of ``chunks`` ((article id, start char, chunk text)), truncated at 256.

    Returns the embedded word pieces (specials included, as the model runs them), the sequence
    lengths' FLOPs and the share of article characters covered by some embedded window.
    """
    covered: dict[str, list[tuple[int, int]]] = {}
    lengths: list[int] = []
    batch: list[tuple[str, int, str]] = []

    def flush() -> None:
        enc = tok(
            [c[2] for c in batch],
            truncation=True,
            max_length=MAX_SEQ,
            return_offsets_mapping=True,
        )
        for (aid, start, _), ids, offs in zip(
            batch, enc["input_ids"], enc["offset_mapping"], strict=True
        ):
            lengths.append(len(ids))
            ends = [e for s, e in offs if e > s]
            if ends:
                covered.setdefault(aid, []).append((start, start + max(ends)))
        batch.clear()

    for chunk in chunks:
        batch.append(chunk)
        if len(batch) >= 256:
            flush()
    if batch:
        flush()
    chars = 0
    for spans in covered.values():
        spans.sort()
        end = -1
        for s, e in spans:
            s = max(s, end)
            if e > s:
                chars += e - s
            end = max(end, e)
    total_chars = sum(text_chars.values())
    return {
        "sequences": len(lengths),
        "embedded_tokens": sum(lengths),
        "mean_seq_len": round(sum(lengths) / max(1, len(lengths)), 1),
        "truncated_sequences": sum(1 for n in lengths if n >= MAX_SEQ),
        "flops": flops_of_sequences(lengths),
        "text_coverage": round(chars / max(1, total_chars), 4),
    }


def our_chunks(settings: Settings) -> Iterable[tuple[str, int, str]]:
    """(article id, start, text) of every passage in newsrag's store."""
    from index.runtime import open_store

    store = open_store(settings)
    offset = 0
    while True:
        page = store.passages.get(include=["documents", "metadatas"], limit=2000, offset=offset)
        for doc, meta in zip(page["documents"], page["metadatas"], strict=True):
            yield str(meta["article_id"]), int(meta["start"]), doc
        if len(page["ids"]) < 2000:
            return
        offset += 2000


def ingest_ours(
    settings: Settings, articles: Sequence[Article], tok: Any, text_tokens: int
) -> dict[str, Any]:
    """A fresh ingest into ``settings``' data dir (wiped first): wall time and what was embedded."""
    from index.embedder import Embedder
    from index.ingest import Ingestor, refresh_bm25
    from index.runtime import open_store

    shutil.rmtree(settings.store.data_dir, ignore_errors=True)
    settings.store.data_dir.mkdir(parents=True)
    before = load()
    t0 = time.perf_counter()
    store = open_store(settings)
    embedder = Embedder(settings.embedding)
    model_load = time.perf_counter() - t0
    ingestor = Ingestor(settings, store, embedder)
    report = ingestor.sync(articles)
    t_sync = time.perf_counter()
    refresh_bm25(store, settings)
    wall = time.perf_counter() - t0
    windows = embedded_windows(tok, our_chunks(settings), {a.id: len(a.text) for a in articles})
    return {
        "wall_s": round(wall, 2),
        "model_load_s": round(model_load, 2),
        "sync_s": round(t_sync - t0, 2),
        "bm25_build_s": round(wall - (t_sync - t0), 2),
        "embed_s": round(report.embed_seconds, 2),
        "articles": report.articles,
        "passages": report.chunks,
        "tokens_reported": report.tokens_embedded,
        "text_tokens": text_tokens,
        **windows,
        "load": [before, load()],
    }


def reingest_ours(
    settings: Settings, articles: Sequence[Article], paths: Sequence[Path]
) -> dict[str, Any]:
    """Re-ingest with nothing changed: the sync call in-process, and `newsrag ingest` as a user runs it."""
    from index.runtime import open_ingestor

    before = load()
    t0 = time.perf_counter()
    ingestor, refresh = open_ingestor(settings)
    report = ingestor.sync(articles)
    refresh()
    in_process = time.perf_counter() - t0
    env = {**os.environ, "NEWSRAG_DATA_DIR": str(settings.store.data_dir)}
    env["NEWSRAG_EMBED_BACKEND"] = settings.embedding.backend
    t1 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "newsrag", "ingest", *map(str, paths)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    cli = time.perf_counter() - t1
    return {
        "in_process_s": round(in_process, 3),
        "cli_s": round(cli, 2),
        "cli_ok": proc.returncode == 0,
        "cli_summary": proc.stdout.strip().splitlines()[-1]
        if proc.stdout.strip()
        else proc.stderr[-300:],
        "unchanged": report.unchanged,
        "embedded_tokens": report.tokens_embedded,
        "load": [before, load()],
    }


def ingest_baseline(
    folder: Path, articles: Sequence[Article], tok: Any, text_tokens: int
) -> tuple[Any, dict[str, Any]]:
    """llama-index's default pipeline (eval/baseline.py) built fresh in ``folder``; its asker and figures."""
    from llama_index.core import Document
    from llama_index.core.node_parser import SentenceSplitter

    from eval.baseline import BaselineAsker

    shutil.rmtree(folder, ignore_errors=True)
    before = load()
    t0 = time.perf_counter()
    asker = BaselineAsker.build(articles, folder)
    wall = time.perf_counter() - t0
    # The same split again (deterministic) to see what the model was given.
    nodes = SentenceSplitter().get_nodes_from_documents(
        [Document(text=a.text, id_=a.id) for a in articles]
    )
    chunks = (
        (str(n.ref_doc_id), int(getattr(n, "start_char_idx", None) or 0), n.get_content())
        for n in nodes
    )
    windows = embedded_windows(tok, chunks, {a.id: len(a.text) for a in articles})
    return asker, {
        "wall_s": round(wall, 2),
        "articles": len(articles),
        "passages": asker.chunks,
        "text_tokens": text_tokens,
        **windows,
        "load": [before, load()],
    }


def rates(fig: dict[str, Any], peak_flops: float | None) -> dict[str, Any]:
    """Per-second rates of an ingest figure and its embedded FLOP/s as a share of the matmul peak."""
    wall = fig["wall_s"] or 1e-9
    out = {
        "articles_per_s": round(fig["articles"] / wall, 2),
        "passages_per_s": round(fig["passages"] / wall, 2),
        "embedded_tokens_per_s": round(fig["embedded_tokens"] / wall, 1),
        "flops_per_token_m": round(fig["flops"] / max(1, fig["embedded_tokens"]) / 1e6, 2),
    }
    if peak_flops:
        out["peak_fraction"] = round(fig["flops"] / wall / peak_flops, 4)
    if fig.get("embed_s"):
        out["embed_only_tokens_per_s"] = round(fig["embedded_tokens"] / fig["embed_s"], 1)
    return out
