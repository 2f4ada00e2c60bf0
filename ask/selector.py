"""The learned answer selector: gradient-boosted trees (LightGBM, binary) that give each candidate
sentence the probability that it holds the answer, trained on real news questions
(``newsrag train selector``; train/selector.py; the model card is ask/data/selector.md).

The answer step (ask/answer.py) scores every sentence of the retrieved passages with its
hand-set rules (meaning, question words, answer type, qualifiers); those scores are features here,
next to what the rules leave out (the sentence's place in its passage, its neighbours, the
passage's rank, names and numbers the question does not already say, how sure the rules were
overall). The trees learn from thousands of questions how much each is worth, and the best
sentence's calibrated probability decides between answering and abstaining, by one threshold set
on held-out weeks (the card says which).

The same ``features`` function serves training and answering. Cost: ~40 rows a question, well
under a millisecond for the trees.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ask.trees import TreeModel
from index.entities import coarse_wanted, novel, spans, wanted_labels
from index.text import (
    NUMBER_LIKE,
    TOKEN,
    name_spans,
    names,
    query_terms,
    stem_words,
    stopwords,
    words,
)
from newsrag.settings import AnswerSettings

if TYPE_CHECKING:
    from ask.answer import Candidate
    from ask.needs import Need

MODEL_DIR = Path(__file__).resolve().parent / "data"
MODEL_FILE = MODEL_DIR / "selector.txt"

# what the rules say a question asks for (ask/needs.py ``_needs``), as a category code
NEED_KINDS = (
    "",
    "alias",
    "definition",
    "role",
    "words",
    "money",
    "percent",
    "place",
    "duration",
    "amount",
    "number",
    "year",
    "date",
    "person",
    "name",
    "expansion",  # after the shipped model was trained: it never saw this code
)
_KIND_CODE = {k: i for i, k in enumerate(NEED_KINDS)}

FEATURES = (
    "meaning",  # cosine(question, the sentence's contextual vector)
    "meaning_gap",  # the best candidate's meaning minus this one's
    "words",  # idf-weighted share of the question's words in the sentence (close words count part)
    "words_gap",
    "evidence",  # the rules' evidence: meaning, words and the passage's cosine, weighted by hand
    "rule_score",  # evidence plus the answer-type bonus and the qualifier change
    "rule_gap",  # the best rule score minus this one's
    "rule_rank",  # place in the rules' order (0: their choice)
    "type_fit",  # how well the sentence supplies what the question asks for (-1: asks nothing)
    "type_holds",  # whether it could answer at all by the rules (1/0; -1: asks nothing)
    "need_kind",  # what the question asks for (category)
    "passage_rank",  # the passage's rank in retrieval
    "passage_dense",  # cosine(question, passage)
    "passage_bm25",  # the passage's BM25 score over the best retrieved one's
    "sentence_index",  # place of the sentence in its passage
    "sentence_words",
    "neighbour_meaning",  # the best meaning of the sentences before and after it
    "novel_numbers",  # numbers the question does not already say
    "novel_names",  # capitalized names the question does not already say
    "question_terms",  # content terms in the question
    "missing",  # idf share of the question's terms that no article holds
    "rule_confidence",  # the rules' own answer-or-abstain score for the question
    "article_share",  # share of the rules' first 10 sentences from this sentence's article
    "question_words",
    # the sentence's own words against the question's
    "bigram_share",  # share of the question's adjacent term pairs the sentence has adjacent too
    "novel_share",  # share of the sentence's content terms the question does not have
    "proximity",  # closeness of the nearest new name or number to a question word in it
    "novel_spans",  # names and numbers the question does not already say
    "in_order",  # the question's terms appear in the question's order
    # names, numbers, amounts and dates (index/entities.py) against what the question asks for
    "asks_entity",  # the question asks for a kind of thing (who, where, when, how many ...)
    "entity_fit",  # spans of that kind the question does not already say
    "entity_novel",  # spans the question does not already say
    "entity_count",
)
_COL = {name: i for i, name in enumerate(FEATURES)}
TOP_RULE = 10


def _novel_numbers(text: str, asked: str) -> int:
    return sum(1 for m in NUMBER_LIKE.finditer(text) if m.group().lower() not in asked)


def _novel_names(text: str, asked: str) -> int:
    stop = stopwords()
    return sum(
        1
        for n in names(text[1:])
        if n.lower() not in asked and not all(w in stop or w in asked for w in words(n))
    )


def _tokens(text: str) -> list[tuple[str, bool, int]]:
    """(stem, is a content word, offset) of every word token."""
    found = [(m.group().lower(), m.start()) for m in TOKEN.finditer(text)]
    stop = stopwords()
    stems = stem_words([w for w, _ in found])
    return [(st, w not in stop, at) for st, (w, at) in zip(stems, found, strict=True)]


def _text_features(question: str, q_terms: Sequence[str], text: str) -> tuple[float, ...]:
    qs = set(q_terms)
    asked = question.lower()
    pairs = set(itertools.pairwise(q_terms))
    toks = _tokens(text)
    content = [st for st, c, _ in toks if c]
    bigram = len(pairs & set(itertools.pairwise(content))) / len(pairs) if pairs else 0.0
    novel_share = sum(1 for st in content if st not in qs) / len(content) if content else 0.0
    at_question = [at for st, c, at in toks if c and st in qs]
    new = [a for a, _, n in name_spans(text) if a > 0 and n.lower() not in asked]
    new += [m.start() for m in NUMBER_LIKE.finditer(text) if m.group().lower() not in asked]
    proximity = 0.0
    if at_question and new:
        gap = min(abs(a - q) for a in new for q in at_question)
        proximity = 1.0 / (1.0 + gap / 20.0)  # characters: 20 apart scores 0.5
    order = [q_terms.index(st) for st in dict.fromkeys(st for st in content if st in qs)]
    in_order = (
        sum(1 for a, b in itertools.pairwise(order) if b > a) / (len(order) - 1)
        if len(order) > 1
        else 0.0
    )
    return bigram, novel_share, proximity, float(len(new)), in_order


def features(
    question: str,
    ranked: Sequence[Candidate],
    needs: Need | None,
    question_terms: int,
    missing: float,
    rule_confidence: float,
) -> np.ndarray:
    """One row per candidate of ``ranked`` (the rules' order), columns as in FEATURES."""
    n = len(ranked)
    out = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return out
    asked = question.lower()
    q_terms = query_terms(question)
    wanted = coarse_wanted(wanted_labels(question))
    best_meaning = max(c.meaning for c in ranked)
    best_words = max(c.words for c in ranked)
    best_score = ranked[0].score
    bm25_top = max((c.hit.bm25 for c in ranked), default=0.0) or 1.0
    meaning_at = {(c.hit.passage.id, c.index): c.meaning for c in ranked}
    top_articles = [c.hit.article.id for c in ranked[:TOP_RULE]]
    kind = _KIND_CODE.get(needs.kind, 0) if needs is not None else 0
    q_words = len(words(question))
    for r, c in enumerate(ranked):
        pid = c.hit.passage.id
        row = out[r]
        row[_COL["meaning"]] = c.meaning
        row[_COL["meaning_gap"]] = best_meaning - c.meaning
        row[_COL["words"]] = c.words
        row[_COL["words_gap"]] = best_words - c.words
        row[_COL["evidence"]] = c.evidence
        row[_COL["rule_score"]] = c.score
        row[_COL["rule_gap"]] = best_score - c.score
        row[_COL["rule_rank"]] = min(r, 30)
        if needs is not None:
            row[_COL["type_fit"]] = needs.fit(c.text)
            row[_COL["type_holds"]] = 1.0 if needs.holds(c.text) else 0.0
        else:
            row[_COL["type_fit"]] = row[_COL["type_holds"]] = -1.0
        row[_COL["need_kind"]] = kind
        row[_COL["passage_rank"]] = min(c.hit.rank, 30)
        row[_COL["passage_dense"]] = c.hit.dense
        row[_COL["passage_bm25"]] = c.hit.bm25 / bm25_top
        row[_COL["sentence_index"]] = c.index
        row[_COL["sentence_words"]] = len(c.text.split())
        row[_COL["neighbour_meaning"]] = max(
            meaning_at.get((pid, c.index - 1), 0.0), meaning_at.get((pid, c.index + 1), 0.0)
        )
        row[_COL["novel_numbers"]] = _novel_numbers(c.text, asked)
        row[_COL["novel_names"]] = _novel_names(c.text, asked)
        row[_COL["question_terms"]] = question_terms
        row[_COL["missing"]] = missing
        row[_COL["rule_confidence"]] = rule_confidence
        row[_COL["article_share"]] = top_articles.count(c.hit.article.id) / len(top_articles)
        row[_COL["question_words"]] = q_words
        text_cols = _text_features(question, q_terms, c.text)
        row[_COL["bigram_share"] : _COL["in_order"] + 1] = text_cols
        row[_COL["asks_entity"]] = 1.0 if wanted else 0.0
        found = spans(c.text)
        new = novel(c.text, found, question)
        row[_COL["entity_fit"]] = sum(1 for _, label in new if label in wanted)
        row[_COL["entity_novel"]] = len(new)
        row[_COL["entity_count"]] = len(found)
    return out


class Selector(TreeModel):
    """A trained LightGBM model file; ``probabilities``: each row's chance to hold the answer."""

    def __init__(self, path: Path = MODEL_FILE) -> None:
        super().__init__(path, FEATURES, "newsrag train selector")

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return self.predict(rows)


@lru_cache(maxsize=4)
def load_selector(path: Path = MODEL_FILE) -> Selector | None:
    """The selector in ``path`` (loaded once per process), or None when there is no such file."""
    return Selector(path) if path.is_file() else None


def shipped_selector(settings: AnswerSettings) -> Selector | None:
    """The selector the settings ask for: None when switched off (NEWSRAG_ANSWER_SELECTOR=false,
    the default: the hand-set rules decide alone); the shipped model unless
    NEWSRAG_ANSWER_SELECTOR_PATH names another."""
    if not settings.selector:
        return None
    if settings.selector_path is None:
        return load_selector()
    path = settings.selector_path
    selector = load_selector(path)
    if selector is None:
        raise FileNotFoundError(f"no selector model at {path}")
    return selector
