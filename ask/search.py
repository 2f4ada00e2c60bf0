"""Hybrid passage search: Chroma (dense) and BM25 candidates, fused by weighted reciprocal rank and
then re-ordered by the learned ranker (ask/ranker.py) when it is enabled (off by default).

Fusion is written out here rather than taken from llama-index's QueryFusionRetriever: that class
wraps each result in nodes, fires instrumentation events and re-embeds the question inside its
vector retriever, while the answer step needs the question vector too (for sentence scores); see
docs/benchmarks.md for the measured cost. The algorithm is its ``reciprocal_rerank`` mode
(score = sum of w / (k + rank)), with a weight per retriever.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ask.ranker import Ranker, shipped_ranker
from index.bm25 import BM25Index, Filters
from index.embedder import Embedder
from index.passages import split_passage_id
from index.store import ArticleInfo, Store, StoredPassage
from index.text import REFERS_BACK, qualifier_alike, query_terms, terms, word_terms, words
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
    # the passage ending where this one starts, read when this one opens with a pronoun ("At the
    # forum, he called for ..."): the sentence before names whom it speaks of
    before: StoredPassage | None = None


def rrf(ranked_lists: list[list[str]], weights: list[float], k: int) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for ranking, weight in zip(ranked_lists, weights, strict=True):
        for rank, pid in enumerate(ranking, start=1):
            scores[pid] = scores.get(pid, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: kv[1], reverse=True)


def per_article(ranked: list[tuple[str, float]], cap: int) -> list[tuple[str, float]]:
    """``ranked`` (passage ids ``article#n``, best first) with each article's passages after its
    first ``cap`` moved behind the first ``cap`` of every article, each part in its own order.
    Under article-level relevance this never moves the first relevant passage down."""
    seen: dict[str, int] = {}
    first: list[tuple[str, float]] = []
    rest: list[tuple[str, float]] = []
    for pid, score in ranked:
        article = split_passage_id(pid)[0]
        n = seen.get(article, 0)
        seen[article] = n + 1
        (first if n < cap else rest).append((pid, score))
    return first + rest


class Searcher:
    """Holds the warm indexes (Chroma handle, BM25, article table) and answers searches."""

    def __init__(
        self,
        settings: RetrievalSettings,
        store: Store,
        embedder: Embedder,
        bm25: BM25Index,
        articles: dict[str, ArticleInfo],
        ranker: Ranker | None = None,
    ) -> None:
        self.settings = settings
        self.ranker = ranker if ranker is not None else shipped_ranker(settings)
        self._titles: dict[str, tuple[str, frozenset[str], frozenset[str]]] = {}
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
        words_extra: int = 0,
        answer_k: int | None = None,
        listing: bool = True,
    ) -> tuple[list[Hit], list[Hit], np.ndarray]:
        """The ranked list (the best ``top_k`` passages, at most ``per_article`` of one article ahead
        of every other article's best; empty without ``listing``: nobody will see it, so its
        passages are not read from the store), what the answer step reads, and the question's
        vector.

        The answer reads the first ``answer_k`` passages as fused, several of one article among
        them when they rank so (rtqa gold dev: answer_accuracy 0.544 reading these, 0.505 reading
        the list's first five), and the best ``dense_extra`` dense passages that fusion ranked
        lower: a passage no question word matches gets little from reciprocal rank fusion, yet
        may hold the paraphrased answer; likewise the best ``words_extra`` BM25 passages, whose
        vector other topics of the passage dilute."""
        top_k = top_k or self.settings.top_k
        answer_k = answer_k or top_k
        mode = mode or self.settings.mode
        n = max(self.settings.candidates, top_k)
        qvec = vector if vector is not None else self.embedder.embed_query(query)
        keep = word_terms(query, self.embedder.tokenizer.is_word)  # real words are not mended
        lists: list[list[str]] = []
        weights: list[float] = []
        bm25_scores: dict[str, float] = {}
        dense_ids: list[str] = []
        bm25_ids: list[str] = []
        if mode in ("hybrid", "dense"):
            where = filters.chroma_where() if filters else None
            dense = self.store.query(qvec, n, where)
            dense_ids = [pid for pid, _ in dense]
            lists.append(dense_ids)
            weights.append(self.settings.dense_weight)
        if mode in ("hybrid", "bm25"):
            # "the first forum" also searched as "the inaugural forum"
            alike = qualifier_alike(query)
            bm25_hits = self.bm25.search(" ".join([query, *alike]), n, filters, keep)
            bm25_scores = dict(bm25_hits)
            bm25_ids = [pid for pid, _ in bm25_hits]
            lists.append(bm25_ids)
            weights.append(self.settings.bm25_weight)
        fused = rrf(lists, weights, self.settings.rrf_k)
        if self.ranker is not None and mode == "hybrid" and fused:
            ranked, fetched = self._rerank(
                query, qvec, fused, dense_ids, bm25_ids, bm25_scores, keep
            )
            fused = ranked
        else:
            fetched = {}
        cap = self.settings.per_article
        shown = (per_article(fused, cap) if cap else fused) if listing else []
        listed = [pid for pid, _ in shown[:top_k]]
        read = [pid for pid, _ in fused[:answer_k]]
        for pid in (*dense_ids[:dense_extra], *bm25_ids[:words_extra]):
            if pid not in read:
                read.append(pid)
        wanted = listed + [pid for pid in read if pid not in listed]
        missing = [pid for pid in wanted if pid not in fetched]
        fetched.update({p.id: p for p in self.store.get_passages(missing)})
        scores = dict(fused)
        made: dict[str, Hit | None] = {}
        for pid in wanted:
            passage = fetched.get(pid)
            made[pid] = (
                self._hit(passage, qvec, scores.get(pid, 0.0), bm25_scores.get(pid, 0.0), 0)
                if passage is not None
                else None
            )
        hits = [h for h in (made[pid] for pid in listed) if h is not None]
        for rank, hit in enumerate(hits, start=1):
            hit.rank = rank
        reading = [h for h in (made[pid] for pid in read) if h is not None]
        self._lead_in(reading)  # only the answer step reads whom "he" speaks of
        unlisted = [hit for hit in reading if hit.rank == 0]
        for k, hit in enumerate(unlisted, start=1):  # read, not listed: ranked after the list
            hit.rank = len(hits) + k
        return hits, reading, qvec

    def hits_for(self, ids: Sequence[str], qvec: np.ndarray, rank: int) -> list[Hit]:
        """The passages ``ids`` as hits for ``qvec`` (ranked from ``rank`` on, no BM25 score):
        what a follow-up reads beside its own search, the passages the last answer cited."""
        hits: list[Hit] = []
        for passage in self.store.get_passages(list(ids)):
            hit = self._hit(passage, qvec, 0.0, 0.0, rank + len(hits))
            if hit is not None:
                hits.append(hit)
        self._lead_in(hits)
        return hits

    def _lead_in(self, hits: Sequence[Hit]) -> None:
        """Gives each hit whose passage opens with a pronoun (or "Here,") the passage before it (one
        read for all of them), so the answer step knows whom "he" or "it" speaks of."""
        wanted: dict[str, list[Hit]] = {}
        for hit in hits:
            p = hit.passage
            article_id, index = split_passage_id(p.id)
            if not index or not p.sentences:
                continue
            start, end = p.sentences[0]
            if REFERS_BACK.match(p.text[start - p.start : end - p.start]):
                wanted.setdefault(f"{article_id}#{index - 1}", []).append(hit)
        if not wanted:
            return
        for before in self.store.get_passages(list(wanted)):
            for hit in wanted.get(before.id, ()):
                hit.before = before

    def _hit(
        self, passage: StoredPassage, qvec: np.ndarray, score: float, bm25: float, rank: int
    ) -> Hit | None:
        """``passage`` as a hit, with its cosine to ``qvec``; None when its article is not in the
        view this process serves (written after it was loaded, still pending, or removed since):
        the engine's generation check swaps in the new view once the writer has finished."""
        article = self.articles.get(passage.article_id)
        if article is None:
            return None
        dense = float(passage.vector @ qvec) if passage.vector is not None else 0.0
        return Hit(passage, article, score, dense, bm25, rank)

    def _rerank(
        self,
        query: str,
        qvec: np.ndarray,
        fused: list[tuple[str, float]],
        dense_ids: list[str],
        bm25_ids: list[str],
        bm25_scores: dict[str, float],
        keep: frozenset[str],
    ) -> tuple[list[tuple[str, float]], dict[str, StoredPassage]]:
        """Every first-stage candidate ordered by the learned ranker, with its score; and the
        passages read to score them (the caller reuses them)."""
        from ask.ranker import Candidate, features, question_names

        assert self.ranker is not None
        fetched = {p.id: p for p in self.store.get_passages([pid for pid, _ in fused])}
        d_rank = {pid: r for r, pid in enumerate(dense_ids, start=1)}
        b_rank = {pid: r for r, pid in enumerate(bm25_ids, start=1)}
        ids: list[str] = []
        cands: list[Candidate] = []
        for pid, _ in fused:
            passage = fetched.get(pid)
            article = self.articles.get(passage.article_id) if passage is not None else None
            if passage is None or article is None:
                continue
            title_terms, title_words = self._title_terms(article)
            ids.append(pid)
            cands.append(
                Candidate(
                    article_id=passage.article_id,
                    position=_position(pid),
                    terms=frozenset().union(*passage.sentence_terms),
                    title_terms=title_terms,
                    words=frozenset(words(passage.text)) | title_words,
                    dense=float(passage.vector @ qvec) if passage.vector is not None else 0.0,
                    title_dense=(
                        float(article.title_vector @ qvec)
                        if article.title_vector is not None
                        else 0.0
                    ),
                    dense_rank=d_rank.get(pid),
                    bm25=bm25_scores.get(pid, 0.0),
                    bm25_rank=b_rank.get(pid),
                )
            )
        q_terms = self.bm25.correct(query_terms(query), keep)
        idf, _ = self.bm25.idf(q_terms)
        scores = self.ranker.score(features(q_terms, idf, question_names(query), cands))
        order = np.argsort(-scores, kind="stable")
        return [(ids[i], float(scores[i])) for i in order], fetched

    def _title_terms(self, article: ArticleInfo) -> tuple[frozenset[str], frozenset[str]]:
        cached = self._titles.get(article.id)
        if cached is None or cached[0] != article.title:
            cached = (
                article.title,
                frozenset(terms(article.title)),
                frozenset(words(article.title)),
            )
            self._titles[article.id] = cached
        return cached[1], cached[2]


def _position(passage_id: str) -> int:
    index = split_passage_id(passage_id)[1]
    return 0 if index is None else index
