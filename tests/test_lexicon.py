"""Word similarity from the bundled MiniLM's word-piece embeddings (index/lexicon.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.embedder import bundled_model_path
from index.lexicon import CACHE_NAME, CLOSE, Lexicon, load_lexicon


def test_closeness_gives_missing_question_words_their_closest_stand_in() -> None:
    vectors = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]], dtype=np.float32)
    lex = Lexicon(["countri", "nation", "telescop"], vectors)
    out = lex.closeness(
        ["countri", "telescop", "unknown"],
        [frozenset({"nation"}), frozenset({"countri", "nation"}), frozenset(), frozenset({"x"})],
    )
    assert out[0] == {"countri": np.float32(0.8).item(), "telescop": np.float32(0.6).item()}
    assert out[1] == {"telescop": np.float32(0.6).item()}  # "countri" is there itself
    assert out[2] == {} and out[3] == {}
    assert CLOSE <= 0.6


def test_the_bundled_table_is_built_once_then_read_from_its_cache(tmp_path: Path) -> None:
    model = bundled_model_path()
    built = load_lexicon(model, tmp_path)
    assert built is not None and len(built) > 10_000
    assert (tmp_path / CACHE_NAME).is_file()
    cached = load_lexicon(model, tmp_path)
    assert cached is not None and cached.index == built.index
    found = cached.closeness(["lab", "telescop"], [frozenset({"laboratori", "fund"})])[0]
    assert "lab" in found and "telescop" not in found


def test_unreadable_weights_turn_word_similarity_off(tmp_path: Path) -> None:
    assert load_lexicon(tmp_path / "no-model", tmp_path / "cache") is None
