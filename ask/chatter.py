"""Small talk around a question, taken off before anything reads it.

"hey, can you tell me what kind of tool ...?", "hey quick one - what seeds ...?", "Do you know who
chairs ...?": the greeting and the request carry no fact to look for, yet their words were searched
and counted. Words the articles never use ("hey", "quick") even counted as what the articles lack,
pulling the answer toward an abstention. So did words about the text rather than the news ("Which
Italian scientist is mentioned in the report?"). ``tidy`` drops the lead-in, such words and trailing
thanks and keeps the question itself; a text that is nothing but small talk is returned as it came.
"""

from __future__ import annotations

import re

_LEAD = re.compile(
    r"^\s*(?:(?:hey|hi|hello|yo|um+|uh+|hmm+)\b[\s,!.:;-]*)*"
    # "so", "ok", "and" stay: they mark a follow-up (ask/focus.py)
    r"(?:quick (?:one|question)\b[\s,!.:;—–-]*)?"
    r"(?:(?:can|could|would|will) you (?:please )?(?:tell|show|give) me\b[\s,]*|"
    r"(?:do|does) (?:you|anyone) know\b[\s,]*|i (?:was|am|'m) wondering\b[\s,]*|"
    r"i(?:'d| would) like to know\b[\s,]*|i want to know\b[\s,]*|(?:please )?tell me\b[\s,]*)?"
    r"(?:(?:if|whether)\s+)?",
    re.I,
)
# words about the text rather than about the news: "Which Italian scientist is mentioned in the
# report?", "according to the article" (the articles never say "mentioned"; it counted as missing)
_ABOUT_TEXT = re.compile(
    r"(?:,\s*)?\b(?:(?:(?:that|who|which)\s+)?(?:is|are|was|were)\s+)?(?:mentioned|named|quoted|cited|"
    r"discussed|featured|described)\s+in\s+(?:the|this|that)\s+(?:report|article|text|story|piece|"
    r"news)\b|(?:,\s*)?\baccording\s+to\s+(?:the|this)\s+(?:report|article|text|story|piece)\b[\s,]*",
    re.I,
)
# (whole words only: "ty" ended "Which university?" and "which city?" before the \b)
_TAIL = re.compile(
    r"[\s,]*\b(?:please|pls|cheers|many thanks|thanks(?: a lot| so much)?|"
    r"thank you(?: so much| very much)?|thx|ty|much appreciated|appreciate it)[\s!.]*(?=\??\s*$)",
    re.I,
)


# a country's everyday names, which news never prints ("which aussie outfit", "a body down
# under"): written as the articles would, so the words are searched and matched
_INFORMAL = {
    "aussie": "Australian",
    "aussies": "Australians",
    "down under": "in Australia",
    "brit": "British",
    "brits": "Britons",
    "stateside": "in the United States",
}
_INFORMAL_WORD = re.compile(r"\b(?:" + "|".join(_INFORMAL) + r")\b", re.I)


def tidy(question: str) -> str:
    """``question`` without the greeting or request before it, words about the text, and the
    thanks after it; a country's everyday name as news writes it."""
    m = _LEAD.match(question)
    rest = question[m.end() :] if m else question
    rest = re.sub(r"\s+([?.!])", r"\1", _TAIL.sub("", _ABOUT_TEXT.sub("", rest))).strip()
    if len(rest.split()) < 2:  # "hey, thanks!": nothing but small talk
        return question
    rest = _INFORMAL_WORD.sub(lambda m: _INFORMAL[m.group().lower()], rest)
    # "what kind ..." after "can you tell me": the question now starts the text
    return rest[0].upper() + rest[1:] if question[:1].isupper() else rest
