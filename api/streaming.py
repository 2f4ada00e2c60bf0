"""Runs the engine's synchronous event stream off the event loop, failing before the response starts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from api.errors import error_body, log, status_of
from index.engine import StreamEvent
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
            close = getattr(events, "close", None)
            if close is not None:  # a client that hangs up stops the generator
                await run_in_threadpool(close)

    return rest()


def stream_error(exc: Exception) -> dict[str, Any]:
    """The body of an error that happens after a stream has started (the status is already 200)."""
    if isinstance(exc, NewsragError):
        _, code = status_of(exc)
        return error_body(code, str(exc))
    log.error("stream failed: %s", type(exc).__name__)
    return error_body("internal_error", "the answer stream failed")
