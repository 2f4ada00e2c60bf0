"""Fixtures of the reliability scenarios: a seed index built once by `newsrag ingest`, copied per server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rel_support import ApiProcess, copy_index, ingest


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An embedded index of the seed corpus, written by a finished `newsrag ingest` process."""
    path = tmp_path_factory.mktemp("rel-seed") / "data"
    ingest(path)
    return path


@pytest.fixture(scope="module")
def api_process(
    seed_index_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiProcess]:
    """The API in its own process over a writable copy of the seed index."""
    root = tmp_path_factory.mktemp("rel-api")
    server = ApiProcess(copy_index(seed_index_dir, root / "data"), root / "api.log")
    server.start()
    yield server
    server.stop()
