"""Runs the engine's synchronous event stream off the event loop, failing before the response starts."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from sse_starlette import ServerSentEvent
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from api.errors import error_body, log, status_of
from ask.engine import StreamEvent
from newsrag.errors import NewsragError


async def open_stream(
    start: Callable[..., Iterator[StreamEvent]], *args: Any, **kwargs: Any
) -> AsyncIterator[StreamEvent]:
    """Starts ``start(*args, **kwargs)`` and takes its first event in a worker thread.

    Validation (an empty or too-long question, an unreachable store) happens before the first event,
    so errors raised here still become a proper status code instead of a 200 stream.
    """

    def first() -> tuple[Iterator[StreamEvent], StreamEvent | None]:
        events = start(*args, **kwargs)
        return events, next(events, None)

    events, head = await run_in_threadpool(first)

    async def rest() -> AsyncIterator[StreamEvent]:
        try:
            if head is not None:
                yield head
            async for event in iterate_in_threadpool(events):
                yield event
        finally:
            # A client that hangs up stops the generator. Closed here, not in a thread: under
            # cancellation an await would not run. A generator still busy in its thread refuses
            # (ValueError) and ends when that step returns, with nothing left to consume it.
            close = getattr(events, "close", None)
            if close is not None:
                with contextlib.suppress(ValueError):
                    close()

    return rest()


def stream_error(exc: Exception) -> dict[str, Any]:
    """The body of an error that happens after a stream has started (the status is already 200)."""
    if isinstance(exc, NewsragError):
        _, code = status_of(exc)
        return error_body(code, str(exc))
    log.error("stream failed: %s", type(exc).__name__)
    return error_body("internal_error", "the answer stream failed")


def event(data: str, event: str | None = None) -> ServerSentEvent:
    """One Server-Sent Event, lines ended by LF as OpenAI's and most servers' (sse-starlette's default is CRLF)."""
    return ServerSentEvent(data, event=event, sep="\n")
