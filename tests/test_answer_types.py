"""What a question asks for, and how well a sentence supplies it (pure logic, no index)."""

from __future__ import annotations

import pytest

from index.answer import ANY_COUNT, PARTIAL_DATE, _needs, disagree
from index.text import titled_names


def kind(question: str) -> str | None:
    need = _needs(question)
    return need.kind if need else None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many countries back the SKA?", "number"),
        ("How long did it take him to get funding?", "duration"),
        ("In what year did she join the garden?", "year"),
        ("On which days does the conference take place?", "date"),
        ("When was the forum first held?", "date"),
        ("Who chairs the Tengchong Scientists Forum?", "person"),
        ("Who is Fei Fan?", "role"),
        ("What positions does Ma Minxiang hold?", "role"),
        ("What nickname has the Square Kilometre Array been given?", "alias"),
        ("By what epithet is the town known?", "alias"),
        ("What proverb does the researcher use?", "words"),
        ("Which two international science programs did China initiate?", "name"),
        ("What is FAST?", "definition"),
        ("What does Fei Fan say the funding system emphasizes?", None),
        ("What country announced a crackdown, saying the items promote it?", "name"),
    ],
)
def test_the_kind_of_answer_a_question_asks_for(question: str, expected: str | None) -> None:
    assert kind(question) == expected


def test_a_number_next_to_what_is_counted_fits_best() -> None:
    need = _needs("How many nations are getting licences?")
    assert need is not None
    assert need.fit("licensing the technique to over 100 countries in Africa") == 1.0
    assert need.fit("The team has three editions of the forum.") == ANY_COUNT
    assert need.fit("It started in 2021.") == 0.0  # a year is not a count
    assert not need.holds("It started in 2021.")


def test_a_day_question_prefers_a_day_and_a_future_question_a_future_date() -> None:
    days = _needs("On which days does the second conference take place?")
    assert days is not None
    assert days.fit("From the 10th to the 12th of this month, it will be held in Chengdu.") == 1.0
    assert days.fit("At the first conference in 2023, China proposed an initiative.") == PARTIAL_DATE
    future = _needs("When is construction of the SKA expected to be finished?")
    assert future is not None
    assert future.fit("In July 2021 the SKA project commenced construction.") == PARTIAL_DATE
    assert future.fit("The array is expected to be finished by 2029.") == 1.0


def test_a_date_the_question_already_gives_is_no_answer() -> None:
    need = _needs("In what year did Ma Yinzhe join Stellenbosch University in 2020?")
    assert need is not None
    assert not need.holds("Ma Yinzhe joined in 2020.")
    assert need.holds("Ma Yinzhe joined in 2019.")


def test_a_person_question_fits_a_new_name_with_a_title() -> None:
    need = _needs("Who at the park praised the imported seeds?")
    assert need is not None
    assert need.fit("Deputy Manager Aizhibai commented: the seeds improved yields.") == 1.0
    assert need.fit("Adele is returning to Las Vegas.") == 1.0
    assert need.fit("The seeds have improved yields.") == 0.0
    assert titled_names("Academician Gu Binglin, Chairman of the Forum") == ["Gu Binglin"]


def test_a_role_question_fits_a_sentence_that_describes_the_person() -> None:
    need = _needs("Who is Fei Fan?")
    assert need is not None
    assert need.fit("Italian scientist Fei Fan, based at the Academy, studies water.") == 1.0
    assert need.fit("said Fei Fan, a researcher at the Academy.") == 1.0
    assert need.fit("In Fei Fan's view, funding matters.") == 0.0
    assert need.holds("Nothing about him here.")  # a description may be phrased any way


def test_names_the_question_already_has_are_not_new() -> None:
    need = _needs("Which programs did the Chinese community initiate?")
    assert need is not None
    assert need.fit("To date, China has joined over 60 projects.") == 0.0  # China ~ Chinese
    assert need.fit("It initiated Deep Time Digital Earth.") == 1.0


def test_is_already_versus_will_become_is_a_disagreement_only_when_asked() -> None:
    a = "the SKA telescope, widely regarded as the world's largest radio telescope"
    b = "The facility will become the world's largest comprehensive aperture radio telescope"
    assert disagree(a, b, a, b, asked={"world", "largest"})
    assert not disagree(a, b, a, b, asked={"nicknam"})
    assert not disagree(a, a, a, a, asked={"largest"})
