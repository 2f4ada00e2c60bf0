"""What a new user meets first: the bare address leads somewhere, /v1/search takes either name."""

from __future__ import annotations

import httpx
from api_live import LiveServer
from fastapi.testclient import TestClient

from newsrag.settings import Settings


def test_the_bare_address_redirects_to_the_docs_when_the_ui_is_off(client: httpx.Client) -> None:
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 307
    assert r.headers["location"] == "/docs"
    assert client.get("/", follow_redirects=True).status_code == 200
    assert "/" not in client.get("/openapi.json").json()["paths"]


def test_the_bare_address_redirects_to_the_chat_ui_when_it_is_mounted(
    seed_settings: Settings, seed_engine: object
) -> None:
    from api.app import create_app

    app = create_app(seed_settings, engine=seed_engine)  # type: ignore[arg-type]
    with TestClient(app) as c:
        r = c.get("/", follow_redirects=False)
    assert r.status_code == 307
    assert r.headers["location"] == "/ui/"


def test_search_accepts_question_as_well_as_query(client: httpx.Client) -> None:
    by_query = client.post("/v1/search", json={"query": "Square Kilometre Array", "top_k": 3})
    by_question = client.post("/v1/search", json={"question": "Square Kilometre Array", "top_k": 3})
    assert by_query.status_code == by_question.status_code == 200
    assert by_question.json()["query"] == "Square Kilometre Array"
    ids = [[p["passage_id"] for p in r.json()["passages"]] for r in (by_query, by_question)]
    assert ids[0] == ids[1] and ids[0]


def test_search_with_both_names_is_refused_rather_than_guessed(client: httpx.Client) -> None:
    r = client.post("/v1/search", json={"query": "SKA", "question": "FAST"})
    assert r.status_code == 422


def test_the_schema_documents_query_and_names_the_alias(live: LiveServer) -> None:
    with live.client() as c:
        schema = c.get("/openapi.json").json()["components"]["schemas"]["SearchRequest"]
    assert "query" in schema["properties"] and "question" not in schema["properties"]
    assert "`question`" in schema["properties"]["query"]["description"]


def test_the_server_reads_the_place_gazetteer_before_it_is_ready(
    seed_settings: Settings, seed_engine: object
) -> None:
    # read on demand, the first "which city ...?" request waited about a second for it
    from api.app import create_app
    from index.places import places

    places.cache_clear()
    app = create_app(seed_settings, engine=seed_engine, mount_ui=False)  # type: ignore[arg-type]
    with TestClient(app) as c:
        assert places.cache_info().currsize == 1  # no question asked
        assert c.get("/health").status_code == 200
