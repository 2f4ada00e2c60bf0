"""Smoke tests of `newsrag bench`'s code on the seed corpus with small counts.

No timing is asserted here: performance targets are measured by `newsrag bench`, on a known load.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import make_settings

from eval import bench_env
from eval.bench import Bench, Options
from eval.bench_ingest import embedded_windows, tokenizer
from newsrag.settings import Settings


def test_flop_count_is_two_per_matmul_weight_plus_attention() -> None:
    assert bench_env.MATMUL_WEIGHTS == 6 * (4 * 384 * 384 + 2 * 384 * 1536)
    # ~24 MFLOP a token at the model's full length, 22.7 at our 160-word-piece passages
    assert bench_env.flops_per_token(256) == pytest.approx(23.6e6, rel=0.01)
    assert bench_env.flops_per_token(160) == pytest.approx(22.7e6, rel=0.01)


def test_matmul_peak_and_process_memory_are_measured() -> None:
    peak = bench_env.matmul_peak(size=128, repeats=2)
    assert peak["peak_flops"] > 0
    mem = bench_env.proc_memory(__import__("os").getpid())
    assert mem["VmHWM"] >= mem["VmRSS"] > 0


def test_embedded_windows_count_only_what_the_model_sees() -> None:
    tok = tokenizer()
    long_text = "word " * 1000  # ~1,000 word pieces: truncated at 256
    short_text = "A short passage."
    got = embedded_windows(
        tok,
        [("a", 0, long_text), ("b", 0, short_text)],
        {"a": len(long_text), "b": len(short_text)},
    )
    assert got["sequences"] == 2
    assert got["truncated_sequences"] == 1
    assert got["embedded_tokens"] == 256 + len(tok(short_text)["input_ids"])
    # all of b, about a quarter of a
    covered = len(short_text) + 254 * len("word ") - 1
    assert got["text_coverage"] == pytest.approx(
        covered / (len(long_text) + len(short_text)), abs=1e-3
    )


@pytest.mark.slow
def test_bench_records_ingest_quality_and_latency_beside_the_baseline(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "unused")
    opts = Options(
        out=tmp_path / "bench",
        corpora=["seed"],
        phases=["ingest", "quality", "latency"],
        backends=["onnx-int8"],
        requests=5,
        loop_budget_s=20,
        budget_s=600,
    )
    Bench(settings, opts, log=lambda _: None).run()
    data = json.loads((opts.out / "bench.json").read_text())
    recs = {(r["config"], r["phase"]): r for r in data["records"]}
    assert set(recs) >= {
        ("onnx-int8", "ingest"),
        ("onnx-int8", "reingest"),
        ("onnx-int8", "quality"),
        ("onnx-int8", "latency"),
        ("baseline", "ingest"),
        ("baseline", "quality"),
        ("baseline", "latency"),
        # the two defaults users most often run instead, scored in the same run
        ("baseline-title", "quality"),
        ("baseline-title", "latency"),
        ("baseline-bm25", "quality"),
        ("baseline-bm25", "latency"),
    }
    ours, base = recs[("onnx-int8", "ingest")], recs[("baseline", "ingest")]
    assert ours["text_coverage"] > 0.99 > base["text_coverage"]
    assert ours["embedded_tokens"] > base["embedded_tokens"]
    assert recs[("onnx-int8", "reingest")]["embedded_tokens"] == 0
    assert recs[("onnx-int8", "reingest")]["cli_ok"]
    assert recs[("onnx-int8", "latency")]["n"] == 5
    assert recs[("onnx-int8", "latency")]["errors"] == 0
    md = (opts.out / "bench.md").read_text()
    assert "### Ingest (fresh)" in md and "## Targets" in md
    quality_table = md.split("### Retrieval quality beside llama-index's defaults")[1].split("###")[
        0
    ]
    assert all(
        f"| {c} |" in quality_table for c in ("onnx-int8", "baseline-title", "baseline-bm25")
    )
    assert (opts.out / "ingest.png").is_file()


def test_scale_run_grows_a_noisy_copy_of_an_index(seed_settings: Settings, tmp_path: Path) -> None:
    from eval.bench_scale import Source, grow_to
    from index.runtime import open_store

    source = Source(open_store(seed_settings))
    store = open_store(make_settings(tmp_path / "scale"))
    grown = grow_to(source, store, 2 * len(source) + 1, start_copy=1, seed=0, budget_s=120)
    assert grown["reached"] and grown["copies_added"] == 3
    assert store.passage_count() == 3 * len(source)
    copy = store.get_passages([f"{source.passages['ids'][0].rsplit('#', 1)[0]}~2#0"])[0]
    assert copy.article_id.endswith("~2")


@pytest.mark.slow
def test_http_figures_come_from_a_real_serve_process(
    seed_settings: Settings, tmp_path: Path
) -> None:
    from eval.bench_http import Serve, clients

    server = Serve(
        seed_settings.store.data_dir, tmp_path / "serve.log", {"NEWSRAG_EMBED_BACKEND": "torch"}
    )
    try:
        started = server.start_and_ask("Who launched the satellite?", timeout_s=180)
        assert started["cold_start_s"] > 0
        fig = clients(server.url, ["What is the SKA?", "Who cooperates with China?"], 2, 6, 30)
        assert fig["n"] == 6 and fig["errors"] == 0
        assert server.memory()["VmHWM"] > 0
    finally:
        server.stop()
