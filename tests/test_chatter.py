"""Small talk around a question is taken off before it is searched (ask/chatter.py)."""

from __future__ import annotations

import pytest

from ask.chatter import tidy


@pytest.mark.parametrize(
    ("question", "meant"),
    [
        ("hey, can you tell me what kind of tool the team is building?",
         "what kind of tool the team is building?"),
        ("hey quick one - what seeds did the team bring?", "what seeds did the team bring?"),
        ("Do you know who chairs the Tengchong Scientists Forum?",
         "Who chairs the Tengchong Scientists Forum?"),
        ("Who chairs it, thanks!", "Who chairs it"),
        ("could you tell me which university he is from? cheers",
         "which university he is from?"),
        # "so", "ok", "and" mark a follow-up and stay; a plain question is left alone
        ("so who runs it?", "so who runs it?"),
        ("ok different question: what is DDE?", "ok different question: what is DDE?"),
        ("When did construction start?", "When did construction start?"),
        # words about the text, not the news
        ("Which Italian scientist is mentioned in the report?", "Which Italian scientist?"),
        ("According to the article, when did FAST open?", "When did FAST open?"),
        ("what did the article say about FAST?", "what did the article say about FAST?"),
        # nothing but small talk: returned as it came
        ("hey, thanks!", "hey, thanks!"),
        # thanks are whole words: "ty" is not the end of "university" or "city"
        ("Which research centre is at Stellenbosch University?",
         "Which research centre is at Stellenbosch University?"),
        ("which city", "which city"),
        ("where is it based? ty", "where is it based?"),
    ],
)  # fmt: skip
def test_the_greeting_and_the_request_go_and_the_question_stays(question: str, meant: str) -> None:
    assert tidy(question) == meant


def test_a_country_s_everyday_name_is_written_as_news_writes_it() -> None:
    assert tidy("which aussie outfit helped build the sky eye") == (
        "which Australian outfit helped build the sky eye"
    )
    assert tidy("which research body down under helped?") == (
        "which research body in Australia helped?"
    )
    # inside another word it stays ("Aussiedoodle", "brittle")
    assert tidy("what breed is an aussiedoodle?") == "what breed is an aussiedoodle?"
    assert tidy("why is the glass brittle?") == "why is the glass brittle?"
