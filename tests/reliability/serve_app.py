"""Serves the API without the UI, as `newsrag serve` does, for the scenarios that need it in its own
process (RSS measured alone, Chroma stopped under it). Usage: serve_app.py PORT."""

from __future__ import annotations

import sys

import uvicorn

from api.app import create_app
from newsrag.settings import Settings

if __name__ == "__main__":
    uvicorn.run(
        create_app(Settings(), mount_ui=False),
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="warning",
        timeout_graceful_shutdown=5,
    )
