"""Over-the-wire figures: a real `newsrag serve` subprocess (cold start, latency with 1 and N clients,
peak RSS) and a real `chroma run` server for the scale-out mode. Loopback only; every loop is bounded
in count and in time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from eval.bench_env import free_port, load, percentiles, proc_memory

HOST = "127.0.0.1"


class Serve:
    """`python -m newsrag serve` on a free loopback port with its own environment."""

    def __init__(
        self, data_dir: Path, log: Path, env: dict[str, str] | None = None, args: Sequence[str] = ()
    ) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log = log
        self.env = {**os.environ, "NEWSRAG_DATA_DIR": str(data_dir), **(env or {})}
        self.env.pop("NEWSRAG_API_KEY", None)
        self.args = list(args)
        self.proc: subprocess.Popen[bytes] | None = None

    def start_and_ask(self, question: str, timeout_s: float = 300.0) -> dict[str, Any]:
        """Starts the process and polls POST /v1/chat until the first answer: the cold start."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        before = load()
        t0 = time.perf_counter()
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "newsrag",
                    "serve",
                    "--host",
                    HOST,
                    "--port",
                    str(self.port),
                    *self.args,
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = t0 + timeout_s
        with httpx.Client(timeout=30) as client:
            while time.perf_counter() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"newsrag serve exited: {self.log.read_text()[-1500:]}")
                try:
                    r = client.post(f"{self.url}/v1/chat", json={"question": question})
                    if r.status_code == 200:
                        return {
                            "cold_start_s": round(time.perf_counter() - t0, 2),
                            "load": [before, load()],
                        }
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        raise RuntimeError(f"newsrag serve gave no answer within {timeout_s:.0f} s")

    def memory(self) -> dict[str, float]:
        return proc_memory(self.proc.pid) if self.proc else {}

    def stop(self) -> None:
        _stop(self.proc)
        self.proc = None


class ChromaRun:
    """A real `chroma run` process on a free loopback port."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 60.0) -> None:
        exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.parent / "chroma.log", "ab") as log:
            self.proc = subprocess.Popen(
                [exe, "run", "--path", str(self.path), "--host", HOST, "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("chroma run exited")
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"chroma run did not answer within {timeout_s:.0f} s")

    def memory(self) -> dict[str, float]:
        return proc_memory(self.proc.pid) if self.proc else {}

    def stop(self) -> None:
        _stop(self.proc)
        self.proc = None


def _stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


def clients(
    url: str, questions: Sequence[str], n_clients: int, count: int, budget_s: float
) -> dict[str, Any]:
    """``n_clients`` threads, each with its own connection, POSTing /v1/chat until ``count`` requests
    in all have been sent or ``budget_s`` has passed. Latency is each request's wall time."""
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    sent = 0
    deadline = time.perf_counter() + budget_s

    def worker(k: int) -> None:
        nonlocal sent
        with httpx.Client(timeout=30) as client:
            i = k
            while True:
                with lock:
                    if sent >= count or time.perf_counter() > deadline:
                        return
                    sent += 1
                q = questions[i % len(questions)]
                i += n_clients
                t0 = time.perf_counter()
                try:
                    r = client.post(f"{url}/v1/chat", json={"question": q})
                    ok = r.status_code == 200
                    why = f"HTTP {r.status_code}"
                except httpx.HTTPError as exc:
                    ok, why = False, type(exc).__name__
                ms = (time.perf_counter() - t0) * 1000
                with lock:
                    times.append(ms)
                    if not ok:
                        errors.append(why)

    # warm the connection path once per client count (not timed)
    with httpx.Client(timeout=30) as c:
        c.post(f"{url}/v1/chat", json={"question": questions[0]})
    before = load()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(n_clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=budget_s + 60)
    wall = time.perf_counter() - started
    return {
        "clients": n_clients,
        **percentiles(times),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "requests_per_s": round(len(times) / wall, 2),
        "stopped_by": "count" if len(times) >= count else "time",
        "load": [before, load()],
    }


def copy_store(src: Any, dst: Any, page: int = 500) -> dict[str, Any]:
    """Copies both collections of Store ``src`` into Store ``dst`` (vectors included, nothing re-embedded)."""
    t0 = time.perf_counter()
    copied = {}
    for name in ("articles", "passages"):
        a, b = getattr(src, name), getattr(dst, name)
        n, offset = 0, 0
        while True:
            got = a.get(include=["embeddings", "documents", "metadatas"], limit=page, offset=offset)
            if not got["ids"]:
                break
            b.upsert(
                ids=got["ids"],
                embeddings=got["embeddings"],
                documents=got["documents"],
                metadatas=got["metadatas"],
            )
            n += len(got["ids"])
            offset += page
            if len(got["ids"]) < page:
                break
        copied[name] = n
    return {**copied, "copy_s": round(time.perf_counter() - t0, 2)}
