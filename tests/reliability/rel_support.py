"""Helpers of the reliability scenarios: a `newsrag` API in its own process, a mixed-traffic load
driver that checks every answer against the single-client one, and latency figures."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from support import ROOT, free_port, parse_sse

HERE = Path(__file__).resolve().parent
API_KEY = "reliability-key-9f3a1c"
AUTH = {"Authorization": f"Bearer {API_KEY}"}

# Two-turn conversations (the follow-up must be resolved with the first turn) and one single question.
CONVERSATIONS: list[tuple[str, ...]] = [
    ("What is the SKA?", "When did its construction start?"),
    ("Which Spanish researcher works on Asian elephants in Xishuangbanna?", "When did he join it?"),
    ("When did construction of the Square Kilometre Array start?",),
]
MARKER = re.compile(r"\[(\d+)\]")


def ingest(data_dir: Path, chroma_url: str | None = None, timeout: float = 300) -> str:
    """`newsrag ingest` of the seed corpus in its own process (so no Chroma handle stays open here)."""
    env = {**os.environ, "NEWSRAG_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    env.pop("NEWSRAG_CHROMA_URL", None)
    if chroma_url:
        env["NEWSRAG_CHROMA_URL"] = chroma_url
    run = subprocess.run(
        [sys.executable, "-m", "newsrag", "ingest"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


@dataclass
class ApiProcess:
    """The API (no UI) served by uvicorn in a child process, as `newsrag serve` runs it."""

    data_dir: Path
    log: Path
    chroma_url: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait_healthy: bool = True, timeout: float = 120) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "NEWSRAG_DATA_DIR": str(self.data_dir),
            "NEWSRAG_API_KEY": API_KEY,
            "HF_HUB_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            **self.env,
        }
        env.pop("NEWSRAG_CHROMA_URL", None)
        if self.chroma_url:
            env["NEWSRAG_CHROMA_URL"] = self.chroma_url
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, str(HERE / "serve_app.py"), str(self.port)],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                r = httpx.get(f"{self.url}/health", timeout=5)
                if r.status_code == 200 or not wait_healthy:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the API did not answer /health in time"
            time.sleep(0.3)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self.proc = None

    def rss_kib(self) -> int:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def client(self, timeout: float = 60) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=AUTH, timeout=timeout)


def save_figures(name: str, figures: dict[str, Any]) -> None:
    """Keeps a run's figures under reports/reliability/ (not versioned) and prints them."""
    folder = ROOT / "reports" / "reliability"
    folder.mkdir(parents=True, exist_ok=True)
    figures = {**figures, "loadavg": os.getloadavg(), "cpus": os.cpu_count()}
    (folder / f"{name}.json").write_text(json.dumps(figures, indent=2))
    print(f"\n{name}: {json.dumps(figures)}")


def copy_index(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


# ---- answers as comparable values --------------------------------------------------------------


def answer_key(text: str, citations: list[dict[str, Any]]) -> tuple[Any, ...]:
    """What must not change between a lone client and a loaded server: text and every citation."""
    cites = tuple(
        (c["n"], c["article_id"], c["start"], c["end"], c["quote_start"], c["quote_end"])
        for c in citations
    )
    return (text, cites)


def sse(r: httpx.Response) -> Iterator[tuple[str, str]]:
    return parse_sse(r.iter_lines())


@dataclass
class Turn:
    """One answered turn, as any of the four chat interfaces returns it."""

    status: int
    key: tuple[Any, ...] | None = None
    query: str | None = None
    conversation_id: str | None = None
    body: str = ""


def chat(c: httpx.Client, question: str, cid: str | None, stream: bool) -> Turn:
    body: dict[str, Any] = {"question": question, "conversation_id": cid, "stream": stream}
    if not stream:
        r = c.post("/v1/chat", json=body)
        if r.status_code != 200:
            return Turn(r.status_code, body=r.text[:300])
        a = r.json()
        return Turn(200, answer_key(a["answer"], a["citations"]), a["query"], a["conversation_id"])
    with c.stream("POST", "/v1/chat", json=body) as r:
        if r.status_code != 200:
            r.read()
            return Turn(r.status_code, body=r.text[:300])
        events = list(sse(r))
    done = [json.loads(d) for k, d in events if k == "done"]
    text = "".join(json.loads(d)["text"] for k, d in events if k == "delta")
    if len(done) != 1 or done[0]["answer"] != text:
        return Turn(-1, body=f"broken stream: {[k for k, _ in events]}")
    a = done[0]
    return Turn(200, answer_key(a["answer"], a["citations"]), a["query"], a["conversation_id"])


def completion(
    c: httpx.Client, messages: list[dict[str, str]], cid: str | None, stream: bool
) -> Turn:
    body: dict[str, Any] = {"model": "newsrag", "messages": messages, "stream": stream}
    if cid:
        body["conversation_id"] = cid  # keeps clients that ask the same questions apart
    if not stream:
        r = c.post("/v1/chat/completions", json=body)
        if r.status_code != 200:
            return Turn(r.status_code, body=r.text[:300])
        a = r.json()
        text = a["choices"][0]["message"]["content"]
        return Turn(200, answer_key(text, a["citations"]), None, a["conversation_id"])
    with c.stream("POST", "/v1/chat/completions", json=body) as r:
        if r.status_code != 200:
            r.read()
            return Turn(r.status_code, body=r.text[:300])
        data = [d for _, d in sse(r)]
    if not data or data[-1] != "[DONE]":
        return Turn(-1, body="stream without [DONE]")
    chunks = [json.loads(d) for d in data[:-1]]
    text = "".join(
        (ch["choices"][0]["delta"].get("content") or "") for ch in chunks if ch.get("choices")
    )
    final = [ch for ch in chunks if "citations" in ch]
    if len(final) != 1 or "error" in final[0]:
        return Turn(-1, body=f"stream without one final chunk: {data[-3:]}")
    text = final[0].get("replaced_content", text)
    return Turn(200, answer_key(text, final[0]["citations"]), None, final[0]["conversation_id"])


def converse(c: httpx.Client, turns: tuple[str, ...], how: str) -> list[Turn]:
    """One conversation through one interface: chat|chat-sse|openai|openai-sse."""
    out: list[Turn] = []
    cid: str | None = None
    messages: list[dict[str, str]] = []
    for question in turns:
        if how.startswith("chat"):
            turn = chat(c, question, cid, how.endswith("sse"))
        else:
            messages.append({"role": "user", "content": question})
            turn = completion(c, messages, cid, how.endswith("sse"))
            if turn.status == 200:
                messages.append({"role": "assistant", "content": turn.key[0]})  # type: ignore[index]
        out.append(turn)
        if turn.status != 200:
            break
        cid = cid or turn.conversation_id
    return out


def references(c: httpx.Client) -> dict[tuple[str, ...], list[Turn]]:
    """The single-client answers every loaded answer is compared with."""
    return {turns: converse(c, turns, "chat") for turns in CONVERSATIONS}


def same_answers(
    a: dict[tuple[str, ...], list[Turn]], b: dict[tuple[str, ...], list[Turn]]
) -> bool:
    """Equal answers, citations and resolved queries (each run opens its own conversations)."""
    strip = lambda refs: {k: [(t.status, t.key, t.query) for t in v] for k, v in refs.items()}  # noqa: E731
    return strip(a) == strip(b)


# ---- the load driver ---------------------------------------------------------------------------

# A scratch article in made-up words: uploads and deletes exercise the write path and the index
# rebuild without sharing a term with the questions asked meanwhile.
SCRATCH = (
    "Quorvel tassine brimwold\n\nThe quorvel tassine brimwold plexar ovendril quazzle at the "
    "zimbrant harl. Fennick droval ustemar plinth oxbarrow. Grellin vasque tormidor sallow quince "
    "narrow befit. Ulmarin spoke to the pelldrake about yarrowmint frisk and tallowbrine.\n"
)


@dataclass
class LoadFigures:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    conversations: int = 0
    conversation_ids: list[str] = field(default_factory=list)
    uploads: int = 0
    deletes: int = 0
    mismatches: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def p(self, q: float) -> float:
        if not self.latencies_ms:
            return 0.0
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, int(q * len(xs)))]

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 1),
            "rps": round(self.requests / self.seconds, 1) if self.seconds else 0,
            "statuses": dict(self.statuses),
            "5xx": sum(n for s, n in self.statuses.items() if s >= 500),
            "p50_ms": round(self.p(0.50), 1),
            "p95_ms": round(self.p(0.95), 1),
            "p99_ms": round(self.p(0.99), 1),
            "max_ms": round(max(self.latencies_ms, default=0.0), 1),
            "conversations": self.conversations,
            "uploads": self.uploads,
            "deletes": self.deletes,
            "mismatches": len(self.mismatches),
        }


class Load:
    """``clients`` threads, each with its own connection, looping over a fixed mix of operations
    until ``seconds`` pass (or ``max_ops`` operations each); every answer is checked on the spot."""

    MIX = ("chat", "chat-sse", "openai", "chat", "openai-sse", "upload", "chat-sse", "openai")

    def __init__(
        self,
        url: str,
        refs: dict[tuple[str, ...], list[Turn]],
        clients: int,
        seconds: float,
        max_ops: int = 100_000,
    ) -> None:
        self.url, self.refs, self.clients = url, refs, clients
        self.seconds, self.max_ops = seconds, max_ops
        self.result = LoadFigures()
        self._lock = threading.Lock()

    def _record(self, status: int, ms: float) -> None:
        with self._lock:
            self.result.requests += 1
            self.result.statuses[status] += 1
            self.result.latencies_ms.append(ms)

    def _check(self, turns: tuple[str, ...], how: str, got: list[Turn]) -> None:
        want = self.refs[turns]
        problems = []
        if [t.status for t in got] != [200] * len(turns):
            problems.append(f"statuses {[(t.status, t.body) for t in got]}")
        else:
            for i, (g, w) in enumerate(zip(got, want, strict=True)):
                if g.key != w.key:
                    problems.append(
                        f"turn {i + 1} answer differs: {g.key!r:.200} != {w.key!r:.200}"
                    )
                if how.startswith("chat") and g.query != w.query:
                    problems.append(f"turn {i + 1} query {g.query!r} != {w.query!r}")
            if len({t.conversation_id for t in got}) != 1:
                problems.append("the follow-up landed in another conversation")
        with self._lock:
            self.result.conversations += 1
            if got and got[0].conversation_id:
                self.result.conversation_ids.append(got[0].conversation_id)
            self.result.mismatches += [f"{how} {turns[0]!r}: {p}" for p in problems]

    def _timed(self, fn: Any, *args: Any) -> Any:
        t0 = time.perf_counter()
        out = fn(*args)
        return out, (time.perf_counter() - t0) * 1000

    def _upload_and_delete(self, c: httpx.Client, name: str) -> None:
        r, ms = self._timed(
            lambda: c.post("/v1/documents", files={"file": (f"{name}.txt", SCRATCH.encode())})
        )
        self._record(r.status_code, ms)
        ok = r.status_code == 200 and r.json()["added"] + r.json()["updated"] == [name]
        if ok:
            doc, ms = self._timed(c.get, f"/v1/documents/{name}")
            self._record(doc.status_code, ms)
            ok = doc.status_code == 200 and doc.json()["text"] == SCRATCH
        gone, ms = self._timed(c.delete, f"/v1/documents/{name}")
        self._record(gone.status_code, ms)
        with self._lock:
            self.result.uploads += 1
            self.result.deletes += gone.status_code == 204
            if not ok or gone.status_code != 204:
                self.result.mismatches.append(
                    f"upload/delete of {name}: {r.status_code} {r.text[:200]}"
                )

    def _client(self, n: int, deadline: float) -> None:
        ops = itertools.cycle(self.MIX[n % len(self.MIX) :] + self.MIX[: n % len(self.MIX)])
        convs = itertools.cycle(
            CONVERSATIONS[n % len(CONVERSATIONS) :] + CONVERSATIONS[: n % len(CONVERSATIONS)]
        )
        try:
            with httpx.Client(base_url=self.url, headers=AUTH, timeout=120) as c:
                for k in range(self.max_ops):
                    if time.monotonic() >= deadline:
                        return
                    how = next(ops)
                    if how == "upload":
                        self._upload_and_delete(c, f"scratch-{n}-{k}")
                        continue
                    turns = next(convs)
                    timings: list[float] = []
                    got = converse(_Timing(c, timings), turns, how)  # type: ignore[arg-type]
                    for t, ms in zip(got, timings, strict=False):
                        self._record(t.status, ms)
                    self._check(turns, how, got)
        except Exception as exc:  # a dropped connection or a timeout: counted, never hidden
            with self._lock:
                self.result.errors.append(f"client {n}: {type(exc).__name__}: {exc}")

    def run(self) -> LoadFigures:
        started = time.monotonic()
        deadline = started + self.seconds
        threads = [
            threading.Thread(target=self._client, args=(n, deadline), daemon=True)
            for n in range(self.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=self.seconds + 300)  # a request in flight at the deadline may finish
        assert not any(t.is_alive() for t in threads), "a load client hung"
        self.result.seconds = time.monotonic() - started
        return self.result


class _Timing:
    """An httpx.Client stand-in that times each post (and each whole stream) for the load figures."""

    def __init__(self, c: httpx.Client, timings: list[float]) -> None:
        self.c, self.timings = c, timings

    def post(self, *args: Any, **kwargs: Any) -> httpx.Response:
        t0 = time.perf_counter()
        try:
            return self.c.post(*args, **kwargs)
        finally:
            self.timings.append((time.perf_counter() - t0) * 1000)

    def stream(self, *args: Any, **kwargs: Any) -> Any:
        return _TimedStream(self.c.stream(*args, **kwargs), self.timings)


class _TimedStream:
    def __init__(self, inner: Any, timings: list[float]) -> None:
        self.inner, self.timings = inner, timings

    def __enter__(self) -> httpx.Response:
        self.t0 = time.perf_counter()
        return self.inner.__enter__()  # type: ignore[no-any-return]

    def __exit__(self, *exc: Any) -> Any:
        try:
            return self.inner.__exit__(*exc)
        finally:
            self.timings.append((time.perf_counter() - self.t0) * 1000)
