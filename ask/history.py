"""Conversation history: the turns of each conversation, bounded and expiring, kept in memory, in
SQLite in the data directory (the default: shared by every process on the machine) or in Redis
(shared by several machines).

Every store keeps at most ``max_conversations`` conversations and ``max_turns`` turns of each, and
forgets a conversation ``ttl_s`` after its last use. Ids newsrag issues (``c-`` and 12 hex digits)
name stored state: asking to continue one the store does not hold (expired, evicted, or written to
another store) raises ConversationNotFound instead of silently starting over. Any other id is the
client's own name for a conversation and is created on first use. Turns of one conversation are
serialized within a process by a lock shared by every store (the engine holds it while it reads
the history and while it appends a turn), as they were when history lived only in memory.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import sqlite3
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from newsrag.errors import ConversationNotFound, StoreUnavailable
from newsrag.settings import Settings

ISSUED_ID = re.compile(r"c-[0-9a-f]{12}")
FILE = "conversations.sqlite"


@dataclass(slots=True)
class Turn:
    question: str
    query: str
    answer: str
    answered: bool
    # ids of the passages the answer cited: where a follow-up looks first (ask/engine.py)
    passages: tuple[str, ...] = ()


@dataclass(slots=True)
class Conversation:
    id: str
    turns: list[Turn] = field(default_factory=list)
    touched: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # created by this call (a new id, or a client's id seen for the first time)
    created: bool = False


class ConversationStore(Protocol):
    max_turns: int
    ttl_s: float
    max_conversations: int

    def get(self, conversation_id: str | None) -> Conversation:
        """The conversation with that id, a new one for None or a client's new id; raises
        ConversationNotFound for an issued id the store does not hold."""
        ...

    def history(self, conv: Conversation) -> list[Turn]:
        """The stored turns, oldest first (call with ``conv.lock`` held)."""
        ...

    def append(self, conv: Conversation, turn: Turn) -> None:
        """Stores a turn (call with ``conv.lock`` held)."""
        ...

    def __len__(self) -> int: ...

    def close(self) -> None: ...


def new_id() -> str:
    return f"c-{secrets.token_hex(6)}"


def not_found(conversation_id: str, ttl_s: float) -> ConversationNotFound:
    minutes = f"{ttl_s / 60:g} min"
    return ConversationNotFound(
        f"conversation {conversation_id!r} is unknown or expired (a conversation is forgotten "
        f"{minutes} after its last question); ask without a conversation id to start a new one"
    )


# One lock per conversation id in this process, whichever store holds the conversation: dropped
# when no request holds it any more.
_locks: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()
_locks_guard = threading.Lock()


def lock_for(conversation_id: str) -> threading.Lock:
    with _locks_guard:
        lock = _locks.get(conversation_id)
        if lock is None:
            lock = threading.Lock()
            _locks[conversation_id] = lock
        return lock  # type: ignore[no-any-return]


class MemoryStore:
    """Conversations in this process's memory (NEWSRAG_CONVERSATION_STORE=memory): lost on exit."""

    def __init__(
        self, max_turns: int = 20, ttl_s: float = 3600.0, max_conversations: int = 10_000
    ) -> None:
        self.max_turns = max_turns
        self.ttl_s = ttl_s
        self.max_conversations = max_conversations
        self._items: OrderedDict[str, Conversation] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, conversation_id: str | None) -> Conversation:
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            if conversation_id and conversation_id in self._items:
                conv = self._items[conversation_id]
                self._items.move_to_end(conversation_id)
                conv.created = False
            elif conversation_id and ISSUED_ID.fullmatch(conversation_id):
                raise not_found(conversation_id, self.ttl_s)
            else:
                conv = Conversation(id=conversation_id or new_id(), created=True)
                self._items[conv.id] = conv
                while len(self._items) > self.max_conversations:
                    self._items.popitem(last=False)
            conv.touched = now
            return conv

    def history(self, conv: Conversation) -> list[Turn]:
        return list(conv.turns)

    def append(self, conv: Conversation, turn: Turn) -> None:
        conv.turns.append(turn)
        del conv.turns[: -self.max_turns]

    def _expire(self, now: float) -> None:
        while self._items:
            oldest = next(iter(self._items.values()))
            if now - oldest.touched <= self.ttl_s:
                return
            self._items.popitem(last=False)

    def close(self) -> None:
        self._items.clear()


class SqliteStore:
    """Conversations in DATA_DIR/conversations.sqlite (WAL): every process on the machine that uses
    the data directory sees the same conversations. Times are wall-clock, shared by processes."""

    def __init__(
        self,
        path: Path,
        max_turns: int = 20,
        ttl_s: float = 3600.0,
        max_conversations: int = 10_000,
    ) -> None:
        self.path = path
        self.max_turns = max_turns
        self.ttl_s = ttl_s
        self.max_conversations = max_conversations
        path.parent.mkdir(parents=True, exist_ok=True)
        # one connection, used by one thread at a time; isolation_level=None: transactions are
        # begun explicitly (BEGIN IMMEDIATE takes the write lock first, so two processes creating
        # or trimming at once wait for each other instead of failing with "database is locked")
        self._db = sqlite3.connect(
            str(path), timeout=10.0, isolation_level=None, check_same_thread=False
        )
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL: a turn survives a crash of the process; only a power cut may lose the last ones
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(
                """
                CREATE TABLE IF NOT EXISTS conversations (
                    id TEXT PRIMARY KEY, touched REAL NOT NULL);
                CREATE INDEX IF NOT EXISTS conversations_touched ON conversations(touched);
                CREATE TABLE IF NOT EXISTS turns (
                    conversation_id TEXT NOT NULL
                        REFERENCES conversations(id) ON DELETE CASCADE,
                    seq INTEGER NOT NULL,
                    question TEXT NOT NULL, query TEXT NOT NULL, answer TEXT NOT NULL,
                    answered INTEGER NOT NULL, passages TEXT NOT NULL DEFAULT '',
                    PRIMARY KEY (conversation_id, seq)) WITHOUT ROWID;
                """
            )
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(turns)")}
            if "passages" not in columns:  # a file written before turns kept their citations
                self._db.execute("ALTER TABLE turns ADD COLUMN passages TEXT NOT NULL DEFAULT ''")

    def __len__(self) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM conversations WHERE touched >= ?", (time.time() - self.ttl_s,)
            ).fetchone()
        return int(row[0])

    def get(self, conversation_id: str | None) -> Conversation:
        now = time.time()
        with self._lock, _transaction(self._db):
            created = True
            if conversation_id:
                row = self._db.execute(
                    "SELECT touched FROM conversations WHERE id = ?", (conversation_id,)
                ).fetchone()
                if row is not None and now - row[0] <= self.ttl_s:
                    created = False
                elif ISSUED_ID.fullmatch(conversation_id):
                    raise not_found(conversation_id, self.ttl_s)
                elif row is not None:  # a client's id that expired: its old turns go
                    self._db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            cid = conversation_id or new_id()
            if created:
                self._db.execute(
                    "INSERT INTO conversations (id, touched) VALUES (?, ?)", (cid, now)
                )
                self._bound(now)
            else:
                self._db.execute("UPDATE conversations SET touched = ? WHERE id = ?", (now, cid))
        return Conversation(id=cid, touched=now, lock=lock_for(cid), created=created)

    def _bound(self, now: float) -> None:
        """Forgets expired conversations, then the least recently used beyond the bound."""
        self._db.execute("DELETE FROM conversations WHERE touched < ?", (now - self.ttl_s,))
        (count,) = self._db.execute("SELECT COUNT(*) FROM conversations").fetchone()
        if count > self.max_conversations:
            self._db.execute(
                "DELETE FROM conversations WHERE id IN "
                "(SELECT id FROM conversations ORDER BY touched LIMIT ?)",
                (count - self.max_conversations,),
            )

    def history(self, conv: Conversation) -> list[Turn]:
        with self._lock:
            rows = self._db.execute(
                "SELECT question, query, answer, answered, passages FROM turns "
                "WHERE conversation_id = ? ORDER BY seq",
                (conv.id,),
            ).fetchall()
        conv.turns = [
            Turn(q, s, a, bool(ok), tuple(json.loads(p)) if p else ()) for q, s, a, ok, p in rows
        ]
        return list(conv.turns)

    def append(self, conv: Conversation, turn: Turn) -> None:
        now = time.time()
        with self._lock, _transaction(self._db):
            # gone meanwhile (expired or evicted between the question and the answer): kept anew
            self._db.execute(
                "INSERT INTO conversations (id, touched) VALUES (?, ?) "
                "ON CONFLICT(id) DO UPDATE SET touched = excluded.touched",
                (conv.id, now),
            )
            (last,) = self._db.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM turns WHERE conversation_id = ?", (conv.id,)
            ).fetchone()
            self._db.execute(
                "INSERT INTO turns (conversation_id, seq, question, query, answer, answered, "
                "passages) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    conv.id,
                    last + 1,
                    turn.question,
                    turn.query,
                    turn.answer,
                    int(turn.answered),
                    json.dumps(list(turn.passages), ensure_ascii=False),
                ),
            )
            self._db.execute(
                "DELETE FROM turns WHERE conversation_id = ? AND seq <= ?",
                (conv.id, last + 1 - self.max_turns),
            )
        conv.turns.append(turn)
        del conv.turns[: -self.max_turns]

    def close(self) -> None:
        with self._lock:
            self._db.close()


class _transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on an error."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *_: object) -> None:
        self.db.execute("ROLLBACK" if kind is not None else "COMMIT")


def _turn(item: dict[str, object]) -> Turn:
    return Turn(
        str(item["question"]),
        str(item["query"]),
        str(item["answer"]),
        bool(item["answered"]),
        tuple(str(p) for p in item.get("passages") or ()),  # type: ignore[attr-defined]
    )


class RedisStore:
    """Conversations in Redis (NEWSRAG_CONVERSATION_STORE=redis://host:port/db), shared by API
    processes on several machines. Per conversation a list of JSON turns that Redis itself expires
    ``ttl_s`` after the last use; a sorted set of ids by last use bounds their number."""

    def __init__(
        self,
        url: str,
        prefix: str = "newsrag",
        max_turns: int = 20,
        ttl_s: float = 3600.0,
        max_conversations: int = 10_000,
    ) -> None:
        import redis

        self.max_turns = max_turns
        self.ttl_s = ttl_s
        self.max_conversations = max_conversations
        # 5 s: a Redis that does not answer fails the request (503) instead of hanging it
        self._redis = redis.Redis.from_url(
            url, socket_timeout=5.0, socket_connect_timeout=5.0, decode_responses=True
        )
        self._ids = f"{prefix}:conversations"
        self._prefix = f"{prefix}:conversation:"

    def _turns(self, conversation_id: str) -> str:
        return self._prefix + conversation_id

    @contextlib.contextmanager
    def _reached(self) -> Iterator[None]:
        import redis

        try:
            yield
        except redis.RedisError as exc:
            raise StoreUnavailable(
                f"the conversation store (Redis) cannot be reached ({type(exc).__name__})"
            ) from exc

    def __len__(self) -> int:
        with self._reached():
            count = self._redis.zcount(self._ids, time.time() - self.ttl_s, "+inf")
        return int(count)  # type: ignore[arg-type]

    def get(self, conversation_id: str | None) -> Conversation:
        with self._reached():
            return self._get(conversation_id)

    def history(self, conv: Conversation) -> list[Turn]:
        with self._reached():
            raw = self._redis.lrange(self._turns(conv.id), 0, -1)
        conv.turns = [_turn(json.loads(item)) for item in raw]  # type: ignore[arg-type]
        return list(conv.turns)

    def append(self, conv: Conversation, turn: Turn) -> None:
        with self._reached():
            self._append(conv, turn)
        conv.turns.append(turn)
        del conv.turns[: -self.max_turns]

    def _get(self, conversation_id: str | None) -> Conversation:
        now = time.time()
        ttl_ms = int(self.ttl_s * 1000)
        created = True
        if conversation_id:
            touched = self._redis.zscore(self._ids, conversation_id)
            if touched is not None and now - float(touched) <= self.ttl_s:  # type: ignore[arg-type]
                created = False
            elif ISSUED_ID.fullmatch(conversation_id):
                raise not_found(conversation_id, self.ttl_s)
        cid = conversation_id or new_id()
        pipe = self._redis.pipeline(transaction=True)
        pipe.zadd(self._ids, {cid: now})
        if created:
            pipe.delete(self._turns(cid))  # a client's id that expired starts empty
            pipe.zremrangebyscore(self._ids, "-inf", now - self.ttl_s)
        else:
            pipe.pexpire(self._turns(cid), ttl_ms)
        pipe.execute()
        if created:
            self._bound()
        return Conversation(id=cid, touched=now, lock=lock_for(cid), created=created)

    def _bound(self) -> None:
        excess = int(self._redis.zcard(self._ids)) - self.max_conversations  # type: ignore[arg-type]
        if excess > 0:
            evicted: list[tuple[str, float]] = self._redis.zpopmin(self._ids, excess)  # type: ignore[assignment]
            if evicted:
                self._redis.delete(*(self._turns(cid) for cid, _ in evicted))

    def _append(self, conv: Conversation, turn: Turn) -> None:
        item = json.dumps(
            {
                "question": turn.question,
                "query": turn.query,
                "answer": turn.answer,
                "answered": turn.answered,
                "passages": list(turn.passages),
            },
            ensure_ascii=False,
        )
        key = self._turns(conv.id)
        pipe = self._redis.pipeline(transaction=True)
        pipe.rpush(key, item)
        pipe.ltrim(key, -self.max_turns, -1)
        pipe.pexpire(key, int(self.ttl_s * 1000))
        pipe.zadd(self._ids, {conv.id: time.time()})
        pipe.execute()

    def close(self) -> None:
        self._redis.close()


def open_store(settings: Settings) -> ConversationStore:
    """The store NEWSRAG_CONVERSATION_STORE names: ``sqlite`` (default, in the data directory),
    ``memory``, or a ``redis://`` / ``rediss://`` / ``unix://`` URL."""
    where = settings.store.conversation_store
    limits = (
        settings.answer.conversation_turns,
        settings.answer.conversation_ttl_s,
        settings.answer.max_conversations,
    )
    if where == "memory":
        return MemoryStore(*limits)
    if where == "sqlite":
        return SqliteStore(settings.store.data_dir / FILE, *limits)
    return RedisStore(where, settings.store.collection, *limits)
