"""Reads the RealTime QA 2023-2026 training data (``../shared/train/rtqa/``) and labels it.

Nothing here is copied into the repository: the files are read where they lie. Questions are split
by date, so validation and test questions are about weeks the training questions never saw.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

# answers are matched as eval/metrics.py compares them
from eval.metrics import normalize

# An answer this short ("US", "3") matches too much text by accident to label anything.
MIN_ANSWER_CHARS = 3


@dataclass(slots=True)
class Question:
    id: str
    date: str
    question: str
    answers: list[str]
    evidence: str
    results: list[str]
    patterns: list[re.Pattern[str]] = field(default_factory=list)

    def holds_answer(self, text: str) -> bool:
        """Whether normalized ``text`` contains an answer string as whole words."""
        return any(p.search(text) for p in self.patterns)


@dataclass(slots=True)
class Doc:
    id: str
    title: str
    text: str


def answer_patterns(answers: list[str]) -> list[re.Pattern[str]]:
    out = []
    for answer in answers:
        norm = normalize(answer)
        if len(norm) >= MIN_ANSWER_CHARS:
            out.append(re.compile(r"(?<!\w)" + re.escape(norm) + r"(?!\w)"))
    return out


def load(folder: Path) -> tuple[list[Question], dict[str, Doc]]:
    """All questions (oldest first) and the search-result pages by id."""
    questions: list[Question] = []
    with (folder / "questions.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            answers = [str(a) for a in row.get("answers") or []]
            questions.append(
                Question(
                    id=str(row["id"]),
                    date=str(row.get("date") or row["id"][:8]),
                    question=str(row["question"]),
                    answers=answers,
                    evidence=str(row.get("evidence") or ""),
                    results=[str(r) for r in row.get("results") or []],
                    patterns=answer_patterns(answers),
                )
            )
    docs: dict[str, Doc] = {}
    with (folder / "documents.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            text = str(row.get("text") or "")
            if text.strip():
                docs[str(row["id"])] = Doc(str(row["id"]), str(row.get("title") or ""), text)
    questions.sort(key=lambda q: (q.date, q.id))
    return questions, docs


@dataclass(slots=True)
class Split:
    train: list[Question]
    valid: list[Question]
    test: list[Question]

    def describe(self) -> dict[str, object]:
        def span(qs: list[Question]) -> str:
            return f"{qs[0].date}..{qs[-1].date}" if qs else "-"

        return {
            "train": {"questions": len(self.train), "dates": span(self.train)},
            "valid": {"questions": len(self.valid), "dates": span(self.valid)},
            "test": {"questions": len(self.test), "dates": span(self.test)},
        }


def split_by_date(questions: list[Question], valid: float = 0.1, test: float = 0.15) -> Split:
    """Oldest weeks train, the next ones validate (early stopping, calibration), the latest test.
    A week never straddles two parts."""
    dates = sorted({q.date for q in questions})
    n = len(dates)
    test_from = dates[min(n - 1, round(n * (1 - test)))]
    valid_from = dates[min(n - 1, round(n * (1 - test - valid)))]
    return Split(
        train=[q for q in questions if q.date < valid_from],
        valid=[q for q in questions if valid_from <= q.date < test_from],
        test=[q for q in questions if q.date >= test_from],
    )


def doc_dates(questions: list[Question]) -> dict[str, str]:
    """Each page dated by the first question it was returned for (pages carry no date)."""
    out: dict[str, str] = {}
    for q in questions:
        for doc_id in q.results:
            out.setdefault(doc_id, q.date)
    return out
