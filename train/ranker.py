"""Trains the passage ranker (ask/ranker.py) on the rtqa training questions.

For every question the first stage is run as search runs it (dense top-N and BM25 top-N over the
training corpus, restricted to pages from the weeks around the question, as a user's corpus holds
the news of a season), and each candidate is labelled:

- 2: a passage of one of the question's own search results that holds an answer string;
- 1: another passage of such a page (relevance is article-level in the rtqa benchmark);
- 0: anything else;
- left out: a passage of some other page that happens to hold the answer string (unknowable).

Questions without a positive candidate teach lambdarank nothing and are left out of training; in
evaluation they count as misses for every ordering alike.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from ask.ranker import FEATURES, Candidate, features, question_names
from index.bm25 import Filters
from index.embedder import Embedder
from index.text import query_terms, terms, words
from newsrag.settings import Settings
from train.card import command_lines, importance_lines, params_lines
from train.corpus import TrainCorpus
from train.rtqa import Question, Split, normalize

Progress = Callable[[int, int], None]
LABELS = ("answer passage", "answer page", "other")


@dataclass(slots=True)
class Group:
    """One question's candidates, their features and labels, in first-stage (fused) order."""

    question: Question
    passage_ids: list[str]
    rows: np.ndarray
    labels: np.ndarray
    dense_order: list[int] = field(default_factory=list)
    bm25_order: list[int] = field(default_factory=list)

    @property
    def has_positive(self) -> bool:
        return bool((self.labels > 0).any())


@dataclass(slots=True)
class FirstStage:
    """Passage indexes into the training corpus: fused order, and each retriever's own list."""

    fused: list[int]
    dense: list[int]
    bm25: list[int]
    sims: np.ndarray  # cosine of every corpus passage to the question
    bm25_score: dict[int, float]
    d_rank: dict[int, int]
    b_rank: dict[int, int]


def _window(day: str, days: int) -> tuple[str, str]:
    d = date.fromisoformat(day)
    return (d - timedelta(days=days)).isoformat(), (d + timedelta(days=days)).isoformat()


class CandidateBuilder:
    """Runs the first stage over the training corpus and computes the ranker's features."""

    def __init__(
        self,
        corpus: TrainCorpus,
        dates: dict[str, str],
        settings: Settings,
        window_days: int,
    ) -> None:
        self.corpus = corpus
        self.settings = settings
        self.window_days = window_days
        self.n = settings.retrieval.candidates
        self.index_of = {pid: i for i, pid in enumerate(corpus.ids)}
        self.passages_of: dict[str, list[int]] = {}
        for i, doc in enumerate(corpus.doc_of):
            self.passages_of.setdefault(str(doc), []).append(i)
        self.day = np.array([dates.get(str(d), "0000-00-00") for d in corpus.doc_of], dtype=object)
        self._terms: dict[int, frozenset[str]] = {}
        self._words: dict[int, frozenset[str]] = {}
        self._title_terms: dict[str, frozenset[str]] = {}
        self._title_words: dict[str, frozenset[str]] = {}

    def _passage(self, i: int) -> tuple[frozenset[str], frozenset[str]]:
        if i not in self._terms:
            text = self.corpus.texts[i]
            self._terms[i] = frozenset(terms(text))
            self._words[i] = frozenset(words(text))
        return self._terms[i], self._words[i]

    def _title(self, doc_id: str) -> tuple[frozenset[str], frozenset[str]]:
        if doc_id not in self._title_terms:
            title = self.corpus.titles.get(doc_id, "")
            self._title_terms[doc_id] = frozenset(terms(title))
            self._title_words[doc_id] = frozenset(words(title))
        return self._title_terms[doc_id], self._title_words[doc_id]

    def first_stage(self, q: Question, qvec: np.ndarray) -> FirstStage:
        """Dense top-N and BM25 top-N over the pages of the weeks around the question, fused by
        reciprocal rank as ask/search.py fuses them."""
        lo, hi = _window(q.date, self.window_days)
        in_window = (self.day >= lo) & (self.day <= hi)
        sims = self.corpus.vectors @ qvec
        masked = np.where(in_window, sims, -np.inf)
        top = np.argpartition(-masked, self.n)[: self.n]
        top = top[np.argsort(-masked[top])]
        dense_list = [int(i) for i in top if np.isfinite(masked[i])]
        bm25_hits = self.corpus.bm25.search(
            q.question, self.n, Filters(published_from=lo, published_to=hi)
        )
        bm25_list = [self.index_of[pid] for pid, _ in bm25_hits]
        bm25_score = {self.index_of[pid]: s for pid, s in bm25_hits}
        d_rank = {i: r for r, i in enumerate(dense_list, start=1)}
        b_rank = {i: r for r, i in enumerate(bm25_list, start=1)}
        fused = sorted(
            set(dense_list) | set(bm25_list),
            key=lambda i: (
                -(
                    (1 / (60 + d_rank[i]) if i in d_rank else 0.0)
                    + (1 / (60 + b_rank[i]) if i in b_rank else 0.0)
                )
            ),
        )
        return FirstStage(fused, dense_list, bm25_list, sims, bm25_score, d_rank, b_rank)

    def group(self, q: Question, qvec: np.ndarray) -> Group:
        stage = self.first_stage(q, qvec)
        fused, dense_list, bm25_list = stage.fused, stage.dense, stage.bm25
        sims, bm25_score, d_rank, b_rank = stage.sims, stage.bm25_score, stage.d_rank, stage.b_rank
        answer_pages = self._answer_pages(q)
        kept: list[int] = []
        labels: list[int] = []
        for i in fused:
            doc = str(self.corpus.doc_of[i])
            holds = q.holds_answer(normalize(self.corpus.texts[i]))
            if doc in answer_pages:
                labels.append(2 if holds else 1)
            elif holds:
                continue  # another page that happens to hold the answer: unknowable
            else:
                labels.append(0)
            kept.append(i)
        q_terms = query_terms(q.question)
        idf, _ = self.corpus.bm25.idf(q_terms)
        cands = []
        for i in kept:
            doc = str(self.corpus.doc_of[i])
            p_terms, p_words = self._passage(i)
            t_terms, t_words = self._title(doc)
            cands.append(
                Candidate(
                    article_id=doc,
                    position=int(self.corpus.position[i]),
                    terms=p_terms,
                    title_terms=t_terms,
                    words=p_words | t_words,
                    dense=float(sims[i]),
                    title_dense=float(self.corpus.title_vectors[doc] @ qvec),
                    dense_rank=d_rank.get(i),
                    bm25=float(bm25_score.get(i, 0.0)),
                    bm25_rank=b_rank.get(i),
                )
            )
        rows = features(q_terms, idf, question_names(q.question), cands)
        pos = {i: k for k, i in enumerate(kept)}
        return Group(
            question=q,
            passage_ids=[self.corpus.ids[i] for i in kept],
            rows=rows,
            labels=np.array(labels, dtype=np.int32),
            dense_order=[pos[i] for i in dense_list if i in pos],
            bm25_order=[pos[i] for i in bm25_list if i in pos],
        )

    def _answer_pages(self, q: Question) -> set[str]:
        pages = set()
        for doc in q.results:
            if doc in self.corpus.titles and q.holds_answer(normalize(self._doc_text(doc))):
                pages.add(doc)
        return pages

    def _doc_text(self, doc: str) -> str:
        return " ".join(self.corpus.texts[i] for i in self.passages_of.get(doc, ()))


def build_groups(
    builder: CandidateBuilder,
    questions: Sequence[Question],
    embedder: Embedder,
    progress: Progress | None = None,
) -> list[Group]:
    groups = []
    for k, q in enumerate(questions):
        groups.append(builder.group(q, embedder.embed_query(q.question)))
        if progress and (k % 25 == 0 or k == len(questions) - 1):
            progress(k + 1, len(questions))
    return groups


# ---- metrics --------------------------------------------------------------------------------
def _first(order: Sequence[int], labels: np.ndarray, level: int) -> int | None:
    for r, i in enumerate(order[:10], start=1):
        if labels[i] >= level:
            return r
    return None


def ordering_metrics(
    groups: Sequence[Group], order_of: Callable[[Group], Sequence[int]], answerable: int
) -> dict[str, float]:
    """hit@1/3/5 and mrr@10 at article level (label >= 1) and passage level (label 2), over the
    questions whose pages hold an answer (``answerable``, those without a candidate count as 0)."""
    out: dict[str, float] = {}
    for name, level in (("article", 1), ("passage", 2)):
        ranks = [_first(order_of(g), g.labels, level) for g in groups]
        for k in (1, 3, 5):
            out[f"{name}_hit@{k}"] = sum(1 for r in ranks if r and r <= k) / max(answerable, 1)
        out[f"{name}_mrr@10"] = sum(1 / r for r in ranks if r) / max(answerable, 1)
    return {k: round(v, 4) for k, v in out.items()}


def compare(groups: Sequence[Group], model: Any | None) -> dict[str, dict[str, float]]:
    answerable = sum(1 for g in groups if g.has_positive)
    result = {
        "fused (first stage)": ordering_metrics(groups, lambda g: range(len(g.labels)), answerable),
        "dense": ordering_metrics(groups, lambda g: g.dense_order, answerable),
        "bm25": ordering_metrics(groups, lambda g: g.bm25_order, answerable),
    }
    if model is not None:

        def ranked(g: Group) -> list[int]:
            if len(g.labels) == 0:
                return []
            return [int(i) for i in np.argsort(-model.predict(g.rows), kind="stable")]

        result["ranker"] = ordering_metrics(groups, ranked, answerable)
    return result


# ---- training -------------------------------------------------------------------------------
PARAMS: dict[str, Any] = {
    "objective": "lambdarank",
    "metric": "ndcg",
    "ndcg_eval_at": [1, 5],
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 40,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "num_threads": 2,
    "deterministic": True,
    "force_row_wise": True,
    "verbosity": -1,
}


def fit(train: Sequence[Group], valid: Sequence[Group], seed: int, rounds: int) -> tuple[Any, int]:
    import lightgbm as lgb

    def dataset(groups: Sequence[Group], reference: Any = None) -> Any:
        kept = [g for g in groups if g.has_positive]
        return lgb.Dataset(
            np.vstack([g.rows for g in kept]),
            label=np.concatenate([g.labels for g in kept]),
            group=[len(g.labels) for g in kept],
            feature_name=list(FEATURES),
            reference=reference,
            free_raw_data=False,
        )

    params = dict(PARAMS, seed=seed, bagging_seed=seed, feature_fraction_seed=seed)
    random.seed(seed)
    np.random.seed(seed)
    dtrain = dataset(train)
    if not any(g.has_positive for g in valid):  # a tiny trial run: no early stopping
        booster = lgb.train(params, dtrain, num_boost_round=rounds)
        return booster, rounds
    dvalid = dataset(valid, dtrain)
    booster = lgb.train(
        params,
        dtrain,
        num_boost_round=rounds,
        valid_sets=[dvalid],
        callbacks=[lgb.early_stopping(50, verbose=False)],
    )
    return booster, int(booster.best_iteration or rounds)


def write_card(
    path: Path,
    *,
    command: str,
    split: Split,
    groups: Mapping[str, Sequence[Group]],
    metrics: dict[str, dict[str, dict[str, float]]],
    params: dict[str, Any],
    rounds: int,
    seconds: dict[str, float],
    window_days: int,
    corpus_size: tuple[int, int],
    importance: dict[str, float],
) -> None:
    lines = [
        "# Model card: newsrag passage ranker (`ask/data/ranker.txt`)",
        "",
        "Gradient-boosted trees (LightGBM lambdarank) that re-order the first stage's candidates",
        "(dense top-N and BM25 top-N, union) by the features in `ask/ranker.py`.",
        "Written by the training command; do not edit by hand.",
        "",
        "## Data",
        "",
        "RealTime QA 2023-2026 training data (`../shared/train/rtqa/`, not in this repository):",
        f"{corpus_size[0]:,} search-result pages cut into {corpus_size[1]:,} passages exactly as",
        "`newsrag ingest` cuts, embeds (all-MiniLM-L6-v2, int8; titles embedded on their own) and",
        "BM25-indexes them (under their title).",
        f"Each question searches the pages from the {window_days} days either side of its date.",
        "Labels: 2 = a passage of one of the question's own results holding an answer string,",
        "1 = another passage of such a page, 0 = other; passages of other pages holding the answer",
        "string are left out. Never trained on `../shared/bench/` or on the seed articles.",
        "",
        "Split by date (a week is never in two parts):",
        "",
        "| part | questions | with an answer among the candidates | dates |",
        "| --- | --- | --- | --- |",
    ]
    for name, qs in (("train", split.train), ("valid", split.valid), ("test", split.test)):
        gs = groups[name]
        lines.append(
            f"| {name} | {len(qs)} | {sum(1 for g in gs if g.has_positive)} | "
            f"{qs[0].date if qs else '-'} .. {qs[-1].date if qs else '-'} |"
        )
    lines += [
        "",
        "`valid` chose the number of trees (early stopping on NDCG); `test` was never looked at",
        "while training, and its figures below are the ones to quote.",
        "",
        *command_lines(command, seconds, " (the corpus embedding is cached between runs)"),
        *params_lines(params, rounds),
        "## Metrics",
        "",
        "Over the questions with an answer-bearing candidate; `article` counts any passage of an",
        "answer page as relevant (the rtqa benchmark's rule), `passage` only one holding the answer.",
        "",
    ]
    for part in ("test", "valid", "train"):
        lines += [
            f"### {part}",
            "",
            "| ordering | article hit@1 | article mrr@10 | passage hit@1 | "
            "passage hit@5 | passage mrr@10 |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for name, m in metrics[part].items():
            lines.append(
                f"| {name} | {m['article_hit@1']:.3f} | {m['article_mrr@10']:.3f} | "
                f"{m['passage_hit@1']:.3f} | {m['passage_hit@5']:.3f} | {m['passage_mrr@10']:.3f} |"
            )
        lines.append("")
    test = metrics["test"]
    beats = all(
        test["ranker"][k] > test["fused (first stage)"][k]
        for k in ("article_mrr@10", "passage_mrr@10")
    )
    lines += [
        "## Use",
        "",
        (
            "It beats the first stage on the test weeks: worth enabling (NEWSRAG_RETRIEVAL_RANKER)."
            if beats
            else "It does not beat the first stage on the test weeks, so newsrag leaves it off by "
            "default (NEWSRAG_RETRIEVAL_RANKER=true turns it on)."
        ),
        "",
    ]
    lines += [*importance_lines(importance), ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    return fn(), time.perf_counter() - t0
