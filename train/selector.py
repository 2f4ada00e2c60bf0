"""Trains the answer selector (ask/selector.py) on the rtqa training questions.

For every question the answer step is run as ``newsrag ask`` runs it, over the training corpus: the
first stage (train/ranker.py, the pages of the weeks around the question), the best 5 fused
passages and the best 2 dense ones, each passage's sentences with their contextual vectors, then the
rules of ask/answer.py. Each candidate sentence is labelled 1 when it holds an answer string (as
eval/metrics.py matches answers), else 0. A question none of whose sentences holds an answer is
one the answer step should decline: it teaches abstention.

The trees are fit on the train weeks, the number of trees and the calibration (Platt scaling of the
best sentence's probability into P(right), then one abstention threshold) on the valid weeks, and
the test weeks are only measured.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ask.answer import question_terms, score_sentences
from ask.search import Hit
from ask.selector import FEATURES, NEED_KINDS
from ask.selector import features as selector_features
from eval.metrics import normalize
from index.embedder import Embedder
from index.lexicon import Lexicon
from index.passages import split_sentences
from index.store import ArticleInfo, StoredPassage
from index.text import terms
from train.card import command_lines, importance_lines, params_lines
from train.ranker import CandidateBuilder
from train.rtqa import Question, Split

Progress = Callable[[int, int], None]
ANSWER_K = 5  # passages the answer reads (RetrievalSettings.top_k)
DENSE_EXTRA = 2  # and the best dense ones fusion ranked lower (answer_dense_extra)
BM25_EXTRA = 1  # and the best BM25 ones (answer_bm25_extra)


@dataclass(slots=True)
class Sentences:
    """One question's candidate sentences in the rules' order, their features and labels."""

    question: Question
    rows: np.ndarray
    labels: np.ndarray
    rule_confidence: float
    texts: list[str]  # the sentences themselves, in the same order (the reader reads them)

    @property
    def answerable(self) -> bool:
        return bool(self.labels.any())


class SentenceBuilder:
    """Runs retrieval and the rules over the training corpus for one question at a time."""

    def __init__(
        self, builder: CandidateBuilder, embedder: Embedder, lexicon: Lexicon | None
    ) -> None:
        self.builder = builder
        self.corpus = builder.corpus
        self.embedder = embedder
        self.lexicon = lexicon
        self._passages: dict[int, StoredPassage] = {}
        self._articles: dict[str, ArticleInfo] = {}

    def _stored(self, wanted: Sequence[int]) -> None:
        todo = [i for i in wanted if i not in self._passages]
        if not todo:
            return
        texts = [self.corpus.texts[i] for i in todo]
        spans = [[(s.start, s.end) for s in split_sentences(t)] for t in texts]
        batch = self.embedder.embed_passages(texts, spans)
        for k, i in enumerate(todo):
            text = texts[k]
            self._passages[i] = StoredPassage(
                id=self.corpus.ids[i],
                article_id=str(self.corpus.doc_of[i]),
                start=0,
                end=len(text),
                text=text,
                sentences=spans[k],
                sentence_vectors=batch.sentences[k],
                sentence_terms=[frozenset(terms(text[a:b])) for a, b in spans[k]],
                vector=self.corpus.vectors[i],
            )

    def _article(self, doc: str) -> ArticleInfo:
        if doc not in self._articles:
            self._articles[doc] = ArticleInfo(
                id=doc,
                title=self.corpus.titles.get(doc, ""),
                url=None,
                source=None,
                published=None,
                content_hash="",
                passages=0,
                state="committed",
            )
        return self._articles[doc]

    def sentences(self, q: Question) -> Sentences:
        qvec = self.embedder.embed_query(q.question)
        stage = self.builder.first_stage(q, qvec)
        chosen = stage.fused[:ANSWER_K]
        extra = [i for i in stage.dense[:DENSE_EXTRA] if i not in chosen]
        extra += [i for i in stage.bm25[:BM25_EXTRA] if i not in chosen and i not in extra]
        wanted = chosen + extra
        self._stored(wanted)
        fused_rank = {i: r for r, i in enumerate(stage.fused, start=1)}
        hits = [
            Hit(
                passage=self._passages[i],
                article=self._article(str(self.corpus.doc_of[i])),
                score=0.0,
                dense=float(stage.sims[i]),
                bm25=float(stage.bm25_score.get(i, 0.0)),
                rank=fused_rank.get(i, len(chosen) + 1),
            )
            for i in wanted
        ]
        idf, absent = question_terms(q.question, self.corpus.bm25, self.lexicon)
        scored = score_sentences(q.question, qvec, hits, idf, absent, self.lexicon)
        rows = selector_features(
            q.question, scored.ranked, scored.needs, len(idf), scored.missing, scored.confidence
        )
        labels = np.array(
            [1 if q.holds_answer(normalize(c.text)) else 0 for c in scored.ranked], dtype=np.int32
        )
        return Sentences(q, rows, labels, scored.confidence, [c.text for c in scored.ranked])


def build_sentences(
    builder: SentenceBuilder, questions: Sequence[Question], progress: Progress | None = None
) -> list[Sentences]:
    out = []
    for k, q in enumerate(questions):
        out.append(builder.sentences(q))
        if progress and (k % 25 == 0 or k == len(questions) - 1):
            progress(k + 1, len(questions))
    return out


# ---- training -------------------------------------------------------------------------------
PARAMS: dict[str, Any] = {
    "objective": "binary",
    "metric": ["binary_logloss", "auc"],
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


def fit(
    train: Sequence[Sentences], valid: Sequence[Sentences], seed: int, rounds: int
) -> tuple[Any, int]:
    import lightgbm as lgb

    def dataset(groups: Sequence[Sentences], reference: Any = None) -> Any:
        kept = [g for g in groups if len(g.labels)]
        return lgb.Dataset(
            np.vstack([g.rows for g in kept]),
            label=np.concatenate([g.labels for g in kept]),
            feature_name=list(FEATURES),
            categorical_feature=["need_kind"],
            reference=reference,
            free_raw_data=False,
        )

    params = dict(PARAMS, seed=seed, bagging_seed=seed, feature_fraction_seed=seed)
    random.seed(seed)
    np.random.seed(seed)
    dtrain = dataset(train)
    if not any(g.answerable for g in valid):  # a tiny trial run: no early stopping
        return lgb.train(params, dtrain, num_boost_round=rounds), rounds
    booster = lgb.train(
        params,
        dtrain,
        num_boost_round=rounds,
        valid_sets=[dataset(valid, dtrain)],
        callbacks=[lgb.early_stopping(50, first_metric_only=True, verbose=False)],
    )
    return booster, int(booster.best_iteration or rounds)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


@dataclass(slots=True)
class Tops:
    """Per question: the chosen sentence's score, whether it is right, whether any sentence is."""

    score: np.ndarray
    right: np.ndarray
    answerable: np.ndarray


def tops(groups: Sequence[Sentences], model: Any | None, weight: float | None = None) -> Tops:
    """The selector's choice (``model``) or the rules' (None: their first sentence and their
    confidence) for every question; with a ``weight``, the rules' score plus ``weight`` times the
    selector's probability chooses, and the rules' confidence stays (as ask/answer.py does)."""
    rule_col = FEATURES.index("rule_score")
    score, right, answerable = [], [], []
    for g in groups:
        if len(g.labels) == 0:
            score.append(0.0 if model is not None and weight is None else -1.0)
            right.append(False)
        elif model is None:
            score.append(g.rule_confidence)
            right.append(bool(g.labels[0]))
        elif weight is not None:
            blend = g.rows[:, rule_col] + weight * np.asarray(model.predict(g.rows))
            score.append(g.rule_confidence)
            right.append(bool(g.labels[int(np.argmax(blend))]))
        else:
            p = np.asarray(model.predict(g.rows), dtype=np.float64)
            k = int(np.argmax(p))
            score.append(float(p[k]))
            right.append(bool(g.labels[k]))
        answerable.append(g.answerable)
    return Tops(np.array(score), np.array(right), np.array(answerable))


def calibrate(t: Tops) -> tuple[float, float]:
    """Platt scaling: P(the chosen sentence is right) = sigmoid(a * logit(p) + b)."""
    from sklearn.linear_model import LogisticRegression

    x = _logit(t.score).reshape(-1, 1)
    y = t.right.astype(int)
    if len(set(y)) < 2:
        return 1.0, 0.0
    lr = LogisticRegression(C=1e6).fit(x, y)
    return float(lr.coef_[0][0]), float(lr.intercept_[0])


def decisions(t: Tops, confidence: np.ndarray, threshold: float) -> dict[str, float]:
    """Answered-and-right over answerable questions, abstained over the others (balanced: in
    rtqa most questions' pages lack the answer, in a user's corpus most questions are answerable)."""
    answered = confidence >= threshold
    pos, neg = t.answerable, ~t.answerable
    right_rate = float((answered & t.right & pos).sum() / max(pos.sum(), 1))
    abstain = float((~answered & neg).sum() / max(neg.sum(), 1))
    false_abstain = float((~answered & pos).sum() / max(pos.sum(), 1))
    return {
        "top1": float((t.right & pos).sum() / max(pos.sum(), 1)),
        "answered_right": right_rate,
        "abstain_recall": abstain,
        "false_abstain": false_abstain,
        "balanced": (right_rate + abstain) / 2,
    }


def best_threshold(t: Tops, confidence: np.ndarray) -> float:
    """The threshold with the best balanced score (answered-right + abstain recall) / 2."""
    grid = np.unique(np.round(confidence, 4))
    best, at = -1.0, 0.5
    for th in grid:
        b = decisions(t, confidence, float(th))["balanced"]
        if b > best:
            best, at = b, float(th)
    return at


def platt(a: float, b: float, p: np.ndarray) -> np.ndarray:
    return np.array([1 / (1 + math.exp(-(a * x + b))) for x in _logit(p)])


def write_card(
    path: Path,
    *,
    command: str,
    split: Split,
    groups: Mapping[str, Sequence[Sentences]],
    metrics: dict[str, dict[str, dict[str, float]]],
    params: dict[str, Any],
    rounds: int,
    calibration: dict[str, float],
    rule_threshold: float,
    weight: float,
    seconds: dict[str, float],
    importance: dict[str, float],
) -> None:
    lines = [
        "# Model card: newsrag answer selector (`ask/data/selector.txt`)",
        "",
        "Gradient-boosted trees (LightGBM, binary) giving each candidate sentence of the retrieved",
        "passages the probability that it holds the answer, from the features in",
        "`ask/selector.py` (the hand-set rules' scores among them).",
        "Written by the training command; do not edit by hand.",
        "",
        "## Data",
        "",
        "RealTime QA 2023-2026 training data (`../shared/train/rtqa/`, not in this repository),",
        "over the corpus `newsrag train ranker` builds from its search-result pages (cut, embedded",
        "and indexed as `newsrag ingest` does). Each question reads the 5 best fused passages and",
        "the 2 best dense ones from the pages of the weeks around it, as `newsrag ask` would.",
        "A sentence is positive when it holds an answer string. A question with no positive",
        "sentence is one to decline. Never trained on `../shared/bench/` or on the seed articles.",
        "",
        "| part | questions | with an answer among the sentences | sentences | dates |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, qs in (("train", split.train), ("valid", split.valid), ("test", split.test)):
        gs = groups[name]
        lines.append(
            f"| {name} | {len(qs)} | {sum(1 for g in gs if g.answerable)} | "
            f"{sum(len(g.labels) for g in gs):,} | "
            f"{qs[0].date if qs else '-'} .. {qs[-1].date if qs else '-'} |"
        )
    lines += [
        "",
        "`valid` chose the number of trees (early stopping on log loss) and the Platt scaling.",
        "`test` was never looked at while training; its figures are the ones to quote.",
        "",
        *command_lines(command, seconds),
        *params_lines(params, rounds),
        "How newsrag uses it (NEWSRAG_ANSWER_SELECTOR=true; off by default): the rules' sentence",
        f"score plus {weight} times the selector's probability orders the sentences (`rules +",
        "selector` below), and the rules' confidence still decides abstention (under",
        f"{rule_threshold}, AnswerSettings.abstain_threshold). `selector alone` abstains by its own",
        "probability, Platt-scaled on valid and cut at the threshold with the best balanced score",
        f"there (`{json.dumps(calibration, sort_keys=True)}`): it declines far too many answerable",
        "questions to be used.",
        "",
        "## Metrics",
        "",
        "`top1`: the chosen sentence holds the answer, over questions where some sentence does.",
        "`answered_right`: answered with such a sentence, over those questions.",
        "`abstain_recall`: declined, over questions where no sentence holds the answer.",
        "",
    ]
    for part in ("test", "valid", "train"):
        lines += [
            f"### {part}",
            "",
            "| chooser | top1 | answered_right | abstain_recall | false_abstain | balanced |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for name, m in metrics[part].items():
            lines.append(
                f"| {name} | {m['top1']:.3f} | {m['answered_right']:.3f} | "
                f"{m['abstain_recall']:.3f} | {m['false_abstain']:.3f} | {m['balanced']:.3f} |"
            )
        lines.append("")
    lines += [
        *importance_lines(importance),
        "",
        f"`need_kind` codes: {', '.join(k or '(none)' for k in NEED_KINDS)}.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
