"""The learned ranker: its features, the shipped model, search with it, and the training command."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from support import searcher_with

from ask.ranker import FEATURES, MODEL_FILE, Candidate, Ranker, features, question_names
from ask.search import per_article
from index.text import query_terms, terms, words

ROOT = Path(__file__).resolve().parent.parent


def _cand(article: str, text: str, title: str, dense: float, d_rank, bm25: float, b_rank):  # type: ignore[no-untyped-def]
    return Candidate(
        article_id=article,
        position=0,
        terms=frozenset(terms(text)),
        title_terms=frozenset(terms(title)),
        words=frozenset(words(text)) | frozenset(words(title)),
        dense=dense,
        title_dense=dense / 2,
        dense_rank=d_rank,
        bm25=bm25,
        bm25_rank=b_rank,
    )


QUESTION = "Which team does Damar Hamlin play for?"
RELEVANT = _cand(
    "a",
    "Damar Hamlin, the Buffalo Bills safety, plays for the team since 2021.",
    "Damar Hamlin updates",
    0.71,
    1,
    12.0,
    1,
)
IRRELEVANT = _cand(
    "b",
    "The weather in Paris was mild on Tuesday, forecasters said.",
    "Paris weather",
    0.12,
    9,
    0.0,
    None,
)


def test_features_measure_what_they_name() -> None:
    q_terms = query_terms(QUESTION)
    idf = dict.fromkeys(q_terms, 1.0)
    rows = features(q_terms, idf, question_names(QUESTION), [RELEVANT, IRRELEVANT])
    col = {name: k for k, name in enumerate(FEATURES)}
    assert rows.shape == (2, len(FEATURES))
    assert rows[0, col["cov_passage"]] == pytest.approx(1.0)
    assert rows[1, col["cov_passage"]] == 0.0
    assert rows[0, col["names_share"]] == 1.0 and rows[1, col["names_share"]] == 0.0
    assert rows[0, col["cov_title"]] == pytest.approx(2 / len(q_terms))  # "damar", "hamlin"
    assert rows[0, col["dense_gap"]] == 0.0 and rows[1, col["dense_gap"]] < 0
    assert rows[1, col["bm25_rr"]] == 0.0 and rows[1, col["bm25"]] == 0.0
    assert rows[0, col["rrf"]] == pytest.approx(2 / 61)
    assert rows[:, col["art_count"]].tolist() == [1.0, 1.0]
    assert features(q_terms, idf, (), []).shape == (0, len(FEATURES))


def test_loose_coverage_counts_a_shared_prefix() -> None:
    q_terms = ["telescop"]
    cand = _cand("a", "The telescopes opened.", "", 0.5, 1, 1.0, 1)
    cand.terms = frozenset({"telescopes"})
    rows = features(q_terms, {"telescop": 2.0}, (), [cand])
    col = {name: k for k, name in enumerate(FEATURES)}
    assert rows[0, col["cov_passage"]] == 0.0
    assert rows[0, col["cov_loose"]] == 1.0


def test_shipped_ranker_loads_offline_and_prefers_the_relevant_passage() -> None:
    assert MODEL_FILE.is_file(), "the trained ranker ships with the package"
    card = MODEL_FILE.with_name("ranker.md")
    assert card.is_file() and "## Metrics" in card.read_text()
    ranker = Ranker(MODEL_FILE)
    q_terms = query_terms(QUESTION)
    idf = dict.fromkeys(q_terms, 3.0)
    scores = ranker.score(features(q_terms, idf, question_names(QUESTION), [IRRELEVANT, RELEVANT]))
    assert scores[1] > scores[0]


def test_a_model_with_other_features_is_refused(tmp_path: Path) -> None:
    text = MODEL_FILE.read_text().replace("feature_names=dense ", "feature_names=cosine ", 1)
    bad = tmp_path / "ranker.txt"
    bad.write_text(text)
    with pytest.raises(ValueError, match="other features"):
        Ranker(bad)


def test_search_orders_by_the_ranker_when_it_is_on(seed_engine) -> None:  # type: ignore[no-untyped-def]
    fused = seed_engine.searcher
    assert fused.ranker is None  # off by default
    # the ranker's own order: no article's passages moved behind others'
    searcher = searcher_with(fused, ranker=True, per_article=0)
    assert searcher.ranker is not None
    hits, _ = searcher.search("When did construction of the SKA start?", top_k=5)
    assert "July 2021" in hits[0].passage.text
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))


def _tiny_rtqa(folder: Path) -> None:
    """A small made-up quiz: each week one question, three pages (one answers it)."""
    cities = "Lisbon Oslo Nairobi Lima Hanoi Quito Dakar Riga Tunis Accra Doha Sofia".split()
    events = (
        "chess olympiad|film festival|marathon|robotics fair|jazz week|book prize|climate summit|"
        "sailing race|space forum|food expo|rail congress|math olympiad"
    ).split("|")
    start = date(2024, 1, 4)
    questions, docs = [], []
    for k in range(24):
        city, event = cities[k % len(cities)], events[(k * 5) % len(events)]
        day = (start + timedelta(days=7 * k)).isoformat()
        ids = [f"w-{k}-a", f"w-{k}-b", f"w-{k}-c"]
        docs += [
            {"id": ids[0], "title": f"{event.title()} {2024 + k // 12} opens",
             "text": f"The {event} of this year opened in {city} on Monday. Organisers in {city} "
                     f"expect record crowds. Tickets sold out within days."},
            {"id": ids[1], "title": f"Preview of the {event}",
             "text": f"Fans are waiting for the {event}. Its host will be announced later. "
                     "Critics praised last year's edition."},
            {"id": ids[2], "title": "Markets today",
             "text": "Shares rose on Tuesday as investors weighed new data on inflation."},
        ]  # fmt: skip
        questions.append(
            {"id": f"q{k}", "date": day, "source": "test", "question": f"Which city hosted the {event} this week?",
             "choices": [], "answers": [city], "evidence": "", "results": ids}
        )  # fmt: skip
    folder.mkdir(parents=True)
    (folder / "questions.jsonl").write_text("".join(json.dumps(q) + "\n" for q in questions))
    (folder / "documents.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs))


def train_tiny(tmp_path: Path, model: str, out: Path, *extra: str) -> int:
    """Runs `newsrag train <model>` (30 rounds at most) on the tiny data in tmp_path/rtqa, with its
    corpus cached in tmp_path/work; returns the number of trees it reports."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", NEWSRAG_DATA_DIR=str(tmp_path / "nr"))
    done = subprocess.run(
        [sys.executable, "-m", "newsrag", "train", model, "--data", str(tmp_path / "rtqa"),
         "--work", str(tmp_path / "work"), "--out", str(out), "--rounds", "30", *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return int(re.search(r"trees: (\d+)", done.stdout).group(1))  # type: ignore[union-attr]


@pytest.mark.slow
def test_training_runs_end_to_end_and_is_reproducible(tmp_path: Path) -> None:
    _tiny_rtqa(tmp_path / "rtqa")
    models = []
    for run in ("one", "two"):
        out = tmp_path / run
        trees = train_tiny(tmp_path, "ranker", out, "--no-require-gain")
        assert 1 <= trees <= 30
        card = (out / "ranker.md").read_text()
        assert "| train | 18 |" in card and "### test" in card and "--no-require-gain" in card
        ranker = Ranker(out / "ranker.txt")
        assert ranker.booster.num_trees() == trees
        models.append((out / "ranker.txt").read_text())
    # the corpus was embedded once and reused; the same seed gives the same trees
    assert len(list((tmp_path / "work").iterdir())) == 1
    assert models[0] == models[1]
    rows = np.zeros((3, len(FEATURES)), dtype=np.float32)
    assert Ranker(tmp_path / "one" / "ranker.txt").score(rows).shape == (3,)


def test_an_evalset_of_the_held_out_weeks_and_its_answers_removed(tmp_path: Path) -> None:
    from eval.metrics import normalize
    from eval.questions import load_questions
    from train.evalset import write

    _tiny_rtqa(tmp_path / "rtqa")
    intact = write(tmp_path / "rtqa", tmp_path / "intact", "test")
    assert intact.asked == intact.kept == 4 and intact.pages == 12  # the latest weeks, all answered
    questions = load_questions(intact.questions)
    assert not questions.problems
    pages = {row["id"]: row for row in map(json.loads, intact.articles.read_text().splitlines())}
    for item in questions.items:
        assert item.gold_articles and all(g.endswith("-a") for g in item.gold_articles)
        assert all(item.answers[0] in pages[g]["text"] for g in item.gold_articles)

    removed = write(tmp_path / "rtqa", tmp_path / "removed", "test", removed=True)
    assert removed.sentences_removed == 8  # two sentences of each answering page
    unanswerable = load_questions(removed.questions)
    assert not unanswerable.problems and not any(i.answerable for i in unanswerable.items)
    texts = [json.loads(line) for line in removed.articles.read_text().splitlines()]
    assert len(texts) == 12
    for row in texts:
        for item in questions.items:
            assert normalize(item.answers[0]) not in normalize(row["text"] + " " + row["title"])
    # what does not hold an answer stays word for word
    kept = {row["id"]: row["text"] for row in texts}
    assert all(kept[i] == pages[i]["text"] for i in pages if not i.endswith("-a"))
    assert all("Tickets sold out within days." in kept[i] for i in pages if i.endswith("-a"))


class _OldIngestor:
    """An ingestor that records what built its passages as ingests did before titles had a vector
    and headed the BM25 text."""

    @staticmethod
    def make(settings):  # type: ignore[no-untyped-def]
        from index.ingest import Ingestor
        from index.passages import HEADER_VERSION
        from index.runtime import open_store

        class Old(Ingestor):
            @property
            def built_by(self) -> str:
                return super().built_by.replace(f"|{HEADER_VERSION}", "")

        return Old(settings, open_store(settings))


@pytest.mark.slow
def test_an_index_built_before_title_vectors_is_rebuilt(tmp_path: Path) -> None:
    from support import make_settings

    from corpus.loader import Article
    from index.ingest import refresh_bm25
    from index.runtime import open_ingestor

    settings = make_settings(tmp_path / "data")
    long_text = " ".join(
        f"Sentence {k} tells of the harbour works and the cranes that were ordered."
        for k in range(60)
    )
    articles = [
        Article(id="port", title="Zanzibar port expansion", text=long_text),
        Article(id="other", title="Weather", text="Rain fell on Tuesday. " * 5),
    ]
    old = _OldIngestor.make(settings)
    old.sync(articles)
    assert old.store.article_infos()["port"].passages > 2

    ingestor, refresh = open_ingestor(settings)
    report = ingestor.sync(articles)
    refresh()
    assert sorted(report.updated) == ["other", "port"] and report.unchanged == 0
    infos = ingestor.store.article_infos()
    vector = infos["port"].title_vector
    assert vector is not None and abs(float(np.linalg.norm(vector)) - 1.0) < 0.05
    # the BM25 text carries the title: a word only the title holds finds the passages past the first
    bm25 = refresh_bm25(ingestor.store, settings, infos=infos)
    found = {pid for pid, _ in bm25.search("Zanzibar", 50)}
    assert len(found) == infos["port"].passages
    # and a second sync has nothing left to do
    assert ingestor.sync(articles).unchanged == 2


def test_per_article_keeps_each_articles_order_and_never_moves_a_first_passage_down() -> None:
    ranked = [("a#3", 0.9), ("a#1", 0.8), ("a#7", 0.7), ("b#2", 0.6), ("c#0", 0.5), ("b#4", 0.4)]
    assert [p for p, _ in per_article(ranked, 1)] == ["a#3", "b#2", "c#0", "a#1", "a#7", "b#4"]
    assert [p for p, _ in per_article(ranked, 2)] == ["a#3", "a#1", "b#2", "c#0", "b#4", "a#7"]
    # an article id may hold "#" itself: the passage number is what follows the last one
    assert [p for p, _ in per_article([("x#y#0", 1.0), ("x#y#1", 0.5), ("z#0", 0.2)], 1)] == [
        "x#y#0",
        "z#0",
        "x#y#1",
    ]
    for cap in (1, 2, 3):
        moved = [p for p, _ in per_article(ranked, cap)]
        for article in "abc":
            first = next(i for i, (p, _) in enumerate(ranked) if p.startswith(article))
            assert moved.index(ranked[first][0]) <= first
