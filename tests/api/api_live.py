"""Helpers of the API tests: a live uvicorn server, settings for it, an SSE parser, citation checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from support import LiveServer, free_port, parse_sse  # noqa: F401  (re-exported for the API tests)
from support import check_citations as shared_check_citations

from newsrag.settings import SEED_CORPUS, APISettings, Settings, StoreSettings

API_KEY = "test-key-0123456789abcdef"


def api_settings(data_dir: Path, **api: object) -> Settings:
    """Settings for a test server: its own index, API options as given, nothing from the environment."""
    return Settings(
        store=StoreSettings(data_dir=data_dir, chroma_url=None),
        api=APISettings(**{"api_key": None, "cors_origins": [], **api}),  # type: ignore[arg-type]
    )


def ingest_seed(settings: Settings) -> None:
    from corpus.loader import load_articles
    from index.runtime import open_ingestor

    ingestor, refresh = open_ingestor(settings)
    ingestor.sync(load_articles([SEED_CORPUS]).articles)
    refresh()


def check_citations(client: httpx.Client, answer: dict[str, Any]) -> None:
    """support.check_citations with the article texts fetched from the live server."""

    def text_of(article_id: str) -> str:
        doc = client.get(f"/v1/documents/{article_id}")
        assert doc.status_code == 200, doc.text
        return str(doc.json()["text"])

    shared_check_citations(answer, text_of)
