"""Reads question files (../shared/CONTRACT.md): bad lines are reported by number, the rest still load."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_CATEGORY = "uncategorized"


@dataclass(frozen=True, slots=True)
class Item:
    """One scored item: a question, or one turn of a conversation."""

    id: str  # "q01", or "c01#2" for the second turn of conversation c01
    question: str
    answers: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    gold_articles: tuple[str, ...] = ()
    answerable: bool = True
    category: str = DEFAULT_CATEGORY
    all_answers: bool = False  # disputed fact: every answer string should be shown
    conversation: str | None = None  # id of the conversation this turn belongs to
    turn: int = 0  # 0 for a lone question; 1, 2, ... for conversation turns

    @property
    def is_followup(self) -> bool:
        return self.turn > 1


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a question file: a lone question (one item) or a conversation (its turns, in order)."""

    id: str
    line: int
    items: tuple[Item, ...]

    @property
    def is_conversation(self) -> bool:
        return self.items[0].conversation is not None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong on one line; ``skipped`` when the line could not be used at all."""

    line: int
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" + (" (skipped)" if self.skipped else "")


@dataclass(slots=True)
class QuestionSet:
    path: str
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return [item for entry in self.entries for item in entry.items]


class _Bad(ValueError):
    """A line that cannot be used (the message says why)."""


def _strings(obj: dict[str, Any], key: str) -> tuple[str, ...]:
    value = obj.get(key)
    if value is None:
        return ()
    if isinstance(value, str):  # a lone string is a common slip; take it as a list of one
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Bad(f"'{key}' must be a list of strings")
    return tuple(v for v in value if v.strip())


def _flag(obj: dict[str, Any], key: str, default: bool) -> bool:
    value = obj.get(key, default)
    if not isinstance(value, bool):
        raise _Bad(f"'{key}' must be true or false")
    return value


def _text(obj: dict[str, Any], key: str, where: str = "") -> str:
    if key not in obj:
        raise _Bad(f"missing field '{key}'{where}")
    value = obj[key]
    if not isinstance(value, str) or not value.strip():
        raise _Bad(f"'{key}'{where} must be a non-empty string")
    return value.strip()


def _item(
    obj: dict[str, Any],
    item_id: str,
    defaults: dict[str, Any],
    conversation: str | None,
    turn: int,
    where: str,
) -> Item:
    question = _text(obj, "question", where)
    answerable = _flag(obj, "answerable", defaults["answerable"])
    answers = _strings(obj, "answers")
    if answerable and not answers:
        raise _Bad(f"missing field 'answers'{where} (required when answerable)")
    own_category = obj.get("category", defaults["category"])
    if not isinstance(own_category, str) or not own_category.strip():
        raise _Bad(f"'category'{where} must be a non-empty string")
    return Item(
        id=item_id,
        question=question,
        answers=answers,
        evidence=_strings(obj, "evidence"),
        gold_articles=_strings(obj, "gold_articles"),
        answerable=answerable,
        category=own_category.strip(),
        all_answers=_flag(obj, "all_answers", defaults["all_answers"]),
        conversation=conversation,
        turn=turn,
    )


def parse_entry(obj: Any, line: int) -> tuple[Entry, list[Problem]]:
    """One decoded line as an Entry, plus warnings; raises ValueError when it cannot be used."""
    if not isinstance(obj, dict):
        raise _Bad("not a JSON object")
    entry_id = obj.get("id")
    if entry_id is None:
        raise _Bad("missing field 'id'")
    if (
        not isinstance(entry_id, str | int)
        or isinstance(entry_id, bool)
        or not str(entry_id).strip()
    ):
        raise _Bad("'id' must be a non-empty string")
    entry_id = str(entry_id).strip()
    # a conversation's own category, answerable and all_answers are its turns' defaults
    defaults = {
        "category": obj.get("category", DEFAULT_CATEGORY),
        "answerable": _flag(obj, "answerable", True),
        "all_answers": _flag(obj, "all_answers", False),
    }
    if "turns" in obj:
        turns = obj["turns"]
        if not isinstance(turns, list) or not turns:
            raise _Bad("'turns' must be a non-empty list")
        items = []
        for n, turn in enumerate(turns, start=1):
            where = f" in turn {n}"
            if not isinstance(turn, dict):
                raise _Bad(f"turn {n} is not a JSON object")
            items.append(_item(turn, f"{entry_id}#{n}", defaults, entry_id, n, where))
    else:
        items = [_item(obj, entry_id, defaults, None, 0, "")]
    warnings = [
        Problem(
            line,
            f"item {it.id} has no 'evidence' or 'gold_articles': it can never count as a hit",
            False,
        )
        for it in items
        if it.answerable and not (it.evidence or it.gold_articles)
    ]
    return Entry(entry_id, line, tuple(items)), warnings


def parse_lines(lines: list[str], path: str = "<questions>") -> QuestionSet:
    """Every usable line as an Entry; every unusable one as a Problem naming its line."""
    result = QuestionSet(path)
    seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text or text.startswith("//"):
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            result.problems.append(
                Problem(number, f"malformed JSON ({exc.msg} at column {exc.colno})")
            )
            continue
        try:
            entry, warnings = parse_entry(obj, number)
        except _Bad as exc:
            result.problems.append(Problem(number, str(exc)))
            continue
        if entry.id in seen:
            result.problems.append(
                Problem(number, f"duplicate id '{entry.id}' (first on line {seen[entry.id]})")
            )
            continue
        seen[entry.id] = number
        result.entries.append(entry)
        result.problems.extend(warnings)
    return result


def load_questions(path: Path) -> QuestionSet:
    """Reads a .jsonl question file; raises OSError only when the file itself cannot be read."""
    text = path.read_text(encoding="utf-8-sig")
    return parse_lines(text.splitlines(), str(path))
