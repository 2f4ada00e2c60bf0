"""Mounts the chat UI at /ui in the API's FastAPI app, over the same engine."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from pathlib import Path

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from ask.engine import Engine
from newsrag.settings import Settings
from ui.callbacks import Callbacks
from ui.layout import build

HERE = Path(__file__).resolve().parent
PATH = "/ui"
# Concurrent questions per process: the engine is thread-safe, and the CPU (2 cores on small
# machines) is the limit, not the queue.
CONCURRENCY = 4


def theme() -> gr.themes.Base:
    # System fonts only: the default themes fetch Google Fonts, and newsrag runs offline.
    return gr.themes.Soft(
        primary_hue="indigo",
        neutral_hue="slate",
        font=["Inter", "ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
    )


def key_check(api_key: str) -> Callable[[str, str], bool]:
    """Gradio's login form, with the API key as the password (any user name).

    Why a login form and not the API's Bearer header: a browser cannot add a header to the page
    and its websocket/SSE calls, while Gradio's `auth` guards the page, its config, the queue and
    every event route with a session cookie set by that form. The key stays the one secret: who
    can call the API can use the UI, and nobody else.
    """

    def check(username: str, password: str) -> bool:
        return hmac.compare_digest(password.encode("utf-8"), api_key.encode("utf-8"))

    return check


def _redirect(target: str) -> Callable[[], Awaitable[RedirectResponse]]:
    async def redirect() -> RedirectResponse:
        return RedirectResponse(target)

    return redirect


def mount(app: FastAPI, get_engine: Callable[[], Engine | None], settings: Settings) -> FastAPI:
    """Mounts the UI at /ui; ``get_engine`` returns the engine the app's lifespan built."""
    blocks = build(Callbacks(get_engine, settings), settings)
    blocks.queue(default_concurrency_limit=CONCURRENCY)
    # Gradio's page asks for these at the site root (`<link rel="manifest" href="/manifest.json">`,
    # the browser's own /favicon.ico), not under /ui: without these routes every visit logs 404s.
    for name in ("manifest.json", "favicon.ico"):
        app.add_api_route(f"/{name}", _redirect(f"{PATH}/{name}"), include_in_schema=False)
    key = settings.api.api_key
    return gr.mount_gradio_app(
        app,
        blocks,
        path=PATH,
        auth=key_check(key) if key else None,
        auth_message="Sign in with any user name and the server's API key (NEWSRAG_API_KEY) as the password."
        if key
        else None,
        footer_links=[],
        ssr_mode=False,
        show_error=False,
        theme=theme(),
        css_paths=[HERE / "style.css"],
        mcp_server=False,
    )
