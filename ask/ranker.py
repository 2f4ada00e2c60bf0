"""The learned passage ranker: gradient-boosted trees (LightGBM lambdarank) over features of each
candidate that dense search, BM25 and the question's words give, trained on real news questions
(``newsrag train ranker``; train/ranker.py; the model card is ask/data/ranker.md).

The same ``features`` function serves training and search, so what the trees learned from is what
they score. Every feature is cheap: the candidates' vectors, stemmed terms and titles are already at
hand after the two first-stage searches; LightGBM scores 60 rows in well under a millisecond.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ask.trees import TreeModel
from index.text import QUESTION_WORDS, names, stopwords, words
from newsrag.settings import RetrievalSettings

MODEL_DIR = Path(__file__).resolve().parent / "data"
MODEL_FILE = MODEL_DIR / "ranker.txt"
# the reciprocal-rank-fusion constant of the first stage (ask/search.py)
RRF_K = 60
PREFIX = 5  # stems sharing this many first letters count as a loose match ("telescop" / "telesc")

# capitalized only because a sentence starts with them
_SENTENCE_STARTS = frozenset(
    "he she it they we you i his her its their this that these those there here which what who "
    "whom whose when where why how in on at after before during since as if the a an".split()
)

FEATURES = (
    "dense",  # cosine(question, passage)
    "title_dense",  # cosine(question, the article's title)
    "dense_gap",  # dense minus the best candidate's dense
    "dense_rr",  # 1 / rank in the dense list (0: not in it)
    "bm25",  # raw BM25 score (0: not in the BM25 list)
    "bm25_norm",  # BM25 over the best candidate's BM25
    "bm25_rr",  # 1 / rank in the BM25 list
    "rrf",  # the first stage's fused score
    "cov_passage",  # idf-weighted share of the question's terms in the passage
    "cov_title",  # ... in the article's title
    "cov_both",  # ... in either
    "cov_loose",  # ... in the passage, counting a shared 5-letter prefix as a match
    "names_share",  # share of the question's capitalized names found in passage or title
    "position",  # passage index within its article (capped)
    "length",  # the passage's term count
    "art_max_dense",  # best dense of any candidate from the same article
    "art_count",  # candidates from the same article
    "art_max_bm25",  # best normalized BM25 of the same article's candidates
    "art_max_cov",  # best cov_both of the same article's candidates
    "art_best",  # 1 when this is its article's best dense candidate
    "q_terms",  # the question's content-term count
)


@dataclass(slots=True)
class Candidate:
    """What the ranker reads of one first-stage candidate."""

    article_id: str
    position: int
    terms: frozenset[str]  # stemmed terms of the passage (as BM25 holds them)
    title_terms: frozenset[str]
    words: frozenset[str]  # lower-cased words of passage and title (for names)
    dense: float
    title_dense: float
    dense_rank: int | None  # 1-based, None: not in the dense list
    bm25: float
    bm25_rank: int | None


@lru_cache(maxsize=4096)
def question_names(question: str) -> tuple[str, ...]:
    """Lower-cased words of the capitalized names in a question ("Damar Hamlin" -> damar, hamlin)."""
    stop = stopwords() | QUESTION_WORDS | _SENTENCE_STARTS
    out: list[str] = []
    for name in names(question):
        out.extend(w for w in words(name) if w not in stop)
    return tuple(dict.fromkeys(out))


def _coverage(
    q_terms: Sequence[str], weights: np.ndarray, total: float, have: frozenset[str]
) -> float:
    if total <= 0:
        return 0.0
    return float(sum(w for t, w in zip(q_terms, weights, strict=True) if t in have) / total)


def features(
    q_terms: Sequence[str],
    idf: Mapping[str, float],
    q_names: Sequence[str],
    candidates: Sequence[Candidate],
) -> np.ndarray:
    """One row of FEATURES per candidate."""
    n = len(candidates)
    out = np.zeros((n, len(FEATURES)), dtype=np.float32)
    if n == 0:
        return out
    weights = np.array([idf.get(t, 0.0) for t in q_terms], dtype=np.float64)
    total = float(weights.sum())
    prefixes = [t[:PREFIX] for t in q_terms]
    best_dense = max(c.dense for c in candidates)
    best_bm25 = max(c.bm25 for c in candidates) or 1.0
    for i, c in enumerate(candidates):
        both = c.terms | c.title_terms
        loose_have = {t[:PREFIX] for t in c.terms if len(t) >= PREFIX}
        loose = sum(
            w
            for t, p, w in zip(q_terms, prefixes, weights, strict=True)
            if t in c.terms or (len(p) >= PREFIX and p in loose_have)
        )
        found_names = sum(1 for w in q_names if w in c.words)
        out[i] = (
            c.dense,
            c.title_dense,
            c.dense - best_dense,
            1.0 / c.dense_rank if c.dense_rank else 0.0,
            c.bm25,
            c.bm25 / best_bm25,
            1.0 / c.bm25_rank if c.bm25_rank else 0.0,
            (1.0 / (RRF_K + c.dense_rank) if c.dense_rank else 0.0)
            + (1.0 / (RRF_K + c.bm25_rank) if c.bm25_rank else 0.0),
            _coverage(q_terms, weights, total, c.terms),
            _coverage(q_terms, weights, total, c.title_terms),
            _coverage(q_terms, weights, total, both),
            loose / total if total > 0 else 0.0,
            found_names / len(q_names) if q_names else 0.0,
            min(c.position, 30),
            len(c.terms),
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            len(q_terms),
        )
    # article-level aggregates
    col = {name: k for k, name in enumerate(FEATURES)}
    by_article: dict[str, list[int]] = {}
    for i, c in enumerate(candidates):
        by_article.setdefault(c.article_id, []).append(i)
    for rows in by_article.values():
        dense = out[rows, col["dense"]]
        out[rows, col["art_max_dense"]] = dense.max()
        out[rows, col["art_count"]] = len(rows)
        out[rows, col["art_max_bm25"]] = out[rows, col["bm25_norm"]].max()
        out[rows, col["art_max_cov"]] = out[rows, col["cov_both"]].max()
        out[rows[int(dense.argmax())], col["art_best"]] = 1.0
    return out


class Ranker(TreeModel):
    """A trained LightGBM model file; ``score`` orders candidates, higher first."""

    def __init__(self, path: Path = MODEL_FILE) -> None:
        super().__init__(path, FEATURES, "newsrag train ranker")

    def score(self, rows: np.ndarray) -> np.ndarray:
        return self.predict(rows)


@lru_cache(maxsize=4)
def load_ranker(path: Path = MODEL_FILE) -> Ranker | None:
    """The ranker in ``path`` (loaded once per process), or None when there is no such file."""
    return Ranker(path) if path.is_file() else None


def shipped_ranker(settings: RetrievalSettings) -> Ranker | None:
    """The ranker the settings ask for: None when it is switched off (NEWSRAG_RETRIEVAL_RANKER=false)
    or in a mode other than hybrid; the shipped file unless NEWSRAG_RETRIEVAL_RANKER_PATH names one."""
    if not settings.ranker:
        return None
    path = settings.ranker_path or MODEL_FILE
    ranker = load_ranker(path)
    if ranker is None and settings.ranker_path is not None:
        raise FileNotFoundError(f"no ranker model at {path}")
    return ranker
