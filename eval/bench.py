"""`newsrag bench`: performance figures of newsrag beside llama-index's default pipeline, in one run.

Phases (``--phases``): machine (CPU, matmul FLOP/s peak), ingest (fresh ingest + unchanged re-ingest,
ours per backend and the baseline), quality (hit@k on the corpus's questions), latency (in-process
answers; baseline retrieval), http (a real `newsrag serve`: cold start, 1 and 8 clients, peak RSS),
chroma (the same index on a real `chroma run`), scale (the index grown to ``--scale-sizes`` passages).
Every phase works in its own data dir under ``OUT/work/`` and every figure is recorded with the load
average around it; results merge into ``OUT/bench.json`` (a rerun of a phase replaces its records),
so phases can be run separately and the tables always show everything measured so far.
"""

from __future__ import annotations

import gc
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsrag.settings import PROJECT_ROOT, Settings

PHASES = ("machine", "ingest", "quality", "latency", "http", "chroma", "scale")
RTQA = PROJECT_ROOT.parent / "shared" / "bench" / "rtqa"
SEED_QUESTIONS = PROJECT_ROOT / "eval" / "questions" / "seed.jsonl"


def corpus_sets(settings: Settings, rtqa: Path) -> dict[str, tuple[list[Path], Path | None]]:
    """The standard corpora: name -> (paths, question file)."""
    dev = rtqa / "questions-dev.jsonl"
    return {
        "seed": ([settings.seed_corpus], SEED_QUESTIONS),
        "gold": ([rtqa / "articles.jsonl"], dev),
        "noisy": ([rtqa / "articles.jsonl", rtqa / "articles-distractors.jsonl"], dev),
    }


@dataclass
class Options:
    out: Path
    corpora: list[str] = field(default_factory=lambda: ["seed", "gold"])
    custom: list[Path] | None = None  # --corpus: bench these files instead of the standard corpora
    questions: Path | None = None
    phases: list[str] = field(default_factory=lambda: list(PHASES))
    backends: list[str] = field(default_factory=lambda: ["onnx-int8", "torch"])
    baseline: bool = True
    requests: int = 300  # in-process answers per measurement
    http_requests: int = 200  # requests per client-count measurement
    clients: int = 8
    loop_budget_s: float = 60.0  # each latency loop stops after this, whatever the count
    budget_s: float = 3600.0  # the whole run
    scale_sizes: list[int] = field(default_factory=lambda: [10_000, 25_000, 50_000, 100_000])
    scale_source: str = "noisy"
    rtqa: Path = RTQA
    serve_args: list[str] = field(default_factory=list)  # extra `newsrag serve` options: --no-ui


class Bench:
    """Runs the chosen phases and records each figure into bench.json as soon as it exists."""

    def __init__(
        self, settings: Settings, opts: Options, log: Callable[[str], None] = print
    ) -> None:
        self.settings = settings
        self.opts = opts
        self.log = log
        self.started = time.monotonic()
        self.path = opts.out / "bench.json"
        self.results = _load(self.path)
        self._tok: Any = None

    # ---- bookkeeping ----------------------------------------------------------------------
    def left(self) -> float:
        return self.opts.budget_s - (time.monotonic() - self.started)

    def record(self, corpus: str, config: str, phase: str, figures: dict[str, Any]) -> None:
        rec = {"corpus": corpus, "config": config, "phase": phase, "at": _now(), **figures}
        runs = [
            r
            for r in self.results["records"]
            if (r["corpus"], r["config"], r["phase"]) != (corpus, config, phase)
        ]
        self.results["records"] = [*runs, rec]
        self.save()
        self.log(f"{corpus}/{config}/{phase}: {_brief(figures)}")

    def save(self) -> None:
        from eval import bench_report

        self.opts.out.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.results, indent=1, default=str))
        bench_report.write(self.results, self.opts.out)

    def skip(self, what: str) -> bool:
        if self.left() > 0:
            return False
        self.log(f"time budget spent: skipping {what}")
        self.results.setdefault("skipped", []).append({"what": what, "at": _now()})
        return True

    def tok(self) -> Any:
        from eval.bench_ingest import tokenizer

        if self._tok is None:
            self._tok = tokenizer()
        return self._tok

    def data_settings(self, folder: Path, backend: str, chroma_url: str | None = None) -> Settings:
        store = self.settings.store.model_copy(
            update={"data_dir": folder, "chroma_url": chroma_url}
        )
        emb = self.settings.embedding.model_copy(update={"backend": backend})
        return self.settings.model_copy(update={"store": store, "embedding": emb})

    def work(self, *parts: str) -> Path:
        return self.opts.out / "work" / Path(*parts)

    # ---- the run --------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        from eval.bench_env import machine, matmul_peak

        self.results["command"] = self.results.get("command")
        if "machine" in self.opts.phases or "machine" not in self.results:
            self.results["machine"] = {**machine(), "matmul": matmul_peak(), "at": _now()}
            self.save()
            mm = self.results["machine"]["matmul"]
            self.log(
                f"machine: peak {mm['peak_flops'] / 1e9:.1f} GFLOP/s (load {mm['load_before']})"
            )
        sets = corpus_sets(self.settings, self.opts.rtqa)
        if self.opts.custom:
            sets = {"custom": (self.opts.custom, self.opts.questions)}
            corpora = ["custom"]
        else:
            corpora = self.opts.corpora
        for name in corpora:
            paths, questions = sets[name]
            if self.opts.questions and name != "custom":
                questions = self.opts.questions
            self.corpus(name, paths, questions)
        if "scale" in self.opts.phases and not self.skip("scale"):
            from eval.bench_phases import scale_phase

            scale_phase(self, sets)
        self.save()
        return self.results

    def corpus(self, name: str, paths: list[Path], questions: Path | None) -> None:
        from corpus.loader import load_articles
        from eval import bench_phases as ph

        phases = set(self.opts.phases)
        if not phases & {"ingest", "quality", "latency", "http", "chroma"}:
            return
        articles = load_articles(paths).articles
        self.log(f"{name}: {len(articles)} articles from {', '.join(map(str, paths))}")
        if "ingest" in phases:
            _warm_imports()
        qtexts = ph.questions_for(questions, articles)
        for backend in self.opts.backends:
            if self.skip(f"{name}/{backend}"):
                return
            ph.ours(self, name, backend, paths, articles, questions, qtexts)
            gc.collect()
        if (
            self.opts.baseline
            and phases & {"ingest", "quality", "latency"}
            and not self.skip(f"{name}/baseline")
        ):
            ph.baseline(self, name, articles, questions, qtexts)
            gc.collect()
        if "chroma" in phases and not self.skip(f"{name}/chroma"):
            ph.chroma_phase(self, name, paths, articles, qtexts)


def _warm_imports() -> None:
    """Imports every library an ingest needs, so no ingest figure carries the one-time import cost
    (torch, transformers, onnxruntime, chromadb: seconds) that the configs measured after it skip."""
    import chromadb  # noqa: F401
    import onnxruntime  # noqa: F401
    import sentence_transformers  # noqa: F401
    import torch  # noqa: F401
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding  # noqa: F401


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
        if isinstance(data.get("records"), list):
            return data  # type: ignore[no-any-return]
    except (OSError, ValueError):
        pass
    return {"records": []}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _brief(figures: dict[str, Any]) -> str:
    keep = [
        (k, v)
        for k, v in figures.items()
        if not isinstance(v, dict | list) and k not in ("at", "questions", "cli_summary")
    ]
    return ", ".join(f"{k}={v}" for k, v in keep[:12])


def clean_work(opts: Options) -> None:
    """Removes the bench's data dirs (the figures in bench.json stay)."""
    shutil.rmtree(opts.out / "work", ignore_errors=True)
