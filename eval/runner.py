"""Asks a question set through one configuration (in-process engine, HTTP server or baseline) and scores it.

Conversation items are asked turn by turn in one conversation: the first turn opens it, each later
turn passes the conversation id the previous reply returned. Latency is the wall time of each call
(``engine.ask`` in-process, the whole POST over HTTP).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from eval.metrics import PassageRef, Record, Reply, score
from eval.questions import Entry

Progress = Callable[[int], None]  # called with the number of items just finished


class Asker(Protocol):
    """One configuration under test."""

    name: str
    has_answers: bool  # False for a retrieval-only config (the llama-index baseline)

    def ask(self, question: str, conversation_id: str | None) -> Reply: ...


def reply_from_answer(data: dict[str, Any], latency_ms: float) -> Reply:
    """An Answer object (as JSON-able dict) reduced to what scoring needs."""
    citations = [
        PassageRef(
            str(c.get("article_id", "")),
            str(c.get("passage_id") or ""),
            str(c.get("passage") or ""),
        )
        for c in data.get("citations") or []
    ]
    ranked = sorted(data.get("retrieved") or [], key=lambda p: p.get("rank", 0))
    retrieved = [
        PassageRef(
            str(p.get("article_id", "")), str(p.get("passage_id") or ""), str(p.get("text") or "")
        )
        for p in ranked
    ]
    return Reply(
        answered=bool(data.get("answered")),
        answer=str(data.get("answer") or ""),
        citations=citations,
        retrieved=retrieved,
        latency_ms=latency_ms,
        conversation_id=data.get("conversation_id"),
        query=data.get("query"),
        warnings=[str(w) for w in data.get("warnings") or []],
    )


class EngineAsker:
    """The in-process engine in one retrieval mode (None: the configured one)."""

    has_answers = True

    def __init__(
        self, engine: Any, mode: str | None = None, top_k: int | None = None, name: str = ""
    ) -> None:
        self.engine = engine
        self.mode = mode
        self.top_k = top_k
        self.name = name or mode or "engine"

    def ask(self, question: str, conversation_id: str | None) -> Reply:
        t0 = time.perf_counter()
        answer = self.engine.ask(
            question,
            conversation_id=conversation_id,
            top_k=self.top_k,
            include_retrieved=True,
            mode=self.mode,
        )
        latency = (time.perf_counter() - t0) * 1000
        return reply_from_answer(answer.model_dump(mode="json"), latency)


class HttpAsker:
    """A running newsrag server: POST {url}/v1/chat, so the deployed path is what gets scored."""

    has_answers = True

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        top_k: int | None = None,
        timeout_s: float = 120.0,
        client: Any = None,
    ) -> None:
        import httpx

        self.name = "server"
        self.url = url.rstrip("/") + "/v1/chat"
        self.top_k = top_k
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = client or httpx.Client(timeout=timeout_s, headers=headers)

    def ask(self, question: str, conversation_id: str | None) -> Reply:
        body: dict[str, Any] = {"question": question, "include_retrieved": True}
        if conversation_id:
            body["conversation_id"] = conversation_id
        if self.top_k:
            body["top_k"] = self.top_k
        t0 = time.perf_counter()
        response = self.client.post(self.url, json=body)
        latency = (time.perf_counter() - t0) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:300]}")
        return reply_from_answer(response.json(), latency)

    def close(self) -> None:
        self.client.close()


def _ask(asker: Asker, question: str, conversation_id: str | None) -> Reply:
    """One call; a failure becomes a scored error record instead of ending the run."""
    t0 = time.perf_counter()
    try:
        return asker.ask(question, conversation_id)
    except Exception as exc:  # any failure of the system under test is a result, not a crash
        return Reply(
            answered=False if asker.has_answers else None,
            latency_ms=(time.perf_counter() - t0) * 1000,
            conversation_id=conversation_id,
            error=f"{type(exc).__name__}: {exc}"[:500],
        )


def run(entries: Sequence[Entry], asker: Asker, progress: Progress | None = None) -> list[Record]:
    """Every item of ``entries`` asked through ``asker`` and scored, in file order."""
    records: list[Record] = []
    for entry in entries:
        conversation_id: str | None = None
        for item in entry.items:
            reply = _ask(asker, item.question, conversation_id)
            if item.conversation is not None:
                conversation_id = reply.conversation_id or conversation_id
            records.append(score(item, reply))
            if progress:
                progress(1)
    return records
