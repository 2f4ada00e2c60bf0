"""Follow-up questions are made standalone without a language model: the cases the first,
splicing rewrite handled, kept for the resolution by focus that replaced it (ask/focus.py; more
cases in test_focus.py; the stores: test_history.py)."""

from __future__ import annotations

from ask.focus import is_follow_up, resolve
from ask.history import Turn


def rewrite(question: str, history: list[Turn]) -> str:
    return resolve(question, history).query


def turn(question: str, answer: str = "", query: str | None = None) -> Turn:
    return Turn(question=question, query=query or question, answer=answer, answered=bool(answer))


def test_a_pronoun_is_replaced_by_the_previous_subject() -> None:
    history = [turn("What is the SKA?", "The SKA is a radio telescope [1].")]
    assert (
        rewrite("When did its construction start?", history) == "When did SKA's construction start?"
    )


def test_he_refers_to_the_person_named_in_the_previous_answer() -> None:
    history = [
        turn(
            "Who chairs the Tengchong Scientists Forum?",
            "Academician Gu Binglin, Chairman of the forum [1].",
        )
    ]
    assert "Gu Binglin" in rewrite("What did he say in his opening remarks?", history)


def test_what_about_swaps_the_subject_of_the_previous_query() -> None:
    history = [turn("When did FAST begin formal operations?", "In early 2021 [1].")]
    assert rewrite("What about SKA?", history) == "When did SKA begin formal operations?"


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


def test_he_prefers_the_person_in_the_last_query_over_organisations_in_the_answer() -> None:
    history = [
        turn(
            "Who is Fei Fan?",
            "Italian scientist Fei Fan, based at the Chinese Academy of Sciences' Research Center [1].",
        )
    ]
    assert (
        rewrite("Which research center is he based at?", history)
        == "Which research center is Fei Fan based at?"
    )


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
    # "it" is what the answer to a "which" question named (the splicing rewrite said FAST)
    assert rewrite("And in which fields did the network around it form?", history) == (
        "in which fields did the network around CSIRO form?"
    )


def test_and_before_a_question_that_stands_alone_is_just_dropped() -> None:
    history = [Turn("q", "How many countries have sent participants to the forum?", "20.", True)]
    assert rewrite("And how many editions has Tengchong hosted so far?", history) == (
        "how many editions has Tengchong hosted so far?"
    )


def test_there_means_the_place_named_before_and_what_about_may_carry_its_own_question() -> None:
    history = [
        Turn(
            "Who led the delegation to Kazakhstan?",
            "Who led the delegation to Kazakhstan?",
            "Professor Zhang Zhengmao led a delegation to visit a university in Kazakhstan.",
            True,
        ),
        Turn("Which university is he from?", "Which university is Zhang Zhengmao from?", "x", True),
    ]
    assert rewrite("What about the Aijiu park there: who commented on the seeds?", history) == (
        "who commented on the seeds, the Aijiu park in Kazakhstan?"
    )
    assert rewrite("When did he go there?", history) == "When did Zhang Zhengmao go in Kazakhstan?"


def test_a_subject_the_answer_abbreviates_is_carried_by_its_acronym() -> None:
    history = [
        Turn(
            "What is the Square Kilometre Array?",
            "What is the Square Kilometre Array?",
            "data from the Square Kilometre Array (SKA) radio telescope. [1]",
            True,
        )
    ]
    assert rewrite("When did construction on it begin?", history) == (
        "When did construction on SKA begin?"
    )


def test_after_a_which_question_it_means_the_thing_the_answer_named() -> None:
    history = [
        Turn(
            "q",
            "Which radio telescope is Ma Yinzhe's team processing data from?",
            "Ma Yinzhe is processing data from the Square Kilometre Array (SKA) radio telescope. [1]",
            True,
        )
    ]
    assert rewrite("When did its construction start?", history) == (
        "When did SKA's construction start?"
    )
    history = [
        Turn(
            "q",
            "Which Chinese institution sent a delegation to Germany in mid-May?",
            "In mid-May, a delegation from the Chinese Academy of Sciences visited Germany. [1]",
            True,
        )
    ]
    assert rewrite("Who did they meet with there?", history) == (
        "Who did Chinese Academy of Sciences meet with in Germany?"
    )


def test_an_elliptical_question_after_a_which_question_drops_the_noun_asked_about() -> None:
    history = [Turn("q", "Which institution did Kang Musha join?", "He joined in 2020.", True)]
    assert rewrite("When?", history) == "When did Kang Musha join?"
