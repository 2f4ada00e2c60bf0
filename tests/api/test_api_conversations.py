"""A conversation started on one API process continues on another: over one data directory (SQLite)
and, with separate data directories, through a real Redis. Each pair: a uvicorn server in this
process and a real `newsrag serve --no-ui` process."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_live import LiveServer, api_settings
from support import RedisServer, ServeProcess, newsrag_env

from ask.engine import Engine
from newsrag.settings import Settings

pytestmark = pytest.mark.slow

FIRST = "What is the SKA?"
FOLLOW = "When did its construction start?"


def Serve(data_dir: Path, **env: str) -> ServeProcess:
    return ServeProcess(
        newsrag_env(data_dir, **env), data_dir.parent / f"serve-{data_dir.name}.log"
    )


def copy_of_seed(seed_settings: Settings, where: Path) -> Path:
    """A data directory of its own holding the seed index (no conversations)."""
    shutil.copytree(
        seed_settings.store.data_dir,
        where,
        ignore=shutil.ignore_patterns("conversations.sqlite*", "writer.lock", "server.json"),
    )
    return where


def chat(url: str, question: str, conversation_id: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"question": question}
    if conversation_id:
        body["conversation_id"] = conversation_id
    return httpx.post(f"{url}/v1/chat", json=body, timeout=60)


def in_one_process(engine: Engine) -> tuple[str, str]:
    first = engine.ask(FIRST)
    follow = engine.ask(FOLLOW, conversation_id=first.conversation_id)
    return follow.query, follow.answer


def check_continued(one: str, other: str, engine: Engine) -> None:
    """First turn on ``one``, follow-up on ``other``, a third turn back on ``one``."""
    first = chat(one, FIRST)
    assert first.status_code == 200, first.text
    cid = first.json()["conversation_id"]
    follow = chat(other, FOLLOW, cid)
    assert follow.status_code == 200, follow.text
    got = follow.json()
    assert got["conversation_id"] == cid and got["context"], got  # read with the first turn's
    assert "July 2021" in got["answer"], got["answer"]
    assert (got["query"], got["answer"]) == in_one_process(engine)
    assert not got["warnings"]
    third = chat(one, "Who is building it?", cid)
    assert third.status_code == 200 and third.json()["context"], third.text
    # a conversation neither process holds is a clear 404, on both
    for url in (one, other):
        gone = chat(url, FOLLOW, "c-0123456789ab")
        assert gone.status_code == 404, gone.text
        assert gone.json()["error"] == "conversation_not_found"


def _live(settings: Settings) -> LiveServer:
    from api.app import create_app

    server = LiveServer(create_app(settings, mount_ui=False))
    server.start()
    return server


@pytest.fixture()
def servers() -> Iterator[list[Any]]:
    started: list[Any] = []
    yield started
    for server in reversed(started):
        server.stop()


def test_two_api_processes_over_one_data_directory_share_conversations(
    seed_settings: Settings, seed_engine: Engine, tmp_path: Path, servers: list[Any]
) -> None:
    data_dir = copy_of_seed(seed_settings, tmp_path / "index")
    servers.append(_live(api_settings(data_dir)))
    servers.append(Serve(data_dir, NEWSRAG_CONVERSATION_STORE="sqlite"))
    check_continued(servers[0].url, servers[1].url, seed_engine)
    assert (data_dir / "conversations.sqlite").exists()


def test_two_api_processes_with_their_own_data_share_conversations_through_redis(
    seed_settings: Settings,
    seed_engine: Engine,
    tmp_path: Path,
    servers: list[Any],
    redis_server: RedisServer,
) -> None:
    mine = copy_of_seed(seed_settings, tmp_path / "index-a")
    theirs = copy_of_seed(seed_settings, tmp_path / "index-b")
    settings = api_settings(mine)
    settings = settings.model_copy(
        update={"store": settings.store.model_copy(update={"conversation_store": redis_server.url})}
    )
    servers.append(_live(settings))
    servers.append(Serve(theirs, NEWSRAG_CONVERSATION_STORE=redis_server.url))
    check_continued(servers[1].url, servers[0].url, seed_engine)
    for data_dir in (mine, theirs):
        assert not (data_dir / "conversations.sqlite").exists()


def test_the_openai_route_starts_over_when_the_resent_history_names_an_expired_conversation(
    seed_settings: Settings, tmp_path: Path, servers: list[Any]
) -> None:
    settings = api_settings(copy_of_seed(seed_settings, tmp_path / "index"))
    settings = settings.model_copy(
        update={"answer": settings.answer.model_copy(update={"conversation_ttl_s": 1.0})}
    )
    servers.append(_live(settings))
    url = f"{servers[0].url}/v1/chat/completions"
    messages: list[dict[str, str]] = [{"role": "user", "content": FIRST}]
    first = httpx.post(url, json={"model": "newsrag", "messages": messages}, timeout=60)
    assert first.status_code == 200, first.text
    cid = first.json()["conversation_id"]
    messages += [
        {"role": "assistant", "content": first.json()["choices"][0]["message"]["content"]},
        {"role": "user", "content": FOLLOW},
    ]
    time.sleep(1.3)
    # the client resent its history: the forgotten conversation is replaced, not an error
    again = httpx.post(url, json={"model": "newsrag", "messages": messages}, timeout=60)
    assert again.status_code == 200, again.text
    assert again.json()["conversation_id"] != cid
    # named explicitly, it is the same 404 as on /v1/chat
    named = httpx.post(
        url, json={"model": "newsrag", "messages": messages, "conversation_id": cid}, timeout=60
    )
    assert named.status_code == 404 and named.json()["error"] == "conversation_not_found"
