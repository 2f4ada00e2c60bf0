"""Composes a short grounded answer from retrieved passages: the article's own sentences, each cited.

Algorithm: score every sentence of the retrieved passages by its meaning (cosine of its contextual
vector, computed at ingest, to the question's), the share of the question's words it contains
(weighted by BM25's idf) and the rank of its passage; keep the best, add a second only when it says
something new; a near-copy of a kept sentence from another article is dropped unless the two disagree
on a name or a number, in which case both versions are shown with their own citations. When even the
best sentence scores under the abstention threshold, say the articles don't cover it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.models import Citation
from index.search import Hit
from index.text import DATE_LIKE, NUMBER_LIKE, names, person_names, quantities, terms
from newsrag.settings import AnswerSettings

# Weights of the sentence score; chosen on eval/questions/seed.jsonl (see docs/benchmarks.md).
W_MEANING, W_WORDS, W_PASSAGE, W_TYPE = 0.55, 0.25, 0.20, 0.15
# Two sentences this close in meaning (cosine of their vectors) say the same thing.
SAME_FACT_COSINE = 0.80
SAME_FACT_WORDS = 0.55  # ... or this share of shared content words (Jaccard)
SAME_FRAME_COSINE = 0.55  # close enough that a different name/number is a disagreement
SECOND_SENTENCE_RATIO = 0.90  # a second sentence must score this close to the first
TRIM_OVER = 1.5
TYPE_WINDOW = 3  # the best sentences checked for what the question asks for (a date, a number ...)
TYPE_MISSING_PENALTY = 0.3
# Share of the question's idf mass on words no article contains, times this, is taken off the
# evidence: paraphrases use new words too, so it stays small (0.15: docs/benchmarks.md sweep).
MISSING_PENALTY = 0.15  # only sentences over 1.5x the answer budget are cut to their best clauses
NOT_ANSWERED = "The indexed articles do not answer this question."

_NEEDS_NUMBER = re.compile(
    r"\b(how many|how much|number of|what percentage|how long|how old)\b", re.I
)
_NEEDS_DATE = re.compile(r"\b(when|what year|which year|what date|since when)\b", re.I)
_NEEDS_PERSON = re.compile(
    r"^\s*(?:and\s+)?(who|whom|whose)\b|\b(who|whom) |\b(which|what)\s+(\w+\s+)?"
    r"(researcher|scientist|minister|professor|chairman|chair|director|person|official|academician|"
    r"president|leader|manager|astrophysicist|ecologist|expert|counselor|spokesperson|player|"
    r"author|ceo|founder|actor|singer|coach)\b",
    re.I,
)
_NEEDS_NAME = re.compile(
    r"\b(which|what)\s+(\w+\s+)?(university|city|country|organi[sz]ation|institute|company|"
    r"telescope|team|award|forum|agency|park|laboratory|garden|center|centre)\b",
    re.I,
)
_CLAUSE = re.compile(r"(?<=[,;:—–])\s+|\s+(?=—|–)")


@dataclass(slots=True)
class Candidate:
    hit: Hit
    index: int  # sentence index inside the passage
    start: int  # absolute offsets into the article
    end: int
    text: str
    vector: np.ndarray
    terms: frozenset[str]
    meaning: float
    words: float
    evidence: float  # meaning + words + passage, without the answer-type bonus
    score: float


@dataclass(slots=True)
class Composition:
    answered: bool
    chosen: list[Candidate]
    disagreement: bool
    confidence: float
    text: str
    citations: list[Citation]
    # what to say when a language model finds no answer; built only then
    declined: Callable[[], Composition] | None = None


_WHERE = re.compile(
    r"^\s*(?:and\s+)?where\b|\bin which (?:city|country|place|town|province)\b", re.I
)
_PLACE = re.compile(r"\b(?:in|at|to|from|near)\s+(?:the\s+)?[A-Z][a-z]")


_MONEY_Q = re.compile(
    r"\bhow much (?:money|funding|did \w+ cost|does \w+ cost)|\b(?:cost|price|budget|funding amount)\b",
    re.I,
)
_MONEY = re.compile(
    r"[$€£¥]|\b(?:yuan|dollars?|euros?|pounds|rupees|usd|rmb)\b|\b\d[\d,.]*\s*(?:million|billion|trillion)\b",
    re.I,
)
_PERCENT_Q = re.compile(
    r"\b(?:percentage|percent|what share|what proportion|what fraction)\b", re.I
)
_PERCENT = re.compile(r"%|\bper ?cent\b|\bpercentage points?\b|\b(?:half|third|quarter)\b", re.I)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")


def _count_like(s: str) -> bool:
    """A number that is not just a year."""
    return bool(NUMBER_LIKE.search(_YEAR.sub(" ", s)))


class _Person:
    """A person's name: a two- or three-word name for the score bonus; for the abstention gate any
    name, since single names ("Flati") and titles ("Deputy Manager Aizhibai") are common in news."""

    def __call__(self, sentence: str) -> bool:
        return bool(person_names(sentence))

    @staticmethod
    def gate(sentence: str) -> bool:
        return bool(names(sentence[1:]))


class _Definition:
    """A definition earns the bonus, but its absence is no reason to abstain."""

    def __init__(self, test: Callable[[str], bool]) -> None:
        self.test = test

    def __call__(self, sentence: str) -> bool:
        return self.test(sentence)

    @staticmethod
    def gate(sentence: str) -> bool:
        return True


def _gate(needs: Callable[[str], bool]) -> Callable[[str], bool]:
    return getattr(needs, "gate", needs)


_ATTRIBUTE_Q = re.compile(
    r"^\s*(?:and\s+)?what\s+(?:is|was|are|were)\s+the\s+(?P<attr>\w+(?:\s+\w+)?)\s+of\b", re.I
)
_DEFINE_Q = re.compile(
    r"^\s*(?:and\s+)?what\s+(?:is|are|was|were)\s+(?:the\s+|an?\s+)?(?P<x>[^?]{2,60}?)\s*\??\s*$",
    re.I,
)


def _defines(term: str) -> Callable[[str], bool]:
    """A sentence that defines ``term``: "… Telescope (FAST)", "FAST is a …", "dubbed", "known as"."""
    x = re.escape(term.strip())
    pattern = re.compile(
        rf"\({x}\)|\b{x}\s*,?\s+(?:is|are|was|were)\s+(?:a|an|the)\b|\b{x}\b[^.]{{0,80}}\b(?:dubbed|known as|called)\b",
        re.I,
    )
    return lambda s: bool(pattern.search(s))


def _needs(question: str) -> Callable[[str], bool] | None:
    """What kind of thing the question asks for, as a test a sentence must pass to answer it."""
    define = _DEFINE_Q.match(question)
    if define and len(define.group("x").split()) <= 4:
        return _Definition(_defines(define.group("x")))
    if _MONEY_Q.search(question):
        return lambda s: bool(_MONEY.search(s))
    if _PERCENT_Q.search(question):
        return lambda s: bool(_PERCENT.search(s))
    if _WHERE.search(question):
        return lambda s: bool(_PLACE.search(s))
    if _NEEDS_NUMBER.search(question):
        return _count_like
    if _NEEDS_DATE.search(question):
        return lambda s: bool(DATE_LIKE.search(s))
    if _NEEDS_PERSON.search(question):
        return _Person()
    if _NEEDS_NAME.search(question):
        return lambda s: len(names(s[1:])) > 0
    return None


def candidates(
    qvec: np.ndarray,
    hits: Sequence[Hit],
    idf: dict[str, float],
    needs: Callable[[str], bool] | None,
) -> list[Candidate]:
    """Every sentence of the hits, scored, best first (``needs``: what the question asks for)."""
    qterms = set(idf)
    total = sum(idf.values()) or 1.0
    out: list[Candidate] = []
    for hit in hits:
        p = hit.passage
        sims = p.sentence_vectors @ qvec if len(p.sentences) else np.zeros(0)
        for i, (start, end) in enumerate(p.sentences):
            text = p.text[start - p.start : end - p.start]
            sterms = p.sentence_terms[i] if i < len(p.sentence_terms) else frozenset()
            words_share = sum(idf[t] for t in qterms & sterms) / total
            meaning = float(sims[i])
            evidence = W_MEANING * meaning + W_WORDS * words_share + W_PASSAGE * hit.dense
            if len(text.split()) < 6:  # headlines and fragments state no fact
                evidence *= 0.75
            score = evidence + (W_TYPE if needs is not None and needs(text) else 0.0)
            out.append(
                Candidate(
                    hit,
                    i,
                    start,
                    end,
                    text,
                    p.sentence_vectors[i],
                    sterms,
                    meaning,
                    words_share,
                    evidence,
                    score,
                )
            )
    out.sort(key=lambda c: c.score, reverse=True)
    return out


def _same_fact(a: Candidate, b: Candidate) -> bool:
    if float(a.vector @ b.vector) >= SAME_FACT_COSINE:
        return True
    union = a.terms | b.terms
    return bool(union) and len(a.terms & b.terms) / len(union) >= SAME_FACT_WORDS


def disagree(a: str, b: str, a_article: str, b_article: str) -> bool:
    """Two statements of one fact that differ on a name or on a number (or its qualifier)."""
    qa, qb = quantities(a), quantities(b)
    if any(v in qb and qb[v] != q for v, q in qa.items()):
        return True
    for na in names(a):
        for nb in names(b):
            same_shape = len(na.split()) == len(nb.split()) and set(na.split()) & set(nb.split())
            if na != nb and same_shape and na not in b_article and nb not in a_article:
                return True
    return False


def _trim(
    c: Candidate, qterms: set[str], max_chars: int, needs: Callable[[str], bool] | None
) -> tuple[int, int]:
    """For a sentence far over the length budget: the longest clause window within the budget that
    holds most of the question's words (and what the question asks for: a number, date or name).
    The longest, because the answer usually sits next to the words that match the question."""
    if len(c.text) <= max_chars * TRIM_OVER:
        return c.start, c.end
    cuts = [0] + [m.end() for m in _CLAUSE.finditer(c.text)] + [len(c.text)]
    best: tuple[int, int] = (-1, 0)
    best_span = (0, len(c.text))
    for i in range(len(cuts) - 1):
        for j in range(i + 1, len(cuts)):
            a, b = cuts[i], cuts[j]
            if b - a > max_chars and j > i + 1:
                break
            piece = c.text[a:b]
            got = len(qterms & set(terms(piece))) + (2 if needs is not None and needs(piece) else 0)
            if (got, b - a) > best:
                best, best_span = (got, b - a), (a, b)
    a, b = best_span
    piece = c.text[a:b]
    a += len(piece) - len(piece.lstrip())
    b -= len(piece) - len(piece.rstrip(" ,;:—–"))
    return c.start + a, c.start + b


def compose(
    question: str,
    qvec: np.ndarray,
    hits: Sequence[Hit],
    idf: dict[str, float],
    settings: AnswerSettings,
    article_text: Callable[[str], str],
    absent: frozenset[str] = frozenset(),
) -> Composition:
    """The grounded answer for ``question`` from ``hits`` (see the module docstring)."""
    needs = _needs(question)
    ranked = candidates(qvec, hits, idf, needs)
    qterms = set(idf)
    total = sum(idf.values()) or 1.0
    # Question words found nowhere in the corpus: the articles likely lack what is asked
    # ("population" of a place they only mention).
    missing = sum(v for t, v in idf.items() if t in absent) / total
    confidence = max((c.evidence for c in ranked), default=0.0) - MISSING_PENALTY * missing
    attribute = _ATTRIBUTE_Q.match(question)
    if attribute and set(terms(attribute.group("attr"))) <= absent:
        # "What is the population of Tengchong?": no article ever speaks of a population
        confidence -= TYPE_MISSING_PENALTY
    if needs is not None and not any(_gate(needs)(c.text) for c in ranked[:TYPE_WINDOW]):
        # asked for a number, date, amount or name that no well-matching sentence holds
        confidence -= TYPE_MISSING_PENALTY
    if not ranked or confidence < settings.abstain_threshold:
        return _abstain(hits, ranked, confidence)
    first = ranked[0]
    chosen = [first]
    disagreement = False
    for cand in ranked[1:]:
        if len(chosen) >= settings.max_sentences + (1 if disagreement else 0):
            break
        if cand.score < first.score * 0.75:
            break
        if any(cand.start == c.start and cand.hit.article.id == c.hit.article.id for c in chosen):
            continue  # the same sentence reached through an overlapping passage
        dup = next((c for c in chosen if _same_fact(c, cand)), None)
        if dup is not None:
            if (
                not disagreement
                and cand.hit.article.id != dup.hit.article.id
                and float(cand.vector @ dup.vector) >= SAME_FRAME_COSINE
                and disagree(
                    dup.text,
                    cand.text,
                    article_text(dup.hit.article.id),
                    article_text(cand.hit.article.id),
                )
            ):
                chosen.append(cand)
                disagreement = True
            continue
        if disagreement or cand.score < first.score * SECOND_SENTENCE_RATIO:
            continue
        if sum(len(c.text) for c in chosen) + len(cand.text) > settings.max_chars:
            continue
        chosen.append(cand)
    if not disagreement:
        for cand in ranked[1:12]:  # a disagreeing version may score lower than a second sentence
            if cand in chosen or cand.hit.article.id == first.hit.article.id:
                continue
            if (
                cand.score >= first.score * 0.8
                and float(cand.vector @ first.vector) >= SAME_FRAME_COSINE
                and disagree(
                    first.text,
                    cand.text,
                    article_text(first.hit.article.id),
                    article_text(cand.hit.article.id),
                )
            ):
                chosen = [first, cand]
                disagreement = True
                break
    citations: list[Citation] = []
    parts: list[str] = []
    for n, cand in enumerate(chosen, start=1):
        qs, qe = (
            _trim(cand, qterms, settings.max_chars, needs)
            if not disagreement
            else (cand.start, cand.end)
        )
        citations.append(_citation(n, cand.hit, qs, qe, cand.score))
        parts.append(f"{citations[-1].quote} [{n}]")
    text = " ".join(parts)
    if disagreement:
        text = "The articles disagree: " + text
    return Composition(
        True,
        chosen,
        disagreement,
        confidence,
        text,
        citations,
        lambda: _abstain(hits, ranked, confidence),
    )


def _abstain(hits: Sequence[Hit], ranked: list[Candidate], confidence: float) -> Composition:
    """Not answered: name the closest passages (best sentence of each) as related reading."""
    seen: set[str] = set()
    related: list[Candidate] = []
    for cand in ranked:
        if cand.hit.passage.id in seen:
            continue
        seen.add(cand.hit.passage.id)
        related.append(cand)
        if len(related) == 2:
            break
    citations = [
        _citation(n, c.hit, c.start, c.end, c.score) for n, c in enumerate(related, start=1)
    ]
    if citations:
        refs = " and ".join(f"[{c.n}]" for c in citations)
        text = f"{NOT_ANSWERED} The closest passages are {refs}."
    else:
        text = NOT_ANSWERED
    return Composition(False, [], False, confidence, text, citations)


def _citation(n: int, hit: Hit, quote_start: int, quote_end: int, score: float) -> Citation:
    p, a = hit.passage, hit.article
    return Citation(
        n=n,
        article_id=a.id,
        title=a.title,
        url=a.url,
        source=a.source,
        published=a.published,
        passage=p.text,
        start=p.start,
        end=p.end,
        quote=p.text[quote_start - p.start : quote_end - p.start],
        quote_start=quote_start,
        quote_end=quote_end,
        score=round(float(score), 4),
        passage_id=p.id,
    )
