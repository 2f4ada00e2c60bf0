"""Example questions for the empty chat, drawn from whatever articles are indexed.

Two templates, both answerable from the article they come from: a name the article defines with an
acronym ("… Square Kilometre Array (SKA) …" → "What is the Square Kilometre Array (SKA)?"), and a
short headline ("What is known about “<headline>”?"). Articles are visited in turn so the examples
cover several of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A run of capitalized words (small joining words allowed inside), then its acronym in brackets.
ACRONYM = re.compile(
    r"\b((?:[A-Z][\w-]*\s+)(?:(?:of|for|and|on|the|de|in)\s+|[A-Z][\w-]*\s+){0,6}[A-Z][\w-]*)"
    r"\s+\(([A-Z][A-Z0-9]{1,7})\)"
)
# 12 words: longer "titles" are usually a first paragraph, not a headline.
HEADLINE_WORDS = 12
STOP_LEAD = {"The", "A", "An", "In", "On", "At", "By", "For", "With", "From", "This", "That"}


def acronym_questions(text: str) -> list[str]:
    out = []
    for name, acronym in ACRONYM.findall(text):
        words = name.split()
        # The name starts at the word with the acronym's first letter ("Chinese Square Kilometre
        # Array (SKA)" names the Square Kilometre Array), and its capitals spell at least half the
        # acronym: otherwise the brackets hold something else (a ticker, an aside).
        while words and (words[0] in STOP_LEAD or words[0][0] != acronym[0]):
            words = words[1:]
        initials = "".join(w[0] for w in words if w[0].isupper())
        if len(words) < 2 or sum(ch in initials for ch in acronym) * 2 < len(acronym):
            continue
        out.append(f"What is the {' '.join(words)} ({acronym})?")
    return out


def headline_question(title: str) -> str | None:
    line = " ".join(title.split())
    headline = re.split(r"\s*[:|]\s+|\s+[—–-]\s+", line, maxsplit=1)[0].strip(" .")
    if not headline or len(headline.split()) > HEADLINE_WORDS or len(headline.split()) < 3:
        return None
    return f"What is known about “{headline}”?"


def example_questions(articles: Iterable[tuple[str, str]], limit: int = 4) -> list[str]:
    """Up to ``limit`` distinct questions from (title, text) pairs, taking turns between articles."""
    per_article: list[list[str]] = []
    for title, text in articles:
        questions = acronym_questions(text)[:2]
        headline = headline_question(title)
        if headline:
            questions.append(headline)
        if questions:
            per_article.append(questions)
    chosen: list[str] = []
    seen: set[str] = set()
    for round_ in range(max((len(q) for q in per_article), default=0)):
        for questions in per_article:
            if round_ < len(questions):
                key = questions[round_].casefold()
                if key not in seen:
                    seen.add(key)
                    chosen.append(questions[round_])
                if len(chosen) == limit:
                    return chosen
    return chosen
