"""Question files: the contract's format, its defaults, and bad lines reported one by one."""

from __future__ import annotations

import json
from pathlib import Path

from eval.questions import DEFAULT_CATEGORY, load_questions, parse_lines

ROOT = Path(__file__).resolve().parent.parent


def lines(*objs: object) -> list[str]:
    return [o if isinstance(o, str) else json.dumps(o) for o in objs]


def test_defaults_follow_the_contract() -> None:
    qs = parse_lines(lines({"id": "q01", "question": "How many?", "answers": ["160"], "extra": 1}))
    assert not [p for p in qs.problems if p.skipped]
    (item,) = qs.items
    assert item.answerable is True
    assert item.evidence == () and item.gold_articles == ()
    assert item.category == DEFAULT_CATEGORY
    assert item.conversation is None and item.turn == 0


def test_a_conversation_becomes_one_item_per_turn_in_order() -> None:
    qs = parse_lines(
        lines(
            {
                "id": "c01",
                "category": "conversation",
                "turns": [
                    {
                        "question": "What is the SKA?",
                        "answers": ["radio telescope"],
                        "evidence": ["e"],
                    },
                    {
                        "question": "When did it start?",
                        "answers": ["July 2021"],
                        "gold_articles": ["a"],
                    },
                ],
            }
        )
    )
    assert not qs.problems
    (entry,) = qs.entries
    assert entry.is_conversation
    first, second = entry.items
    assert (first.id, first.turn, first.is_followup) == ("c01#1", 1, False)
    assert (second.id, second.turn, second.is_followup) == ("c01#2", 2, True)
    assert second.conversation == "c01" and second.category == "conversation"


def test_unanswerable_items_need_no_answers() -> None:
    qs = parse_lines(lines({"id": "u01", "question": "Who won?", "answerable": False}))
    assert not qs.problems
    assert qs.items[0].answerable is False


def test_bad_lines_are_reported_by_number_and_the_rest_still_load() -> None:
    good = {"id": "q1", "question": "Q?", "answers": ["a"], "evidence": ["e"]}
    qs = parse_lines(
        lines(
            good,  # 1
            '{"id": "q2", "question": ',  # 2: malformed JSON
            {"question": "no id", "answers": ["a"]},  # 3
            {"id": "q4", "answers": ["a"]},  # 4: no question
            {"id": "q5", "question": "Q?"},  # 5: answerable without answers
            "",  # 6: blank lines are fine
            {
                "id": "q1",
                "question": "again",
                "answers": ["a"],
                "evidence": ["e"],
            },  # 7: duplicate id
            {
                "id": "c1",
                "turns": [
                    {"question": "ok", "answers": ["a"], "evidence": ["e"]},
                    {"answers": ["b"]},
                ],
            },  # 8
            [1, 2],  # 9
            {
                "id": "q10",
                "question": "Q?",
                "answers": "a string",
                "evidence": ["e"],
            },  # 10: taken as a list
            {"id": "q11", "question": "Q?", "answers": [1], "evidence": ["e"]},  # 11
            {"id": "q12", "question": "Q?", "answers": ["a"], "answerable": "yes"},  # 12
            {"id": "q13", "question": "Q?", "answers": ["a"]},  # 13: loads, with a warning
        )
    )
    skipped = {p.line: p.message for p in qs.problems if p.skipped}
    assert sorted(skipped) == [2, 3, 4, 5, 7, 8, 9, 11, 12]
    assert "malformed JSON" in skipped[2]
    assert "missing field 'id'" in skipped[3]
    assert "missing field 'question'" in skipped[4]
    assert "missing field 'answers'" in skipped[5]
    assert "duplicate id 'q1' (first on line 1)" in skipped[7]
    assert "missing field 'question' in turn 2" in skipped[8]
    assert "not a JSON object" in skipped[9]
    assert "list of strings" in skipped[11]
    assert "true or false" in skipped[12]
    warnings = [p for p in qs.problems if not p.skipped]
    assert [w.line for w in warnings] == [13]
    assert str(warnings[0]).startswith("line 13: item q13 has no 'evidence'")
    assert [e.id for e in qs.entries] == ["q1", "q10", "q13"]
    assert qs.entries[1].items[0].answers == ("a string",)
    assert str(qs.problems[0]).startswith("line 2: malformed JSON")
    assert str(qs.problems[0]).endswith("(skipped)")


def test_a_conversation_passes_its_defaults_to_its_turns() -> None:
    qs = parse_lines(
        lines(
            {
                "id": "c1",
                "category": "conv",
                "answerable": False,
                "turns": [
                    {"question": "one?"},
                    {"question": "two?", "answerable": True, "answers": ["x"], "category": "own"},
                ],
            }
        )
    )
    first, second = qs.items
    assert (first.answerable, first.category) == (False, "conv")
    assert (second.answerable, second.category) == (True, "own")


def test_the_seed_question_set_loads_without_errors() -> None:
    path = ROOT / "eval" / "questions" / "seed.jsonl"
    qs = load_questions(path)
    assert qs.entries
    assert not [p for p in qs.problems if p.skipped]
    assert any(e.is_conversation for e in qs.entries)
    assert any(not i.answerable for i in qs.items)
