"""The engine: where a question becomes a cited answer. One instance serves the CLI, API, UI and eval.

ask(): validate → resolve a follow-up into a standalone query → hybrid search → compose a grounded
answer from the articles' sentences (or, with NEWSRAG_LLM_URL set, let the language model write it and
validate every [n] it cites) → remember the turn. stream() runs the same preparation and yields the
answer text in pieces, then the citations, then the complete Answer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ask.answer import Composition, compose, question_terms
from ask.chatter import tidy
from ask.focus import is_follow_up, resolve, starts_topic
from ask.history import ConversationStore, Turn, open_store
from ask.reader import shipped_reader
from ask.search import Hit, Searcher
from ask.selector import shipped_selector
from corpus.loader import Article, LoadResult, parse_bytes
from index.bm25 import BM25Index, Filters
from index.embedder import Embedder
from index.ingest import Ingestor, SyncReport, refresh_bm25, write_error_reason
from index.lexicon import Lexicon
from index.models import Answer, Citation, RetrievedPassage
from index.store import COMMITTED, ArticleInfo, Generation, Store, fingerprint
from index.text import word_terms
from newsrag.errors import (
    DocumentNotFound,
    IngestFailed,
    InvalidRequest,
    QuestionTooLong,
    StoreUnavailable,
    UnsupportedFileType,
)
from newsrag.settings import Settings

log = logging.getLogger(__name__)
# Passages retrieved when the caller wants the ranked list (evaluation scores hit@10 on it).
RETRIEVED_LIST = 10


@dataclass(frozen=True, slots=True)
class StreamEvent:
    kind: Literal["delta", "citations", "done"]
    data: object


@dataclass(slots=True)
class _Prepared:
    question: str
    query: str
    conversation_id: str
    hits: list[Hit]
    retrieved: list[Hit]
    composition: Composition
    retrieve_ms: float
    answer_ms: float
    started: float
    warnings: list[str]
    context: tuple[str, ...] = ()  # passages of the last answer the follow-up was read with


class Engine:
    """Answers questions over the indexed articles, keeps conversations, and edits the index."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        embedder: Embedder,
        searcher: Searcher | None,
        generator: object | None = None,
        lexicon: Lexicon | None = None,
        generation: Generation | None = None,
        conversations: ConversationStore | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self._searcher = searcher  # None until the store has been reached (see .searcher)
        self._searcher_lock = threading.Lock()
        self.generator = generator
        self.lexicon = lexicon
        # the learned answer selector (ask/selector.py), unless switched off
        self.selector = shipped_selector(settings.answer)
        # the sentence reader (ask/reader.py), when switched on
        self.reader = shipped_reader(settings.answer, embedder.model_path)
        # in the data directory by default, so a conversation outlives the process (ask/history.py)
        self.conversations = conversations or open_store(settings)
        self.ingestor = Ingestor(settings, store, embedder)
        self._write_lock = threading.Lock()
        self._texts: dict[str, str] = {}
        # the index generation the warm indexes were loaded at (read before them: a write that
        # lands in between makes the next check refresh once more, never miss it)
        self.generation = generation
        self._checked_at = time.monotonic()
        self._refresh_lock = threading.Lock()  # one check or refresh at a time
        self.last_refresh_ms: float | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Engine:
        """Loads the model, opens the store and warms the BM25 index (from disk when current)."""
        from index.embedder import DIM

        store = Store(settings.store, DIM)
        embedder = Embedder(settings.embedding)
        searcher: Searcher | None = None
        generation: Generation | None = None
        try:
            generation = store.generation()
            searcher = Searcher(settings.retrieval, store, embedder, *_indexes(store, settings))
        except StoreUnavailable as exc:
            # Start degraded rather than not at all: requests get 503 and /health says so until
            # the Chroma server answers; then the first request warms the indexes (.searcher).
            log.warning("starting without the store: %s", exc)
        generator = None
        if settings.llm.url:
            from ask.llm import Generator

            generator = Generator(settings.llm)
        lexicon = None
        if settings.answer.word_similarity:
            from index.lexicon import load_lexicon
            from index.onnx import cache_dir

            lexicon = load_lexicon(embedder.model_path, cache_dir(embedder.model_path))
        return cls(settings, store, embedder, searcher, generator, lexicon, generation)

    @property
    def searcher(self) -> Searcher:
        """The warm indexes; built on first use when the store was unreachable at startup."""
        if self._searcher is None:
            with self._searcher_lock:
                if self._searcher is None:
                    self.generation = self.store.generation()  # StoreUnavailable while down
                    indexes = _indexes(self.store, self.settings)
                    self._searcher = Searcher(
                        self.settings.retrieval, self.store, self.embedder, *indexes
                    )
        return self._searcher

    # ---- index generation -------------------------------------------------------------------
    def maybe_refresh(self) -> None:
        """Notices an index written by another process (a newer generation in the store), at most
        once per ``refresh_check_s``, and refreshes in the background: until the new BM25 index
        and article table are swapped in, the last complete view keeps serving."""
        if self._searcher is None:
            return
        now = time.monotonic()
        if now - self._checked_at < self.settings.store.refresh_check_s:
            return
        if not self._refresh_lock.acquire(blocking=False):
            return  # another request is checking, or a refresh is running
        self._checked_at = now
        try:
            stale = self.store.generation() != self.generation
        except StoreUnavailable:
            stale = False
        if not stale:
            self._refresh_lock.release()
            return
        threading.Thread(target=self._refresh_in_background, name="newsrag-refresh").start()

    def _refresh_in_background(self) -> None:
        try:
            self.refresh()
        except Exception as exc:  # the store went away mid-refresh: the next check retries
            log.warning("index refresh failed: %s", write_error_reason(exc))
        finally:
            self._refresh_lock.release()

    def refresh(self) -> Generation:
        """Loads the index as the store holds it now: article table, BM25 (the saved copy when its
        fingerprint matches, else rebuilt from the passages), fresh collection handles."""
        started = time.perf_counter()
        with self._write_lock:
            self.store.reopen()  # a reset elsewhere replaced the collections
            stamp = self.store.generation()
            bm25 = self._searcher.bm25 if self._searcher is not None else None
            self.searcher.replace(*_indexes(self.store, self.settings, bm25))
            self._texts.clear()
            self.generation = stamp
        self.last_refresh_ms = round((time.perf_counter() - started) * 1000, 1)
        log.warning(
            "serving index generation %d (refreshed in %.0f ms)", stamp.number, self.last_refresh_ms
        )
        return stamp

    # ---- questions ------------------------------------------------------------------------
    def _check(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise InvalidRequest("the question is empty")
        limit = self.settings.answer.max_question_chars
        if len(question) > limit:
            raise QuestionTooLong(
                f"the question is {len(question)} characters; the limit is {limit}"
            )
        return " ".join(question.split())

    def _article_text(self, article_id: str) -> str:
        text = self._texts.get(article_id)
        if text is None:
            article = self.store.get_article(article_id)
            text = article.text if article else ""
            if len(self._texts) > 256:
                self._texts.clear()
            self._texts[article_id] = text
        return text

    def _passages_about(self, text: str) -> list[str]:
        """Passages BM25 ranks first for a few words (follow-ups look up "the other telescope")."""
        hits, _ = self.searcher.search(text, 5, None, "bm25")
        return [h.passage.text for h in hits]

    def _prepare(
        self,
        question: str,
        conversation_id: str | None,
        top_k: int | None,
        filters: Filters | None,
        include_retrieved: bool,
        mode: str | None,
    ) -> tuple[_Prepared, object]:
        started = time.perf_counter()
        question = self._check(question)
        self.maybe_refresh()
        top_k = top_k or self.settings.retrieval.top_k
        conv = self.conversations.get(conversation_id)  # ConversationNotFound: expired, evicted
        with conv.lock:
            history = self.conversations.history(conv)
        warnings: list[str] = []
        if conv.created and conversation_id and is_follow_up(question):
            warnings.append(
                f"conversation {conversation_id!r} has no earlier turns (new, or expired); "
                "the question was searched as it stands"
            )
        # small talk off ("hey, can you tell me ...": ask/chatter.py), misspellings mended and names
        # typed in lower case written as the articles write them ("ska" -> "SKA": index/casing.py),
        # so that the answer step and the follow-up resolution see the question as it is meant
        cased = self.searcher.bm25.casing.restore(
            tidy(question), self.settings.retrieval.spelling, self.embedder.tokenizer.is_word
        )
        resolution = resolve(cased, history, self._passages_about)
        query = resolution.query
        standalone = not resolution.uncertain
        if self.generator is not None and history and resolution.follow_up:
            condensed = self.generator.condense(  # type: ignore[attr-defined]
                [(t.question, t.answer) for t in history], question
            )
            if condensed:
                query, standalone = condensed, True
            else:
                warnings.append(
                    "the language model could not rewrite the follow-up; the rules' reading was used"
                )
        t0 = time.perf_counter()
        n = max(top_k, RETRIEVED_LIST) if include_retrieved else top_k
        vector = None
        mixed = False  # the question's vector pulled toward the last answer's passages
        # what the conversation's last answer cited: a declined turn cited nothing it stands by
        # ("who backed it?" declined, then "what nickname does it have?" is still about the SKA)
        earlier = history[-1].passages if history else ()
        if (
            len(history) >= 2
            and not history[-1].answered
            and history[-2].answered
            and not starts_topic(history[-1].question)
        ):
            earlier = history[-2].passages
        reads_earlier = resolution.follow_up and not resolution.fresh and bool(earlier)
        mix = self.settings.answer.follow_up_vector_mix
        if reads_earlier and not standalone and mix > 0:
            # a pronoun, "what about X?", an ellipsis, searched as typed (ask/focus.py): search
            # with the question's vector pulled toward the passages the last answer cited
            # (docs/benchmarks.md, sessions 4 and 8)
            vector = self.embedder.embed_query(query)
            view = self.searcher.articles  # passages of articles this process serves
            cited = [
                p.vector
                for p in self.store.get_passages(earlier)
                if p.vector is not None and p.article_id in view
            ]
            if cited:
                vector = vector + mix * np.mean(cited, axis=0)
                vector = vector / np.linalg.norm(vector)
                mixed = True
        retrieved, reading, qvec = self.searcher.search_with_pool(
            query,
            n,
            filters,
            mode,
            vector=vector,
            dense_extra=self.settings.retrieval.answer_dense_extra,
            words_extra=self.settings.retrieval.answer_bm25_extra,
            answer_k=top_k,
            listing=include_retrieved,
        )
        hits = reading[:top_k]  # the best passages as fused (the list shown may be reordered)
        # what the follow-up was read with (Answer.context): searched toward, or read beside
        follows = reads_earlier and (mixed or self.settings.answer.follow_up_passages)
        context = tuple(earlier) if follows else ()
        if self.settings.answer.follow_up_passages and reads_earlier:
            # a follow-up is most often about what the last answer quoted ("who chairs the forum?"
            # after an answer about the Tengchong forum): its passages are read too, beside the
            # search's own (docs/benchmarks.md, session 4)
            seen = {h.passage.id for h in reading}
            unread = [p for p in earlier if p not in seen]
            reading = reading + self.searcher.hits_for(unread, qvec, len(reading) + 1)
        t1 = time.perf_counter()
        bm25 = self.searcher.bm25
        idf, absent = question_terms(
            query, bm25, self.lexicon, word_terms(query, self.embedder.tokenizer.is_word)
        )
        # the answer reads the top passages and the best dense ones fusion ranked lower
        composition = compose(
            query,
            qvec,
            reading,
            idf,
            self.settings.answer,
            self._article_text,
            absent,
            self.lexicon,
            self.selector,
            self.reader,
            resolution.person if query == resolution.query else None,
            resolution.thing if query == resolution.query else None,
        )
        t2 = time.perf_counter()
        prepared = _Prepared(
            question=question,
            query=query,
            conversation_id=conv.id,
            hits=hits,
            retrieved=retrieved if include_retrieved else [],
            composition=composition,
            retrieve_ms=(t1 - t0) * 1000,
            answer_ms=(t2 - t1) * 1000,
            started=started,
            warnings=warnings,
            context=context,
        )
        return prepared, conv

    def _finish(
        self,
        prepared: _Prepared,
        conv: object,
        text: str,
        answered: bool,
        citations: list[Citation],
        warnings: list[str],
        include_retrieved: bool,
    ) -> Answer:
        total = (time.perf_counter() - prepared.started) * 1000
        answer = Answer(
            answer=text,
            answered=answered,
            citations=citations,
            conversation_id=prepared.conversation_id,
            query=prepared.query,
            timings_ms={
                "retrieve": round(prepared.retrieve_ms, 2),
                "answer": round(prepared.answer_ms, 2),
                "total": round(total, 2),
            },
            warnings=warnings,
            retrieved=[_retrieved(h) for h in prepared.retrieved] if include_retrieved else None,
            context=list(prepared.context),
        )
        with conv.lock:  # type: ignore[attr-defined]
            self.conversations.append(
                conv,  # type: ignore[arg-type]
                Turn(
                    prepared.question,
                    prepared.query,
                    text,
                    answered,
                    tuple(dict.fromkeys(c.passage_id for c in citations)) if answered else (),
                ),
            )
        return answer

    def ask(
        self,
        question: str,
        conversation_id: str | None = None,
        top_k: int | None = None,
        filters: Filters | None = None,
        include_retrieved: bool = False,
        mode: str | None = None,
    ) -> Answer:
        """One answer to ``question`` (a follow-up when ``conversation_id`` names a conversation)."""
        prepared, conv = self._prepare(
            question, conversation_id, top_k, filters, include_retrieved, mode
        )
        comp = prepared.composition
        text, answered, citations, warnings = (
            comp.text,
            comp.answered,
            comp.citations,
            prepared.warnings,
        )
        if self.generator is not None and comp.answered:
            t0 = time.perf_counter()
            generated = self.generator.answer(prepared.query, prepared.hits)  # type: ignore[attr-defined]
            prepared.answer_ms += (time.perf_counter() - t0) * 1000
            text, answered, citations = _take(generated, comp, warnings, streamed=False)
        return self._finish(prepared, conv, text, answered, citations, warnings, include_retrieved)

    def stream(
        self,
        question: str,
        conversation_id: str | None = None,
        top_k: int | None = None,
        filters: Filters | None = None,
        include_retrieved: bool = False,
        mode: str | None = None,
    ) -> Iterator[StreamEvent]:
        """The answer text in pieces, then the citations, then the complete Answer."""
        prepared, conv = self._prepare(
            question, conversation_id, top_k, filters, include_retrieved, mode
        )
        comp = prepared.composition
        text, answered, citations, warnings = (
            comp.text,
            comp.answered,
            comp.citations,
            prepared.warnings,
        )
        if self.generator is not None and comp.answered:
            parts: list[str] = []
            stream = self.generator.stream(prepared.query, prepared.hits)  # type: ignore[attr-defined]
            for piece in stream:
                parts.append(piece)
                yield StreamEvent("delta", piece)
            text, answered, citations = _take(stream.result, comp, warnings, streamed=bool(parts))
        else:
            for piece in _pieces(text):
                yield StreamEvent("delta", piece)
        yield StreamEvent("citations", citations)
        yield StreamEvent(
            "done",
            self._finish(prepared, conv, text, answered, citations, warnings, include_retrieved),
        )

    def search(
        self,
        query: str,
        top_k: int | None = None,
        filters: Filters | None = None,
        mode: str | None = None,
    ) -> list[RetrievedPassage]:
        """Ranked passages for ``query`` (no answer)."""
        query = self._check(query)
        self.maybe_refresh()
        hits, _ = self.searcher.search(query, top_k, filters, mode)
        return [_retrieved(h) for h in hits]

    # ---- documents ------------------------------------------------------------------------
    def list_documents(self) -> list[ArticleInfo]:
        return sorted(self.store.article_infos().values(), key=lambda a: a.id)

    def get_document(self, article_id: str) -> Article:
        article = self.store.get_article(article_id)
        if article is None:
            raise DocumentNotFound(f"no article with id {article_id!r}")
        return article

    def add_document(self, filename: str, data: bytes) -> SyncReport:
        """Parses one uploaded file (.txt/.md/.html/.jsonl) and indexes it incrementally."""
        from corpus.loader import SUFFIXES

        suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if suffix not in SUFFIXES:
            raise UnsupportedFileType(
                f"unsupported file type {suffix or '(none)'}; send one of {', '.join(SUFFIXES)}"
            )
        loaded = LoadResult()
        parse_bytes(filename, data, loaded)
        if not loaded.articles:
            reasons = (
                "; ".join(f"{s.where}: {s.reason}" for s in loaded.skipped) or "no article found"
            )
            raise InvalidRequest(f"nothing to index ({reasons})")
        return self.add_articles(loaded.articles, loaded)

    def add_articles(self, articles: list[Article], loaded: LoadResult | None = None) -> SyncReport:
        """Indexes ``articles`` all or nothing: after a failed write the previous index is served."""
        with self._write_lock:
            before = self.store.article_infos()
            previous: list[Article] = []  # the committed versions this upload replaces
            for article in articles:
                info = before.get(article.id)
                if info and info.state == COMMITTED and info.content_hash != article.content_hash:
                    old = self.store.get_article(article.id)
                    previous += [old] if old is not None else []
            try:
                report = self.ingestor.sync(
                    articles, remove_missing=False, skipped=loaded.skipped if loaded else ()
                )
            except Exception as exc:
                restored = self._undo([a.id for a in articles if a.id not in before], previous)
                self._after_write([a.id for a in articles], quiet=True)
                if isinstance(exc, IngestFailed):
                    where = "unchanged" if restored else "restored but for the uploaded articles"
                    raise IngestFailed(
                        f"the upload could not be indexed ({write_error_reason(exc.__cause__)}); "
                        f"the previous index is {where} and still served"
                    ) from exc
                raise
            self._after_write([a.id for a in articles])
        return report

    def sync_articles(
        self, articles: list[Article], remove: list[str], reset: bool = False
    ) -> SyncReport:
        """One batch of `newsrag ingest` sent to this server (index/writer.py): adds and updates
        ``articles``, removes the ``remove`` ids; each article all or nothing, as in the CLI."""
        with self._write_lock:
            if reset:
                self.store.reset()
            try:
                report = self.ingestor.sync(articles, remove_missing=False)
                present = [i for i in remove if i in self.store.article_infos()]
                if present:
                    self.store.remove_articles(present)
                    infos = self.store.article_infos()
                    report.removed = present
                    report.articles, report.chunks = len(infos), self.store.passage_count()
                    report.generation = self.store.publish_generation(fingerprint(infos)).number
            finally:  # after a failed write, serve what the store holds now
                self._after_write([a.id for a in articles] + remove, quiet=True)
        return report

    def _undo(self, added: list[str], previous: list[Article]) -> bool:
        """Removes what a failed upload added and re-writes the versions it replaced."""
        try:
            self.store.remove_articles(added)
            if previous:
                self.ingestor.sync(previous, remove_missing=False)
            return True
        except Exception as exc:  # the store is still failing: the next ingest redoes the rest
            log.warning("could not undo a failed upload: %s", type(exc).__name__)
            return False

    def delete_document(self, article_id: str) -> None:
        with self._write_lock:
            if article_id not in self.store.article_infos():
                raise DocumentNotFound(f"no article with id {article_id!r}")
            self.store.remove_articles([article_id])
            self.store.publish_generation(fingerprint(self.store.article_infos()))
            self._after_write([article_id])

    def _after_write(self, article_ids: list[str], quiet: bool = False) -> None:
        for article_id in article_ids:
            self._texts.pop(article_id, None)
        try:
            stamp = self.store.generation()
            self.searcher.replace(*_indexes(self.store, self.settings, self.searcher.bm25))
            self.generation = stamp
        except Exception:
            if not quiet:  # after a failed write the original error is the one to report
                raise

    # ---- health ---------------------------------------------------------------------------
    def health(self) -> dict[str, object]:
        """Liveness and this process's view of the index: "degraded" when the store is unreachable,
        or the view is behind the store's generation or disagrees with the store's counts."""
        self.maybe_refresh()
        up = self.store.heartbeat()
        counts: dict[str, object] = {"articles": None, "passages": None}
        latest: Generation | None = None
        if up:
            try:
                counts = {
                    "articles": len(self.searcher.articles),
                    "passages": self.store.passage_count(),
                }
                latest = self.store.generation()
            except StoreUnavailable:
                up = False
        bm25 = len(self._searcher.bm25) if self._searcher is not None else None
        view = self.generation
        if not up or latest is None:
            index = "unknown"
        elif view != latest:
            index = "behind"  # another process wrote; the refresh is due or running
        elif bm25 != counts["passages"]:
            index = "inconsistent"  # e.g. a write in progress, or one killed midway
        else:
            index = "current"
        try:
            conversations: int | None = len(self.conversations)
        except StoreUnavailable:  # e.g. the Redis that holds them is down: answers would fail too
            conversations = None
        return {
            "status": "ok" if index == "current" and conversations is not None else "degraded",
            "store": "ok" if up else "unreachable",
            "index": index,
            "generation": view.number if view is not None else None,
            "store_generation": latest.number if latest is not None else None,
            "last_refresh_ms": self.last_refresh_ms,
            "store_location": self.store.location,
            **counts,
            "bm25_passages": bm25,
            "model": self.embedder.name,
            "backend": self.settings.embedding.backend,
            "llm": self.settings.llm.model if self.generator is not None else None,
            "conversations": conversations,
        }

    def close(self) -> None:
        self._texts.clear()
        self.conversations.close()


def _indexes(
    store: Store, settings: Settings, current: BM25Index | None = None
) -> tuple[BM25Index, dict[str, ArticleInfo]]:
    """The BM25 index and the committed-article table for the store as it is now (one read of the
    table): a passage of an article still pending (a write in progress, or killed) is not served."""
    articles = store.article_infos()
    committed = {k: v for k, v in articles.items() if v.state == COMMITTED}
    return refresh_bm25(store, settings, current, infos=articles), committed


def _take(
    generated: Any, comp: Composition, warnings: list[str], streamed: bool
) -> tuple[str, bool, list[Citation]]:
    """The answer after the language model: its validated text, a decline, or the grounded answer."""
    text, answered, citations = comp.text, comp.answered, comp.citations
    if generated.ok:
        text, citations = generated.text, generated.citations
    elif generated.not_found and comp.declined is not None:
        declined = comp.declined()
        text, answered, citations = declined.text, False, declined.citations
    elif streamed:  # the streamed text is void: the final Answer carries the grounded one
        warnings.append("the streamed text was replaced by the grounded answer")
    if generated.warning:
        warnings.append(generated.warning)
    return text, answered, citations


def _pieces(text: str) -> Iterator[str]:
    """Word-sized pieces that join back into ``text`` exactly."""
    start = 0
    for i, ch in enumerate(text):
        if ch == " " and i > start:
            yield text[start : i + 1]
            start = i + 1
    if start < len(text):
        yield text[start:]


def _retrieved(hit: Hit) -> RetrievedPassage:
    p, a = hit.passage, hit.article
    return RetrievedPassage(
        rank=hit.rank,
        passage_id=p.id,
        article_id=a.id,
        title=a.title,
        start=p.start,
        end=p.end,
        score=round(hit.score, 6),
        dense=round(hit.dense, 4),
        bm25=round(hit.bm25, 4),
        text=p.text,
        source=a.source,
        published=a.published,
    )
