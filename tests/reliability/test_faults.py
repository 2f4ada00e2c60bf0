"""Faults a deployment meets: the Chroma server down at start or stopped mid-traffic, a full disk
during an upload, corrupted and truncated uploads. Each ends with the previous index served intact.

(kill -9 during ingest, embedded and server mode, is tests/test_ingest.py::
test_a_kill_during_ingest_then_a_rerun_leaves_no_duplicate_or_orphan.)
"""

from __future__ import annotations

import contextlib
import errno
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from rel_support import (
    API_KEY,
    AUTH,
    ApiProcess,
    copy_index,
    ingest,
    references,
    same_answers,
)
from support import ChromaServer

from api.app import create_app
from ask.engine import Engine
from index.bm25 import BM25Index
from newsrag.errors import IngestFailed
from newsrag.settings import APISettings, PassageSettings, Settings, StoreSettings

SKA = {"question": "When did construction of the Square Kilometre Array start?"}


def wait_for(check, seconds: float, what: str, step: float = 0.25):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        got = check()
        if got:
            return got
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        time.sleep(step)


def health(c: httpx.Client) -> tuple[int, dict[str, object]]:
    r = c.get("/health")
    return r.status_code, r.json()


@pytest.mark.server
@pytest.mark.slow
def test_the_api_rides_out_a_chroma_server_down_at_start_and_stopped_mid_traffic(
    tmp_path: Path,
) -> None:
    chroma = ChromaServer(tmp_path / "chroma")
    chroma.start()
    api = ApiProcess(tmp_path / "data", tmp_path / "api.log", chroma_url=chroma.url)
    try:
        ingest(tmp_path / "data", chroma.url)
        chroma.stop()

        # 1. Chroma down at start: the API starts anyway, degraded, and says why.
        api.start(wait_healthy=False)
        with api.client() as c:
            status, body = health(c)
            assert status == 503 and body["status"] == "degraded" and body["store"] == "unreachable"
            for method, path, payload in (
                ("POST", "/v1/chat", SKA),
                ("POST", "/v1/chat", {**SKA, "stream": True}),
                ("POST", "/v1/search", {"query": "SKA"}),
                ("GET", "/v1/documents", None),
            ):
                r = c.request(method, path, json=payload)
                assert r.status_code == 503, (path, r.text)
                assert r.json() == {
                    "error": "store_unavailable",
                    "detail": f"the Chroma server at {chroma.url} is unreachable",
                }

            # 2. ...and comes back on its own once the server is up.
            chroma.start()
            wait_for(lambda: health(c)[0] == 200, 30, "/health back to 200")
            refs = references(c)
            assert all(t.status == 200 for turns in refs.values() for t in turns)

            # 3. Chroma stopped under traffic: 503s with the reason, never a 500, then recovery.
            statuses: Counter[int] = Counter()
            stop = threading.Event()

            def traffic() -> None:
                with api.client(timeout=30) as tc:
                    for _ in range(10_000):  # bounded; stopped by the event well before
                        if stop.is_set():
                            return
                        r = tc.post("/v1/chat", json=SKA)
                        statuses[r.status_code] += 1
                        if r.status_code == 503:
                            assert r.json()["error"] == "store_unavailable"

            threads = [threading.Thread(target=traffic, daemon=True) for _ in range(4)]
            for t in threads:
                t.start()
            try:
                time.sleep(2)
                chroma.stop()
                wait_for(lambda: statuses[503] > 0, 20, "a 503 under traffic")
                status, body = health(c)
                assert status == 503 and body["store"] == "unreachable"
                time.sleep(2)
                chroma.start()
                wait_for(lambda: health(c)[0] == 200, 30, "/health back to 200")
                served = statuses[200]
                wait_for(lambda: statuses[200] > served + 4, 30, "answers again under traffic")
            finally:
                stop.set()
                for t in threads:
                    t.join(timeout=60)
            assert set(statuses) <= {200, 503}, statuses
            assert same_answers(references(c), refs)
    finally:
        api.stop()
        chroma.stop()
    log = api.log.read_text()
    assert "Traceback" not in log and API_KEY not in log, log[-3000:]


# ---- a full disk during an upload (in-process fault injection) ------------------------------------


@pytest.fixture()
def writable(seed_index_dir: Path, tmp_path: Path) -> Iterator[tuple[Engine, TestClient]]:
    """An engine over a copy of the seed index that commits every 2 passages, and its API."""
    settings = Settings(
        store=StoreSettings(
            data_dir=copy_index(seed_index_dir, tmp_path / "data"), chroma_url=None
        ),
        passages=PassageSettings(group_passages=2),
        api=APISettings(api_key=API_KEY, cors_origins=[]),
    )
    engine = Engine.from_settings(settings)
    with TestClient(create_app(settings, engine=engine, mount_ui=False), headers=AUTH) as c:
        yield engine, c


class DiskFull:
    """Makes the store's passage writes fail with ENOSPC from the ``after``-th call, ``times`` times."""

    def __init__(self, engine: Engine, after: int, times: int = 10**6) -> None:
        self.collection = engine.store.passages
        self.real = self.collection.upsert
        self.calls, self.after, self.times = 0, after, times

    def __enter__(self) -> DiskFull:
        def upsert(*args: object, **kwargs: object) -> object:
            self.calls += 1
            if self.after <= self.calls < self.after + self.times:
                raise OSError(errno.ENOSPC, "No space left on device", "/data/chroma/x.sqlite3")
            return self.real(*args, **kwargs)

        self.collection.upsert = upsert
        return self

    def __exit__(self, *exc: object) -> None:
        self.collection.upsert = self.real


def snapshot(c: TestClient) -> tuple[object, ...]:
    """What must survive a failed upload: the article list and the answers with their citations."""
    docs = c.get("/v1/documents").json()
    texts = {d["id"]: c.get(f"/v1/documents/{d['id']}").json()["text"] for d in docs["documents"]}
    answers = []
    for q in ("What is the SKA?", "Who studies Asian elephants?", "Kang Musha"):
        a = c.post("/v1/chat", json={"question": q}).json()
        answers.append(
            (a["answer"], [(x["article_id"], x["start"], x["end"]) for x in a["citations"]])
        )
    hits = c.post("/v1/search", json={"query": "telescope construction", "top_k": 8}).json()
    for h in hits["passages"]:  # every passage served is intact
        assert texts[h["article_id"]][h["start"] : h["end"]] == h["text"]
    # Not the ranked list itself: rewriting an article moves its passages to the end of the BM25
    # index, and passages with equal BM25 scores then swap ranks (docs/reliability.md).
    return docs, texts, answers


def no_orphans(engine: Engine) -> None:
    infos = engine.store.article_infos()
    got = engine.store.passages.get(include=["metadatas"])
    per_article = Counter(m["article_id"] for m in got["metadatas"])
    assert set(per_article) == set(infos)
    assert all(info.state == "ok" and per_article[i] == info.passages for i, info in infos.items())


def articles_jsonl(n: int) -> bytes:
    lines = []
    for i in range(n):
        text = f"Harbour report {i}\n\n" + " ".join(
            f"The harbour crane number {i} lifted container {k} onto the ship at dawn."
            for k in range(12)
        )
        lines.append(json.dumps({"id": f"harbour-{i}", "text": text}))
    return ("\n".join(lines) + "\n").encode()


def test_a_full_disk_during_an_upload_is_a_clear_error_and_the_previous_index_is_served(
    writable: tuple[Engine, TestClient],
) -> None:
    engine, c = writable
    before = snapshot(c)
    with DiskFull(engine, after=3):  # the first groups commit, then the disk fills up
        r = c.post("/v1/documents", files={"file": ("harbour.jsonl", articles_jsonl(4))})
    assert r.status_code == 503, r.text
    assert r.json()["error"] == "ingest_failed"
    detail = r.json()["detail"]
    assert "No space left on device" in detail and "previous index is unchanged" in detail
    assert "/data/chroma" not in detail and "Traceback" not in r.text
    assert snapshot(c) == before  # nothing half-written is served: all or nothing
    no_orphans(engine)
    # once space is back the same upload goes through
    r = c.post("/v1/documents", files={"file": ("harbour.jsonl", articles_jsonl(4))})
    assert r.status_code == 200 and len(r.json()["added"]) == 4


def test_a_full_disk_while_replacing_an_article_puts_the_old_version_back(
    writable: tuple[Engine, TestClient],
) -> None:
    engine, c = writable
    before = snapshot(c)
    old = c.get("/v1/documents/002_c34788a0f5bea4b4").json()
    new = {"id": old["id"], "title": "Rewritten", "text": "Rewritten\n\n" + old["text"][:3000]}
    with DiskFull(engine, after=1, times=1):  # fails once: old passages gone, new not written
        r = c.post("/v1/documents", json=new)
    assert r.status_code == 503 and "previous index is unchanged" in r.json()["detail"]
    assert snapshot(c) == before
    no_orphans(engine)


def test_the_cli_path_reports_a_write_error_in_words(writable: tuple[Engine, TestClient]) -> None:
    engine, _ = writable
    from corpus.loader import LoadResult, parse_bytes

    loaded = LoadResult()
    parse_bytes("harbour.jsonl", articles_jsonl(2), loaded)
    with DiskFull(engine, after=1), pytest.raises(IngestFailed) as failed:
        engine.ingestor.sync(loaded.articles, remove_missing=False)
    assert "No space left on device" in str(failed.value) and "next ingest" in str(failed.value)


def test_a_bm25_cache_that_cannot_be_saved_does_not_fail_the_upload(
    writable: tuple[Engine, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, c = writable

    def full(self: BM25Index, folder: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(BM25Index, "save", full)
    r = c.post("/v1/documents", files={"file": ("harbour.jsonl", articles_jsonl(1))})
    assert r.status_code == 200, r.text
    hits = c.post("/v1/search", json={"query": "harbour crane container", "top_k": 1}).json()
    assert hits["passages"][0]["article_id"] == "harbour-0"


# ---- corrupted and truncated uploads -------------------------------------------------------------

SEED_TEXT = (
    "Mars lake found\n\nThe rover found an ancient lake bed in Jezero crater, scientists said.\n"
)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("cut.txt", "Café Ω".encode()[:-1], "not UTF-8"),  # cut inside a multi-byte character
        ("latin1.txt", "Caf\xe9 au lait".encode("latin-1"), "not UTF-8"),
        ("zip.txt", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)), "binary"),
        ("gzip.md", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\x00" * 40, "binary"),
        ("cut.jsonl", b'{"id": "mars", "text": "The rover found an anc', "malformed JSON"),
        ("empty.txt", b"", "empty"),
        ("blank.md", b" \n\t\n", "empty"),
        ("cut.html", b"<html><body><p>", "no article text"),
    ],
)
def test_a_corrupted_or_truncated_upload_is_refused_with_the_reason_and_changes_nothing(
    writable: tuple[Engine, TestClient], name: str, data: bytes, reason: str
) -> None:
    _, c = writable
    before = c.get("/v1/documents").json()
    r = c.post("/v1/documents", files={"file": (name, data)})
    assert r.status_code == 422, r.text
    assert reason in r.json()["detail"] and "Traceback" not in r.text
    assert c.get("/v1/documents").json() == before


def test_a_jsonl_upload_cut_mid_line_keeps_the_whole_lines_and_names_the_cut_one(
    writable: tuple[Engine, TestClient],
) -> None:
    _, c = writable
    whole = json.dumps({"id": "mars", "text": SEED_TEXT})
    r = c.post("/v1/documents", files={"file": ("feed.jsonl", f"{whole}\n{whole[:30]}".encode())})
    assert r.status_code == 200, r.text
    assert r.json()["added"] == ["mars"]
    assert [s["where"] for s in r.json()["skipped"]] == ["feed.jsonl:2"]


def test_a_request_cut_off_mid_upload_leaves_the_server_and_the_index_as_they_were(
    api_process: ApiProcess,
) -> None:
    with api_process.client() as c:
        before = c.get("/v1/documents").json()
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n" + SEED_TEXT
    ).encode()
    for declared in (len(head) + 50_000, len(head) + 10):
        with socket.create_connection(("127.0.0.1", api_process.port), timeout=10) as s:
            s.sendall(
                (
                    f"POST /v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {API_KEY}\r\n"
                    f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                    f"Content-Length: {declared}\r\n\r\n"
                ).encode()
                + head
            )
            s.shutdown(socket.SHUT_WR)  # the client goes away before the body is complete
            with contextlib.suppress(OSError):
                s.recv(4096)
    with api_process.client() as c:
        assert c.get("/health").status_code == 200
        assert c.get("/v1/documents").json() == before


def test_a_hung_chroma_server_gets_a_503_not_a_request_held_forever(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A server that accepts connections but never answers (a stopped process, SIGSTOP) is
    reported as unreachable once the request time limit passes."""
    import signal as _signal

    from support import ChromaServer, make_settings

    from index.embedder import DIM
    from index.store import Store
    from newsrag.errors import StoreUnavailable

    server = ChromaServer(tmp_path / "db")
    server.start()
    try:
        settings = make_settings(tmp_path / "data", chroma_url=server.url)
        settings.store.chroma_timeout_s = 1.0
        store = Store(settings.store, DIM)
        assert store.passage_count() == 0
        assert server.proc is not None
        server.proc.send_signal(_signal.SIGSTOP)
        try:
            with pytest.raises(StoreUnavailable):
                store.passage_count()
        finally:
            server.proc.send_signal(_signal.SIGCONT)
        assert store.passage_count() == 0  # and it recovers once the server answers again
    finally:
        server.stop()
