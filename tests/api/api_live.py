"""Helpers of the API tests: a live uvicorn server, settings for it, an SSE parser, citation checks."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from newsrag.settings import SEED_CORPUS, APISettings, Settings, StoreSettings

API_KEY = "test-key-0123456789abcdef"


def free_port() -> int:  # as tests/conftest.py's (conftest modules are not importable by name)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    """A uvicorn server running ``app`` in a thread (its lifespan runs exactly as under `newsrag serve`)."""

    app: FastAPI
    url: str = ""
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None

    def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{port}", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 120  # the lifespan may load the model
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("uvicorn exited during startup (see the log above)")
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 120 s")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(timeout=30)

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)  # type: ignore[arg-type]


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
