"""Keeps the index in step with a set of articles: adds, updates and removes, skipping what is unchanged.

Idempotent by content hash (as simonw/llm's ``Collection.embed()`` skips unchanged content): an article
whose committed hash matches costs one dictionary look-up; anything else is re-split, re-embedded
and replaced. See index/store.py for why a crash at any point leaves nothing duplicated or orphaned.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from corpus.loader import Article, Skipped
from index.bm25 import BM25Index
from index.embedder import MODEL_NAME, Embedder
from index.passages import HEADER_VERSION, Passage, split_article, title_header
from index.store import COMMITTED, ArticleInfo, Store, fingerprint
from index.text import terms
from newsrag.errors import IngestFailed, NewsragError
from newsrag.settings import Settings

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (articles done, articles to process)


@dataclass(slots=True)
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    articles: int = 0  # in the index afterwards
    chunks: int = 0  # passages in the index afterwards
    passages_written: int = 0
    tokens_embedded: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    generation: int | None = None  # the index generation this sync published (None: no change)

    def summary(self) -> str:
        """The contract's one summary line."""
        return (
            f"articles: {self.articles} (added {len(self.added)}, updated {len(self.updated)}, "
            f"removed {len(self.removed)}, unchanged {self.unchanged}, skipped {len(self.skipped)}) "
            f"chunks: {self.chunks}"
        )


def bm25_folder(settings: Settings):  # type: ignore[no-untyped-def]
    return settings.store.data_dir / "bm25" / settings.store.collection


def refresh_bm25(
    store: Store,
    settings: Settings,
    current: BM25Index | None = None,
    infos: dict[str, ArticleInfo] | None = None,
) -> BM25Index:
    """The BM25 index matching the store: the given or saved one if current, else rebuilt and saved."""
    if infos is None:
        infos = store.article_infos()
    wanted = fingerprint(infos)
    if current is not None and current.fingerprint == wanted:
        return current
    folder = bm25_folder(settings)
    saved = BM25Index.load(folder)
    if saved is not None and saved.fingerprint == wanted:
        if BM25Index.saved_fingerprint(folder) is None:  # saved before the file existed
            with contextlib.suppress(OSError):
                (folder / "fingerprint").write_text(wanted)
        saved.spelling = settings.retrieval.spelling
        return saved
    on = settings.passages.title_header
    titles = {
        article_id: title_header(info.title) if on else "" for article_id, info in infos.items()
    }
    index = BM25Index(spelling=settings.retrieval.spelling)
    index.build(store.iter_passage_texts(), wanted, titles)
    try:
        index.save(folder)
    # e.g. a full disk: the copy in memory serves, and the next start rebuilds it
    except OSError as exc:
        log.warning("could not save the BM25 index: %s", exc.strerror or type(exc).__name__)
    return index


def write_error_reason(exc: BaseException | None) -> str:
    """Why a write failed, in words safe to show a user (no paths, URLs or tracebacks)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return f"the store refused the write: {type(exc).__name__}"


def bm25_saved_is_current(settings: Settings, infos: dict[str, ArticleInfo]) -> bool:
    """Whether the saved BM25 index matches these articles, read without loading the index."""
    return BM25Index.saved_fingerprint(bm25_folder(settings)) == fingerprint(infos)


class Ingestor:
    """Splits, embeds and writes articles; one instance serves the CLI, the API and eval."""

    def __init__(self, settings: Settings, store: Store, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.store = store
        self._embedder = embedder
        # the article table after the last sync
        self.last_infos: dict[str, ArticleInfo] | None = None

    @property
    def built_by(self) -> str:
        """What makes an article's passages: changing any of it re-embeds the article."""
        e, p = self.settings.embedding, self.settings.passages
        model = str(e.model_path) if e.model_path else MODEL_NAME
        header = HEADER_VERSION if p.title_header else "no-header"  # BM25 text, title vector
        return f"{model}|{e.backend}|{p.max_tokens}|{p.overlap_sentences}|{header}"

    @property
    def embedder(self) -> Embedder:
        """The model, loaded on first use: a sync with nothing to embed never loads it."""
        if self._embedder is None:
            self._embedder = Embedder(self.settings.embedding)
        return self._embedder

    def split(self, article: Article) -> list[Passage]:
        return split_article(
            article,
            self.embedder.count_tokens,
            max_tokens=self.settings.passages.max_tokens,
            overlap=self.settings.passages.overlap_sentences,
        )

    def sync(
        self,
        articles: Sequence[Article],
        *,
        remove_missing: bool = True,
        skipped: Sequence[Skipped] = (),
        progress: Progress | None = None,
        before_remove: Callable[[list[str]], None] | None = None,
    ) -> SyncReport:
        """Adds and updates ``articles``; with ``remove_missing`` also removes every other article
        (``before_remove`` hears which first). Publishes a new index generation when anything
        changed, so serving processes refresh (ask/engine.py)."""
        started = time.perf_counter()
        report = SyncReport(skipped=list(skipped))
        infos = self.store.article_infos()
        todo: list[Article] = []
        for article in articles:
            info = infos.get(article.id)
            if (
                info is not None
                and info.state == COMMITTED
                and info.content_hash == article.content_hash
                and info.built_by == self.built_by
            ):
                report.unchanged += 1
                continue
            (
                report.updated if info is not None and info.state == COMMITTED else report.added
            ).append(article.id)
            todo.append(article)
        if remove_missing:
            wanted = {a.id for a in articles}
            report.removed = sorted(i for i in infos if i not in wanted)
            if report.removed:
                if before_remove:
                    before_remove(report.removed)
                self.store.remove_articles(report.removed)
        if progress:
            progress(0, len(todo))
        done = 0
        group: list[tuple[Article, list[Passage]]] = []
        size = 0
        for article in todo:
            passages = self.split(article)
            group.append((article, passages))
            size += len(passages)
            if size >= self.settings.passages.group_passages:
                self._write_or_fail(group, report)
                done += len(group)
                if progress:
                    progress(done, len(todo))
                group, size = [], 0
        if group:
            self._write_or_fail(group, report)
            done += len(group)
            if progress:
                progress(done, len(todo))
        # nothing written: the table read at the start is still the store's
        final = self.store.article_infos() if todo or report.removed else infos
        self.last_infos = final
        if todo or report.removed:
            report.generation = self.store.publish_generation(fingerprint(final)).number
        report.articles = len(final)
        report.chunks = self.store.passage_count()
        report.seconds = time.perf_counter() - started
        return report

    def _write_or_fail(
        self, group: list[tuple[Article, list[Passage]]], report: SyncReport
    ) -> None:
        try:
            self._write(group, report)
        except NewsragError:
            raise
        except Exception as exc:  # a full disk, a read-only store, a corrupt database file
            log.warning("ingest write failed: %s", write_error_reason(exc))
            raise IngestFailed(
                f"writing the index failed ({write_error_reason(exc)}); articles written so far "
                "are kept and the next ingest finishes the rest"
            ) from exc

    def _write(self, group: list[tuple[Article, list[Passage]]], report: SyncReport) -> None:
        articles = [a for a, _ in group]
        passages = [p for _, ps in group for p in ps]
        t0 = time.perf_counter()
        embedded = self.embedder.embed_passages(
            [p.text for p in passages],
            [[(s.start - p.start, s.end - p.start) for s in p.sentences] for p in passages],
        )
        # each title embedded on its own (a few word pieces an article): the ranker's title_dense.
        # Not as a header of every passage: that moved the sentence and passage vectors the answer
        # step reads (seed answer accuracy 0.913 -> 0.841; docs/benchmarks.md)
        title_vectors = self.embedder.embed_texts([" ".join(a.title.split()) for a in articles])
        report.embed_seconds += time.perf_counter() - t0
        report.tokens_embedded += embedded.tokens
        self.store.mark_pending(articles)
        self.store.delete_passages_of([a.id for a in articles])
        self.store.add_passages(
            passages,
            embedded.passages,
            embedded.sentences,
            [
                [" ".join(terms(p.text[s.start - p.start : s.end - p.start])) for s in p.sentences]
                for p in passages
            ],
            sources={a.id: a.source for a in articles},
            dates={a.id: a.published for a in articles},
        )
        self.store.commit(
            articles,
            {a.id: len(ps) for a, ps in group},
            self.built_by,
            {a.id: title_vectors[k] for k, a in enumerate(articles)},
        )
        report.passages_written += len(passages)
