"""POST /v1/chat (an Answer, or Server-Sent Events) and POST /v1/search (ranked passages)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from api.deps import EngineDep
from api.errors import CONVERSATION_404, responses, sse_response
from api.schemas import ChatRequest, SearchHit, SearchRequest, SearchResponse, engine_filters
from api.streaming import event as _event
from api.streaming import open_stream, stream_error
from ask.engine import StreamEvent
from index.models import Answer, Citation

router = APIRouter(prefix="/v1", tags=["chat"])

_SSE_DOC = (
    'With `stream: true`: `event: delta` (data `{"text": "…"}`) for each piece of the answer, '
    'one `event: citations` (data `{"citations": [Citation, …]}`), then `event: done` whose data '
    "is the complete Answer. An error after the stream started arrives as `event: error` "
    '(data `{"error", "detail"}`).'
)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def _sse(events: AsyncIterator[StreamEvent]) -> AsyncIterator[ServerSentEvent]:
    try:
        async for event in events:
            if event.kind == "delta":
                yield _event(_json({"text": event.data}), event="delta")
            elif event.kind == "citations":
                cites: list[Citation] = event.data  # type: ignore[assignment]
                yield _event(
                    _json({"citations": [c.model_dump(mode="json") for c in cites]}),
                    event="citations",
                )
            elif event.kind == "done":
                answer: Answer = event.data  # type: ignore[assignment]
                yield _event(answer.model_dump_json(), event="done")
    except Exception as exc:
        yield _event(_json(stream_error(exc)), event="error")


@router.post(
    "/chat",
    response_model=Answer,
    responses={
        200: sse_response(
            "The Answer; or, with `stream: true`, " + _SSE_DOC,
            ["delta", "citations", "done", "error"],
        ),
        **responses(400, 401, 404, 413, 422, 503, notes={404: CONVERSATION_404}),
    },
)
async def chat(body: ChatRequest, engine: EngineDep) -> Any:
    """Answers a question from the indexed articles, with numbered citations."""
    args: dict[str, Any] = {
        "conversation_id": body.conversation_id,
        "top_k": body.top_k,
        "filters": engine_filters(body.filters),
        "include_retrieved": body.include_retrieved,
    }
    if body.stream:
        events = await open_stream(engine.stream, body.question, **args)
        return EventSourceResponse(_sse(events), sep="\n")
    return await run_in_threadpool(engine.ask, body.question, **args)


@router.post("/search", response_model=SearchResponse, responses=responses(400, 401, 413, 422, 503))
async def search(body: SearchRequest, engine: EngineDep) -> SearchResponse:
    """Ranked passages for a query, with scores, offsets and article metadata; no answer."""
    hits = await run_in_threadpool(
        engine.search, body.query, body.top_k, engine_filters(body.filters)
    )
    return SearchResponse(
        query=body.query, passages=[SearchHit.model_validate(h.model_dump()) for h in hits]
    )
