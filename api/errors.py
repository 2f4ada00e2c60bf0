"""Maps every error to a JSON body {"error", "detail"} and a status code, in this one place."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.schemas import ErrorResponse
from newsrag.errors import (
    ConversationNotFound,
    DocumentNotFound,
    IngestFailed,
    InvalidRequest,
    NewsragError,
    PayloadTooLarge,
    QuestionTooLong,
    StoreUnavailable,
    UnsupportedFileType,
)

log = logging.getLogger("newsrag.api")

# Most specific first: the first class an exception is an instance of decides.
STATUS: list[tuple[type[NewsragError], int, str]] = [
    (StoreUnavailable, 503, "store_unavailable"),
    (DocumentNotFound, 404, "document_not_found"),
    (ConversationNotFound, 404, "conversation_not_found"),
    (QuestionTooLong, 413, "question_too_long"),
    (PayloadTooLarge, 413, "payload_too_large"),
    (UnsupportedFileType, 415, "unsupported_file_type"),
    (InvalidRequest, 422, "invalid_request"),
    (IngestFailed, 503, "ingest_failed"),
    (NewsragError, 422, "invalid_request"),
]


def status_of(exc: NewsragError) -> tuple[int, str]:
    for cls, status, code in STATUS:
        if isinstance(exc, cls):
            return status, code
    return 422, "invalid_request"  # unreachable: NewsragError is last


def error_body(
    code: str, detail: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"error": code, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return body


def error_response(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, detail), status_code=status, headers=headers)


# Codes for the HTTP-level errors (routing, auth, body size); the rest use the status phrase.
_HTTP_CODES = {
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}


def _code_for(status: int) -> str:
    if status in _HTTP_CODES:
        return _HTTP_CODES[status]
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NewsragError)
    status, code = status_of(exc)
    if status >= 500:
        log.warning("%s %s: %s", request.method, request.url.path, type(exc).__name__)
    return error_response(status, code, str(exc) or code.replace("_", " "))


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return error_response(
        exc.status_code, _code_for(exc.status_code), detail, dict(exc.headers or {})
    )


def _clean_errors(errors: Any) -> list[dict[str, Any]]:
    """Validation errors without the offending input echoed back (it may be large or private)."""
    cleaned = []
    for e in errors:
        item = {
            "loc": list(e.get("loc", ())),
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        cleaned.append(item)
    return jsonable_encoder(cleaned)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _clean_errors(exc.errors())
    where = ", ".join(".".join(str(p) for p in e["loc"]) + f": {e['msg']}" for e in errors[:5])
    return JSONResponse(
        error_body(
            "validation_error", f"invalid request ({where})" if where else "invalid request", errors
        ),
        status_code=422,
    )


def unexpected(method: str, path: str, exc: BaseException) -> JSONResponse:
    """The 500 for an exception nothing else handled (api.middleware.CatchAll calls it)."""
    # The type and the innermost frame only: an exception's message can carry URLs, paths or keys.
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb is not None else "?"
    log.error("unhandled %s at %s on %s %s", type(exc).__name__, where, method, path)
    return error_response(500, "internal_error", "the server failed to handle this request")


def install(app: FastAPI) -> None:
    app.add_exception_handler(NewsragError, _domain)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)


CONVERSATION_404 = (
    "`conversation_id` is an id newsrag issued (`c-` and 12 hex digits) that is no longer stored: "
    "expired after NEWSRAG_ANSWER_CONVERSATION_TTL_S without use, or evicted. "
    "Ask without it to start a new conversation."
)


def responses(
    *statuses: int, notes: dict[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can return (``notes`` rewords some)."""
    descriptions = {
        400: "The body cannot be read (not UTF-8 JSON, or a malformed multipart form).",
        401: "Missing or wrong `Authorization: Bearer <key>` (when NEWSRAG_API_KEY is set).",
        404: "Unknown document.",
        413: "Body, upload or question over its documented limit.",
        415: "Unsupported file type (send .txt, .md, .jsonl or .html).",
        422: "Invalid request.",
        500: "Unexpected failure (never with a stack trace).",
        503: "The Chroma store is unreachable.",
    }
    descriptions.update(notes or {})
    return {s: {"model": ErrorResponse, "description": descriptions[s]} for s in statuses}


def sse_response(description: str, events: list[str] | None) -> dict[str, Any]:
    """The OpenAPI entry of a 200 that is JSON or, when streaming, Server-Sent Events."""
    event: dict[str, Any] = {
        "type": "object",
        "required": ["data"],
        "properties": {"data": {"type": "string"}},
    }
    if events:
        event["required"] = ["event", "data"]
        event["properties"]["event"] = {"type": "string", "enum": events}
    return {"description": description, "content": {"text/event-stream": {"itemSchema": event}}}
