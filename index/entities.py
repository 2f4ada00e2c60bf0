"""What kind of thing a question asks for, and the spans of a sentence that could be one: names,
numbers, amounts, percentages and dates, found by patterns.

spaCy's small English pipeline (en_core_web_sm 3.8) was measured for this first (docs/benchmarks.md,
session 4): its entity labels added 1.6 points of top-1 answer-sentence accuracy on held-out rtqa
weeks over these patterns' features, but it tags about 8,000 words a second on one core here:
at ingest it would take the ingest rate from 2.5x to about 1.7x the baseline's, at answer time
about 80 ms a question. So the labels are coarse (NAME, NUMBER, MONEY, PERCENT, DATE) and cost
microseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from index.text import NUMBER_LIKE, name_spans

# OntoNotes labels (spaCy's), and which ones answer a kind of question
PLACE = frozenset({"GPE", "LOC", "FAC"})
_WANTED: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = tuple(
    (re.compile(p, re.I), frozenset(labels))
    for p, labels in (
        (r"\b(?:what|which) (?:percentage|percent|share|proportion)\b|\bper ?cent\b", {"PERCENT"}),
        (r"\bhow much\b.*\b(?:cost|pay|paid|worth|money|fund|budget|price|spend|spent|raise)",
         {"MONEY"}),
        (r"\bhow (?:many|much)\b|\bnumber of\b|\bhow (?:long|far|big|large|tall|old)\b",
         {"CARDINAL", "QUANTITY", "MONEY", "PERCENT", "DATE", "TIME"}),
        (r"\bwhen\b|\b(?:what|which) (?:year|date|day|month|time)\b", {"DATE", "TIME"}),
        (r"\bwhere\b|\b(?:what|which) (?:country|city|state|nation|region|province|place|town|"
         r"capital|island|county|territory|continent|area)\b", PLACE),
        (r"\b(?:what|which) (?:company|companies|organi[sz]ation|team|club|party|cartel|group|"
         r"agency|university|firm|network|brand|airline|bank|union|league|band|institute|"
         r"institution|ministry|department|court|school|newspaper|outlet)\b", {"ORG"}),
        (r"\b(?:what|which) (?:film|movie|book|song|album|show|series|novel|painting|game)\b",
         {"WORK_OF_ART"}),
        (r"\b(?:what|which) (?:law|act|bill|treaty)\b", {"LAW"}),
        (r"\b(?:what|which) (?:event|holiday|festival|tournament|war|storm|hurricane|award|prize|"
         r"election|championship|competition)\b", {"EVENT", "WORK_OF_ART"}),
        (r"\b(?:what|which) (?:language)\b", {"LANGUAGE", "NORP"}),
        (r"\b(?:what|which) (?:nationality)\b", {"NORP", "GPE"}),
        (r"\bwho(?:m|se)?\b|\b(?:what|which) (?:person|man|woman|president|leader|actor|actress|"
         r"singer|player|ceo|minister|scientist|artist|author|director|star|rapper|coach|judge|"
         r"senator|governor|official|astronaut|musician|athlete)\b", {"PERSON", "ORG", "NORP"}),
    )
)  # fmt: skip


def wanted_labels(question: str) -> frozenset[str]:
    """The entity labels that would answer ``question`` (empty: it asks for no named thing)."""
    for pattern, labels in _WANTED:
        if pattern.search(question):
            return labels
    return frozenset()


_MONEY = re.compile(
    r"(?:[$€£¥]\s?\d[\d,.]*(?:\s*(?:million|billion|trillion|bn|m)\b)?)|"
    r"\b\d[\d,.]*\s*(?:million|billion|trillion)?\s*(?:dollars|euros|pounds|yuan|yen|rupees)\b",
    re.I,
)
_PERCENT = re.compile(r"\b\d[\d,.]*\s*(?:%|per ?cent\b)", re.I)
_DATE = re.compile(
    r"\b(?:(?:\d{1,2}\s+)?(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
    r"(?:\s+\d{1,2}(?:st|nd|rd|th)?)?(?:,?\s+(?:1[89]|20)\d\d)?|(?:1[89]|20)\d\d|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b",
    re.I,
)
# OntoNotes labels of a question's kind, as the coarse span labels that can hold them
COARSE = {
    "MONEY": ("MONEY", "NUMBER"),
    "PERCENT": ("PERCENT", "NUMBER"),
    "CARDINAL": ("NUMBER",),
    "QUANTITY": ("NUMBER", "MONEY", "PERCENT"),
    "DATE": ("DATE",),
    "TIME": ("DATE",),
}


def coarse_wanted(labels: frozenset[str]) -> frozenset[str]:
    """``wanted_labels`` in the coarse labels of ``spans`` (every kind of name is a NAME)."""
    return frozenset(c for label in labels for c in COARSE.get(label, ("NAME",)))


def spans(text: str) -> list[tuple[int, int, str]]:
    """Money, percentages, dates, other numbers and capitalized names (not the sentence's first
    word alone), as (start, end, label); a number inside an amount or a date counts once."""
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []

    def add(a: int, b: int, label: str) -> None:
        if not any(a < y and x < b for x, y in taken):
            found.append((a, b, label))
            taken.append((a, b))

    for pattern, label in ((_MONEY, "MONEY"), (_PERCENT, "PERCENT"), (_DATE, "DATE")):
        for m in pattern.finditer(text):
            add(m.start(), m.end(), label)
    for m in NUMBER_LIKE.finditer(text):
        add(m.start(), m.end(), "NUMBER")
    for a, b, _ in name_spans(text):
        if a > 0:
            add(a, b, "NAME")
    return sorted(found)


def novel(text: str, spans: Iterable[tuple[int, int, str]], question: str) -> list[tuple[str, str]]:
    """The (entity text, label) pairs of ``text`` that ``question`` does not already say."""
    asked = question.lower()
    return [(text[a:b], label) for a, b, label in spans if text[a:b].lower() not in asked]
