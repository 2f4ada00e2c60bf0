"""Chroma storage: a passages collection (vectors + offsets) and an articles collection (text + hash).

Crash safety: an article's record is first written as pending, then its old passages are deleted
and the new ones added, and only then is the record committed with its content hash. A run killed
anywhere in between leaves a pending record, which the next sync redoes from scratch; passage ids
are deterministic (``article#index``), so nothing is ever duplicated or orphaned.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import numpy as np

from corpus.loader import Article
from index.passages import Passage
from newsrag.errors import StoreUnavailable
from newsrag.settings import StoreSettings

log = logging.getLogger(__name__)
PENDING = "pending"
COMMITTED = "ok"
_PAGE = 2000
_GENERATION = "generation"
# Seconds between connection attempts to a Chroma server that was unreachable.
_RETRY_S = 1.0


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """An article's metadata as stored (no text)."""

    id: str
    title: str
    url: str | None
    source: str | None
    published: str | None
    content_hash: str
    passages: int
    state: str
    built_by: str = ""  # model, backend and passage settings that made its passages
    # the title's own unit vector (the ranker's title_dense feature); None: stored before it existed
    title_vector: np.ndarray | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Generation:
    """Which complete index a process serves: a counter every write bumps, and the fingerprint of
    the committed articles it left (two writers racing to the same number still differ here)."""

    number: int
    fingerprint: str


@dataclass(frozen=True, slots=True)
class StoredPassage:
    id: str
    article_id: str
    start: int
    end: int
    text: str
    sentences: list[tuple[int, int]]  # absolute offsets into the article text
    sentence_vectors: np.ndarray  # (m, DIM) float32
    sentence_terms: list[frozenset[str]]  # stemmed content words of each sentence
    vector: np.ndarray | None


def pack_vectors(vectors: np.ndarray) -> str:
    """int8 with a per-vector scale, base64: a sentence vector in ~520 characters of metadata."""
    scale = np.maximum(np.abs(vectors).max(axis=1, keepdims=True), 1e-12) / 127.0
    q = np.round(vectors / scale).astype(np.int8)
    return base64.b64encode(scale.astype(np.float16).tobytes() + q.tobytes()).decode("ascii")


def unpack_vectors(data: str, count: int, dim: int) -> np.ndarray:
    raw = base64.b64decode(data)
    scale = np.frombuffer(raw[: 2 * count], dtype=np.float16).astype(np.float32)
    q = np.frombuffer(raw[2 * count :], dtype=np.int8).reshape(count, dim).astype(np.float32)
    v = q * scale[:, None]
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def date_number(published: str | None) -> int:
    """YYYY-MM-DD as the integer YYYYMMDD (0 when unknown), so Chroma can range-filter it."""
    return int(published.replace("-", "")) if published else 0


def _clean(meta: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in meta.items() if v is not None}


class Store:
    """The two Chroma collections, embedded under data_dir or on a Chroma server."""

    def __init__(self, settings: StoreSettings, dim: int) -> None:
        self.settings = settings
        self.dim = dim
        self.client: Any = None
        self._passages: Any = None
        self._articles: Any = None
        self._meta: Any = None
        self.max_batch = 1000
        self._lock = threading.Lock()
        self._retry_at = 0.0
        if settings.chroma_url:
            self.location = settings.chroma_url
        else:
            self.location = str((settings.data_dir / "chroma").resolve())
        try:
            self._connect()
        except Exception as exc:  # chromadb raises many kinds when the server is away
            if not settings.chroma_url:
                raise StoreUnavailable(
                    f"cannot reach the Chroma store at {self._where()}: {exc}"
                ) from exc
            # A Chroma server may start after us, or be restarting: run degraded (every call
            # raises StoreUnavailable) and connect on the first call after it is back.
            self._retry_at = time.monotonic() + _RETRY_S
            log.warning("the Chroma server at %s is unreachable; will retry", self._where())

    def _connect(self) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
        if self.settings.chroma_url:
            url = urlparse(self.settings.chroma_url)
            self.client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            _bound_requests(self.client, self.settings.chroma_timeout_s)
        else:
            path = self.settings.data_dir / "chroma"
            path.mkdir(parents=True, exist_ok=True)
            self.client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        self._open()

    def _where(self) -> str:
        """The store's URL (credentials removed: this goes into messages) or folder."""
        if self.settings.chroma_url:
            url = urlparse(self.settings.chroma_url)
            host = url.hostname or ""
            return url._replace(netloc=f"{host}:{url.port}" if url.port else host).geturl()
        return str(self.settings.data_dir / "chroma")

    def _open(self) -> None:
        prefix = self.settings.collection
        passages = self.client.get_or_create_collection(
            f"{prefix}-passages",
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
        )
        # Articles carry no searchable vector; Chroma wants one, so each gets the constant [1.0].
        articles = self.client.get_or_create_collection(
            f"{prefix}-articles", embedding_function=None, configuration={"hnsw": {"space": "l2"}}
        )
        # One record, the index generation: bumped by every write, read by every serving process
        # (ask/engine.py) to notice a write made by another process.
        meta = self.client.get_or_create_collection(
            f"{prefix}-meta", embedding_function=None, configuration={"hnsw": {"space": "l2"}}
        )
        self.max_batch = max(1, min(self.client.get_max_batch_size(), 1000))
        self._passages, self._articles, self._meta = passages, articles, meta

    def _ensure(self) -> None:
        """Connects if the store was unreachable so far; StoreUnavailable while it still is."""
        if self._articles is not None:
            return
        with self._lock:
            if self._articles is not None:
                return
            if time.monotonic() < self._retry_at:  # tried moments ago: fail fast under load
                raise StoreUnavailable(f"the Chroma server at {self._where()} is unreachable")
            try:
                self._connect()
            except Exception as exc:
                self._retry_at = time.monotonic() + _RETRY_S
                raise StoreUnavailable(
                    f"the Chroma server at {self._where()} is unreachable"
                ) from exc
            log.warning("connected to the Chroma server at %s", self._where())

    @property
    def passages(self) -> Any:
        self._ensure()
        return self._passages

    @property
    def articles(self) -> Any:
        self._ensure()
        return self._articles

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            if self.settings.chroma_url and _looks_unreachable(exc):
                raise StoreUnavailable(
                    f"the Chroma server at {self._where()} is unreachable"
                ) from exc
            raise

    @property
    def meta(self) -> Any:
        self._ensure()
        return self._meta

    # ---- index generation ---------------------------------------------------------------------
    def generation(self) -> Generation:
        """The index generation as last published by a writer: one read of one small record."""
        got = self._call(self.meta.get, ids=[_GENERATION], include=["metadatas"])
        if not got["ids"]:
            return Generation(0, "")
        meta = got["metadatas"][0] or {}
        return Generation(int(meta.get("generation", 0)), str(meta.get("fingerprint", "")))

    def publish_generation(self, fingerprint: str) -> Generation:
        """Announces a completed write: the next generation, with the committed articles' fingerprint."""
        stamp = Generation(self.generation().number + 1, fingerprint)
        self._call(
            self.meta.upsert,
            ids=[_GENERATION],
            embeddings=[[1.0]],
            metadatas=[{"generation": stamp.number, "fingerprint": fingerprint, "at": time.time()}],
        )
        return stamp

    def heartbeat(self) -> bool:
        try:
            self._ensure()
            self.client.heartbeat()
            return True
        except Exception:
            return False

    # ---- articles -------------------------------------------------------------------------
    def article_infos(self) -> dict[str, ArticleInfo]:
        infos: dict[str, ArticleInfo] = {}
        offset = 0
        while True:
            page = self._call(self.articles.get, include=["metadatas"], limit=_PAGE, offset=offset)
            for article_id, meta in zip(page["ids"], page["metadatas"] or [], strict=False):
                infos[article_id] = ArticleInfo(
                    id=article_id,
                    title=str(meta.get("title", "")),
                    url=meta.get("url"),
                    source=meta.get("source"),
                    published=meta.get("published"),
                    content_hash=str(meta.get("hash", "")),
                    passages=int(meta.get("passages", 0)),
                    state=str(meta.get("state", PENDING)),
                    built_by=str(meta.get("built_by", "")),
                    title_vector=(
                        unpack_vectors(str(meta["tvec"]), 1, self.dim)[0]
                        if meta.get("tvec")
                        else None
                    ),
                )
            if len(page["ids"]) < _PAGE:
                return infos
            offset += _PAGE

    def get_article(self, article_id: str) -> Article | None:
        got = self._call(self.articles.get, ids=[article_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        meta = got["metadatas"][0]
        return Article(
            id=article_id,
            title=str(meta.get("title", "")),
            text=got["documents"][0],
            url=meta.get("url"),
            source=meta.get("source"),
            published=meta.get("published"),
        )

    def _article_record(
        self,
        article: Article,
        state: str,
        passages: int,
        built_by: str = "",
        title_vector: np.ndarray | None = None,
    ) -> dict[str, Any]:
        return _clean(
            {
                "tvec": pack_vectors(title_vector[None, :]) if title_vector is not None else None,
                "title": article.title,
                "url": article.url,
                "source": article.source,
                "published": article.published,
                "hash": article.content_hash if state == COMMITTED else "",
                "passages": passages,
                "state": state,
                "built_by": built_by or None,
            }
        )

    def mark_pending(self, articles: Sequence[Article]) -> None:
        for batch in _chunks(list(articles), self.max_batch):
            self._call(
                self.articles.upsert,
                ids=[a.id for a in batch],
                embeddings=[[1.0]] * len(batch),
                documents=[a.text for a in batch],
                metadatas=[self._article_record(a, PENDING, 0) for a in batch],
            )

    def commit(
        self,
        articles: Sequence[Article],
        passage_counts: dict[str, int],
        built_by: str = "",
        title_vectors: dict[str, np.ndarray] | None = None,
    ) -> None:
        for batch in _chunks(list(articles), self.max_batch):
            self._call(
                self.articles.upsert,
                ids=[a.id for a in batch],
                embeddings=[[1.0]] * len(batch),
                documents=[a.text for a in batch],
                metadatas=[
                    self._article_record(
                        a,
                        COMMITTED,
                        passage_counts[a.id],
                        built_by,
                        (title_vectors or {}).get(a.id),
                    )
                    for a in batch
                ],
            )

    def delete_passages_of(self, article_ids: Sequence[str]) -> None:
        for batch in _chunks(list(article_ids), 100):
            self._call(self.passages.delete, where={"article_id": {"$in": batch}})

    def remove_articles(self, article_ids: Sequence[str]) -> None:
        self.delete_passages_of(article_ids)
        for batch in _chunks(list(article_ids), self.max_batch):
            self._call(self.articles.delete, ids=batch)

    # ---- passages -------------------------------------------------------------------------
    def add_passages(
        self,
        passages: Sequence[Passage],
        vectors: np.ndarray,
        sentence_vectors: Sequence[np.ndarray],
        sentence_terms: Sequence[list[str]],
        sources: dict[str, str | None],
        dates: dict[str, str | None],
    ) -> None:
        for lo in range(0, len(passages), self.max_batch):
            hi = min(len(passages), lo + self.max_batch)
            chunk = passages[lo:hi]
            self._call(
                self.passages.upsert,
                ids=[p.id for p in chunk],
                embeddings=vectors[lo:hi],
                documents=[p.text for p in chunk],
                metadatas=[
                    _clean(
                        {
                            "article_id": p.article_id,
                            "start": p.start,
                            "end": p.end,
                            "source": sources.get(p.article_id),
                            "pub": date_number(dates.get(p.article_id)),
                            "sents": json.dumps([[s.start, s.end] for s in p.sentences]),
                            "svec": pack_vectors(sentence_vectors[lo + k]),
                            "sterms": json.dumps(sentence_terms[lo + k]),
                        }
                    )
                    for k, p in enumerate(chunk)
                ],
            )

    def passage_count(self) -> int:
        return int(self._call(self.passages.count))

    def query(
        self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """Nearest passages as (id, cosine similarity)."""
        res = self._call(
            self.passages.query,
            query_embeddings=[vector],
            n_results=n,
            where=where or None,
            include=["distances"],
        )
        return [
            (pid, 1.0 - float(d)) for pid, d in zip(res["ids"][0], res["distances"][0], strict=True)
        ]

    def get_passages(self, ids: Sequence[str], with_vectors: bool = True) -> list[StoredPassage]:
        if not ids:
            return []
        include = ["documents", "metadatas"] + (["embeddings"] if with_vectors else [])
        got = self._call(self.passages.get, ids=list(ids), include=include)
        by_id: dict[str, StoredPassage] = {}
        embeddings = got.get("embeddings")
        for k, pid in enumerate(got["ids"]):
            meta = got["metadatas"][k]
            sents = [tuple(x) for x in json.loads(meta["sents"])]
            by_id[pid] = StoredPassage(
                id=pid,
                article_id=str(meta["article_id"]),
                start=int(meta["start"]),
                end=int(meta["end"]),
                text=got["documents"][k],
                sentences=sents,  # type: ignore[arg-type]
                sentence_vectors=unpack_vectors(str(meta["svec"]), len(sents), self.dim),
                sentence_terms=[frozenset(t.split()) for t in json.loads(meta["sterms"])],
                vector=np.asarray(embeddings[k], dtype=np.float32) if with_vectors else None,
            )
        return [by_id[i] for i in ids if i in by_id]

    def iter_passage_texts(self) -> Iterator[tuple[list[str], list[str], list[dict[str, Any]]]]:
        """All passages, a page at a time: (ids, texts, metadatas without the vectors)."""
        offset = 0
        while True:
            page = self._call(
                self.passages.get, include=["documents", "metadatas"], limit=_PAGE, offset=offset
            )
            if not page["ids"]:
                return
            metas = [
                {k: m.get(k) for k in ("article_id", "source", "pub")} for m in page["metadatas"]
            ]
            yield page["ids"], page["documents"], metas
            if len(page["ids"]) < _PAGE:
                return
            offset += _PAGE

    def reset(self) -> None:
        self._ensure()
        prefix = self.settings.collection
        for name in (f"{prefix}-passages", f"{prefix}-articles"):
            try:
                self._call(self.client.delete_collection, name)
            except StoreUnavailable:
                raise
            except Exception:  # already absent
                pass
        self._open()

    def reopen(self) -> None:
        """Fresh handles on the collections: another process's reset replaced them."""
        with self._lock:
            if self._articles is not None:
                self._open()


def _bound_requests(client: Any, seconds: float) -> None:
    """Gives the Chroma HTTP client's requests a time limit: chromadb builds its httpx session with
    none, so a server that hangs (rather than stops) would hold every request forever. A request
    that runs out of time is reported like an unreachable server (503)."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(seconds, connect=min(seconds, 5.0))


def fingerprint(infos: dict[str, ArticleInfo]) -> str:
    """Changes whenever any committed article is added, changed or removed."""
    digest = hashlib.sha256()
    for article_id in sorted(infos):
        info = infos[article_id]
        digest.update(
            f"{article_id}\0{info.content_hash}\0{info.state}\0{info.built_by}\n".encode()
        )
    return digest.hexdigest()[:24]


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _looks_unreachable(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return any(
        word in text
        for word in (
            "connect",
            "unreachable",
            "timed out",
            "timeout",
            "refused",
            "could not",
            "503",
        )
    )
