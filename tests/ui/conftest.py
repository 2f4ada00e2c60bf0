"""The UI over the seed index, served by a real uvicorn on loopback (the API app with /ui mounted)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ui_live import LiveServer

from newsrag.settings import Settings


@pytest.fixture(scope="session")
def ui_server(seed_settings: Settings, seed_engine: object) -> Iterator[LiveServer]:
    """The API app with the UI mounted, over the shared seed engine, no key."""
    from api.app import create_app

    server = LiveServer(create_app(seed_settings, engine=seed_engine))  # type: ignore[arg-type]
    server.start()
    yield server
    server.stop()
