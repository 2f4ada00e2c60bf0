"""Conversation stores (memory, SQLite in the data directory, Redis): bounded, expiring, shared by
processes, and an issued id they no longer hold is an error, never a silent new conversation."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support import ROOT, RedisServer

from ask.engine import Engine
from ask.history import (
    FILE,
    ConversationStore,
    MemoryStore,
    RedisStore,
    SqliteStore,
    Turn,
    open_store,
)
from newsrag.errors import ConversationNotFound, StoreUnavailable
from newsrag.settings import AnswerSettings, Settings, StoreSettings

KINDS = ["memory", "sqlite", "redis"]
_prefixes = itertools.count()
Factory = Callable[..., ConversationStore]


def turn(question: str) -> Turn:
    return Turn(question=question, query=question, answer=f"answer to {question}", answered=True)


@pytest.fixture(params=KINDS)
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Factory:
    """Builds stores of one kind; two calls give two handles on the same conversations (two
    connections for SQLite and Redis, as two processes would hold)."""
    kind = request.param
    if kind == "redis":
        redis = request.getfixturevalue("redis_server")
        prefix = f"test{next(_prefixes)}"

        def build(**limits: float) -> ConversationStore:
            return RedisStore(redis.url, prefix, **limits)  # type: ignore[arg-type]

        return build
    if kind == "sqlite":
        return lambda **limits: SqliteStore(tmp_path / FILE, **limits)  # type: ignore[arg-type]
    memory = MemoryStore()

    def same_memory(**limits: float) -> ConversationStore:
        for key, value in limits.items():
            setattr(memory, key, value)
        return memory

    return same_memory


def test_a_new_conversation_gets_an_issued_id_and_keeps_its_turns_in_order(make: Factory) -> None:
    store = make()
    conv = store.get(None)
    assert conv.created and conv.id.startswith("c-") and len(conv.id) == 14
    for q in ("q1", "q2", "q3"):
        with conv.lock:
            store.append(conv, turn(q))
    again = make().get(conv.id)
    assert not again.created
    assert [t.question for t in make().history(again)] == ["q1", "q2", "q3"]
    assert make().history(again)[0] == turn("q1")


def test_turns_are_bounded(make: Factory) -> None:
    store = make(max_turns=2)
    conv = store.get(None)
    for i in range(5):
        store.append(conv, turn(f"q{i}"))
    assert [t.question for t in make(max_turns=2).history(conv)] == ["q3", "q4"]


def test_the_least_recently_used_conversations_go_beyond_the_bound(make: Factory) -> None:
    store = make(max_conversations=3)
    first, second, third = store.get(None), store.get(None), store.get(None)
    store.get(first.id)  # used again: the second and the third are now the least recently used
    store.get(None)
    store.get(None)
    assert len(store) == 3
    for gone in (second, third):
        with pytest.raises(ConversationNotFound):
            store.get(gone.id)
    assert not store.get(first.id).created


def test_a_conversation_expires_after_its_ttl_unless_used(make: Factory) -> None:
    store = make(ttl_s=0.6)
    idle, used = store.get(None), store.get(None)
    store.append(idle, turn("q"))
    for _ in range(4):
        time.sleep(0.2)
        store.get(used.id)
    with pytest.raises(ConversationNotFound, match="unknown or expired"):
        store.get(idle.id)
    assert store.get(used.id).id == used.id
    assert len(store) == 1


def test_an_issued_id_the_store_never_held_is_not_found(make: Factory) -> None:
    with pytest.raises(ConversationNotFound, match="start a new one"):
        make().get("c-0123456789ab")


def test_a_client_chosen_id_is_created_on_first_use_and_starts_empty_after_expiry(
    make: Factory,
) -> None:
    store = make(ttl_s=0.3)
    conv = store.get("client-chosen-1")
    assert conv.created and conv.id == "client-chosen-1"
    store.append(conv, turn("q"))
    assert not store.get("client-chosen-1").created
    time.sleep(0.5)
    again = store.get("client-chosen-1")
    assert again.created and store.history(again) == []


def test_one_conversation_has_one_lock_in_a_process(make: Factory) -> None:
    store = make()
    conv = store.get(None)
    assert make().get(conv.id).lock is conv.lock


# ---- several processes --------------------------------------------------------------------

APPEND = """
import sys
from pathlib import Path
from ask.history import RedisStore, SqliteStore, Turn
where, cid, tag, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if where.startswith("redis://"):
    url, prefix = where.split("#")
    store = RedisStore(url, prefix, max_turns=1000)
else:
    store = SqliteStore(Path(where), max_turns=1000)
conv = store.get(cid)
for i in range(n):
    store.append(conv, Turn(f"{tag}{i}", f"{tag}{i}", "a", True))
print(len(store.history(conv)))
"""


def _appenders(where: str, cid: str, n: int) -> list[subprocess.Popen[str]]:
    return [
        subprocess.Popen(
            [sys.executable, "-c", APPEND, where, cid, tag, str(n)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("a", "b")
    ]


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_two_processes_appending_to_one_conversation_lose_no_turn(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if kind == "redis":
        redis: RedisServer = request.getfixturevalue("redis_server")
        prefix = f"test{next(_prefixes)}"
        where = f"{redis.url}#{prefix}"
        store: ConversationStore = RedisStore(redis.url, prefix, max_turns=1000)
    else:
        where = str(tmp_path / FILE)
        store = SqliteStore(tmp_path / FILE, max_turns=1000)
    conv = store.get(None)
    procs = _appenders(where, conv.id, 60)
    for proc in procs:
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 0, stderr
    turns = store.history(conv)
    assert len(turns) == 120
    for tag in ("a", "b"):  # each process's turns in its own order
        assert [t.question for t in turns if t.question[0] == tag] == [
            f"{tag}{i}" for i in range(60)
        ]


def test_an_unreachable_redis_is_a_store_error_not_a_crash() -> None:
    from support import free_port

    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(StoreUnavailable, match="Redis"):
        store.get(None)


# ---- settings -------------------------------------------------------------------------------


def test_the_data_directory_holds_the_conversations_by_default(tmp_path: Path) -> None:
    settings = Settings(store=StoreSettings(data_dir=tmp_path, conversation_store="sqlite"))
    store = open_store(settings)
    assert isinstance(store, SqliteStore) and (tmp_path / FILE).exists()
    mode = store._db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_one_setting_selects_the_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSRAG_CONVERSATION_STORE", "redis://127.0.0.1:6399/2")
    monkeypatch.setenv("NEWSRAG_ANSWER_CONVERSATION_TURNS", "7")
    settings = Settings(store=StoreSettings(data_dir=tmp_path), answer=AnswerSettings())
    store = open_store(settings)
    assert isinstance(store, RedisStore) and store.max_turns == 7
    monkeypatch.setenv("NEWSRAG_CONVERSATION_STORE", "memory")
    assert isinstance(open_store(Settings(store=StoreSettings(data_dir=tmp_path))), MemoryStore)
    monkeypatch.setenv("NEWSRAG_CONVERSATION_STORE", "postgres://x")
    with pytest.raises(ValueError):
        StoreSettings()


def test_a_long_conversation_keeps_only_its_last_turns(tmp_path: Path) -> None:
    """What the engine does per question, 200 times: open the conversation, read its turns, append
    one. (Its cost, ~0.2 ms a turn, is a figure for docs/scaling.md, not an assertion here.)"""
    store = SqliteStore(tmp_path / FILE)
    conv = store.get(None)
    for i in range(200):
        again = store.get(conv.id)
        store.history(again)
        store.append(again, turn(f"q{i}"))
    kept = [t.question for t in store.history(store.get(conv.id))]
    assert kept == [f"q{i}" for i in range(200 - store.max_turns, 200)]


def test_health_says_degraded_while_the_conversation_store_is_down(seed_engine: Engine) -> None:
    from support import free_port

    saved = seed_engine.conversations
    seed_engine.conversations = RedisStore(f"redis://127.0.0.1:{free_port()}/0")
    try:
        health = seed_engine.health()
    finally:
        seed_engine.conversations = saved
    assert health["status"] == "degraded" and health["conversations"] is None
    assert seed_engine.health()["conversations"] is not None


# ---- through the engine ---------------------------------------------------------------------


def test_a_clients_new_id_warns_when_its_first_question_leans_on_earlier_turns(
    seed_engine: Engine,
) -> None:
    follow = seed_engine.ask("What is it nicknamed?", conversation_id="mine-1")
    assert follow.conversation_id == "mine-1"
    assert any("no earlier turns" in w for w in follow.warnings), follow.warnings
    assert "Giant Eye" not in follow.answer
    alone = seed_engine.ask("What is the SKA?", conversation_id="mine-2")
    assert not alone.warnings
    # the earlier turn is read: "it" is the SKA, the "Earth's Giant Eye"
    assert "Giant Eye" in seed_engine.ask("What is it nicknamed?", conversation_id="mine-2").answer


def test_an_engine_refuses_to_continue_an_issued_id_it_does_not_hold(seed_engine: Engine) -> None:
    with pytest.raises(ConversationNotFound):
        seed_engine.ask("When did its construction start?", conversation_id="c-ffffffffffff")


def test_a_turn_keeps_the_passages_its_answer_cited(make: Factory) -> None:
    store = make()
    conv = store.get(None)
    cited = Turn("q", "q", "a [1] b [2]", True, ("002 x#3", "000_y#1"))
    with conv.lock:
        store.append(conv, cited)
        store.append(conv, turn("next"))
    again = make().history(make().get(conv.id))
    assert again[0].passages == ("002 x#3", "000_y#1")
    assert again[1].passages == ()


def test_a_conversation_file_from_before_turns_kept_citations_still_opens(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / FILE
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE conversations (id TEXT PRIMARY KEY, touched REAL NOT NULL);
        CREATE TABLE turns (
            conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL, question TEXT NOT NULL, query TEXT NOT NULL,
            answer TEXT NOT NULL, answered INTEGER NOT NULL,
            PRIMARY KEY (conversation_id, seq)) WITHOUT ROWID;
        """
    )
    db.execute("INSERT INTO conversations VALUES ('mine', ?)", (time.time(),))
    db.execute("INSERT INTO turns VALUES ('mine', 1, 'old q', 'old q', 'old a', 1)")
    db.commit()
    db.close()
    store = SqliteStore(path)
    conv = store.get("mine")
    assert not conv.created
    with conv.lock:
        store.append(conv, Turn("new q", "new q", "new a", True, ("p#1",)))
    assert [(t.question, t.passages) for t in store.history(conv)] == [
        ("old q", ()),
        ("new q", ("p#1",)),
    ]
