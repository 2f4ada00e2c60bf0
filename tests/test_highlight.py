"""The exact phrase a question asks for, marked inside the quote (citation highlight offsets)."""

from __future__ import annotations

from typing import Any

from ask.answer import highlight


def _mark(kind: str | None, question: str, quote: str) -> str | None:
    span = highlight(kind, question, quote)
    return quote[span[0] : span[1]] if span else None


def test_a_number_a_date_and_a_name_are_found_and_what_the_question_says_is_skipped() -> None:
    quote = "To date, China cooperates with over 160 countries and signed 119 agreements."
    assert _mark("number", "How many countries does China cooperate with?", quote) == "over 160"
    quote = "In July 2021, with the support of 10 countries, the SKA commenced construction."
    assert _mark("date", "When did the SKA start?", quote) == "July 2021"
    assert _mark("year", "Which SKA milestone came in July 2021?", quote) is None
    quote = "Academician Gu Binglin, Chairman of the Tengchong Scientists Forum, spoke first."
    assert _mark("person", "Who chairs the Tengchong Scientists Forum?", quote) == "Gu Binglin"
    quote = "This facility, dubbed the “Earth's Giant Eye,” will open."
    assert _mark("alias", "What is the SKA nicknamed?", quote) == "Earth's Giant Eye"


def test_what_has_no_single_phrase_gets_no_highlight() -> None:
    quote = "The SKA is a radio telescope built by many countries."
    assert highlight("definition", "What is the SKA?", quote) is None
    assert highlight(None, "Tell me about the SKA", quote) is None
    assert highlight("number", "How many?", "No number is given here.") is None


def test_an_answer_carries_offsets_into_the_article_and_the_ui_marks_them(seed_engine: Any) -> None:
    from ui.render import highlighted_passage

    answer = seed_engine.ask("When did construction of the SKA start?")
    first = answer.citations[0]
    text = seed_engine.get_document(first.article_id).text
    assert first.highlight_start is not None and first.highlight_end is not None
    assert first.quote_start <= first.highlight_start < first.highlight_end <= first.quote_end
    assert text[first.highlight_start : first.highlight_end] == "July 2021"
    assert '<strong class="nr-answer">July 2021</strong>' in highlighted_passage(first)
    unanswered = seed_engine.ask("What is the population of Tengchong?")
    assert not unanswered.answered
    assert all(c.highlight_start is None for c in unanswered.citations)
