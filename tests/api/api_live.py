"""Helpers of the API tests: a live uvicorn server, settings for it, an SSE parser, citation checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from support import LiveServer, free_port  # noqa: F401  (re-exported for the API tests)

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


def parse_sse(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """(event, data) pairs from a text/event-stream, parsed as the WHATWG spec has browsers do it."""
    event, data = "", []
    for line in lines:
        if line == "":
            if data:
                yield event or "message", "\n".join(data)
            event, data = "", []
            continue
        if line.startswith(":"):
            continue  # a comment (sse-starlette's keep-alive ping)
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)
    if data:
        yield event or "message", "\n".join(data)


MARKER = re.compile(r"\[(\d+)\]")


def check_citations(client: httpx.Client, answer: dict[str, Any]) -> None:
    """Every [n] has a citation and vice versa; every offset points at the cited text of the document."""
    markers = {int(n) for n in MARKER.findall(answer["answer"])}
    assert markers == {c["n"] for c in answer["citations"]}, answer
    for c in answer["citations"]:
        doc = client.get(f"/v1/documents/{c['article_id']}")
        assert doc.status_code == 200, doc.text
        text = doc.json()["text"]
        assert text[c["start"] : c["end"]] == c["passage"]
        assert text[c["quote_start"] : c["quote_end"]] == c["quote"]
