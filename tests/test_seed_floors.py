"""CI gate: the seed question set, run in-process on a fresh seed index, meets every floor in eval/floors.json."""

from __future__ import annotations

from typing import Any

import pytest

from eval.floors import check_floors, load_floors
from eval.questions import load_questions
from eval.report import Run
from eval.runner import EngineAsker, run
from newsrag.settings import PROJECT_ROOT

SEED_QUESTIONS = PROJECT_ROOT / "eval" / "questions" / "seed.jsonl"


@pytest.mark.slow
def test_the_seed_question_set_meets_every_floor(seed_engine: Any) -> None:
    questions = load_questions(SEED_QUESTIONS)
    assert not [p for p in questions.problems if p.skipped], questions.problems
    metrics = Run("seed", run(questions.entries, EngineAsker(seed_engine))).metrics
    floors = load_floors()
    breaches = check_floors(metrics, floors)
    measured = ", ".join(f"{k}={metrics[k]}" for k in (*floors["min"], *floors["max"]))
    assert not breaches, "; ".join(breaches) + f"\nmeasured: {measured}"
