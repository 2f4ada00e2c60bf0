"""In-process figures: answer latency of a warm engine, baseline retrieval latency, and hit@k quality."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from eval.bench_env import load, percentiles


def question_texts(path: Path) -> list[str]:
    """Every question (and conversation turn) of a question file, in order."""
    from eval.questions import load_questions

    return [item.question for item in load_questions(path).items]


def timed_loop(
    call: Callable[[str], Any],
    questions: Sequence[str],
    count: int,
    budget_s: float,
    warmup: int = 5,
) -> dict[str, Any]:
    """``call`` over the questions (cycled) up to ``count`` times or ``budget_s`` seconds; latency stats."""
    for q in list(questions)[:warmup]:
        call(q)
    before = load()
    times: list[float] = []
    errors = 0
    started = time.perf_counter()
    deadline = started + budget_s
    for i in range(count):
        q = questions[i % len(questions)]
        t0 = time.perf_counter()
        try:
            call(q)
        except Exception:  # a failed call is counted, not fatal
            errors += 1
        times.append((time.perf_counter() - t0) * 1000)
        if time.perf_counter() > deadline:
            break
    wall = time.perf_counter() - started
    return {
        **percentiles(times),
        "errors": errors,
        "per_s": round(len(times) / wall, 2),
        "stopped_by": "count" if len(times) >= count else "time",
        "load": [before, load()],
    }


def engine_latency(
    engine: Any, questions: Sequence[str], count: int, budget_s: float
) -> dict[str, Any]:
    """Full answers (retrieval, composition, conversation bookkeeping), each a new conversation."""
    return timed_loop(lambda q: engine.ask(q), questions, count, budget_s)


def baseline_latency(
    asker: Any, questions: Sequence[str], count: int, budget_s: float
) -> dict[str, Any]:
    """llama-index's retriever (it has no answer step): query embedding + Chroma search."""
    return timed_loop(lambda q: asker.ask(q, None), questions, count, budget_s)


def quality(asker: Any, questions_file: Path) -> dict[str, Any]:
    """hit@k / mrr of one asker over a question file, through the eval runner."""
    from eval.metrics import summarize
    from eval.questions import load_questions
    from eval.runner import run

    qset = load_questions(questions_file)
    before = load()
    metrics = summarize(run(qset.entries, asker))
    keep = ("items", "hit@1", "hit@5", "hit@10", "mrr@10", "answer_accuracy", "errors")
    out: dict[str, Any] = {
        k: (round(v, 4) if isinstance(v, float) else v) for k, v in metrics.items() if k in keep
    }
    out["questions"] = str(questions_file)
    out["load"] = [before, load()]
    return out
