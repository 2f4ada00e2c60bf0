"""Helpers shared by the tests: paths, free loopback ports, settings, real `chroma run` and
`redis-server` processes."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from newsrag.settings import Settings, StoreSettings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
RTQA = SHARED / "bench" / "rtqa"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def searcher_with(searcher: Any, **changes: object) -> Any:
    """A Searcher over the same warm indexes as ``searcher`` with some retrieval settings changed
    (``per_article=0``: the fused order; ``ranker=True``: the shipped ranker)."""
    from ask.search import Searcher

    settings = searcher.settings.model_copy(update=changes)
    return Searcher(settings, searcher.store, searcher.embedder, searcher.bm25, searcher.articles)


def make_settings(data_dir: Path, chroma_url: str | None = None, **store: object) -> Settings:
    """Settings for a test: its own data dir (and collection), nothing read from the environment."""
    return Settings(store=StoreSettings(data_dir=data_dir, chroma_url=chroma_url, **store))


class ChromaServer:
    """A real `chroma run` process on a free loopback port."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = path.parent / f"chroma-{self.port}.log"

    def start(self) -> None:
        exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    exe,
                    "run",
                    "--path",
                    str(self.path),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma run exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("chroma run did not answer its heartbeat within 60 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self.proc = None


class RedisServer:
    """A real `redis-server` on a free loopback port, nothing saved to disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    @staticmethod
    def executable() -> str | None:
        return shutil.which("redis-server") or shutil.which("redis-server", path="/usr/sbin:/sbin")

    def start(self) -> None:
        exe = self.executable()
        if exe is None:
            raise RuntimeError("redis-server is not installed (Debian package redis-server)")
        self.path.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [exe, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.path), "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("redis-server did not answer PING within 20 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


@dataclass
class LiveServer:
    """A uvicorn server running ``app`` in a thread (its lifespan runs exactly as under `newsrag serve`)."""

    app: FastAPI
    url: str = ""
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None

    def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{port}", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 120  # the lifespan may load the model
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("uvicorn exited during startup (see the log above)")
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 120 s")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(timeout=30)

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)  # type: ignore[arg-type]


def parse_sse(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """(event, data) pairs from a text/event-stream, parsed as the WHATWG spec has browsers do it."""
    event, data = "", []
    for line in lines:
        if line == "":
            if data:
                yield event or "message", "\n".join(data)
            event, data = "", []
            continue
        if line.startswith(":"):
            continue  # a comment (sse-starlette's keep-alive ping)
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)
    if data:
        yield event or "message", "\n".join(data)


MARKER = re.compile(r"\[(\d+)\]")


def check_citations(answer: dict[str, Any], text_of: Callable[[str], str]) -> None:
    """Every [n] has a citation and vice versa, and every offset points at the cited text:
    ``text_of(article_id)`` is the article text as GET /v1/documents/{id} serves it."""
    markers = {int(n) for n in MARKER.findall(answer["answer"])}
    assert markers == {c["n"] for c in answer["citations"]}, answer
    for c in answer["citations"]:
        text = text_of(c["article_id"])
        assert text[c["start"] : c["end"]] == c["passage"]
        assert text[c["quote_start"] : c["quote_end"]] == c["quote"]
        assert c["start"] <= c["quote_start"] < c["quote_end"] <= c["end"]


NEWSRAG = str(Path(sys.executable).parent / "newsrag")


def newsrag_env(data_dir: Path, chroma_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a `newsrag` subprocess: offline, its own data dir, no NEWSRAG_* leaking
    in from the test run."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSRAG_")}
    env.update(HF_HUB_OFFLINE="1", NEWSRAG_DATA_DIR=str(data_dir), **extra)
    if chroma_url:
        env["NEWSRAG_CHROMA_URL"] = chroma_url
    return env


class ServeProcess:
    """A real `newsrag serve --no-ui` process on a free loopback port, up when constructed (its
    /health answered one of ``ready``), its output in ``log``."""

    def __init__(self, env: dict[str, str], log: Path, ready: tuple[int, ...] = (200,)) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [NEWSRAG, "serve", "--no-ui", "--port", self.url.rsplit(":", 1)[1]],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code in ready:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise AssertionError("newsrag serve did not start within 180 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=20)
