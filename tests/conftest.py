"""Shared fixtures: a seed index and engine, and a real `chroma run` server on loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from support import (  # noqa: F401
    ROOT,
    RTQA,
    SHARED,
    ChromaServer,
    RedisServer,
    free_port,
    make_settings,
)

from newsrag.settings import SEED_CORPUS, Settings


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose embedded index holds the two seed articles (ingested once per session)."""
    from corpus.loader import load_articles
    from index.runtime import open_ingestor

    settings = make_settings(tmp_path_factory.mktemp("seed-index"))
    ingestor, refresh = open_ingestor(settings)
    ingestor.sync(load_articles([SEED_CORPUS]).articles)
    refresh()
    return settings


@pytest.fixture(scope="session")
def seed_engine(seed_settings: Settings):  # type: ignore[no-untyped-def]
    """One warm engine over the seed index, shared by the tests that only read."""
    from ask.engine import Engine

    return Engine.from_settings(seed_settings)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A real `chroma run` on a free loopback port for the whole session."""
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server") / "db")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A real `redis-server` on a free loopback port for the whole session (`make test` installs
    Debian's redis-server; skipped, saying why, only where it cannot be found)."""
    if RedisServer.executable() is None:
        pytest.skip("redis-server not found: install Debian's redis-server (make redis)")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()
