"""Example questions come from the indexed articles, whatever they are."""

from __future__ import annotations

from ui.examples import acronym_questions, example_questions, headline_question


def test_a_name_defined_with_an_acronym_becomes_a_what_is_question() -> None:
    text = "Data from the massive Square Kilometre Array (SKA) telescope. The Deep Time Digital Earth (DDE) plan."
    assert acronym_questions(text) == [
        "What is the Square Kilometre Array (SKA)?",
        "What is the Deep Time Digital Earth (DDE)?",
    ]


def test_brackets_that_do_not_define_the_name_are_ignored() -> None:
    assert acronym_questions("Shares of Big Company Holdings (NYSE) rose.") == []
    assert acronym_questions("He met (UN) officials.") == []


def test_a_short_headline_becomes_a_question_and_a_paragraph_title_does_not() -> None:
    assert (
        headline_question("Floods Close Schools in Valencia: What Parents Need to Know")
        == "What is known about “Floods Close Schools in Valencia”?"
    )
    assert (
        headline_question("Recently, the Daily published " + "a long first paragraph " * 5) is None
    )
    assert headline_question("Hi") is None


def test_examples_take_turns_between_articles_and_stop_at_the_limit() -> None:
    articles = [
        (
            "Storm Hits Coast Overnight",
            "The National Weather Service (NWS) warned. The Coast Guard Station (CGS) helped.",
        ),
        ("Markets Rally After Rate Cut", "The European Central Bank (ECB) cut rates."),
    ]
    got = example_questions(articles, limit=3)
    assert got == [
        "What is the National Weather Service (NWS)?",
        "What is the European Central Bank (ECB)?",
        "What is the Coast Guard Station (CGS)?",
    ]
    assert len(set(example_questions(articles * 2, limit=10))) == len(
        example_questions(articles * 2, limit=10)
    )


def test_no_articles_no_examples() -> None:
    assert example_questions([]) == []
