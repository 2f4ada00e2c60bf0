"""Builds the long-lived parts (model, store, BM25, engine) from one Settings object."""

from __future__ import annotations

from collections.abc import Callable

from index.embedder import DIM
from index.ingest import Ingestor, refresh_bm25
from index.store import Store
from newsrag.settings import Settings


def open_store(settings: Settings) -> Store:
    return Store(settings.store, DIM)


def open_ingestor(settings: Settings) -> tuple[Ingestor, Callable[[], None]]:
    """An ingestor and a function that brings the saved BM25 index up to date afterwards."""
    store = open_store(settings)
    ingestor = Ingestor(settings, store)

    def refresh() -> None:
        refresh_bm25(store, settings)

    return ingestor, refresh


def open_engine(settings: Settings):  # type: ignore[no-untyped-def]
    from index.engine import Engine

    return Engine.from_settings(settings)
