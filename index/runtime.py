"""Builds the long-lived parts (model, store, BM25, engine) from one Settings object."""

from __future__ import annotations

from collections.abc import Callable

from index.embedder import DIM
from index.ingest import Ingestor, bm25_saved_is_current, refresh_bm25
from index.store import Store
from newsrag.settings import Settings


def open_store(settings: Settings) -> Store:
    return Store(settings.store, DIM)


def open_ingestor(settings: Settings) -> tuple[Ingestor, Callable[[], None]]:
    """An ingestor and a function that brings the saved BM25 index up to date afterwards."""
    store = open_store(settings)
    ingestor = Ingestor(settings, store)

    def refresh() -> None:
        infos = ingestor.last_infos if ingestor.last_infos is not None else store.article_infos()
        if not bm25_saved_is_current(settings, infos):
            refresh_bm25(store, settings, infos=infos)

    return ingestor, refresh


def open_engine(settings: Settings):  # type: ignore[no-untyped-def]
    from ask.engine import Engine

    return Engine.from_settings(settings)
