"""Live API servers: real uvicorn on free loopback ports, over the seed index, exercised with httpx."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from api_live import API_KEY, LiveServer, api_settings, ingest_seed

from newsrag.settings import Settings


@pytest.fixture(scope="session")
def live(seed_settings: Settings, seed_engine: object) -> Iterator[LiveServer]:
    """The API over the shared seed engine, no key: for tests that only read the index."""
    from api.app import create_app

    server = LiveServer(create_app(seed_settings, engine=seed_engine, mount_ui=False))  # type: ignore[arg-type]
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def client(live: LiveServer) -> Iterator[httpx.Client]:
    with live.client() as c:
        yield c


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """An API with NEWSRAG_API_KEY set, over its own writable copy of the seed index; the engine
    is built by the app's lifespan, as `newsrag serve` does."""
    from api.app import create_app

    settings = api_settings(
        tmp_path_factory.mktemp("keyed-index"), api_key=API_KEY, max_upload_bytes=64 * 1024
    )
    ingest_seed(settings)
    server = LiveServer(create_app(settings, mount_ui=False))
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def authed(keyed: LiveServer) -> Iterator[httpx.Client]:
    with keyed.client(headers={"Authorization": f"Bearer {API_KEY}"}) as c:
        yield c
