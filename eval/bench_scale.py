"""The scale run: how answer latency, cold start and server memory grow with the number of passages.

The large indexes repeat a real embedded corpus (rtqa): copy r of article A is article ``A~r`` with
the same text, offsets, sentence vectors and BM25 terms, and a passage vector equal to the original
plus Gaussian noise (sigma 0.015 a dimension, cosine ~0.96 to the original) so the HNSW graph is not
built over exact duplicates. Nothing is re-embedded: embedding 100,000 passages (~16 M word pieces)
would take hours on 2 cores and says nothing the ingest figures do not already say; the query path,
the HNSW graph, the BM25 index and the article table are real at every size.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from eval.bench_env import load

NOISE_SIGMA = 0.015


class Source:
    """Every record of a store's two collections, held in memory to be copied."""

    def __init__(self, store: Any) -> None:
        self.passages = _all(store.passages)
        self.articles = _all(store.articles)
        self.vectors = np.asarray(self.passages["embeddings"], dtype=np.float32)
        self.by_article: dict[str, list[int]] = {}
        for k, meta in enumerate(self.passages["metadatas"]):
            self.by_article.setdefault(str(meta["article_id"]), []).append(k)

    def __len__(self) -> int:
        return len(self.passages["ids"])


def _all(collection: Any, page: int = 2000) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {"ids": [], "embeddings": [], "documents": [], "metadatas": []}
    offset = 0
    while True:
        got = collection.get(
            include=["embeddings", "documents", "metadatas"], limit=page, offset=offset
        )
        if not len(got["ids"]):
            return out
        for key in out:
            out[key].extend(list(got[key]))
        if len(got["ids"]) < page:
            return out
        offset += page


def add_copy(src: Source, store: Any, r: int, rng: np.random.Generator, batch: int = 1000) -> int:
    """Writes copy ``r`` of every source article into ``store``; returns the passages written."""
    arts = src.articles
    ids = [f"{aid}~{r}" for aid in arts["ids"]]
    for lo in range(0, len(ids), batch):
        store.articles.upsert(
            ids=ids[lo : lo + batch],
            embeddings=arts["embeddings"][lo : lo + batch],
            documents=arts["documents"][lo : lo + batch],
            metadatas=arts["metadatas"][lo : lo + batch],
        )
    p = src.passages
    noisy = src.vectors + rng.normal(0.0, NOISE_SIGMA, src.vectors.shape).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    n = len(src)
    for lo in range(0, n, batch):
        hi = min(n, lo + batch)
        metas = []
        pids = []
        for k in range(lo, hi):
            meta = dict(p["metadatas"][k])
            aid = str(meta["article_id"])
            meta["article_id"] = f"{aid}~{r}"
            metas.append(meta)
            pids.append(f"{aid}~{r}#{p['ids'][k].rsplit('#', 1)[1]}")
        store.passages.upsert(
            ids=pids, embeddings=noisy[lo:hi], documents=p["documents"][lo:hi], metadatas=metas
        )
    return n


def grow_to(
    src: Source, store: Any, target: int, start_copy: int, seed: int, budget_s: float
) -> dict[str, Any]:
    """Adds copies until the store holds at least ``target`` passages (or the time is up)."""
    rng = np.random.default_rng(seed + start_copy)
    before = load()
    t0 = time.perf_counter()
    r = start_copy
    count = store.passage_count()
    while count < target and time.perf_counter() - t0 < budget_s:
        count += add_copy(src, store, r, rng)
        r += 1
    return {
        "passages": store.passage_count(),
        "copies_added": r - start_copy,
        "next_copy": r,
        "write_s": round(time.perf_counter() - t0, 1),
        "reached": count >= target,
        "load": [before, load()],
    }


def run_sizes(
    sizes: list[int],
    src: Source,
    store: Any,
    measure: Callable[[int], dict[str, Any]],
    budget_s: float,
    log: Callable[[str], None],
) -> list[dict[str, Any]]:
    """Grows ``store`` through ``sizes`` and calls ``measure(passages)`` at each; stops when time is up."""
    points = []
    next_copy = 1
    started = time.perf_counter()
    for size in sorted(sizes):
        left = budget_s - (time.perf_counter() - started)
        if left <= 0:
            log(f"scale: time budget spent before {size} passages")
            break
        grown = grow_to(src, store, size, next_copy, seed=8, budget_s=left)
        next_copy = grown["next_copy"]
        log(f"scale: {grown['passages']} passages (write {grown['write_s']} s)")
        point = {"target": size, **grown, **measure(grown["passages"])}
        points.append(point)
        if not grown["reached"]:
            break
    return points
