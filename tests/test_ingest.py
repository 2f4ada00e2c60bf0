"""Incremental, idempotent ingestion into a real Chroma (embedded and `chroma run`), with the real model."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from support import RTQA, ChromaServer, make_settings

from corpus.loader import Article, load_articles
from index.embedder import Embedder
from index.passages import split_article
from index.runtime import open_ingestor, open_store
from newsrag.settings import SEED_CORPUS, Settings


@pytest.fixture(params=["embedded", "server"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Fresh settings per test: an embedded store, or a fresh collection on the shared Chroma server."""
    if request.param == "server":
        server: ChromaServer = request.getfixturevalue("chroma_server")
        return make_settings(
            tmp_path, chroma_url=server.url, collection=f"t{random.getrandbits(40):x}"
        )
    return make_settings(tmp_path)


def invariants(settings: Settings) -> dict[str, int]:
    """Checks the store holds no duplicate or orphan passage; returns passages per article."""
    store = open_store(settings)
    infos = store.article_infos()
    got = store.passages.get(include=["metadatas"])
    assert len(got["ids"]) == len(set(got["ids"]))
    per_article = Counter(m["article_id"] for m in got["metadatas"])
    assert set(per_article) <= set(infos), "orphan passages"
    for article_id, info in infos.items():
        assert info.state == "ok", f"{article_id} left pending"
        assert per_article[article_id] == info.passages
    return dict(per_article)


def test_ingest_twice_reports_everything_unchanged(settings: Settings) -> None:
    ingestor, refresh = open_ingestor(settings)
    articles = load_articles([SEED_CORPUS]).articles
    first = ingestor.sync(articles)
    refresh()
    assert sorted(first.added) == sorted(a.id for a in articles)
    assert first.articles == 2 and first.chunks > 10
    again, _ = open_ingestor(settings)
    second = again.sync(articles)
    assert second.unchanged == 2 and not (second.added or second.updated or second.removed)
    assert second.chunks == first.chunks and second.tokens_embedded == 0
    assert again._embedder is None, "an unchanged sync must not even load the model"
    assert sum(invariants(settings).values()) == first.chunks


def test_changed_articles_are_replaced_and_missing_ones_removed(settings: Settings) -> None:
    ingestor, _ = open_ingestor(settings)
    a, b = load_articles([SEED_CORPUS]).articles
    ingestor.sync([a, b])
    shorter = Article(a.id, a.title, a.text[: len(a.text) // 2], a.url, a.source, a.published)
    report = ingestor.sync([shorter])
    assert report.updated == [a.id] and report.removed == [b.id] and report.unchanged == 0
    expected = len(ingestor.split(shorter))
    assert invariants(settings) == {a.id: expected}
    assert (
        report.summary()
        == f"articles: 1 (added 0, updated 1, removed 1, unchanged 0, skipped 0) chunks: {expected}"
    )


def test_stored_passages_and_sentences_point_at_the_article_text(settings: Settings) -> None:
    ingestor, _ = open_ingestor(settings)
    articles = {a.id: a for a in load_articles([SEED_CORPUS]).articles}
    ingestor.sync(list(articles.values()))
    store = ingestor.store
    ids = store.passages.get(include=[])["ids"]
    for passage in store.get_passages(ids):
        text = articles[passage.article_id].text
        assert text[passage.start : passage.end] == passage.text
        assert all(passage.start <= s < e <= passage.end for s, e in passage.sentences)
        assert passage.sentence_vectors.shape == (len(passage.sentences), 384)


def rtqa_subset(tmp_path: Path, n: int) -> Path:
    lines = (RTQA / "articles.jsonl").read_text().splitlines()[:n]
    path = tmp_path / "rtqa-subset.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def expected_counts(path: Path) -> dict[str, int]:
    embedder = Embedder(Settings().embedding)
    return {
        a.id: len(split_article(a, embedder.count_tokens, Settings().passages.max_tokens))
        for a in load_articles([path]).articles
    }


@pytest.mark.slow
def test_a_kill_during_ingest_then_a_rerun_leaves_no_duplicate_or_orphan(
    settings: Settings, tmp_path: Path
) -> None:
    corpus = rtqa_subset(tmp_path, 40)
    env = {
        **os.environ,
        "NEWSRAG_DATA_DIR": str(settings.store.data_dir),
        "NEWSRAG_PASSAGE_GROUP_PASSAGES": "24",
        "NEWSRAG_COLLECTION": settings.store.collection,
    }
    if settings.store.chroma_url:
        env["NEWSRAG_CHROMA_URL"] = settings.store.chroma_url
    newsrag = [sys.executable, "-m", "newsrag", "ingest", str(corpus)]
    proc = subprocess.Popen(newsrag, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    store = open_store(settings)
    deadline = time.monotonic() + 120
    # kill -9 once some articles are committed and more are on their way
    while time.monotonic() < deadline and proc.poll() is None:
        done = sum(1 for i in store.article_infos().values() if i.state == "ok")
        if done >= 5:
            break
        time.sleep(0.2)
    assert proc.poll() is None, "ingest finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    rerun = subprocess.run(
        newsrag, env=env, capture_output=True, text=True, timeout=600, check=True
    )
    assert "articles: 40 (" in rerun.stdout
    assert invariants(settings) == expected_counts(corpus)


def test_the_summary_line_and_stats_come_from_the_cli(tmp_path: Path) -> None:
    env = {**os.environ, "NEWSRAG_DATA_DIR": str(tmp_path / "data")}
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "newsrag", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    first = run("ingest")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().startswith(
        "articles: 2 (added 2, updated 0, removed 0, unchanged 0, skipped 0) chunks: "
    )
    second = run("ingest")
    assert "(added 0, updated 0, removed 0, unchanged 2, skipped 0)" in second.stdout
    stats = run("stats")
    assert "articles: 2" in stats.stdout and "all-MiniLM-L6-v2" in stats.stdout
    help_text = run("--help").stdout
    for command in ("ingest", "ask", "chat", "stats"):
        assert command in help_text


def test_unreadable_inputs_are_named_and_counted_in_the_summary(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.txt").write_text("A title\nThe mayor opened the new library on Monday.")
    (folder / "bad.jsonl").write_text('{"id": "x"}\nnot json\n')
    env = {**os.environ, "NEWSRAG_DATA_DIR": str(tmp_path / "data")}
    out = subprocess.run(
        [sys.executable, "-m", "newsrag", "ingest", str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0
    assert "skipped 2)" in out.stdout
    assert "bad.jsonl:1: missing field(s): text" in out.stderr.replace("\n", "")
    assert "bad.jsonl:2: malformed JSON" in out.stderr.replace("\n", "")


def test_changing_the_passage_size_re_embeds_every_article(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    articles = load_articles([SEED_CORPUS]).articles
    ingestor, _ = open_ingestor(settings)
    first = ingestor.sync(articles)
    smaller = settings.model_copy(
        update={"passages": settings.passages.model_copy(update={"max_tokens": 64})}
    )
    again, _ = open_ingestor(smaller)
    report = again.sync(articles)
    assert sorted(report.updated) == sorted(a.id for a in articles) and report.unchanged == 0
    assert report.chunks > first.chunks
    assert sum(invariants(smaller).values()) == report.chunks


def test_a_corpus_of_stop_words_alone_is_ingested_and_answered(tmp_path: Path) -> None:
    """bm25s cannot index an empty vocabulary: such a corpus is searched by meaning alone."""
    from ask.engine import Engine
    from index.bm25 import BM25Index
    from index.ingest import bm25_folder

    settings = make_settings(tmp_path)
    ingestor, refresh = open_ingestor(settings)
    report = ingestor.sync([Article(id="a", title="The and of it.", text="To be or not to be.")])
    refresh()
    assert report.added == ["a"] and report.chunks == 1
    engine = Engine.from_settings(settings)
    try:
        answer = engine.ask("what is it?")
        assert answer.citations and answer.citations[0].article_id == "a"
        assert engine.searcher.bm25.search("to be", 5) == []
    finally:
        engine.close()
    saved = BM25Index.load(bm25_folder(settings))  # saved without a bm25s part, and read back
    assert saved is not None and saved.ids == ["a#0"] and saved.search("to be", 5) == []
