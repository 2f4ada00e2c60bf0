"""Hybrid passage search: Chroma (dense) and BM25 candidates fused by weighted reciprocal rank.

Fusion is written out here rather than taken from llama-index's QueryFusionRetriever: that class
wraps each result in nodes, fires instrumentation events and re-embeds the question inside its
vector retriever, while the answer step needs the question vector too (for sentence scores); see
docs/benchmarks.md for the measured cost. The algorithm is its ``reciprocal_rerank`` mode
(score = sum of w / (k + rank)), with a weight per retriever.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from index.bm25 import BM25Index, Filters
from index.embedder import Embedder
from index.store import ArticleInfo, Store, StoredPassage
from newsrag.settings import RetrievalSettings


@dataclass(slots=True)
class Hit:
    """A retrieved passage with its fused rank score and its own cosine to the question."""

    passage: StoredPassage
    article: ArticleInfo
    score: float  # fused score used for ranking
    dense: float  # cosine(question, passage)
    bm25: float  # BM25 score (0 when BM25 did not return it)
    rank: int  # 1-based


def rrf(ranked_lists: list[list[str]], weights: list[float], k: int) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for ranking, weight in zip(ranked_lists, weights, strict=True):
        for rank, pid in enumerate(ranking, start=1):
            scores[pid] = scores.get(pid, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: kv[1], reverse=True)


class Searcher:
    """Holds the warm indexes (Chroma handle, BM25, article table) and answers searches."""

    def __init__(
        self,
        settings: RetrievalSettings,
        store: Store,
        embedder: Embedder,
        bm25: BM25Index,
        articles: dict[str, ArticleInfo],
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.bm25 = bm25
        self.articles = articles
        self._lock = threading.Lock()

    def replace(self, bm25: BM25Index, articles: dict[str, ArticleInfo]) -> None:
        """Swaps in indexes rebuilt after the store changed."""
        with self._lock:
            self.bm25 = bm25
            self.articles = articles

    def search(
        self,
        query: str,
        top_k: int | None = None,
        filters: Filters | None = None,
        mode: str | None = None,
        vector: np.ndarray | None = None,
    ) -> tuple[list[Hit], np.ndarray]:
        """The best ``top_k`` passages for ``query`` and the question's vector."""
        hits, _, qvec = self.search_with_pool(query, top_k, filters, mode, vector, 0)
        return hits, qvec

    def search_with_pool(
        self,
        query: str,
        top_k: int | None = None,
        filters: Filters | None = None,
        mode: str | None = None,
        vector: np.ndarray | None = None,
        dense_extra: int = 0,
        answer_k: int | None = None,
    ) -> tuple[list[Hit], list[Hit], np.ndarray]:
        """The best ``top_k`` passages, and those of the best ``dense_extra`` dense passages that
        are not among the first ``answer_k`` of them: a passage no question word matches gets
        little from reciprocal rank fusion, yet may hold the paraphrased answer (the answer step
        reads its sentences too)."""
        top_k = top_k or self.settings.top_k
        answer_k = answer_k or top_k
        mode = mode or self.settings.mode
        n = max(self.settings.candidates, top_k)
        qvec = vector if vector is not None else self.embedder.embed_query(query)
        lists: list[list[str]] = []
        weights: list[float] = []
        bm25_scores: dict[str, float] = {}
        if mode in ("hybrid", "dense"):
            where = filters.chroma_where() if filters else None
            dense = self.store.query(qvec, n, where)
            lists.append([pid for pid, _ in dense])
            weights.append(self.settings.dense_weight)
        if mode in ("hybrid", "bm25"):
            bm25_hits = self.bm25.search(query, n, filters)
            bm25_scores = dict(bm25_hits)
            lists.append([pid for pid, _ in bm25_hits])
            weights.append(self.settings.bm25_weight)
        fused = rrf(lists, weights, self.settings.rrf_k)[:top_k]
        chosen = [pid for pid, _ in fused]
        best_dense = lists[0][:dense_extra] if mode in ("hybrid", "dense") else []
        extra = [pid for pid in best_dense if pid not in chosen[:answer_k]]
        passages = self.store.get_passages(chosen + [p for p in extra if p not in chosen])
        hits: list[Hit] = []
        pool: list[Hit] = []
        scores = dict(fused)
        for passage in passages:
            article = self.articles.get(passage.article_id)
            # not in the view this process serves (written after it was loaded, or still pending):
            # the engine's generation check swaps in the new view once the writer has finished
            if article is None:
                continue
            dense_score = float(passage.vector @ qvec) if passage.vector is not None else 0.0
            hit = Hit(
                passage=passage,
                article=article,
                score=scores.get(passage.id, 0.0),
                dense=dense_score,
                bm25=bm25_scores.get(passage.id, 0.0),
                rank=len(hits) + 1,
            )
            if passage.id in scores:
                hits.append(hit)
            if passage.id in extra:
                pool.append(hit)
        return hits, pool, qvec
