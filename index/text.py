"""Word-level helpers shared by BM25, sentence scoring and follow-up rewriting."""

from __future__ import annotations

import re
from functools import lru_cache

TOKEN = re.compile(r"(?u)\b\w\w+\b")
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20",
    "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "dozens": "24",
}  # fmt: skip
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
)
DATE_LIKE = re.compile(rf"\b(1[89]\d\d|20\d\d|{_MONTHS})\b", re.IGNORECASE)
NUMBER_LIKE = re.compile(
    r"\b\d[\d,.]*\b|\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE
)
# "more than 10", "over 160", "about 20", "10 other countries"
_QUANTITY = re.compile(
    r"(?P<q>more than|over|above|at least|greater than|nearly|almost|about|around|roughly|"
    r"approximately|some|up to|less than|fewer than|under)?\s*"
    r"\b(?P<n>\d[\d,]*(?:\.\d+)?|" + "|".join(_NUMBER_WORDS) + r")\b(?P<other>\s+other\b)?",
    re.IGNORECASE,
)
_QUALIFIER = {
    "more than": ">", "over": ">", "above": ">", "at least": ">", "greater than": ">",
    "nearly": "~", "almost": "~", "about": "~", "around": "~", "roughly": "~",
    "approximately": "~", "some": "~", "up to": "<", "less than": "<", "fewer than": "<",
    "under": "<",
}  # fmt: skip
# A run of capitalized words (names of people, places, organisations).
_NAME = re.compile(r"\b(?:[A-Z][a-z]+|[A-Z]{2,})(?:[ -](?:[A-Z][a-z]+|[A-Z]{2,}))*\b")


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


# Words that shape a question but name nothing asked about; left out of a question's terms.
QUESTION_WORDS = frozenset(
    "what which who whom whose when where why how many much does did do doing done is are was were "
    "be been tell me please know anything something about kind sort one ones say said says give "
    "name list describe explain happen happened s".split()
)


def query_terms(text: str) -> list[str]:
    """Stemmed content words of a question, without question words; duplicates removed."""
    stop = stopwords() | QUESTION_WORDS
    kept = [w for w in words(text) if w not in stop]
    return list(dict.fromkeys(_stemmer().stemWords(kept)))


def words(text: str) -> list[str]:
    """Lower-cased word tokens, as BM25 sees them before stop words and stemming."""
    return TOKEN.findall(text.lower())


def terms(text: str) -> list[str]:
    """Stemmed content words: the same tokens the BM25 index holds."""
    stop = stopwords()
    return list(_stemmer().stemWords([w for w in words(text) if w not in stop]))


def quantities(text: str) -> dict[str, str]:
    """Numbers in ``text`` mapped to their qualifier class: '=', '>', '~' or '<'."""
    found: dict[str, str] = {}
    for m in _QUANTITY.finditer(text):
        raw = m.group("n").lower()
        value = _NUMBER_WORDS.get(raw, raw.replace(",", ""))
        qual = _QUALIFIER.get((m.group("q") or "").lower().strip(), "=")
        if m.group("other"):
            qual = ">"  # "10 other countries" besides those named: more than 10 in all
        found.setdefault(value, qual)
    return found


def names(text: str) -> set[str]:
    """Capitalized word runs that are not just the first word of the sentence."""
    out: set[str] = set()
    for m in _NAME.finditer(text):
        name = m.group()
        if m.start() == 0 and " " not in name and name.lower() in stopwords():
            continue
        out.add(name)
    return out
