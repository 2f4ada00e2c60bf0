"""Two small ASGI middlewares: a request-body size limit, and a catch-all that never leaks a stack trace."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response, unexpected


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a body passes the limit.

    An HTTPException on purpose: FastAPI turns other exceptions raised while it reads a body into
    "400 error parsing the body", but re-raises HTTPExceptions, so api/errors.py formats this one.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit} bytes")


class BodySizeLimit:
    """Refuses bodies over ``max_bytes`` with 413: by Content-Length up front, else by counting the
    bytes as they arrive (chunked bodies have no Content-Length)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            exc = BodyTooLarge(self.max_bytes)
            await error_response(413, "payload_too_large", str(exc.detail))(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, counted, send)


class CatchAll:
    """The outermost safety net: any exception nothing else handled becomes a JSON 500, logged
    by type and place only. (Starlette's own handler for Exception re-raises after responding,
    so the server would log the full traceback, message included.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:
            response = unexpected(scope.get("method", ""), scope.get("path", ""), exc)
            if not started:
                await response(scope, receive, send)
            # else: a stream broke half-way; the client sees the connection end
