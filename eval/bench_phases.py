"""The bench phases for one corpus and configuration; eval/bench.py decides which run and records them."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.loader import Article
from eval.bench_env import load

if TYPE_CHECKING:
    from eval.bench import Bench


def questions_for(questions: Path | None, articles: Sequence[Article]) -> list[str]:
    """The corpus's questions, or (for a corpus without any) a question made of each title."""
    from eval.bench_latency import question_texts

    if questions is not None and questions.is_file():
        return question_texts(questions)
    return [f"What happened: {a.title}?" for a in articles[:200] if a.title]


def _ensure_index(b: Bench, settings: Any, articles: Sequence[Article]) -> None:
    """An index for phases run without `ingest`: synced incrementally (not a measurement)."""
    from index.runtime import open_ingestor

    ingestor, refresh = open_ingestor(settings)
    ingestor.sync(articles)
    refresh()


def ours(
    b: Bench,
    name: str,
    backend: str,
    paths: list[Path],
    articles: Sequence[Article],
    questions: Path | None,
    qtexts: list[str],
) -> None:
    from eval import bench_ingest as bi

    phases = set(b.opts.phases)
    settings = b.data_settings(b.work(name, backend), backend)
    peak = b.results.get("machine", {}).get("matmul", {}).get("peak_flops")
    if "ingest" in phases:
        text_tokens = bi.article_tokens(b.tok(), articles)
        fig = bi.ingest_ours(settings, articles, b.tok(), text_tokens)
        b.record(name, backend, "ingest", {**fig, **bi.rates(fig, peak)})
        b.record(name, backend, "reingest", bi.reingest_ours(settings, articles, paths))
    elif phases & {"quality", "latency", "http"}:
        _ensure_index(b, settings, articles)
    if phases & {"quality", "latency"} and not b.skip(f"{name}/{backend}/engine"):
        from ask.engine import Engine
        from eval.bench_latency import engine_latency, quality
        from eval.runner import EngineAsker

        engine = Engine.from_settings(settings)
        try:
            if "quality" in phases and questions is not None:
                b.record(
                    name, backend, "quality", quality(EngineAsker(engine, name=backend), questions)
                )
            if "latency" in phases:
                fig = engine_latency(engine, qtexts, b.opts.requests, b.opts.loop_budget_s)
                b.record(name, backend, "latency", fig)
        finally:
            engine.close()
            del engine
            gc.collect()
    if "http" in phases and not b.skip(f"{name}/{backend}/http"):
        b.record(
            name, backend, "http", http_figures(b, settings.store.data_dir, backend, qtexts, name)
        )


def http_figures(
    b: Bench,
    data_dir: Path,
    backend: str,
    qtexts: list[str],
    label: str,
    env: dict[str, str] | None = None,
    concurrent: bool = True,
) -> dict[str, Any]:
    """Cold start, 1-client and N-client latency and peak RSS of a real `newsrag serve`."""
    from eval.bench_http import Serve, clients

    server = Serve(
        data_dir,
        b.work("logs", f"serve-{label}-{backend}.log"),
        {"NEWSRAG_EMBED_BACKEND": backend, **(env or {})},
        b.opts.serve_args,
    )
    try:
        fig: dict[str, Any] = server.start_and_ask(qtexts[0])
        fig["rss_after_start_mb"] = server.memory().get("VmRSS")
        n, budget = b.opts.http_requests, b.opts.loop_budget_s
        fig["one_client"] = clients(server.url, qtexts, 1, n, budget)
        if concurrent:
            fig["n_clients"] = clients(server.url, qtexts, b.opts.clients, n, budget)
        mem = server.memory()
        fig["rss_mb"] = mem.get("VmRSS")
        fig["peak_rss_mb"] = mem.get("VmHWM")
    finally:
        server.stop()
    return fig


def baseline(
    b: Bench, name: str, articles: Sequence[Article], questions: Path | None, qtexts: list[str]
) -> None:
    from eval import bench_ingest as bi
    from eval.baseline import BaselineAsker, BM25BaselineAsker
    from eval.bench_latency import baseline_latency, quality

    phases = set(b.opts.phases)
    folder = b.work(name, "baseline")
    peak = b.results.get("machine", {}).get("matmul", {}).get("peak_flops")
    if "ingest" in phases:
        text_tokens = bi.article_tokens(b.tok(), articles)
        asker, fig = bi.ingest_baseline(folder, articles, b.tok(), text_tokens)
        b.record(name, "baseline", "ingest", {**fig, **bi.rates(fig, peak)})
    else:
        asker = BaselineAsker.build(articles, folder)
    if "quality" in phases and questions is not None:
        b.record(name, "baseline", "quality", quality(asker, questions))
    if "latency" in phases:
        b.record(
            name,
            "baseline",
            "latency",
            baseline_latency(asker, qtexts, b.opts.requests, b.opts.loop_budget_s),
        )
    # the two defaults users most often run instead, scored in the same run
    for other in ("baseline-title", "baseline-bm25"):
        if b.skip(f"{name}/{other}"):
            continue
        if other == "baseline-bm25":
            asker = BM25BaselineAsker.build_bm25(articles)
        else:
            asker = BaselineAsker.build(articles, b.work(name, other), titles=True)
        if "quality" in phases and questions is not None:
            b.record(name, other, "quality", quality(asker, questions))
        if "latency" in phases:
            b.record(
                name,
                other,
                "latency",
                baseline_latency(asker, qtexts, b.opts.requests, b.opts.loop_budget_s),
            )


def chroma_phase(
    b: Bench, name: str, paths: list[Path], articles: Sequence[Article], qtexts: list[str]
) -> None:
    """The same index served by a real `chroma run`: in-process and HTTP latency, and its memory."""
    from ask.engine import Engine
    from eval.bench_http import ChromaRun, copy_store
    from eval.bench_latency import engine_latency
    from index.ingest import bm25_folder
    from index.runtime import open_store

    backend = b.opts.backends[0]
    embedded = b.data_settings(b.work(name, backend), backend)
    if "ingest" not in b.opts.phases:
        _ensure_index(b, embedded, articles)
    folder = b.work(name, f"{backend}-chroma-server")
    shutil.rmtree(folder, ignore_errors=True)
    chroma = ChromaRun(folder / "chroma-db")
    chroma.start()
    try:
        remote = b.data_settings(folder / "data", backend, chroma.url)
        copied = copy_store(open_store(embedded), open_store(remote))
        shutil.copytree(bm25_folder(embedded), bm25_folder(remote))
        engine = Engine.from_settings(remote)
        try:
            fig: dict[str, Any] = {"copied": copied, "chroma_url": chroma.url}
            fig["latency"] = engine_latency(engine, qtexts, b.opts.requests, b.opts.loop_budget_s)
        finally:
            engine.close()
            del engine
            gc.collect()
        fig["http"] = http_figures(
            b,
            remote.store.data_dir,
            backend,
            qtexts,
            f"{name}-chroma",
            {"NEWSRAG_CHROMA_URL": chroma.url},
            concurrent=True,
        )
        fig["chroma_rss_mb"] = chroma.memory().get("VmHWM")
        b.record(name, backend, "chroma", fig)
    finally:
        chroma.stop()


def scale_phase(b: Bench, sets: dict[str, tuple[list[Path], Path | None]]) -> None:
    """Grows a copy of the largest ingested corpus through the scale sizes, measuring at each."""
    import time

    from ask.engine import Engine
    from eval.bench_env import load as load_avg
    from eval.bench_latency import engine_latency
    from eval.bench_scale import Source, run_sizes
    from index.ingest import refresh_bm25
    from index.runtime import open_store

    backend = b.opts.backends[0]
    src_name = b.opts.scale_source
    paths, questions = sets[src_name]
    from corpus.loader import load_articles

    articles = load_articles(paths).articles
    src_settings = b.data_settings(b.work(src_name, backend), backend)
    _ensure_index(b, src_settings, articles)
    qtexts = questions_for(questions, articles)
    source = Source(open_store(src_settings))
    folder = b.work("scale", backend)
    shutil.rmtree(folder, ignore_errors=True)
    settings = b.data_settings(folder, backend)
    store = open_store(settings)
    b.log(f"scale: source {src_name} ({len(source)} passages), sizes {b.opts.scale_sizes}")

    def measure(passages: int) -> dict[str, Any]:
        t0 = time.perf_counter()
        refresh_bm25(store, settings)
        out: dict[str, Any] = {
            "bm25_build_s": round(time.perf_counter() - t0, 1),
            "load_bm25": load_avg(),
        }
        out["http"] = http_figures(
            b, folder, backend, qtexts, f"scale-{passages}", concurrent=False
        )
        engine = Engine.from_settings(settings)
        try:
            out["latency"] = engine_latency(engine, qtexts, b.opts.requests, b.opts.loop_budget_s)
        finally:
            engine.close()
            del engine
            gc.collect()
        return out

    points = run_sizes(b.opts.scale_sizes, source, store, measure, max(60.0, b.left()), b.log)
    b.record(
        "scale",
        backend,
        "scale",
        {"source": src_name, "source_passages": len(source), "points": points, "load": load()},
    )
