"""Word similarity from the bundled MiniLM's word-piece embeddings (index/lexicon.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.embedder import bundled_model_path
from index.lexicon import CACHE_NAME, CLOSE, Lexicon, load_lexicon


def test_closeness_gives_missing_question_words_their_closest_stand_in() -> None:
    stems = ["countri", "nation", "telescop", "state"]
    pairs = np.array([[0, 1], [1, 0], [2, 1], [1, 2], [0, 3], [3, 0]], dtype=np.int32)
    cosines = np.array([0.8, 0.8, 0.6, 0.6, 0.7, 0.7], dtype=np.float16)
    lex = Lexicon(stems, pairs, cosines)
    out = lex.closeness(
        ["countri", "telescop", "unknown"],
        [
            frozenset({"nation"}),
            frozenset({"countri", "nation"}),
            frozenset(),
            frozenset({"x"}),
            frozenset({"nation", "state"}),
        ],
    )
    assert out[0] == {"countri": float(np.float16(0.8)), "telescop": float(np.float16(0.6))}
    assert out[1] == {"telescop": float(np.float16(0.6))}  # "countri" is there itself
    assert out[2] == {} and out[3] == {}
    assert out[4]["countri"] == float(np.float16(0.8))  # the closest of two stand-ins
    assert CLOSE <= 0.6


def test_a_word_the_articles_never_use_is_lacking_only_when_they_have_no_close_word() -> None:
    stems = ["countri", "nation", "popul"]
    pairs = np.array([[0, 1], [1, 0]], dtype=np.int32)
    lex = Lexicon(stems, pairs, np.array([0.8, 0.8], dtype=np.float16))
    held = {"countri", "telescop"}.__contains__
    # "nations" where the articles say "countries" is a paraphrase; "population" has no stand-in
    assert lex.unmatched(["nation", "popul", "unknown"], held) == {"popul", "unknown"}
    assert lex.unmatched([], held) == frozenset()


def test_the_bundled_table_is_built_once_then_read_from_its_cache(tmp_path: Path) -> None:
    model = bundled_model_path()
    built = load_lexicon(model, tmp_path)
    assert built is not None and len(built) > 10_000
    assert (tmp_path / CACHE_NAME).is_file()
    cached = load_lexicon(model, tmp_path)
    assert cached is not None and cached.neighbors == built.neighbors
    found = cached.closeness(["lab", "telescop"], [frozenset({"laboratori", "fund"})])[0]
    assert "lab" in found and "telescop" not in found


def test_unreadable_weights_turn_word_similarity_off(tmp_path: Path) -> None:
    assert load_lexicon(tmp_path / "no-model", tmp_path / "cache") is None


def test_the_answer_step_counts_as_lacking_only_words_the_articles_never_say_otherwise(
    seed_engine,  # type: ignore[no-untyped-def]
) -> None:
    from ask.answer import question_terms

    bm25, lexicon = seed_engine.searcher.bm25, seed_engine.lexicon
    assert lexicon is not None
    # the articles say "began", never "begin"; they never speak of a population at all
    idf, absent = question_terms("When did construction of the SKA begin?", bm25, lexicon)
    assert "begin" in idf and not bm25.holds("begin") and "begin" not in absent
    _, absent = question_terms("What is the population of Tengchong?", bm25, lexicon)
    assert "popul" in absent
    _, plain = question_terms("What is the population of Tengchong?", bm25, None)
    assert plain == absent


def test_a_word_that_only_starts_a_corpus_word_is_lacking_unless_it_means_it(
    seed_engine,  # type: ignore[no-untyped-def]
) -> None:
    from ask.answer import question_terms

    bm25, lexicon = seed_engine.searcher.bm25, seed_engine.lexicon
    # "age" starts "agency" and "agenda", which say nothing of an age; "lab" means "laboratory"
    _, absent = question_terms("what about his age", bm25, lexicon)
    assert "age" in absent
    _, absent = question_terms("who works in the lab", bm25, lexicon)
    assert "lab" not in absent


def test_function_words_are_no_terms_of_a_question() -> None:
    from index.text import query_terms, terms

    # "so" of "so far" is in no article: it had counted as something the articles lack
    assert query_terms("how many editions so far") == ["edit", "far"]
    assert query_terms("so what exactly did your team survey?") == ["team", "survey"]
    assert "so" in terms("so far")  # the BM25 search reads them as before
