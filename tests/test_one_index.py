"""One index, several processes (issue 15): `newsrag ingest` from a second process while real
`newsrag serve` processes answer 8 clients, with an embedded store and with a `chroma run` server;
the same with the ingest killed (-9) midway; ingest PATH keeps what is there, --prune removes it."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support import NEWSRAG, ChromaServer, ServeProcess, newsrag_env

SEED_QUESTION = "How many countries does China cooperate with on science?"
NEW_QUESTION = "When did the Zorblat harbour open?"
NEW_ARTICLE = (
    "Zorblat harbour opens\n\n"
    "The Zorblat harbour opened on 3 March 2026 with 14 berths, the port authority said.\n"
)
CLIENTS = 8
VISIBLE_S = 5.0  # the bound: the new article is answered this soon after the ingest ends


def _ingest(
    env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NEWSRAG, "ingest", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def Serve(env: dict[str, str], log: Path) -> ServeProcess:
    # 503 counts as up here: a server may start while its Chroma server is still coming
    return ServeProcess(env, log, ready=(200, 503))


class Clients:
    """8 threads asking questions round-robin over the servers; every status code is recorded."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self.statuses: list[int] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(k,), daemon=True) for k in range(CLIENTS)
        ]

    def _run(self, k: int) -> None:
        with httpx.Client(timeout=60) as client:
            n = k
            while not self._stop.is_set():
                url = self.urls[n % len(self.urls)]
                question = SEED_QUESTION if n % 2 else NEW_QUESTION
                try:
                    r = client.post(f"{url}/v1/chat", json={"question": question})
                    self.statuses.append(r.status_code)
                except httpx.HTTPError as exc:
                    self.errors.append(repr(exc))
                n += 1
                time.sleep(0.05)

    def __enter__(self) -> Clients:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=90)


def _answers_new_article(url: str) -> bool:
    r = httpx.post(f"{url}/v1/chat", json={"question": NEW_QUESTION}, timeout=60)
    assert r.status_code == 200, r.text
    body = r.json()
    return body["answered"] and any(c["article_id"] == "zorblat" for c in body["citations"])


def _seconds_until_answered(urls: list[str]) -> float:
    """Seconds until every server answers the question only the new article answers."""
    started = time.monotonic()
    pending = list(urls)
    while pending and time.monotonic() - started < 30:
        pending = [u for u in pending if not _answers_new_article(u)]
        if pending:
            time.sleep(0.2)
    assert not pending, f"not answered within 30 s by {pending}"
    return time.monotonic() - started


def _many_articles(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        (folder / f"bulk{k:03d}.txt").write_text(
            f"Bulk report {k}\n\n"
            + " ".join(
                f"Village {k} counted {k + j} new wells and {j} schools in survey round {j}."
                for j in range(40)
            )
        )
    return folder


@pytest.fixture()
def news(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "zorblat.txt").write_text(NEW_ARTICLE)
    (folder / "junk.bin").write_bytes(b"\x00\x01\x02")
    return folder


def _check_ingest_while_serving(
    tmp_path: Path, news: Path, servers: list[Serve], ingest_env: dict[str, str]
) -> None:
    urls = [s.url for s in servers]
    with Clients(urls) as clients:
        time.sleep(1.0)
        assert not any(_answers_new_article(u) for u in urls)
        done = _ingest(ingest_env, str(news))
        assert done.returncode == 0, done.stderr
        visible = _seconds_until_answered(urls)
        assert visible <= VISIBLE_S, f"the new article was answered only after {visible:.1f} s"
        # the seed articles are kept: PATH adds, it does not replace
        assert done.stdout.strip().splitlines()[-1].startswith("articles: 3 (added 1, updated 0")
        assert "junk.bin: unsupported type" in "".join(done.stderr.split("\n"))

        # kill -9 midway: the servers keep serving the last complete index
        bulk = _many_articles(tmp_path / "bulk", 40)
        proc = subprocess.Popen(
            [NEWSRAG, "ingest", str(bulk)],
            env=ingest_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(4.0)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        for u in urls:
            assert _answers_new_article(u)
        rerun = _ingest(ingest_env, str(bulk))
        assert rerun.returncode == 0, rerun.stderr
        summary = rerun.stdout.strip().splitlines()[-1]
        assert summary.startswith("articles: 43 ("), summary
        _seconds_until_answered(urls)
        deadline = time.monotonic() + VISIBLE_S
        while time.monotonic() < deadline:
            healths = [httpx.get(f"{u}/health", timeout=10).json() for u in urls]
            if all(h["index"] == "current" and h["articles"] == 43 for h in healths):
                break
            time.sleep(0.2)
        assert all(h["status"] == "ok" and h["articles"] == 43 for h in healths), healths
        # the figures docs/scaling.md quotes (pytest -s shows them)
        print(
            f"\nnew article answered {visible:.2f} s after the ingest ended; refresh ms:",
            [h["last_refresh_ms"] for h in healths],
        )
        assert len({h["generation"] for h in healths}) == 1, healths
    assert clients.statuses, "the clients asked nothing"
    assert max(clients.statuses) < 500, sorted(set(clients.statuses))
    assert not clients.errors, clients.errors[:3]


@pytest.fixture()
def started() -> Iterator[list[Serve]]:
    servers: list[Serve] = []
    yield servers
    for s in servers:
        s.stop()


def test_an_ingest_from_a_second_process_reaches_a_serving_embedded_index(
    tmp_path: Path, news: Path, started: list[Serve]
) -> None:
    env = newsrag_env(tmp_path / "data")
    assert _ingest(env).returncode == 0
    started.append(Serve(env, tmp_path / "serve.log"))
    _check_ingest_while_serving(tmp_path, news, started, env)


def test_an_ingest_reaches_two_api_processes_on_a_chroma_server(
    tmp_path: Path, news: Path, started: list[Serve]
) -> None:
    chroma = ChromaServer(tmp_path / "chroma")
    chroma.start()
    try:
        # small commit groups, so the ingest killed midway has committed some articles
        writer = newsrag_env(tmp_path / "writer", chroma.url, NEWSRAG_PASSAGE_GROUP_PASSAGES="8")
        assert _ingest(writer).returncode == 0
        for k in range(2):
            env = newsrag_env(tmp_path / f"api{k}", chroma.url)
            started.append(Serve(env, tmp_path / f"serve{k}.log"))
        _check_ingest_while_serving(tmp_path, news, started, writer)
    finally:
        for s in started:
            s.stop()
        started.clear()
        chroma.stop()


def test_ingest_of_a_new_folder_keeps_the_seeds_and_prune_removes_them(
    tmp_path: Path, news: Path
) -> None:
    env = newsrag_env(tmp_path / "data")
    assert _ingest(env).returncode == 0
    kept = _ingest(env, str(news))
    assert (
        kept.stdout.strip()
        .splitlines()[-1]
        .startswith("articles: 3 (added 1, updated 0, removed 0, unchanged 0, skipped 1) chunks: ")
    )
    pruned = _ingest(env, str(news), "--prune")
    assert pruned.returncode == 0, pruned.stderr
    removing = " ".join(pruned.stderr.split())
    assert "removing 000_08bfda3cfe92e91c" in removing
    assert "removing 002_c34788a0f5bea4b4" in removing
    assert (
        pruned.stdout.strip()
        .splitlines()[-1]
        .startswith("articles: 1 (added 0, updated 0, removed 2, unchanged 1, skipped 1)")
    )
