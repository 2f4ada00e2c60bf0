"""The learned answer selector: its features, the shipped model, answers with and without it, and
the training command."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_ranker import _tiny_rtqa, train_tiny

from ask.answer import score_sentences
from ask.selector import FEATURES, MODEL_FILE, Selector, features, shipped_selector
from index.text import query_terms
from newsrag.settings import AnswerSettings

ROOT = Path(__file__).resolve().parent.parent
COL = {name: k for k, name in enumerate(FEATURES)}


def _scored(engine, question: str):  # type: ignore[no-untyped-def]
    _, reading, qvec = engine.searcher.search_with_pool(question, 5, dense_extra=2, answer_k=5)
    bm25 = engine.searcher.bm25
    idf, absent = bm25.idf(bm25.correct(query_terms(question)))
    return score_sentences(question, qvec, reading, idf, absent, engine.lexicon), idf


def test_features_measure_what_they_name(seed_engine) -> None:  # type: ignore[no-untyped-def]
    question = "How many countries has China signed science cooperation agreements with?"
    scored, idf = _scored(seed_engine, question)
    rows = features(
        question, scored.ranked, scored.needs, len(idf), scored.missing, scored.confidence
    )
    assert rows.shape == (len(scored.ranked), len(FEATURES))
    assert rows[0, COL["rule_rank"]] == 0 and rows[0, COL["rule_gap"]] == 0.0
    assert (rows[:, COL["rule_gap"]] >= 0).all() and (rows[:, COL["meaning_gap"]] >= 0).all()
    assert rows[0, COL["type_fit"]] >= 0  # "how many" asks for a number
    assert (rows[:, COL["rule_confidence"]] == scored.confidence).all()
    numbers = [k for k, c in enumerate(scored.ranked) if "160" in c.text]
    assert numbers and rows[numbers[0], COL["novel_numbers"]] >= 1
    assert features(question, [], None, 3, 0.0, 0.0).shape == (0, len(FEATURES))


def test_spans_label_names_numbers_amounts_and_dates() -> None:
    from index.entities import coarse_wanted, spans, wanted_labels

    text = "Since July 2021 the SKA Observatory in Australia spent $2.3 billion, 15% of 160 sites."
    found = {text[a:b]: label for a, b, label in spans(text)}
    assert found == {
        "July 2021": "DATE",
        "SKA Observatory": "NAME",
        "Australia": "NAME",
        "$2.3 billion": "MONEY",
        "15%": "PERCENT",
        "160": "NUMBER",
    }
    assert coarse_wanted(wanted_labels("who leads the team?")) == {"NAME"}
    assert "NUMBER" in coarse_wanted(wanted_labels("how many countries signed?"))
    assert coarse_wanted(wanted_labels("when did it start?")) == {"DATE"}
    assert wanted_labels("tell me about the forum") == frozenset()


def test_shipped_selector_loads_offline_and_prefers_the_answer(seed_engine) -> None:  # type: ignore[no-untyped-def]
    assert MODEL_FILE.is_file(), "the selector ships"
    card = MODEL_FILE.with_name("selector.md")
    assert card.is_file() and "## Metrics" in card.read_text()
    selector = shipped_selector(AnswerSettings(selector=True))
    assert isinstance(selector, Selector)
    assert shipped_selector(AnswerSettings()) is None  # off by default
    question = "When did construction of the SKA begin?"
    scored, idf = _scored(seed_engine, question)
    rows = features(
        question, scored.ranked, scored.needs, len(idf), scored.missing, scored.confidence
    )
    p = selector.probabilities(rows)
    holds = np.array(["2021" in c.text for c in scored.ranked])
    assert holds.any() and (~holds).any()
    assert p[holds].max() > p[~holds].max()


def test_a_model_with_other_features_is_refused(tmp_path: Path) -> None:
    text = MODEL_FILE.read_text().replace("feature_names=meaning ", "feature_names=cosine ", 1)
    (tmp_path / "selector.txt").write_text(text)
    with pytest.raises(ValueError, match="other features"):
        Selector(tmp_path / "selector.txt")


def test_a_missing_named_selector_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        shipped_selector(AnswerSettings(selector=True, selector_path=tmp_path / "none.txt"))


def test_answers_with_the_selector_on(seed_engine) -> None:  # type: ignore[no-untyped-def]
    from ask.answer import compose

    assert seed_engine.selector is None  # off by default
    selector = shipped_selector(AnswerSettings(selector=True))
    question = "How many countries and regions does China cooperate with in science?"
    _, reading, qvec = seed_engine.searcher.search_with_pool(question, 5, dense_extra=2, answer_k=5)
    bm25 = seed_engine.searcher.bm25
    idf, absent = bm25.idf(bm25.correct(query_terms(question)))
    settings = seed_engine.settings.answer
    args = (question, qvec, reading, idf, settings, seed_engine._article_text, absent)
    rules = compose(*args, seed_engine.lexicon)
    learned = compose(*args, seed_engine.lexicon, selector)
    assert learned.answered and "160" in learned.text
    # the rules' confidence decides abstention either way; the weight adds the probability
    assert learned.confidence == rules.confidence
    assert learned.chosen[0].score > rules.chosen[0].score
    zero = settings.model_copy(update={"selector_weight": 0.0})
    same = compose(question, qvec, reading, idf, zero, seed_engine._article_text, absent,
                   seed_engine.lexicon, selector)  # fmt: skip
    assert [c.text for c in same.chosen] == [c.text for c in rules.chosen]


@pytest.mark.slow
def test_training_runs_end_to_end_and_is_reproducible(tmp_path: Path) -> None:
    _tiny_rtqa(tmp_path / "rtqa")
    models = []
    for run in ("one", "two"):
        out = tmp_path / run
        trees = train_tiny(tmp_path, "selector", out)
        assert 1 <= trees <= 30
        card = (out / "selector.md").read_text()
        assert "| train | 18 |" in card and "### test" in card
        assert "rules + selector" in card and "Platt" in card
        selector = Selector(out / "selector.txt")
        assert selector.booster.num_trees() == trees
        models.append((out / "selector.txt").read_text())
    assert models[0] == models[1]
    rows = np.zeros((3, len(FEATURES)), dtype=np.float64)
    assert Selector(tmp_path / "one" / "selector.txt").probabilities(rows).shape == (3,)
