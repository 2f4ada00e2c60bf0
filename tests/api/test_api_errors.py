"""Domain errors map to their status codes in one place; errors mid-stream arrive as events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_live import api_settings, parse_sse
from fastapi.testclient import TestClient

from api.app import create_app
from ask.engine import StreamEvent
from newsrag.errors import (
    DocumentNotFound,
    InvalidRequest,
    NewsragError,
    PayloadTooLarge,
    QuestionTooLong,
    StoreUnavailable,
    UnsupportedFileType,
)


class _Raising:
    """An engine whose every call raises the given error (an unreachable Chroma server, say)."""

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def __getattr__(self, name: str) -> object:
        def fail(*_: object, **__: object) -> object:
            raise self.exc

        return fail


class _BreaksMidStream:
    def stream(self, question: str, **_: object) -> Iterator[StreamEvent]:
        yield StreamEvent("delta", "Half ")
        raise StoreUnavailable("the Chroma server at http://127.0.0.1:1 is unreachable")


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (StoreUnavailable("the Chroma server is unreachable"), 503, "store_unavailable"),
        (DocumentNotFound("no article with id 'x'"), 404, "document_not_found"),
        (QuestionTooLong("too long"), 413, "question_too_long"),
        (PayloadTooLarge("too big"), 413, "payload_too_large"),
        (UnsupportedFileType("nope"), 415, "unsupported_file_type"),
        (InvalidRequest("impossible"), 422, "invalid_request"),
        (NewsragError("other"), 422, "invalid_request"),
    ],
)
def test_each_domain_error_has_its_status_and_a_json_body(
    tmp_path: Path, exc: Exception, status: int, code: str
) -> None:
    app = create_app(api_settings(tmp_path), engine=_Raising(exc), mount_ui=False)  # type: ignore[arg-type]
    with TestClient(app) as c:
        for method, path, body in (
            ("POST", "/v1/chat", {"question": "q"}),
            ("POST", "/v1/search", {"query": "q"}),
            ("GET", "/v1/documents/x", None),
            ("POST", "/v1/chat/completions", {"messages": [{"role": "user", "content": "q"}]}),
        ):
            r = c.request(method, path, json=body)
            assert r.status_code == status, (path, r.text)
            assert r.json() == {"error": code, "detail": str(exc)}


def test_an_unreachable_store_makes_health_503_and_degraded(tmp_path: Path) -> None:
    class Down:
        def health(self) -> dict[str, object]:
            return {
                "status": "degraded",
                "store": "unreachable",
                "articles": None,
                "passages": None,
                "model": "all-MiniLM-L6-v2",
                "llm": None,
                "store_location": "http://user:pw@chroma:8000",
            }

    with TestClient(create_app(api_settings(tmp_path), engine=Down(), mount_ui=False)) as c:  # type: ignore[arg-type]
        r = c.get("/health")
    assert r.status_code == 503
    assert r.json()["status"] == "degraded" and "pw@" not in r.text


def test_an_error_after_the_stream_started_arrives_as_an_error_event(tmp_path: Path) -> None:
    app = create_app(api_settings(tmp_path), engine=_BreaksMidStream(), mount_ui=False)  # type: ignore[arg-type]
    with (
        TestClient(app) as c,
        c.stream("POST", "/v1/chat", json={"question": "q", "stream": True}) as r,
    ):
        events = list(parse_sse(r.iter_lines()))
    assert [k for k, _ in events] == ["delta", "error"]
    assert json.loads(events[-1][1])["error"] == "store_unavailable"
    with (
        TestClient(app) as c,
        c.stream(
            "POST",
            "/v1/chat/completions",
            json={"stream": True, "messages": [{"role": "user", "content": "q"}]},
        ) as r,
    ):
        data = [d for _, d in parse_sse(r.iter_lines())]
    assert data[-1] == "[DONE]"
    assert json.loads(data[-2])["error"]["type"] == "store_unavailable"


def test_unknown_routes_and_methods_answer_in_the_same_format(tmp_path: Path) -> None:
    with TestClient(
        create_app(api_settings(tmp_path), engine=_Raising(RuntimeError()), mount_ui=False)
    ) as c:  # type: ignore[arg-type]
        assert c.get("/nope").json() == {"error": "not_found", "detail": "Not Found"}
        r = c.put("/v1/chat")
        assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"
