"""The evaluation cache: an index per evaluated corpus, kept between runs under the data dir.

Layout: ``<NEWSRAG_DATA_DIR>/eval-cache/<corpus key>/index`` (a full newsrag data dir, synced
incrementally, so a rerun on an unchanged corpus embeds nothing) and ``.../baseline`` (the llama-index
baseline's own Chroma). The key is a hash of the resolved corpus paths; the configured index's
baseline lives under ``eval-cache/configured``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus.loader import Article, Skipped
from newsrag.settings import Settings

IngestProgress = Callable[[int, int], None]


def cache_root(settings: Settings) -> Path:
    return settings.store.data_dir / "eval-cache"


def corpus_key(paths: Sequence[Path]) -> str:
    joined = "\n".join(sorted(str(p.resolve()) for p in paths))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def corpus_dir(settings: Settings, paths: Sequence[Path] | None) -> Path:
    """Where the cached index and baseline of ``paths`` live (``configured`` for the configured index)."""
    return cache_root(settings) / (corpus_key(paths) if paths else "configured")


def corpus_settings(settings: Settings, paths: Sequence[Path]) -> Settings:
    """Settings whose embedded store is the corpus's cached index (never the configured Chroma server)."""
    store = settings.store.model_copy(
        update={"data_dir": corpus_dir(settings, paths) / "index", "chroma_url": None}
    )
    return settings.model_copy(update={"store": store})


def articles_hash(articles: Sequence[Article]) -> str:
    """Changes when any article's id or text changes (what the baseline's chunks depend on)."""
    digest = hashlib.sha256()
    for article in sorted(articles, key=lambda a: a.id):
        digest.update(article.id.encode())
        digest.update(b"\0")
        digest.update(article.text.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:24]


@dataclass(slots=True)
class PreparedCorpus:
    settings: Settings  # points at the cached index
    articles: list[Article]
    skipped: list[Skipped]
    summary: str


def prepare_corpus(
    settings: Settings, paths: Sequence[Path], progress: IngestProgress | None = None
) -> PreparedCorpus:
    """Loads ``paths`` and syncs them into their cached index (incremental, removes what left)."""
    from corpus.loader import load_articles
    from index.runtime import open_ingestor

    loaded = load_articles(list(paths))
    local = corpus_settings(settings, paths)
    ingestor, refresh = open_ingestor(local)
    report = ingestor.sync(loaded.articles, skipped=loaded.skipped, progress=progress)
    refresh()
    return PreparedCorpus(local, loaded.articles, loaded.skipped, report.summary())


def stored_articles(settings: Settings) -> list[Article]:
    """Every committed article of the configured index, read back from its store."""
    from index.runtime import open_store

    store = open_store(settings)
    infos = store.article_infos()
    articles = []
    for article_id in sorted(infos):
        if infos[article_id].state != "ok":
            continue
        article = store.get_article(article_id)
        if article is not None:
            articles.append(article)
    return articles
