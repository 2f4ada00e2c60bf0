"""Follow-up questions without a language model: the cases the first, splicing rewrite handled,
kept for what replaced it (ask/focus.py: pronouns and "what about" searched as typed with the
conversation's passages; the focus for corrections, "the other one" and ordinals; more cases in
test_focus.py; the stores: test_history.py)."""

from __future__ import annotations

from ask.focus import focus, is_follow_up, resolve
from ask.history import Turn


def rewrite(question: str, history: list[Turn]) -> str:
    return resolve(question, history).query


def turn(question: str, answer: str = "", query: str | None = None) -> Turn:
    return Turn(question=question, query=query or question, answer=answer, answered=bool(answer))


def test_a_pronoun_follow_up_is_searched_as_typed_and_read_with_the_conversation() -> None:
    # no entity is spliced in for "its": the engine searches the question with the passages the
    # last answer cited (docs/benchmarks.md, session 8: splicing lost follow-ups on unseen sets)
    history = [turn("What is the SKA?", "The SKA is a radio telescope [1].")]
    result = resolve("When did its construction start?", history)
    assert result.query == "When did its construction start?"
    assert result.follow_up and result.uncertain and not result.fresh


def test_the_person_the_previous_answer_named_leads_the_focus() -> None:
    history = [
        turn(
            "Who chairs the Tengchong Scientists Forum?",
            "Academician Gu Binglin, Chairman of the forum [1].",
        )
    ]
    assert [e.name for e in focus(history)][:2] == ["Gu Binglin", "Tengchong Scientists Forum"]
    assert rewrite("What did he say in his opening remarks?", history) == (
        "What did he say in his opening remarks?"
    )


def test_what_about_is_searched_as_typed() -> None:
    history = [turn("When did FAST begin formal operations?", "In early 2021 [1].")]
    result = resolve("What about SKA?", history)
    assert result.query == "What about SKA?" and result.follow_up and result.uncertain


def test_a_new_fully_specified_topic_is_left_alone() -> None:
    history = [turn("What is the SKA?", "A radio telescope [1].")]
    question = "Which university is Professor Zhang Zhengmao from?"
    assert not is_follow_up(question)
    assert rewrite(question, history) == question


def test_an_elliptical_question_carries_the_previous_topic() -> None:
    history = [turn("Who led the pulsar polarization survey?", "Li Ke led a team [1].")]
    rewritten = rewrite("And when?", history)
    assert rewritten.lower().startswith("when") and "pulsar polarization survey" in rewritten


def test_without_history_nothing_is_rewritten() -> None:
    assert rewrite("When did its construction start?", []) == "When did its construction start?"


def test_the_person_asked_about_outranks_organisations_in_the_answer() -> None:
    history = [
        turn(
            "Who is Fei Fan?",
            "Italian scientist Fei Fan, based at the Chinese Academy of Sciences' Research Center [1].",
        )
    ]
    ranked = focus(history)
    assert ranked[0].name == "Fei Fan" and ranked[0].kind == "person"
    assert all(e.kind != "person" for e in ranked[1:])


def test_the_second_one_names_the_previous_subject() -> None:
    history = [
        turn(
            "What did China propose at the first Belt and Road Science and Technology Exchange Conference?",
            "x [1].",
        )
    ]
    assert rewrite("And where is the second one taking place?", history) == (
        "where is the second Belt and Road Science and Technology Exchange Conference taking place?"
    )


def test_a_nationality_before_a_noun_is_not_the_subject() -> None:
    history = [
        Turn("q", "Which Australian organisation helped build FAST?", "CSIRO built tools.", True)
    ]
    # what the answer to a "which" question named leads; "Australian" names nothing
    assert [e.name for e in focus(history)] == ["CSIRO", "FAST"]


def test_and_before_a_question_that_stands_alone_is_just_dropped() -> None:
    history = [Turn("q", "How many countries have sent participants to the forum?", "20.", True)]
    assert rewrite("And how many editions has Tengchong hosted so far?", history) == (
        "how many editions has Tengchong hosted so far?"
    )


def test_the_place_named_before_is_what_there_can_mean() -> None:
    history = [
        Turn(
            "Who led the delegation to Kazakhstan?",
            "Who led the delegation to Kazakhstan?",
            "Professor Zhang Zhengmao led a delegation to visit a university in Kazakhstan.",
            True,
        ),
        Turn("Which university is he from?", "Which university is Zhang Zhengmao from?", "x", True),
    ]
    by_name = {e.name: e for e in focus(history)}
    assert by_name["Kazakhstan"].kind == "place" and by_name["Kazakhstan"].located
    assert by_name["Zhang Zhengmao"].kind == "person"
    question = "What about the Aijiu park there: who commented on the seeds?"
    assert rewrite(question, history) == question


def test_a_subject_the_answer_abbreviates_is_carried_by_its_acronym() -> None:
    history = [
        Turn(
            "What is the Square Kilometre Array?",
            "What is the Square Kilometre Array?",
            "data from the Square Kilometre Array (SKA) radio telescope. [1]",
            True,
        )
    ]
    assert focus(history)[0].name == "SKA"


def test_after_a_which_question_the_thing_the_answer_named_leads_the_focus() -> None:
    history = [
        Turn(
            "q",
            "Which radio telescope is Ma Yinzhe's team processing data from?",
            "Ma Yinzhe is processing data from the Square Kilometre Array (SKA) radio telescope. [1]",
            True,
        )
    ]
    assert [e.name for e in focus(history)][:2] == ["SKA", "Ma Yinzhe"]
    history = [
        Turn(
            "q",
            "Which Chinese institution sent a delegation to Germany in mid-May?",
            "In mid-May, a delegation from the Chinese Academy of Sciences visited Germany. [1]",
            True,
        )
    ]
    kinds = {e.name: (e.kind, e.located) for e in focus(history)}
    assert kinds == {"Germany": ("place", True), "Chinese Academy of Sciences": ("thing", False)}


def test_an_elliptical_question_after_a_which_question_drops_the_noun_asked_about() -> None:
    history = [Turn("q", "Which institution did Kang Musha join?", "He joined in 2020.", True)]
    assert rewrite("When?", history) == "When did Kang Musha join?"
