"""Follow-up rewriting without a language model (the turns themselves are kept by index/history.py).

Rewriting strategy: a question that leans on the previous turn (a pronoun such as "it"/"its"/"he",
"there", an opener such as "and ..."/"what about X", or too few words to stand alone) is made
standalone by substituting the previous turn's subject for the pronoun: the subject is the most
specific name in the previous standalone query, or, for "he/she/his/her", a person named in the
previous answer. "What about X?" re-asks the previous query with its subject swapped for X.
A question that names its own subject and uses no such pronoun starts a new topic untouched.
"""

from __future__ import annotations

import re

from index.history import Turn
from index.text import ORG_WORDS, names, person_names, stopwords, words

_PERSONAL = {"he", "him", "his", "she", "her", "hers"}
_THING = {"it", "its", "they", "them", "their", "theirs"}
_PLACE = {"there"}
_ONE = re.compile(r"\b(?:the|this|that)\s+(?:\w+\s+)?(?P<one>one)\b", re.IGNORECASE)
_OPENERS = re.compile(r"^\s*(and|also|so|then|but)\b[\s,]*", re.IGNORECASE)
_WHAT_ABOUT = re.compile(
    r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(?P<x>.+?)\s*\??\s*$", re.IGNORECASE
)
# a question inside "what about X: who ...?"
_ASKED_AFTER = re.compile(
    r"[,:;—–-]\s*(?P<q>(?:who|whom|whose|what|which|when|where|why|how)\b.*)$", re.IGNORECASE
)
_POSSESSIVE = re.compile(r"['’]s$")
_ACRONYM = r"\(([A-Z][A-Za-z]*[A-Z])\)"  # "Square Kilometre Array (SKA)": the short form
_MARKER = re.compile(r"\s*\[\d+\]")
# "Which radio telescope is ...", "What institution did ...": the noun the question asks about
_WHICH_NOUN = re.compile(
    r"^\s*(?:[Ww]hich|[Ww]hat)\s+(?:[\w-]+\s+){0,2}?(?P<noun>[a-z][\w-]*)\s+"
    r"(?=(?:is|was|are|were|did|does|do|has|have|had|will|can|could)\b)"
)
# "Which Chinese institution sent ...": the asked noun right before the verb
_WHICH_SUBJECT = re.compile(
    r"^\s*(?:[Ww]hich|[Ww]hat)\s+(?:[A-Z][\w-]*\s+)*(?P<noun>[a-z][\w-]*)\s+(?=[a-z])"
)
_WH = re.compile(
    r"^\s*(who|whom|whose|what|which|when|where|why|how(?:\s+many|\s+much)?)\b", re.IGNORECASE
)
# Capitalized words that start questions or sentences but name nothing.
_NOT_NAMES = {"What", "Who", "When", "Where", "Which", "Why", "How", "And", "The", "Is", "Are",
              "Did", "Does", "Do", "Was", "Were", "Can", "Tell", "Also", "So", "In", "On", "At",
              "According", "Since", "After", "Before", "From", "To", "Its", "It", "He", "She",
              "They", "There", "This", "That", "These", "Those", "Who's", "What's"}  # fmt: skip


def _names(text: str) -> list[str]:
    """Names in order of appearance, question words and pronouns left out."""
    found: list[str] = []
    for name in names(text):
        parts = [p for p in name.split() if p not in _NOT_NAMES]
        if parts:
            found.append(_POSSESSIVE.sub("", " ".join(parts)))
    return sorted(found, key=lambda n: text.find(n))


# "Australian organisation", "Chinese delegation": a nationality describing a noun, not a subject
_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:an|ian|ese|ish|ch|i)$")


def subject_of(query: str) -> str | None:
    """The most specific name in a query: the longest, ties to the earliest; a nationality before
    a noun ("Which Australian organisation helped build FAST?") is not one."""
    found = [
        n
        for n in _names(query)
        if not (_DEMONYM.match(n) and re.search(rf"\b{re.escape(n)}\s+[a-z]", query))
    ]
    if not found:
        return None
    return max(found, key=lambda n: (len(n.split()), len(n), -query.find(n)))


def _person(history: list[Turn]) -> str | None:
    """The person a "he"/"she" most likely means: named in the last query, else in the last answer,
    else further back."""
    for turn in reversed(history[-3:]):
        for text in (turn.query, turn.answer if turn.answered else ""):
            found = person_names(text)
            if found:
                return found[0]
    return None


_PLACE_NAME = re.compile(
    r"\b(?:in|to|at|from|visited|visit)\s+(?:the\s+)?([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*)"
)


def _place(history: list[Turn]) -> str | None:
    """The place a "there" most likely means: one named after "in", "to", "at" ... in the last
    queries, else in the last answer."""
    for turn in reversed(history[-3:]):
        for text in (turn.query, turn.answer if turn.answered else ""):
            for m in _PLACE_NAME.finditer(text):
                if m.group(1) not in _NOT_NAMES:
                    return m.group(1)
    return None


def _topic_phrase(query: str) -> str:
    """The previous query without its question word (and the noun a "which" asks for): what it
    was about ("Which institution did Kang Musha join?" -> "did Kang Musha join")."""
    body = _WHICH_NOUN.sub("", query)
    if body == query:
        body = _WH.sub("", query)
    return body.strip(" ?")


def _answer_subject(prev: Turn) -> str | None:
    """For "Which radio telescope is Ma Yinzhe's team processing data from?" the next "it" is the
    telescope the answer named: the name just before the noun asked about ("Square Kilometre
    Array (SKA) radio telescope"), else the answer's first organisation the question lacks."""
    asked = _WHICH_NOUN.match(prev.query) or _WHICH_SUBJECT.match(prev.query)
    noun = asked.group("noun").lower() if asked else ""
    if not asked or not prev.answered or noun in stopwords():
        return None
    answer = _MARKER.sub("", prev.answer)
    before = re.search(
        rf"([A-Z][\w’'-]*(?:\s+(?:of\s+|and\s+|the\s+)?[A-Z][\w’'-]*)*)(?:\s*{_ACRONYM})?"
        rf"(?:\s+[a-z-]+){{0,2}}\s+{re.escape(noun)}",
        answer,
    )
    if before and before.group(1) not in prev.query:
        return before.group(2) or before.group(1)
    for name in _names(answer):  # "a delegation from the Chinese Academy of Sciences"
        if set(name.split()) & ORG_WORDS and name not in prev.query:
            return name
    return None


def is_follow_up(question: str) -> bool:
    toks = words(question)
    if not toks:
        return False
    if _OPENERS.match(question) or _WHAT_ABOUT.match(question):
        return True
    if any(t in _PERSONAL or t in _THING for t in toks):
        return True
    if "there" in toks and not re.match(
        r"^\s*(is|are|was|were)\s+there\b", question, re.IGNORECASE
    ):
        return True
    content = [t for t in toks if t not in stopwords()]
    return len(content) <= 1 and not _names(question)


def _replace_pronoun(question: str, subject: str, place: str | None = None) -> str:
    def sub(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if low in ("its", "their", "his", "her", "theirs", "hers"):
            return f"{subject}'s"
        if low == "there":
            return f"in {place or subject}"
        return subject

    pattern = r"\b(its|it|they|them|their|theirs|he|him|his|she|her|hers|there)\b"
    out = re.sub(pattern, sub, question, count=1, flags=re.IGNORECASE)
    if place and out != question and re.search(r"\bthere\b", out, re.IGNORECASE):
        # "When did he start working there?": the person and the place
        out = re.sub(r"\bthere\b", f"in {place}", out, count=1, flags=re.IGNORECASE)
    return out


def _with_short_form(subject: str, history: list[Turn]) -> str:
    """The acronym the articles use for the subject when an earlier answer defines it
    ("Square Kilometre Array (SKA)" makes "SKA"): news text names it by the short form after."""
    for turn in reversed(history[-3:]):
        text = turn.answer if turn.answered else ""
        short = re.search(rf"\b{re.escape(subject)}\s*{_ACRONYM}", text)
        if short:
            return short.group(1)
    return subject


def rewrite(question: str, history: list[Turn]) -> str:
    """A standalone query for ``question`` given the earlier turns (returned unchanged if standalone)."""
    question = question.strip()
    if not history or not is_follow_up(question):
        return question
    prev = history[-1]
    subject = _answer_subject(prev) or subject_of(prev.query)
    if subject:
        subject = _with_short_form(subject, history)
    what_about = _WHAT_ABOUT.match(question)
    if what_about:
        new = what_about.group("x").strip()
        asked = _ASKED_AFTER.search(new)
        if asked:  # "What about the Aijiu park there: who commented on the seeds?"
            about = new[: asked.start()].strip(" ,:;—–-")
            if subject:
                about = _replace_pronoun(about, subject, _place(history))
            return f"{asked.group('q').strip().rstrip('?')}, {about}?"
        if subject and subject in prev.query:
            return prev.query.replace(subject, new, 1)
        return f"{_topic_phrase(prev.query)} {new}".strip() + "?"
    stripped = _OPENERS.sub("", question).strip() or question
    toks = set(words(stripped))
    if toks & _PERSONAL:
        person = _person(history)
        if person or subject:
            return _replace_pronoun(stripped, person or subject, _place(history))  # type: ignore[arg-type]
    if toks & (_THING | _PLACE) and subject:
        return _replace_pronoun(stripped, subject, _place(history))
    one = _ONE.search(stripped)
    if one and subject:  # "the second one" → "the second <subject>"
        return stripped[: one.start("one")] + subject + stripped[one.end("one") :]
    if len([t for t in toks if t not in stopwords()]) >= 3 and _names(stripped):
        return stripped  # "And how many editions has Tengchong hosted?" stands on its own
    # elliptical ("And when?", "How many?"): keep the question, add what the last turn was about
    return f"{stripped.rstrip('?')} {_topic_phrase(prev.query)}".strip() + "?"
