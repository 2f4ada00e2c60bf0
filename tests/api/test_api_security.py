"""The API key on every route but /health (and the docs), CORS closed by default, no secret in logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_live import API_KEY, LiveServer, api_settings
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from api.app import create_app

# Public on purpose: /health for monitors and load balancers; the OpenAPI document and its viewers
# describe the API but serve no data, and clients (and schemathesis) generate code from them.
# "/" only redirects to /ui/ (or /docs), which asks for the key itself.
PUBLIC = {"/", "/health", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"}
PARAMS = {"article_id": "002_c34788a0f5bea4b4", "model": "newsrag"}


def _requests(routes: list[object], prefix: str = "") -> Iterator[tuple[str, str]]:
    for route in routes:
        if hasattr(
            route, "original_router"
        ):  # FastAPI >= 0.16x keeps included routers as one entry
            yield from _requests(
                route.original_router.routes, prefix + route.include_context.prefix
            )
        elif isinstance(route, Mount):  # e.g. the UI: its root must refuse an anonymous request too
            yield "GET", prefix + route.path.rstrip("/") + "/"
        elif isinstance(route, Route):
            path = re.sub(
                r"\{(\w+)(:\w+)?\}", lambda m: PARAMS.get(m.group(1), "x"), prefix + route.path
            )
            for method in sorted(route.methods or {"GET"}):
                if method != "HEAD":
                    yield method, path
        else:
            raise AssertionError(
                f"unexpected route type {route!r}: decide whether it needs the key"
            )


def test_every_route_but_health_and_the_docs_requires_the_key(keyed: LiveServer) -> None:
    checked = 0
    with (
        keyed.client() as anonymous,
        keyed.client(headers={"Authorization": "Bearer wrong"}) as wrong,
    ):
        for method, path in _requests(keyed.app.routes):
            if path in PUBLIC:
                continue
            for c in (anonymous, wrong):
                r = c.request(method, path, json={})
                assert r.status_code == 401, (method, path, r.status_code, r.text)
                assert r.json()["error"] == "unauthorized"
                assert r.headers["www-authenticate"] == "Bearer"
            checked += 1
    assert checked >= 9  # chat, search, completions, models x2, documents x4


def test_health_and_the_docs_need_no_key(keyed: LiveServer) -> None:
    with keyed.client() as anonymous:
        health = anonymous.get("/health")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert (
            "store_location" not in health.json()
        )  # a path or URL an anonymous caller need not see
        assert anonymous.get("/openapi.json").status_code == 200
        assert anonymous.get("/docs").status_code == 200


def test_the_right_key_opens_every_route(authed: httpx.Client) -> None:
    assert authed.get("/v1/models").status_code == 200
    assert authed.post("/v1/search", json={"query": "SKA"}).status_code == 200
    r = authed.post("/v1/chat", json={"question": "What is the SKA?"})
    assert r.status_code == 200 and r.json()["citations"]


def test_a_key_in_another_scheme_is_refused(keyed: LiveServer) -> None:
    with keyed.client(headers={"Authorization": f"Basic {API_KEY}"}) as c:
        assert c.get("/v1/models").status_code == 401


def test_without_a_configured_key_no_route_asks_for_one(client: httpx.Client) -> None:
    assert client.get("/v1/models").status_code == 200


@pytest.fixture()
def offline_settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    return api_settings(tmp_path, api_key=API_KEY)


class _Engine:
    """Stands in for the engine where a test needs no index, only the API's own behavior."""

    def ask(self, question: str, **_: object) -> object:
        raise RuntimeError(f"boom with {API_KEY} and /secret/path")


def test_cors_is_closed_by_default(offline_settings) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(offline_settings, engine=_Engine(), mount_ui=False)) as c:  # type: ignore[arg-type]
        pre = c.options(
            "/v1/chat",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in pre.headers
        got = c.get("/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in got.headers


def test_cors_allows_only_the_configured_origins(tmp_path: Path) -> None:
    settings = api_settings(tmp_path, cors_origins=["https://app.example"])
    with TestClient(create_app(settings, engine=_Engine(), mount_ui=False)) as c:  # type: ignore[arg-type]
        headers = {
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        }
        ok = c.options("/v1/chat", headers={"Origin": "https://app.example", **headers})
        assert ok.headers["access-control-allow-origin"] == "https://app.example"
        bad = c.options("/v1/chat", headers={"Origin": "https://evil.example", **headers})
        assert "access-control-allow-origin" not in bad.headers


def test_an_unexpected_failure_is_a_json_500_and_logs_no_secret(
    offline_settings,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    caplog.set_level(logging.DEBUG)
    app = create_app(offline_settings, engine=_Engine(), mount_ui=False)  # type: ignore[arg-type]
    with TestClient(app) as c:
        r = c.post(
            "/v1/chat", json={"question": "hi"}, headers={"Authorization": f"Bearer {API_KEY}"}
        )
    assert r.status_code == 500
    assert r.json() == {
        "error": "internal_error",
        "detail": "the server failed to handle this request",
    }
    assert "Traceback" not in r.text
    assert "RuntimeError" in caplog.text  # logged, by type and place
    assert API_KEY not in caplog.text and "/secret/path" not in caplog.text
