"""The app factory: `create_app(settings)` builds the FastAPI app; the engine loads in its lifespan."""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import RedirectResponse

import newsrag
from api import errors
from api.deps import ApiKey
from api.middleware import BodySizeLimit, CatchAll
from api.openai_compat import ConversationMap
from api.routes import chat, documents, health, ingest, openai
from ask.engine import Engine
from index.places import places
from newsrag.settings import Settings

DESCRIPTION = """Grounded conversational search over news articles, with exact citations.

Every route but `/health` (and these docs) needs `Authorization: Bearer <key>` when `NEWSRAG_API_KEY`
is set. Errors are JSON: `{"error": "<code>", "detail": "<message>"}`."""


def create_app(settings: Settings, engine: Engine | None = None, mount_ui: bool = True) -> FastAPI:
    """The API app. Without ``engine``, one is built from ``settings`` when the app starts (and
    closed when it stops): loading the model and warming the indexes takes seconds, so never at
    import or construction time. ``mount_ui`` mounts the Gradio UI at /ui when `ui.app` exists."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = app.state.engine is None
        if owned:
            app.state.engine = await anyio.to_thread.run_sync(Engine.from_settings, settings)
        # the place gazetteer (index/places.py) is read before the server says it is ready: read
        # on demand, the first "which city ...?" request waited for it (about 1.0 s against 0.02
        # s for the next, `newsrag serve` on 2 cores); read in a background thread after start, it
        # held the interpreter lock while the first requests came (8-client p99 +80 ms)
        await anyio.to_thread.run_sync(places)
        try:
            yield
        finally:
            if owned:
                app.state.engine.close()
                app.state.engine = None

    app = FastAPI(
        title="newsrag",
        version=newsrag.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.conversations = ConversationMap(settings.answer.max_conversations)

    errors.install(app)
    # Health stays open for monitors; /docs and /openapi.json too: they describe the API but hold
    # no data, and clients generate code from them.
    app.include_router(health.router)
    for router in (chat.router, openai.router, documents.router, ingest.router):
        app.include_router(router, dependencies=[ApiKey])

    with_ui = mount_ui and importlib.util.find_spec("ui.app") is not None
    if with_ui:
        # The UI reads the engine through this getter: it only exists once the lifespan has run.
        from ui.app import mount

        mount(app, lambda: app.state.engine, settings)

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        """The server's bare address leads somewhere: the chat UI, or the API docs without it."""
        return RedirectResponse("/ui/" if with_ui else "/docs")

    # Added last = outermost. CORS is closed (no middleware, no headers) unless origins are set.
    app.add_middleware(BodySizeLimit, max_bytes=settings.api.max_body_bytes)
    if settings.api.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api.cors_origins,
            allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(CatchAll)
    return app
