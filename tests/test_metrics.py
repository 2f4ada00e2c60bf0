"""Every metric of the contract on hand-made cases, edge cases included."""

from __future__ import annotations

from typing import Any

import pytest

from eval.floors import check_floors
from eval.metrics import (
    PassageRef,
    Record,
    Reply,
    answers_found,
    first_relevant_rank,
    normalize,
    percentile,
    score,
    strip_markers,
    summarize,
)
from eval.questions import Item

GOLD = "gold-article"


def q(
    id: str = "q",
    answers: tuple[str, ...] = ("160",),
    evidence: tuple[str, ...] = (),
    gold: tuple[str, ...] = (GOLD,),
    answerable: bool = True,
    **kw: Any,
) -> Item:
    return Item(
        id=id,
        question="?",
        answers=answers,
        evidence=evidence,
        gold_articles=gold,
        answerable=answerable,
        **kw,
    )


def p(article: str = "other", text: str = "nothing here", pid: str = "") -> PassageRef:
    return PassageRef(article, pid or f"{article}#0", text)


def relevant() -> PassageRef:
    return p(GOLD, "China works with over 160 countries.")


def reply(
    answered: bool | None = True,
    answer: str = "over 160 countries [1].",
    citations: list[PassageRef] | None = None,
    retrieved: list[PassageRef] | None = None,
    latency: float = 10.0,
    **kw: Any,
) -> Reply:
    return Reply(
        answered=answered,
        answer=answer,
        citations=[relevant()] if citations is None else citations,
        retrieved=[relevant()] if retrieved is None else retrieved,
        latency_ms=latency,
        **kw,
    )


# ---- normalization ----------------------------------------------------------------------------
def test_normalize_lowercases_straightens_quotes_and_collapses_whitespace() -> None:
    assert normalize("  Earth’s  “Giant”\n\tEye ") == 'earth\'s "giant" eye'


def test_citation_markers_are_removed_before_matching() -> None:
    assert strip_markers("It began in July [1] 2021 [2][3].") == "It began in July 2021."
    assert answers_found("It began in July [1] 2021.", ["july 2021"]) == [True]
    assert answers_found("Cited [1, 2] here", ["cited here"]) == [True]


def test_curly_apostrophe_in_the_answer_matches_a_straight_one_in_the_gold() -> None:
    assert answers_found("It is called Earth’s Giant Eye [1].", ["Earth's Giant Eye"]) == [True]


def test_an_empty_gold_answer_never_matches() -> None:
    assert answers_found("anything", ["", "  "]) == [False, False]


# ---- relevance and rank ------------------------------------------------------------------------
def test_a_passage_is_relevant_by_gold_article_or_by_evidence_string() -> None:
    item = q(evidence=("Over 160 COUNTRIES",), gold=("a1",))
    assert first_relevant_rank([p("x"), p("a1")], item) == 2
    assert first_relevant_rank([p("x"), p("y", "with over 160\ncountries")], item) == 2
    assert first_relevant_rank([p("x"), p("y")], item) is None


def test_hit_at_k_and_mrr_count_the_rank_of_the_first_relevant_passage() -> None:
    ranks = [1, 2, 4, 7, None]  # one item per rank; None: no relevant passage retrieved
    records = []
    for i, rank in enumerate(ranks):
        retrieved = [p() for _ in range(10)]
        if rank:
            retrieved[rank - 1] = relevant()
        records.append(score(q(id=str(i)), reply(retrieved=retrieved)))
    m = summarize(records)
    assert m["items"] == 5
    assert m["hit@1"] == pytest.approx(1 / 5)
    assert m["hit@3"] == pytest.approx(2 / 5)
    assert m["hit@5"] == pytest.approx(3 / 5)
    assert m["hit@10"] == pytest.approx(4 / 5)
    assert m["mrr@10"] == pytest.approx((1 + 1 / 2 + 1 / 4 + 1 / 7) / 5)


def test_a_relevant_passage_below_rank_ten_earns_nothing() -> None:
    retrieved = [p() for _ in range(10)] + [relevant()]
    record = score(q(), reply(retrieved=retrieved))
    assert record.rank == 11
    m = summarize([record])
    assert m["hit@10"] == 0 and m["mrr@10"] == 0
    assert record.failure == "no relevant passage retrieved"


def test_no_relevant_passage_anywhere_gives_zero_hits_and_a_failure_reason() -> None:
    record = score(q(), reply(retrieved=[]))
    assert record.rank is None
    m = summarize([record])
    assert m["hit@1"] == m["hit@10"] == m["mrr@10"] == 0.0
    assert record.failure == "no relevant passage retrieved"


# ---- answers ----------------------------------------------------------------------------------
def test_answer_accuracy_needs_answered_true_and_a_gold_string() -> None:
    records = [
        score(q(id="ok"), reply(answer="Over 160 countries [1].")),
        score(q(id="wrong"), reply(answer="About 150 countries [1].")),
        # the string is there but the engine abstained: not accurate
        score(
            q(id="abstained"), reply(answered=False, answer="Not in the articles; closest: 160.")
        ),
        score(q(id="any-of", answers=("sixty", "160")), reply()),
    ]
    m = summarize(records)
    assert m["answer_accuracy"] == pytest.approx(2 / 4)
    assert m["false_abstain_rate"] == pytest.approx(1 / 4)
    assert [r.failure for r in records] == [
        None,
        "answer string missing",
        "abstained wrongly",
        None,
    ]


def test_citation_support_counts_answered_items_with_a_relevant_citation() -> None:
    records = [
        score(q(id="supported"), reply()),
        score(q(id="irrelevant"), reply(citations=[p("elsewhere")])),
        score(q(id="no-citations"), reply(citations=[])),
        score(q(id="abstained"), reply(answered=False, citations=[])),  # not in the denominator
    ]
    m = summarize(records)
    assert m["citation_support"] == pytest.approx(1 / 3)
    assert records[1].failure == "no relevant citation"
    assert records[2].failure == "no citations"


def test_a_citation_is_relevant_by_its_passage_text_containing_evidence() -> None:
    item = q(evidence=("over 160 countries",), gold=())
    record = score(
        item,
        reply(
            citations=[p("not-gold", "…with over 160 countries…")],
            retrieved=[p("x", "over 160 countries")],
        ),
    )
    assert record.cited_relevant is True


def test_all_abstained_leaves_citation_support_and_answer_length_undefined() -> None:
    records = [
        score(q(id="a"), reply(answered=False, citations=[])),
        score(
            q(id="u", answers=(), gold=(), answerable=False), reply(answered=False, citations=[])
        ),
    ]
    m = summarize(records)
    assert m["answer_accuracy"] == 0.0
    assert m["false_abstain_rate"] == 1.0
    assert m["abstain_recall"] == 1.0
    assert m["citation_support"] is None  # nothing answered: undefined, not 0 and not 1
    assert m["answer_chars_median"] is None


def test_unanswerable_only_sets_have_abstention_figures_and_no_retrieval_figures() -> None:
    unanswerable = q(answers=(), gold=(), answerable=False)
    records = [
        score(unanswerable, reply(answered=False, retrieved=[p()])),
        score(unanswerable, reply(answered=True, answer="Some guess [1].")),
        score(unanswerable, reply(answered=False)),
    ]
    m = summarize(records)
    assert m["items"] == 3
    assert m["abstain_recall"] == pytest.approx(2 / 3)
    for key in (
        "hit@1",
        "hit@10",
        "mrr@10",
        "answer_accuracy",
        "citation_support",
        "false_abstain_rate",
        "followup_accuracy",
    ):
        assert m[key] is None, key
    assert [r.failure for r in records] == [None, "answered an unanswerable question", None]


def test_followup_accuracy_scores_only_turns_after_the_first() -> None:
    def turn(n: int, answer: str) -> Record:
        item = q(id=f"c#{n}", conversation="c", turn=n)
        return score(item, reply(answer=answer))

    records = [
        turn(1, "wrong"),
        turn(2, "over 160"),
        turn(3, "wrong again"),
        score(q(id="lone"), reply()),
    ]
    m = summarize(records)
    assert m["followup_accuracy"] == pytest.approx(1 / 2)
    assert m["answer_accuracy"] == pytest.approx(2 / 4)


def test_followup_accuracy_is_undefined_without_conversations() -> None:
    assert summarize([score(q(), reply())])["followup_accuracy"] is None


def test_answer_chars_median_counts_answered_answers_without_markers() -> None:
    records = [
        score(q(id="1"), reply(answer="abc [1]")),  # 3
        score(q(id="2"), reply(answer="abcdefg [1][2]")),  # 7
        score(q(id="3"), reply(answer="abcde")),  # 5
        score(q(id="4"), reply(answered=False, answer="a very long refusal that is not counted")),
    ]
    assert summarize(records)["answer_chars_median"] == 5


def test_disputed_items_need_every_answer_shown() -> None:
    item = q(answers=("Chengdu", "Beijing"), all_answers=True)
    both = score(item, reply(answer="Reports say Chengdu [1]; others say Beijing [2]."))
    one = score(item, reply(answer="It is in Chengdu [1]."))
    assert both.failure is None and one.failure == "not every disputed answer shown"
    m = summarize([both, one])
    assert m["disputed_both_shown"] == pytest.approx(1 / 2)
    assert m["answer_accuracy"] == 1.0  # the contract metric needs only one answer string
    assert summarize([score(q(), reply())])["disputed_both_shown"] is None


# ---- latency, errors, retrieval-only ---------------------------------------------------------
def test_latency_percentiles_interpolate_like_numpy() -> None:
    records = [
        score(q(id=str(i)), reply(latency=float(ms))) for i, ms in enumerate([10, 20, 30, 40, 100])
    ]
    m = summarize(records)
    assert m["latency_ms_p50"] == 30
    assert m["latency_ms_p95"] == pytest.approx(88.0)
    assert percentile([], 50) is None
    assert percentile([7.0], 95) == 7.0


def test_a_failed_call_counts_as_a_miss_and_an_error() -> None:
    failed = Reply(answered=False, latency_ms=5000.0, error="RuntimeError: HTTP 500")
    record = score(q(), failed)
    m = summarize([record, score(q(id="ok"), reply(latency=10.0))])
    assert record.failure == "error: RuntimeError: HTTP 500"
    assert m["errors"] == 1
    assert m["hit@1"] == 0.5 and m["answer_accuracy"] == 0.5
    assert m["latency_ms_p95"] == 10.0  # failed calls are not timed


def test_a_retrieval_only_config_has_no_answer_metrics() -> None:
    records = [
        score(q(), reply(answered=None, answer="", citations=[])),
        score(q(answers=(), gold=(), answerable=False), reply(answered=None, citations=[])),
    ]
    m = summarize(records)
    assert m["hit@1"] == 1.0 and m["latency_ms_p50"] == 10.0
    for key in (
        "answer_accuracy",
        "citation_support",
        "abstain_recall",
        "false_abstain_rate",
        "answer_chars_median",
    ):
        assert m[key] is None, key
    assert [r.failure for r in records] == [None, None]


def test_an_empty_run_has_only_undefined_ratios() -> None:
    m = summarize([])
    assert m["items"] == 0 and m["errors"] == 0
    assert all(v is None for k, v in m.items() if k not in ("items", "errors"))


# ---- floors ----------------------------------------------------------------------------------
def test_floors_fail_below_a_minimum_above_a_maximum_and_on_undefined_metrics() -> None:
    floors = {"min": {"hit@1": 0.8, "citation_support": 0.5}, "max": {"latency_ms_p95": 100}}
    assert (
        check_floors({"hit@1": 0.8, "citation_support": 1.0, "latency_ms_p95": 100}, floors) == []
    )
    breaches = check_floors({"hit@1": 0.7, "citation_support": None, "latency_ms_p95": 101}, floors)
    assert len(breaches) == 3
    assert any("hit@1" in b and "below" in b for b in breaches)
    assert any("citation_support is undefined" in b for b in breaches)
    assert any("latency_ms_p95" in b and "above" in b for b in breaches)
