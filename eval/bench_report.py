"""bench.md, the plots and the target check, rebuilt from bench.json's records after every figure."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

Rec = dict[str, Any]
CORPUS_ORDER = ("seed", "gold", "noisy", "custom")


def find(results: dict[str, Any], corpus: str, config: str, phase: str) -> Rec | None:
    for r in results.get("records", []):
        if (r["corpus"], r["config"], r["phase"]) == (corpus, config, phase):
            return r
    return None


def _f(x: Any, nd: int = 1) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:,.{nd}f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def _ratio(a: Any, b: Any, nd: int = 2) -> str:
    if not a or not b:
        return "—"
    return f"{a / b:.{nd}f}×"


def _load(rec: Rec | None) -> str:
    if not rec or not rec.get("load"):
        return "—"
    pair = rec["load"]
    return f"{pair[0][0]:.1f}–{pair[1][0]:.1f}" if isinstance(pair[0], list) else f"{pair[0]:.1f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def corpora(results: dict[str, Any]) -> list[str]:
    seen = {r["corpus"] for r in results.get("records", []) if r["corpus"] != "scale"}
    return [c for c in CORPUS_ORDER if c in seen] + sorted(seen - set(CORPUS_ORDER))


def configs(results: dict[str, Any], corpus: str) -> list[str]:
    seen = {r["config"] for r in results.get("records", []) if r["corpus"] == corpus}
    order = ["onnx-int8", "torch", "baseline", "baseline-title", "baseline-bm25"]
    return [c for c in order if c in seen] + sorted(seen - set(order))


def ingest_table(results: dict[str, Any], corpus: str) -> str:
    base = find(results, corpus, "baseline", "ingest")
    base_q = find(results, corpus, "baseline", "quality")
    torch_q = find(results, corpus, "torch", "quality")
    rows = []
    for cfg in configs(results, corpus):
        ing = find(results, corpus, cfg, "ingest")
        q = find(results, corpus, cfg, "quality")
        if not ing and not q:
            continue
        ing = ing or {}
        hit5 = q.get("hit@5") if q else None
        d_torch = (
            f"{hit5 - torch_q['hit@5']:+.3f}"
            if hit5 is not None and torch_q and cfg != "torch"
            else "—"
        )
        rows.append(
            [
                cfg,
                _f(ing.get("articles"), 0),
                _f(ing.get("passages"), 0),
                _f(ing.get("wall_s")),
                _ratio(ing.get("wall_s"), base and base.get("wall_s")),
                _f(ing.get("articles_per_s")),
                _f(ing.get("passages_per_s")),
                _f(ing.get("embedded_tokens"), 0),
                _f(ing.get("text_tokens"), 0),
                _f(100 * ing["text_coverage"], 1) + " %"
                if ing.get("text_coverage") is not None
                else "—",
                _f(ing.get("embedded_tokens_per_s"), 0),
                _ratio(
                    ing.get("embedded_tokens_per_s"), base and base.get("embedded_tokens_per_s")
                ),
                _f(ing.get("flops_per_token_m"), 1),
                _f(100 * ing["peak_fraction"], 1) + " %"
                if ing.get("peak_fraction") is not None
                else "—",
                _f(hit5, 3),
                d_torch,
                _f(hit5 - base_q["hit@5"], 3)
                if hit5 is not None and base_q and cfg != "baseline"
                else "—",
                _load(ing or None),
            ]
        )
    header = [
        "config",
        "articles",
        "passages",
        "wall s",
        "wall vs baseline",
        "articles/s",
        "passages/s",
        "embedded tokens",
        "text tokens",
        "text embedded",
        "embedded tok/s",
        "tok/s vs baseline",
        "MFLOP/token",
        "of matmul peak",
        "hit@5",
        "Δ vs torch",
        "Δ vs baseline",
        "load",
    ]
    return _table(header, rows) if rows else ""


def quality_table(results: dict[str, Any], corpus: str) -> str:
    """hit@k and mrr@10 of every config that was scored, the three llama-index baselines included."""
    rows = []
    for cfg in configs(results, corpus):
        q = find(results, corpus, cfg, "quality")
        if q:
            rows.append(
                [cfg, *(_f(q.get(k), 3) for k in ("hit@1", "hit@5", "hit@10", "mrr@10")), _load(q)]
            )
    header = ["config", "hit@1", "hit@5", "hit@10", "mrr@10", "load"]
    return _table(header, rows) if rows else ""


def reingest_table(results: dict[str, Any], corpus: str) -> str:
    rows = []
    base = find(results, corpus, "baseline", "ingest")
    for cfg in configs(results, corpus):
        r = find(results, corpus, cfg, "reingest")
        if r:
            rows.append(
                [
                    cfg,
                    _f(r["in_process_s"], 2),
                    _f(r["cli_s"], 2),
                    _f(r.get("embedded_tokens"), 0),
                    _ratio(r["cli_s"], base and base.get("wall_s"), 3),
                    _load(r),
                ]
            )
    if rows and base:
        rows.append(
            [
                "baseline",
                "—",
                f"{_f(base['wall_s'])} (full rebuild)",
                _f(base.get("embedded_tokens"), 0),
                "1.000×",
                _load(base),
            ]
        )
    header = [
        "config",
        "sync s (in-process)",
        "`newsrag ingest` s",
        "tokens embedded",
        "vs baseline",
        "load",
    ]
    return _table(header, rows) if rows else ""


def latency_table(results: dict[str, Any], corpus: str) -> str:
    base = find(results, corpus, "baseline", "latency")
    rows = []
    for cfg in configs(results, corpus):
        r = find(results, corpus, cfg, "latency")
        if r:
            rows.append(
                [
                    cfg,
                    _f(r["n"], 0),
                    _f(r["p50"], 1),
                    _f(r["p95"], 1),
                    _f(r["p99"], 1),
                    _f(r["per_s"]),
                    _ratio(r["p50"], base and base["p50"]),
                    _ratio(r["p95"], base and base["p95"]),
                    _load(r),
                ]
            )
    header = [
        "config",
        "answers",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "answers/s",
        "p50 vs baseline",
        "p95 vs baseline",
        "load",
    ]
    return _table(header, rows) if rows else ""


def http_table(results: dict[str, Any], corpus: str) -> str:
    rows = []
    for cfg in configs(results, corpus):
        for phase in ("http", "chroma"):
            r = find(results, corpus, cfg, phase)
            h = (r or {}).get("http") if phase == "chroma" else r
            if not h:
                continue
            one, many = h.get("one_client", {}), h.get("n_clients", {})
            label = cfg if phase == "http" else f"{cfg}, `chroma run` store"
            rows.append(
                [
                    label,
                    _f(h.get("cold_start_s"), 2),
                    _f(one.get("p50")),
                    _f(one.get("p95")),
                    _f(one.get("p99")),
                    _f(one.get("requests_per_s")),
                    _f(many.get("clients"), 0),
                    _f(many.get("p50")),
                    _f(many.get("p95")),
                    _f(many.get("p99")),
                    _f(many.get("requests_per_s")),
                    _f(many.get("errors"), 0),
                    _f(h.get("peak_rss_mb"), 0),
                    _load(one or None),
                ]
            )
    header = [
        "server",
        "cold start s",
        "1 client p50 ms",
        "p95",
        "p99",
        "req/s",
        "clients",
        "p50 ms",
        "p95",
        "p99",
        "req/s",
        "errors",
        "peak RSS MB",
        "load",
    ]
    return _table(header, rows) if rows else ""


def chroma_table(results: dict[str, Any], corpus: str) -> str:
    rows = []
    for cfg in configs(results, corpus):
        c = find(results, corpus, cfg, "chroma")
        e = find(results, corpus, cfg, "latency")
        if not c:
            continue
        lat = c["latency"]
        over = lat["p50"] - e["p50"] if e else None
        rows.append(
            [
                cfg,
                _f(c["copied"]["passages"], 0),
                _f(e and e["p50"]),
                _f(lat["p50"]),
                _f(e and e["p95"]),
                _f(lat["p95"]),
                _f(over),
                _f(c.get("chroma_rss_mb"), 0),
                _load(lat),
            ]
        )
    header = [
        "config",
        "passages",
        "embedded p50 ms",
        "server p50 ms",
        "embedded p95",
        "server p95",
        "overhead p50 ms/answer",
        "chroma peak RSS MB",
        "load",
    ]
    return _table(header, rows) if rows else ""


def scale_table(results: dict[str, Any]) -> str:
    rows = []
    for r in results.get("records", []):
        if r["phase"] != "scale":
            continue
        for p in r["points"]:
            lat, http = p.get("latency", {}), p.get("http", {})
            one = http.get("one_client", {})
            rows.append(
                [
                    r["config"],
                    _f(p["passages"], 0),
                    _f(p["write_s"]),
                    _f(p.get("bm25_build_s")),
                    _f(http.get("cold_start_s"), 2),
                    _f(lat.get("p50")),
                    _f(lat.get("p95")),
                    _f(lat.get("p99")),
                    _f(one.get("p50")),
                    _f(one.get("p95")),
                    _f(http.get("peak_rss_mb"), 0),
                    _load(lat or None),
                ]
            )
    header = [
        "config",
        "passages",
        "write s",
        "BM25 build s",
        "cold start s",
        "in-process p50 ms",
        "p95",
        "p99",
        "HTTP p50 ms",
        "HTTP p95",
        "server peak RSS MB",
        "load",
    ]
    return _table(header, rows) if rows else ""


def plot(results: dict[str, Any], out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    scale = [r for r in results.get("records", []) if r["phase"] == "scale" and r["points"]]
    if scale:
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
        for r in scale:
            xs = [p["passages"] for p in r["points"]]
            for key, style in (("p50", "o-"), ("p95", "s--"), ("p99", "^:")):
                ax1.plot(
                    xs,
                    [p.get("latency", {}).get(key) for p in r["points"]],
                    style,
                    label=f"{r['config']} {key}",
                )
            ax2.plot(
                xs,
                [p.get("http", {}).get("peak_rss_mb") for p in r["points"]],
                "o-",
                label=r["config"],
            )
        for r in scale:  # the machine is shared: show the load each point ran under
            for p in r["points"]:
                lat = p.get("latency", {})
                if lat.get("p95") is not None and lat.get("load"):
                    ax1.annotate(
                        f"load {lat['load'][0][0]:.1f}", (p["passages"], lat["p95"]), fontsize=7
                    )
        ax1.set(
            xlabel="passages",
            ylabel="in-process answer latency (ms)",
            title="latency vs index size",
        )
        ax2.set(xlabel="passages", ylabel="server peak RSS (MB)", title="memory vs index size")
        for ax in (ax1, ax2):
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out / "scale.png", dpi=110)
        plt.close(fig)
        written.append("scale.png")
    bars = [
        (c, cfg, find(results, c, cfg, "ingest"))
        for c in corpora(results)
        for cfg in configs(results, c)
    ]
    shown: list[tuple[str, str, Rec]] = [(c, cfg, r) for c, cfg, r in bars if r]
    if shown:
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
        labels = [f"{c}\n{cfg}" for c, cfg, _ in shown]
        ax1.bar(labels, [r["embedded_tokens_per_s"] for _, _, r in shown], color="tab:blue")
        ax1.set(ylabel="embedded tokens / s", title="ingest throughput")
        ax2.bar(labels, [100 * r["text_coverage"] for _, _, r in shown], color="tab:green")
        ax2.set(ylabel="% of article text embedded", title="text actually embedded", ylim=(0, 105))
        for ax in (ax1, ax2):
            ax.tick_params(axis="x", labelsize=7)
        fig.tight_layout()
        fig.savefig(out / "ingest.png", dpi=110)
        plt.close(fig)
        written.append("ingest.png")
    return written


def markdown(results: dict[str, Any], plots: list[str]) -> str:
    from eval.bench_targets import check

    m = results.get("machine", {})
    mm = m.get("matmul", {})
    parts = ["# newsrag bench", ""]
    commands = results.get("commands") or ([results["command"]] if results.get("command") else [])
    if commands:
        parts += ["Runs merged into this report:", "", *[f"    {c}" for c in commands], ""]
    if m:
        parts += [
            f"Machine: {m.get('cpu')} ({m.get('cores')} cores, {', '.join(m.get('cpu_flags', []))}), "
            f"{m.get('memory_gb')} GB; Python {m.get('python')}, torch {m.get('torch')}, "
            f"onnxruntime {m.get('onnxruntime')}. float32 matmul {mm.get('size')}²: numpy best "
            f"{mm.get('numpy', {}).get('best_gflops')} GFLOP/s, torch best {mm.get('torch', {}).get('best_gflops')} "
            f"GFLOP/s (load {mm.get('load_before')}).",
            "",
            "The load column is the 1-minute load average before–after each figure (2 cores; other jobs share them).",
            "",
        ]
    for c in corpora(results):
        parts.append(f"## {c}")
        for title, table in (
            ("Ingest (fresh) and retrieval quality", ingest_table(results, c)),
            (
                "Retrieval quality beside llama-index's defaults (one run)",
                quality_table(results, c),
            ),
            ("Re-ingest with nothing changed", reingest_table(results, c)),
            (
                "Answer latency in-process (baseline: retrieval only, it has no answer step)",
                latency_table(results, c),
            ),
            ("Over HTTP (`newsrag serve` subprocess, loopback)", http_table(results, c)),
            ("Chroma server mode (`chroma run` on loopback)", chroma_table(results, c)),
        ):
            if table:
                parts += ["", f"### {title}", "", table]
        parts.append("")
    st = scale_table(results)
    if st:
        parts += ["## Scale", "", st, ""]
    parts += ["## Targets", "", check(results), ""]
    if results.get("skipped"):
        parts += ["Skipped (time budget): " + ", ".join(s["what"] for s in results["skipped"]), ""]
    parts += [f"![{p}]({p})" for p in plots]
    return "\n".join(parts) + "\n"


def write(results: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    plots = plot(results, out)
    (out / "bench.md").write_text(markdown(results, plots))
