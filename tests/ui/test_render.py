"""The UI's HTML: [n] linked to its card, the quote marked by its exact offsets, article text escaped."""

from __future__ import annotations

import re
from html import unescape

from index.models import Answer, Citation
from ui import render

TEXT = "Intro line.\nThe <b>SKA</b> is a telescope. Building began in 2021 & continues.\nOutro."


def _citation(n: int = 1, quote: str = "Building began in 2021 & continues.") -> Citation:
    start = TEXT.index("The <b>")
    end = TEXT.index("\nOutro")
    qs = TEXT.index(quote)
    return Citation(
        n=n,
        article_id="a1",
        title="A <i>very</i> long title " + "word " * 40,
        passage=TEXT[start:end],
        start=start,
        end=end,
        quote=quote,
        quote_start=qs,
        quote_end=qs + len(quote),
        score=0.5,
    )


def _answer(answered: bool = True, text: str = "It began in 2021 [1].") -> Answer:
    return Answer(
        answer=text,
        answered=answered,
        citations=[_citation()],
        conversation_id="c-1",
        query="When did the <SKA> start?",
        timings_ms={"retrieve": 4.0, "answer": 1.0, "total": 6.4},
    )


def test_each_marker_links_to_the_card_of_its_answer_turn() -> None:
    html = render.linked_answer("A [1] and B [2].", turn=3)
    assert '<a class="nr-cite" href="#nr-src-3-1"' in html
    assert 'href="#nr-src-3-2"' in html
    card = render.source_card(_citation(2), turn=3)
    assert 'id="nr-src-3-2"' in card


def test_answer_text_is_escaped_and_keeps_no_blank_line() -> None:
    html = render.linked_answer("x <script>alert(1)</script>\n\ny [1]", turn=1)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "\n" not in html  # a blank line would end the chat's HTML block


def test_the_quote_is_marked_inside_the_passage_by_its_offsets() -> None:
    c = _citation()
    html = render.highlighted_passage(c)
    marked = re.search(r'<mark class="nr-quote">(.*?)</mark>', html)
    assert marked and marked.group(1) == "Building began in 2021 &amp; continues."
    assert "&lt;b&gt;SKA&lt;/b&gt;" in html and "<b>" not in html


def test_a_quote_whose_offsets_disagree_is_found_by_its_text() -> None:
    c = _citation().model_copy(update={"quote_start": 0, "quote_end": 5})
    assert '<mark class="nr-quote">Building began' in render.highlighted_passage(c)


def test_a_quote_missing_from_the_passage_marks_nothing() -> None:
    c = _citation().model_copy(update={"quote": "not there", "quote_start": 0, "quote_end": 9})
    assert "<mark" not in render.highlighted_passage(c)


def test_long_titles_are_shortened_for_display_at_a_word_boundary() -> None:
    title = "Recently, the Science and Technology Daily published an article titled " + "x " * 80
    short = render.short_title(title)
    assert len(short) <= render.TITLE_CHARS and short.endswith("…")
    assert render.short_title("First line\nsecond line") == "First line"
    assert render.short_title("  ") == "Untitled article"


def test_the_source_card_shows_title_byline_passage_and_an_open_button() -> None:
    c = _citation().model_copy(update={"source": "Daily <News>", "published": "2025-06-30"})
    card = render.source_card(c, turn=1)
    assert "Daily &lt;News&gt; · 2025-06-30" in card
    assert "&lt;i&gt;very&lt;/i&gt;" in card and "<i>" not in card
    assert f'data-qs="{c.quote_start}"' in card and 'data-article="a1"' in card
    assert 'class="nr-url"' not in card  # no url, no link


def test_only_web_urls_become_links() -> None:
    bad = _citation().model_copy(update={"url": "javascript:alert(1)"})
    assert "javascript:" not in render.source_card(bad, 1)
    good = _citation().model_copy(update={"url": "https://example.org/a?b=1&c=2"})
    assert 'href="https://example.org/a?b=1&amp;c=2"' in render.source_card(good, 1)


def test_an_answer_shows_latency_the_searched_query_and_a_copy_link() -> None:
    html = render.answer_message(_answer(), turn=2)
    assert "nr-answer" in html and "nr-abstain" not in html
    assert "6 ms" in html
    assert "searched for “When did the &lt;SKA&gt; start?”" in html
    assert 'href="#nr-copy-2"' in html


def test_the_searched_query_is_shown_only_when_it_differs_from_the_question() -> None:
    answer = _answer()
    assert "searched for" not in render.answer_message(answer, 1, f"  {answer.query.upper()} ")
    assert "searched for" in render.answer_message(answer, 1, "When did it start?")


def test_a_follow_up_read_with_the_last_answer_says_so_even_as_typed() -> None:
    answer = _answer().model_copy(update={"context": ["002_c34788a0f5bea4b4#14"]})
    html = render.answer_message(answer, 1, answer.query)
    assert "searched for" in html and "with the last answer’s passages" in html


def test_metadata_shows_only_what_is_known() -> None:
    bare = render.source_card(_citation(), turn=1)
    assert "nr-byline" not in bare and "not given" not in bare
    dated = render.source_card(_citation().model_copy(update={"published": "2025-06-30"}), 1)
    assert '<div class="nr-byline">2025-06-30</div>' in dated
    view = render.article_view("T", "Text.", None, None, None, (0, 5, 0, 5))
    assert "nr-byline" not in view
    linked = render.article_view("T", "Text.", None, None, "https://e.org/a", (0, 5, 0, 5))
    assert '<div class="nr-byline"><a href="https://e.org/a"' in linked


def test_an_abstention_is_shown_as_a_notice_not_as_an_answer() -> None:
    html = render.answer_message(_answer(answered=False, text="The articles do not say."), turn=1)
    assert "nr-abstain" in html and 'class="nr-answer"' not in html
    assert "Not found in the indexed articles" in html
    panel = render.sources_panel([("q?", _answer(answered=False, text="No."))])
    assert "Related passages (not an answer)" in panel and "nr-turn-abstain" in panel


def test_the_sources_panel_lists_the_latest_answer_first_and_open() -> None:
    panel = render.sources_panel([("first?", _answer()), ("second?", _answer())])
    assert panel.index('id="nr-turn-2"') < panel.index('id="nr-turn-1"')
    assert '<details class="nr-turn" id="nr-turn-2" open>' in panel
    assert '<details class="nr-turn" id="nr-turn-1">' in panel
    assert 'id="nr-plain-1"' in panel and 'id="nr-plain-2"' in panel


def test_the_copied_text_is_the_answer_and_its_sources() -> None:
    plain = render.plain_answer(_answer())
    assert plain.startswith("It began in 2021 [1].\n\nSources:\n[1] A <i>very</i> long title")


def test_the_article_view_marks_the_passage_and_the_quote_by_offsets() -> None:
    c = _citation()
    html = render.article_view(
        "T", TEXT, None, None, None, (c.start, c.end, c.quote_start, c.quote_end)
    )
    target = re.search(r"<mark id='nr-target' class='nr-quote'>(.*?)</mark>", html)
    assert target and target.group(1) == "Building began in 2021 &amp; continues."
    cited = re.search(r"<span class='nr-cited'>(.*?)</span>", html, re.S)
    assert cited and cited.group(1).startswith("The &lt;b&gt;SKA")
    assert "Intro line." in html and "Outro." in html


def test_the_article_view_clamps_bad_offsets() -> None:
    html = render.article_view("T", "short & text", None, None, None, (5, 2, 99, -3))
    body = re.search(r'<div class="nr-article">(.*)</div></div>$', html)
    assert body and unescape(re.sub(r"<[^>]+>", "", body.group(1))) == "short & text"
