"""OpenAI-compatible POST /v1/chat/completions and GET /v1/models (see api/openai_compat.py)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from api.deps import ConversationsDep, EngineDep
from api.errors import CONVERSATION_404, responses, sse_response
from api.openai_compat import (
    MODEL,
    ChunkWriter,
    ConversationMap,
    completion,
    completion_id,
    model_card,
    question_of,
)
from api.schemas import (
    ChatCompletion,
    ChatCompletionRequest,
    ChatMessage,
    ModelCard,
    ModelList,
    engine_filters,
)
from api.streaming import event as _event
from api.streaming import open_stream, stream_error
from ask.engine import StreamEvent
from index.models import Answer
from newsrag.errors import ConversationNotFound

router = APIRouter(prefix="/v1", tags=["openai"])

_STREAM_DOC = (
    "With `stream: true`, `data: {chat.completion.chunk}` lines as OpenAI sends them, ending with "
    '`data: [DONE]`; the chunk with `finish_reason: "stop"` also carries `citations` and '
    "`conversation_id`."
)


async def _chunks(
    events: AsyncIterator[StreamEvent],
    writer: ChunkWriter,
    messages: list[ChatMessage],
    conversations: ConversationMap,
) -> AsyncIterator[ServerSentEvent]:
    yield _event(writer.role())
    try:
        async for event in events:
            if event.kind == "delta":
                yield _event(writer.delta(str(event.data)))
            elif event.kind == "done":
                answer: Answer = event.data  # type: ignore[assignment]
                conversations.remember(messages, answer.conversation_id)
                for chunk in writer.final(answer):
                    yield _event(chunk)
    except Exception as exc:
        body = stream_error(exc)
        # OpenAI's own mid-stream error shape, which its client raises as an APIError
        yield _event(json.dumps({"error": {"message": body["detail"], "type": body["error"]}}))
    yield _event("[DONE]")


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={
        200: sse_response("A chat.completion; or, with `stream: true`, " + _STREAM_DOC, None),
        **responses(400, 401, 404, 413, 422, 503, notes={404: CONVERSATION_404}),
    },
)
async def chat_completions(
    body: ChatCompletionRequest, engine: EngineDep, conversations: ConversationsDep
) -> Any:
    """OpenAI's chat completion: the answer keeps its [n] markers; `citations` carries the sources."""
    question = question_of(body.messages)
    # the conversation that answered the resent history, when this process remembers one
    found = None if body.conversation_id else conversations.find(body.messages)
    args: dict[str, Any] = {
        "conversation_id": body.conversation_id or found,
        "top_k": body.top_k,
        "filters": engine_filters(body.filters),
    }
    if body.stream:
        try:
            events = await open_stream(engine.stream, question, **args)
        except ConversationNotFound:
            if found is None:
                raise
            # expired since: the client resent its whole history, so a new one is no surprise
            events = await open_stream(engine.stream, question, **{**args, "conversation_id": None})
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        writer = ChunkWriter(body.messages, include_usage)
        return EventSourceResponse(_chunks(events, writer, body.messages, conversations), sep="\n")
    try:
        answer = await run_in_threadpool(engine.ask, question, **args)
    except ConversationNotFound:
        if found is None:
            raise
        answer = await run_in_threadpool(engine.ask, question, **{**args, "conversation_id": None})
    conversations.remember(body.messages, answer.conversation_id)
    return completion(answer, body.messages, completion_id(), int(time.time()))


@router.get("/models", response_model=ModelList, responses=responses(401))
async def list_models() -> ModelList:
    """The one model this server answers as: `newsrag`."""
    return ModelList(data=[model_card()])


@router.get("/models/{model}", response_model=ModelCard, responses=responses(401, 404, 422))
async def get_model(
    model: Annotated[str, Path(description="Model id; only `newsrag` exists.")],
) -> ModelCard:
    if model != MODEL:
        raise HTTPException(404, f"no model {model!r}; this server serves {MODEL!r}")
    return model_card()
