"""The sentence reader: the shipped adapter, its ONNX model, answers with and without it, and the
training command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from test_ranker import _tiny_rtqa

from ask.answer import question_terms
from ask.reader import (
    ADAPTER_FILE,
    Reader,
    encode_pairs,
    load_reader,
    pair_tokenizer,
    read_adapter,
    shipped_reader,
)
from index.embedder import bundled_model_path
from index.text import query_terms
from newsrag.settings import AnswerSettings
from train.reader import pairs_of
from train.rtqa import Question
from train.selector import Sentences

ROOT = Path(__file__).resolve().parent.parent


def _group(question: str, texts: list[str], labels: list[int]) -> Sentences:
    q = Question("q", "2024-01-04", question, ["x"], "", [])
    return Sentences(q, np.zeros((len(texts), 1)), np.array(labels), 0.0, texts)


def test_pairs_take_more_sentences_of_questions_the_rules_reach() -> None:
    texts = [f"sentence {k}" for k in range(10)]
    reached = _group("who?", texts, [0, 0, 1] + [0] * 7)
    missed = _group("when?", texts, [0] * 9 + [1])  # the answer is ninth or later: not reached
    pairs = pairs_of([reached, missed], k=4, k_unanswered=2)
    assert [(q, s, y) for q, s, y in pairs if q == "who?"] == [
        ("who?", "sentence 0", 0), ("who?", "sentence 1", 0),
        ("who?", "sentence 2", 1), ("who?", "sentence 3", 0),
    ]  # fmt: skip
    assert [s for q, s, _ in pairs if q == "when?"] == ["sentence 0", "sentence 1"]


def test_pairs_are_cut_together_to_the_longest_allowed() -> None:
    tok = pair_tokenizer(bundled_model_path(), 16)
    batch = encode_pairs(tok, [("who won the final?", "The home team won it. " * 10), ("a", "b")])
    assert batch["input_ids"].shape == (2, 16)
    assert batch["attention_mask"][1].sum() < 16  # the short pair is padded, not filled
    types = batch["token_type_ids"][0]
    assert types[0] == 0 and types[-2] == 1  # question first, then the sentence


def test_shipped_reader_loads_offline_and_prefers_the_answer() -> None:
    assert ADAPTER_FILE.is_file(), "the reader's adapter ships"
    card = ADAPTER_FILE.with_name("reader.md")
    assert card.is_file() and "## Metrics" in card.read_text()
    _, meta = read_adapter(ADAPTER_FILE)
    assert meta["max_len"] >= 32
    reader = shipped_reader(AnswerSettings(reader=True), bundled_model_path())
    assert isinstance(reader, Reader)
    p = reader.probabilities(
        "Who is leading the Chinese team processing the SKA data?",
        [
            "Ma Yinzhe, director of the Astrophysics Division, is leading a Chinese team in "
            "processing data from the Square Kilometre Array.",
            "The telescope's construction began in 2021 and will take several years.",
            "Tickets for the concert sold out within days.",
        ],
    )
    assert p.shape == (3,) and ((p >= 0) & (p <= 1)).all()
    assert p[0] > p[1] and p[0] > p[2]
    assert reader.probabilities("anything?", []).shape == (0,)


def test_a_missing_named_reader_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        shipped_reader(AnswerSettings(reader=True, reader_path=tmp_path / "none"), Path("."))
    assert shipped_reader(AnswerSettings(reader=False, reader_second=False), Path(".")) is None


class _Likes:
    """A stand-in reader for the pure choice logic: fixed probabilities by sentence text."""

    def __init__(self, p: dict[str, float]) -> None:
        self.p = p
        self.asked: list[list[str]] = []

    def probabilities(self, question: str, sentences: list[str]) -> np.ndarray:
        self.asked.append(list(sentences))
        return np.array([self.p.get(s, 0.0) for s in sentences], dtype=np.float32)


def _ranked(*scored: tuple[str, float]) -> list[SimpleNamespace]:
    return [SimpleNamespace(text=t, score=v) for t, v in scored]


def test_the_readers_pick_among_the_sentences_that_could_be_quoted_second() -> None:
    from ask.answer import reader_pick

    ranked = _ranked(("first", 1.0), ("second", 0.9), ("third", 0.8), ("weak", 0.5))
    likes = _Likes({"first": 0.2, "second": 0.3, "third": 0.9, "weak": 0.99})
    pick = reader_pick("q?", ranked, likes, 6, 0.5)  # type: ignore[arg-type]
    assert pick is ranked[2]  # "weak" scores under 0.75 of the first: never read, never quoted
    assert likes.asked == [["first", "second", "third"]]
    assert reader_pick("q?", ranked, likes, 2, 0.5) is None  # type: ignore[arg-type]
    assert reader_pick("q?", ranked, likes, 6, 0.95) is None  # type: ignore[arg-type]
    first_best = _Likes({"first": 0.9, "third": 0.8})
    assert reader_pick("q?", ranked, first_best, 6, 0.5) is None  # type: ignore[arg-type]
    alone = _Likes({})
    assert reader_pick("q?", _ranked(("only", 1.0), ("far", 0.2)), alone, 6, 0.0) is None  # type: ignore[arg-type]
    assert alone.asked == [] and reader_pick("q?", [], alone, 6, 0.0) is None  # type: ignore[arg-type]


def test_answers_with_the_reader_on_and_at_weight_zero(seed_engine) -> None:  # type: ignore[no-untyped-def]
    from ask.answer import compose

    reader = load_reader(bundled_model_path())
    question = "When did construction of the SKA begin?"
    _, reading, qvec = seed_engine.searcher.search_with_pool(question, 5, dense_extra=2, answer_k=5)
    bm25 = seed_engine.searcher.bm25
    idf, absent = bm25.idf(bm25.correct(query_terms(question)))
    settings = seed_engine.settings.answer.model_copy(update={"reader": True})
    args = (question, qvec, reading, idf)
    off = compose(*args, settings, seed_engine._article_text, absent, seed_engine.lexicon)
    on = compose(*args, settings, seed_engine._article_text, absent, seed_engine.lexicon,
                 None, reader)  # fmt: skip
    assert on.answered and "2021" in on.text
    assert on.confidence == off.confidence  # the rules' confidence still decides abstention
    zero = settings.model_copy(update={"reader_weight": 0.0})
    same = compose(*args, zero, seed_engine._article_text, absent, seed_engine.lexicon,
                   None, reader)  # fmt: skip
    assert [c.text for c in same.chosen] == [c.text for c in off.chosen]


@pytest.mark.slow
def test_training_runs_end_to_end_and_is_reproducible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tiny_rtqa(tmp_path / "rtqa")
    env = dict(
        os.environ,
        HF_HUB_OFFLINE="1",
        NEWSRAG_DATA_DIR=str(tmp_path / "nr"),
        NEWSRAG_ONNX_CACHE=str(tmp_path / "onnx"),
    )
    adapters = []
    for run in ("one", "two"):
        out = tmp_path / run
        done = subprocess.run(
            [sys.executable, "-m", "newsrag", "train", "reader", "--data", str(tmp_path / "rtqa"),
             "--work", str(tmp_path / "work"), "--out", str(out)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        assert "weight" in done.stdout
        card = (out / "reader.md").read_text()
        assert "| train | 18 |" in card and "### test" in card and "rules + reader top1" in card
        adapters.append(read_adapter(out / "reader.safetensors")[0])
    # the sentences were built once and reused; the same seed gives the same adapter
    assert len(list((tmp_path / "work").glob("reader-sentences-*.pkl"))) == 1
    assert adapters[0].keys() == adapters[1].keys()
    assert all(np.array_equal(adapters[0][k], adapters[1][k]) for k in adapters[0])
    monkeypatch.setenv("NEWSRAG_ONNX_CACHE", str(tmp_path / "onnx"))
    reader = load_reader(bundled_model_path(), tmp_path / "one" / "reader.safetensors")
    assert reader.probabilities("Which city?", ["Lisbon hosted it.", "Shares rose."]).shape == (2,)


def test_the_engine_quotes_the_readers_pick_second(seed_engine) -> None:  # type: ignore[no-untyped-def]
    """On by default: the rules' first sentence names no such gathering; the reader's pick,
    quoted second, does. Without the reader the rules quote their first sentence alone."""
    from ask.answer import compose

    assert seed_engine.reader is not None and seed_engine.settings.answer.reader_second
    question = (
        "What kind of world-famous gathering does Yunnan hope the Tengchong event will become?"
    )
    on = seed_engine.ask(question)
    assert on.answered and "Davos" in on.answer and len(on.citations) == 2
    assert "Davos" not in on.citations[0].quote
    assert on.citations[1].quote in on.answer
    _, reading, qvec = seed_engine.searcher.search_with_pool(question, 5, dense_extra=2, answer_k=5)
    idf, absent = question_terms(question, seed_engine.searcher.bm25, seed_engine.lexicon)
    off = compose(question, qvec, reading, idf, seed_engine.settings.answer,
                  seed_engine._article_text, absent, seed_engine.lexicon)  # fmt: skip
    assert off.answered and "Davos" not in off.text
    assert off.citations[0].quote == on.citations[0].quote  # the rules' first stays first
