"""The contract's metrics (../shared/CONTRACT.md), computed from what each call returned.

Ratios whose denominator is empty (no answerable items, nothing answered, no follow-up turns) are
None, shown as "—": a number there would be made up, and a floor on an undefined metric must fail
rather than pass by default (eval/floors.py). A config without an answer step (the llama-index
baseline) has None for every answer metric.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eval.questions import Item

KS = (1, 3, 5, 10)
MRR_K = 10
# The contract's keys, in the order tables show them; the extra keys follow.
CONTRACT_KEYS = (
    "items",
    *(f"hit@{k}" for k in KS),
    f"mrr@{MRR_K}",
    "answer_accuracy",
    "citation_support",
    "followup_accuracy",
    "abstain_recall",
    "false_abstain_rate",
    "answer_chars_median",
    "latency_ms_p50",
    "latency_ms_p95",
)
EXTRA_KEYS = ("disputed_both_shown", "errors")
METRIC_KEYS = CONTRACT_KEYS + EXTRA_KEYS
# Metrics that only exist when the config has an answer step.
ANSWER_KEYS = frozenset(
    {
        "answer_accuracy",
        "citation_support",
        "followup_accuracy",
        "abstain_recall",
        "false_abstain_rate",
        "answer_chars_median",
        "disputed_both_shown",
    }
)

_QUOTES = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"'}
)
_SPACE = re.compile(r"\s+")
# [1], and the [1, 2] some generators write
_MARKER = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")


def normalize(text: str) -> str:
    """Lower case, curly quotes and apostrophes straight, whitespace runs one space."""
    return _SPACE.sub(" ", text.lower().translate(_QUOTES)).strip()


def strip_markers(text: str) -> str:
    """The answer text without its citation markers, whitespace collapsed."""
    return _SPACE.sub(" ", _MARKER.sub("", text)).strip()


@dataclass(frozen=True, slots=True)
class PassageRef:
    """A retrieved or cited passage, reduced to what relevance needs."""

    article_id: str
    passage_id: str
    text: str


@dataclass(slots=True)
class Reply:
    """What one call returned. ``answered`` is None for a config without an answer step."""

    answered: bool | None
    answer: str = ""
    citations: list[PassageRef] = field(default_factory=list)
    retrieved: list[PassageRef] = field(default_factory=list)
    latency_ms: float = 0.0
    conversation_id: str | None = None
    query: str | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def is_relevant(passage: PassageRef, item: Item) -> bool:
    """Its article is in gold_articles, or its text contains an evidence string (both normalized)."""
    if passage.article_id in item.gold_articles:
        return True
    text = normalize(passage.text)
    return any(normalize(e) in text for e in item.evidence if normalize(e))


def first_relevant_rank(retrieved: Sequence[PassageRef], item: Item) -> int | None:
    """1-based rank of the first relevant passage in the ranked list, None when there is none."""
    for rank, passage in enumerate(retrieved, start=1):
        if is_relevant(passage, item):
            return rank
    return None


def answers_found(answer: str, answers: Iterable[str]) -> list[bool]:
    """For each gold answer string, whether the answer text (markers removed) contains it."""
    text = normalize(strip_markers(answer))
    return [bool(normalize(a)) and normalize(a) in text for a in answers]


@dataclass(slots=True)
class Record:
    """One scored item: what was asked, what came back, and what it earned."""

    item: Item
    reply: Reply
    rank: int | None  # first relevant passage in the retrieval list
    correct: bool | None  # None: unanswerable, or no answer step
    cited_relevant: bool | None  # None unless an answerable item was answered
    all_shown: bool | None  # None unless the item is a disputed fact (all_answers) and answered
    failure: str | None

    def to_json(self) -> dict[str, Any]:
        it, rp = self.item, self.reply
        return {
            "id": it.id,
            "conversation": it.conversation,
            "turn": it.turn,
            "category": it.category,
            "question": it.question,
            "answerable": it.answerable,
            "expected": list(it.answers),
            "answered": rp.answered,
            "answer": rp.answer,
            "query": rp.query,
            "citations": [
                {
                    "article_id": c.article_id,
                    "passage_id": c.passage_id,
                    "relevant": is_relevant(c, it),
                }
                for c in rp.citations
            ],
            "first_relevant_rank": self.rank,
            "retrieved": [p.passage_id or p.article_id for p in rp.retrieved[:MRR_K]],
            "correct": self.correct,
            "cited_relevant": self.cited_relevant,
            "all_answers_shown": self.all_shown,
            "latency_ms": round(rp.latency_ms, 1),
            "warnings": rp.warnings,
            "error": rp.error,
            "failure": self.failure,
        }


def _failure(item: Item, reply: Reply, rank: int | None, record: Record) -> str | None:
    """The first thing that went wrong, in pipeline order (retrieval, abstention, answer, citation)."""
    if reply.error:
        return f"error: {reply.error}"
    if not item.answerable:
        return "answered an unanswerable question" if reply.answered else None
    if rank is None or rank > MRR_K:
        return "no relevant passage retrieved"
    if reply.answered is None:
        return None
    if not reply.answered:
        return "abstained wrongly"
    if not record.correct:
        return "answer string missing"
    if not record.cited_relevant:
        return "no citations" if not reply.citations else "no relevant citation"
    if record.all_shown is False:
        return "not every disputed answer shown"
    return None


def score(item: Item, reply: Reply) -> Record:
    rank = first_relevant_rank(reply.retrieved, item)
    record = Record(item, reply, rank, None, None, None, None)
    if reply.answered is not None and item.answerable:
        found = answers_found(reply.answer, item.answers) if reply.answered else []
        record.correct = bool(reply.answered) and any(found)
        if reply.answered:
            record.cited_relevant = any(is_relevant(c, item) for c in reply.citations)
            if item.all_answers:
                record.all_shown = bool(found) and all(found)
    record.failure = _failure(item, reply, rank, record)
    return record


def _ratio(hits: int, total: int) -> float | None:
    return hits / total if total else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default), None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summarize(records: Sequence[Record]) -> dict[str, float | int | None]:
    """The contract's metrics (plus disputed_both_shown and errors) over ``records``."""
    answerable = [r for r in records if r.item.answerable]
    ranks = [r.rank if r.rank is not None and r.rank <= MRR_K else None for r in answerable]
    metrics: dict[str, float | int | None] = {"items": len(records)}
    for k in KS:
        metrics[f"hit@{k}"] = _ratio(
            sum(1 for x in ranks if x is not None and x <= k), len(answerable)
        )
    metrics[f"mrr@{MRR_K}"] = (
        sum(1 / x for x in ranks if x is not None) / len(answerable) if answerable else None
    )

    # answer metrics: only over records from a config with an answer step
    judged = [r for r in records if r.reply.answered is not None]
    judged_answerable = [r for r in judged if r.item.answerable]
    answered_answerable = [r for r in judged_answerable if r.reply.answered]
    followups = [r for r in judged_answerable if r.item.is_followup]
    unanswerable = [r for r in judged if not r.item.answerable]
    disputed = [r for r in judged_answerable if r.item.all_answers]
    lengths = [len(strip_markers(r.reply.answer)) for r in judged if r.reply.answered]
    metrics["answer_accuracy"] = _ratio(
        sum(1 for r in judged_answerable if r.correct), len(judged_answerable)
    )
    metrics["citation_support"] = _ratio(
        sum(1 for r in answered_answerable if r.cited_relevant), len(answered_answerable)
    )
    metrics["followup_accuracy"] = _ratio(sum(1 for r in followups if r.correct), len(followups))
    metrics["abstain_recall"] = _ratio(
        sum(1 for r in unanswerable if not r.reply.answered), len(unanswerable)
    )
    metrics["false_abstain_rate"] = _ratio(
        sum(1 for r in judged_answerable if not r.reply.answered), len(judged_answerable)
    )
    metrics["answer_chars_median"] = statistics.median(lengths) if lengths else None

    latencies = [r.reply.latency_ms for r in records if r.reply.error is None]
    metrics["latency_ms_p50"] = percentile(latencies, 50)
    metrics["latency_ms_p95"] = percentile(latencies, 95)
    metrics["disputed_both_shown"] = _ratio(sum(1 for r in disputed if r.all_shown), len(disputed))
    metrics["errors"] = sum(1 for r in records if r.reply.error)
    return metrics


def by_category(records: Sequence[Record]) -> dict[str, dict[str, float | int | None]]:
    groups: dict[str, list[Record]] = {}
    for r in records:
        groups.setdefault(r.item.category, []).append(r)
    return {name: summarize(group) for name, group in sorted(groups.items())}


def failure_counts(records: Sequence[Record]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in records:
        if r.failure:
            key = "error" if r.failure.startswith("error:") else r.failure
            counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))
