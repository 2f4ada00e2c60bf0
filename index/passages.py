"""Cuts an article into sentence-aligned passages with exact character offsets.

Sentences come from NLTK's Punkt model (the one llama-index's SentenceSplitter uses, shipped inside
llama-index-core) run paragraph by paragraph, so headlines without a full stop stay on their own.
We cut passages here rather than with SentenceSplitter because it strips and re-joins text and then
finds each chunk with ``str.find``, which loses the per-sentence offsets answers quote from; here
``article.text[start:end] == passage.text`` holds by construction (tests/test_passages.py checks it
on arbitrary Unicode with hypothesis).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from corpus.loader import Article

_PARAGRAPH = re.compile(r"[^\n]+")
_WORD = re.compile(r"\S+")
_STRIP = " \t\f\v\u00a0\u200b\ufeff"


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Passage:
    """A run of whole sentences; offsets are into the article's text."""

    article_id: str
    index: int
    start: int
    end: int
    text: str
    sentences: tuple[Sentence, ...]

    @property
    def id(self) -> str:
        return f"{self.article_id}#{self.index}"


def split_passage_id(passage_id: str) -> tuple[str, int | None]:
    """The article id and passage index of an id made by ``Passage.id`` (an article id may hold
    "#" itself); the id itself and None for any other string."""
    article, _, index = passage_id.rpartition("#")
    return (article, int(index)) if index.isdigit() else (passage_id, None)


# part of what built an article's passages (index/ingest.py): a change re-embeds every article
HEADER_VERSION = "bm25-title+title-vector-1"


def title_header(title: str | None) -> str:
    """What is put before a passage's text when it is BM25-indexed: its article's title, as
    llama-index puts a node's metadata before its text. A passage deep in an article rarely names
    the article's subject; with the header its title words count. (Embedding it too moved the
    sentence vectors the answer step reads: seed answer accuracy 0.913 -> 0.841; the title gets a
    vector of its own instead. docs/benchmarks.md.)"""
    title = " ".join((title or "").split())
    return f"{title}\n\n" if title else ""


@lru_cache(maxsize=1)
def _punkt():  # type: ignore[no-untyped-def]
    """NLTK's English Punkt model, from llama-index-core's bundled NLTK data (no download)."""
    import llama_index.core as lic
    import nltk
    from llama_index.core.utils import get_cache_dir  # noqa: F401  (sets NLTK_DATA to the bundle)
    from nltk.tokenize.punkt import PunktTokenizer

    bundled = __import__("pathlib").Path(lic.__file__).parent / "_static" / "nltk_cache"
    if str(bundled) not in nltk.data.path:
        nltk.data.path.append(str(bundled))
    return PunktTokenizer("english")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in _STRIP):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _STRIP):
        end -= 1
    return start, end


# Punkt is run on at most this many characters at once: its regular expressions give up after 5 s
# (NLTK's guard against runaway matching), which a megabyte-long paragraph on a busy CPU reaches.
PUNKT_WINDOW = 10_000
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+")


def _windows(paragraph: str) -> list[tuple[int, int]]:
    """Cuts a long paragraph into pieces of at most PUNKT_WINDOW characters, at sentence ends
    where possible, else at white space, else anywhere."""
    spans: list[tuple[int, int]] = []
    start = 0
    while len(paragraph) - start > PUNKT_WINDOW:
        limit = start + PUNKT_WINDOW
        ends = [
            m.end() for m in _SENTENCE_END.finditer(paragraph, start + PUNKT_WINDOW // 2, limit)
        ]
        cut = ends[-1] if ends else paragraph.rfind(" ", start + 1, limit) + 1 or limit
        spans.append((start, cut))
        start = cut
    spans.append((start, len(paragraph)))
    return spans


def split_sentences(text: str) -> list[Sentence]:
    """Sentence spans of ``text``: paragraphs (lines) first, then Punkt inside each."""
    punkt = _punkt()
    sentences: list[Sentence] = []
    for para in _PARAGRAPH.finditer(text):
        paragraph = para.group()
        for w_start, w_end in _windows(paragraph):
            base = para.start() + w_start
            for s, e in punkt.span_tokenize(paragraph[w_start:w_end]):
                start, end = _trim(text, base + s, base + e)
                if end > start:
                    sentences.append(Sentence(start, end))
    return sentences


def _split_long(
    text: str, sentence: Sentence, max_tokens: int, count: Callable[[str], int]
) -> list[Sentence]:
    """Cuts one over-long sentence into word-aligned pieces that fit the budget."""
    pieces: list[Sentence] = []
    words = [m.span() for m in _WORD.finditer(text, sentence.start, sentence.end)]
    begin = 0
    while begin < len(words):
        end = begin + 1
        # grow while the piece fits; a single over-long "word" is cut by characters
        while end < len(words) and count(text[words[begin][0] : words[end][1]]) <= max_tokens:
            end += 1
        s, e = words[begin][0], words[end - 1][1]
        if end == begin + 1 and count(text[s:e]) > max_tokens:
            step = max(1, max_tokens * 2)
            for cut in range(s, e, step):
                a, b = _trim(text, cut, min(e, cut + step))
                if b > a:
                    pieces.append(Sentence(a, b))
        else:
            pieces.append(Sentence(s, e))
        begin = end
    return pieces


def split_article(
    article: Article,
    count_tokens: Callable[[str], int],
    max_tokens: int = 160,
    overlap: int = 0,
) -> list[Passage]:
    """Packs consecutive sentences into passages of at most ``max_tokens`` word pieces."""
    text = article.text
    units: list[Sentence] = []
    costs: list[int] = []
    for sentence in split_sentences(text):
        cost = count_tokens(text[sentence.start : sentence.end])
        if cost > max_tokens:
            for piece in _split_long(text, sentence, max_tokens, count_tokens):
                units.append(piece)
                costs.append(count_tokens(text[piece.start : piece.end]))
        else:
            units.append(sentence)
            costs.append(cost)
    passages: list[Passage] = []
    i = 0
    while i < len(units):
        j, budget = i, 0
        while j < len(units) and (j == i or budget + costs[j] <= max_tokens):
            budget += costs[j]
            j += 1
        group: Sequence[Sentence] = units[i:j]
        start, end = group[0].start, group[-1].end
        passages.append(
            Passage(article.id, len(passages), start, end, text[start:end], tuple(group))
        )
        i = j if j >= len(units) else max(i + 1, j - overlap)
    return passages
