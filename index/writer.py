"""One writer per data directory: the lock `newsrag serve` and `newsrag ingest` take, and how an
ingest hands its articles to the server that holds the lock.

Why (measured, docs/scaling.md): a vector another process adds to an embedded Chroma stays
invisible to the serving process's HNSW index (it found 1 of 31 vectors until it reopened the
store), and two processes writing one embedded directory are unsafe. So with an embedded store the
serving process is the only writer, and `newsrag ingest` sends its articles through the server's
API (the same incremental sync, the same summary line). A Chroma server orders writes itself: there
the ingest writes directly and every API process notices the new index generation (ask/engine.py).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from corpus.loader import Article, Skipped
from index.ingest import SyncReport
from newsrag.errors import IngestFailed
from newsrag.settings import Settings

LOCK_FILE = "writer.lock"
SERVER_FILE = "server.json"
# JSON per request: under the API's 6 MiB body limit with room for escaping
BATCH_BYTES = 4 * 1024 * 1024
# a server that announced itself may still be loading the model
SERVER_START_S = 120.0


class WriterLock:
    """An exclusive flock on DATA_DIR/writer.lock: the kernel drops it when the holder dies, even by
    kill -9, so a crashed writer never leaves a stale lock."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILE
        self._fd: int | None = None

    def acquire(self, wait: bool) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None


def announce_server(data_dir: Path, url: str) -> None:
    """Tells ingests where the server holding the lock listens (written atomically)."""
    tmp = data_dir / f"{SERVER_FILE}.tmp{os.getpid()}"
    tmp.write_text(json.dumps({"url": url, "pid": os.getpid()}))
    tmp.replace(data_dir / SERVER_FILE)


def withdraw_server(data_dir: Path) -> None:
    with contextlib.suppress(OSError):
        (data_dir / SERVER_FILE).unlink()


def server_url(data_dir: Path) -> str | None:
    """The URL of the server that announced itself for this data directory, if any."""
    try:
        return str(json.loads((data_dir / SERVER_FILE).read_text())["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _batches(articles: Sequence[Article]) -> list[list[dict[str, object]]]:
    batches: list[list[dict[str, object]]] = [[]]
    size = 0
    for a in articles:
        record: dict[str, object] = {
            "id": a.id,
            "title": a.title,
            "text": a.text,
            "url": a.url,
            "source": a.source,
            "published": a.published,
        }
        n = len(json.dumps(record, ensure_ascii=False).encode("utf-8"))
        if batches[-1] and size + n > BATCH_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(record)
        size += n
    return batches


def ingest_via_server(
    url: str,
    api_key: str | None,
    articles: Sequence[Article],
    skipped: Sequence[Skipped],
    *,
    prune: bool,
    reset: bool,
    before_remove: Callable[[list[str]], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SyncReport:
    """The ingest done by the server at ``url`` (POST /v1/ingest, one batch per request, each all
    or nothing), reported as if done here."""
    import httpx

    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    report = SyncReport(skipped=list(skipped))
    with httpx.Client(base_url=url, headers=headers, timeout=None) as client:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            try:
                client.get("/health", timeout=5)
                break
            except httpx.TransportError as exc:
                if time.monotonic() > deadline:
                    raise IngestFailed(
                        f"the server holding the index at {url} does not answer"
                    ) from exc
                time.sleep(0.5)

        def post(body: dict[str, Any]) -> dict[str, Any]:
            response = client.post("/v1/ingest", json=body)
            if response.status_code != 200:
                try:
                    detail = response.json().get("detail", response.text)
                except ValueError:
                    detail = response.text
                raise IngestFailed(f"the server at {url} refused the ingest: {detail}")
            return response.json()

        remove: list[str] = []
        if prune and not reset:
            listed = client.get("/v1/documents")
            listed.raise_for_status()
            wanted = {a.id for a in articles}
            remove = sorted(d["id"] for d in listed.json()["documents"] if d["id"] not in wanted)
            if remove and before_remove:
                before_remove(remove)
        batches = _batches(articles)
        done = 0
        if progress:
            progress(0, len(articles))
        for k, batch in enumerate(batches):
            last = k == len(batches) - 1
            got = post(
                {"articles": batch, "reset": reset and k == 0, "remove": remove if last else []}
            )
            report.added += got["added"]
            report.updated += got["updated"]
            report.removed += got["removed"]
            report.unchanged += int(got["unchanged"])
            report.articles = int(got["articles"])
            report.chunks = int(got["passages"])
            report.generation = got.get("generation")
            done += len(batch)
            if progress:
                progress(done, len(articles))
    return report


def ingest(
    settings: Settings,
    articles: Sequence[Article],
    skipped: Sequence[Skipped],
    *,
    prune: bool,
    reset: bool,
    before_remove: Callable[[list[str]], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> SyncReport:
    """`newsrag ingest`: through the server that holds an embedded index, else directly while
    holding the writer lock (waiting for another ingest of the same data directory to finish)."""
    data_dir = settings.store.data_dir
    lock = WriterLock(data_dir)
    if not lock.acquire(wait=False):
        url = None if settings.store.chroma_url else server_url(data_dir)
        if url is not None:
            if on_wait:
                on_wait(f"a server holds this index; sending the ingest to {url}")
            return ingest_via_server(
                url,
                settings.api.api_key,
                articles,
                skipped,
                prune=prune,
                reset=reset,
                before_remove=before_remove,
                progress=progress,
            )
        if on_wait:
            on_wait(f"waiting for the ingest writing {data_dir} to finish")
        lock.acquire(wait=True)
    try:
        from index.runtime import open_ingestor

        ingestor, refresh = open_ingestor(settings)
        if reset:
            ingestor.store.reset()
        report = ingestor.sync(
            articles,
            remove_missing=prune,
            skipped=skipped,
            progress=progress,
            before_remove=before_remove,
        )
        refresh()
        return report
    finally:
        lock.release()


@contextlib.contextmanager
def serving(
    settings: Settings, host: str, port: int, on_wait: Callable[[str], None]
) -> Iterator[None]:
    """Held by `newsrag serve` on an embedded index: the writer lock, and the file that tells
    ingests where to send their articles. A Chroma server needs neither."""
    if settings.store.chroma_url:
        yield
        return
    data_dir = settings.store.data_dir
    lock = WriterLock(data_dir)
    if not lock.acquire(wait=False):
        on_wait(f"waiting for the ingest writing {data_dir} to finish")
        lock.acquire(wait=True)
    local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    announce_server(data_dir, f"http://{'[' + local + ']' if ':' in local else local}:{port}")
    try:
        yield
    finally:
        withdraw_server(data_dir)
        lock.release()
