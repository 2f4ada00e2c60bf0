"""Passages and their sentences carry exact offsets into the article text."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.loader import Article, load_articles
from index.passages import split_article, split_sentences
from newsrag.settings import SEED_CORPUS


def words_as_tokens(text: str) -> int:
    """A stand-in token count for pure-logic tests: one token per whitespace word."""
    return len(text.split())


def check_offsets(article: Article, max_tokens: int) -> None:
    passages = split_article(article, words_as_tokens, max_tokens=max_tokens)
    for p in passages:
        assert article.text[p.start : p.end] == p.text
        assert p.text == p.text.strip() and p.text
        for s in p.sentences:
            assert p.start <= s.start < s.end <= p.end
            sentence = article.text[s.start : s.end]
            assert sentence == sentence.strip()
        assert p.sentences[0].start == p.start and p.sentences[-1].end == p.end
    # every non-space character of the article lands in exactly one passage (no overlap set)
    covered = sorted((p.start, p.end) for p in passages)
    for (_a_start, a_end), (b_start, _) in itertools.pairwise(covered):
        assert a_end <= b_start
        assert article.text[a_end:b_start].strip() == ""


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=3000), st.integers(min_value=3, max_value=60))
def test_offsets_hold_on_arbitrary_unicode_text(text: str, budget: int) -> None:
    if not text.strip():
        return
    check_offsets(Article(id="x", title="t", text=text), budget)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80),
        min_size=1,
        max_size=40,
    ).map(lambda parts: ". ".join(parts) + "."),
    st.integers(min_value=4, max_value=40),
)
def test_offsets_hold_on_sentence_like_text(text: str, budget: int) -> None:
    if text.strip(". "):
        check_offsets(Article(id="x", title="t", text=text), budget)


def test_seed_passages_respect_the_budget_and_keep_sentences_whole() -> None:
    for article in load_articles([SEED_CORPUS]).articles:
        check_offsets(article, 60)
        for p in split_article(article, words_as_tokens, max_tokens=60):
            if len(p.sentences) > 1:
                assert words_as_tokens(p.text) <= 60


def test_headlines_without_full_stops_are_their_own_sentences() -> None:
    text = (
        "Building Global Platforms for Research\nOne of the foremost examples is here. Another one."
    )
    spans = [text[s.start : s.end] for s in split_sentences(text)]
    assert spans == [
        "Building Global Platforms for Research",
        "One of the foremost examples is here.",
        "Another one.",
    ]


def test_a_sentence_longer_than_the_budget_is_cut_at_words() -> None:
    text = "word " * 100 + "end."
    passages = split_article(Article(id="x", title="t", text=text), words_as_tokens, max_tokens=10)
    assert all(words_as_tokens(p.text) <= 10 for p in passages)
    assert " ".join(p.text for p in passages).split() == text.split()


def test_a_megabyte_paragraph_is_split_in_windows_with_exact_offsets() -> None:
    text = "Headline\n" + "Short sentence number one. " * 40_000
    sentences = split_sentences(text)
    assert len(sentences) == 40_001
    assert all(
        text[s.start : s.end] in ("Headline", "Short sentence number one.") for s in sentences
    )


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet="ab .\n", min_size=9_000, max_size=25_000))
def test_windows_keep_offsets_on_long_paragraphs(text: str) -> None:
    if text.strip():
        check_offsets(Article(id="x", title="t", text=text), 50)
