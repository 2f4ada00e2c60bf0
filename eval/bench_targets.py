"""The issue's performance targets checked against the recorded figures (never asserted in tests)."""

from __future__ import annotations

from typing import Any

from eval.bench_report import _table, find

OURS = ("onnx-int8", "torch")


def _corpus(results: dict[str, Any]) -> str | None:
    """Targets are stated on rtqa gold + distractors; fall back to the largest corpus measured."""
    have = {r["corpus"] for r in results.get("records", [])}
    return next((c for c in ("noisy", "gold", "custom", "seed") if c in have), None)


def _mark(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def check(results: dict[str, Any]) -> str:
    corpus = _corpus(results)
    if corpus is None:
        return "Nothing measured yet."
    rows: list[list[str]] = []

    def add(target: str, cfg: str, value: str, ok: bool | None, where: str = corpus) -> None:
        rows.append([target, where, cfg, value, _mark(ok)])

    base = find(results, corpus, "baseline", "ingest")
    torch_q = find(results, corpus, "torch", "quality")
    for cfg in OURS:
        ing = find(results, corpus, cfg, "ingest")
        if ing:
            cov = ing["text_coverage"]
            add("ingest embeds 100 % of the text", cfg, f"{100 * cov:.1f} %", cov >= 0.995)
            if base:
                r = ing["embedded_tokens_per_s"] / base["embedded_tokens_per_s"]
                add("embedded tok/s ≥ 2× baseline (stretch 3×)", cfg, f"{r:.2f}×", r >= 2)
                w = ing["wall_s"] / base["wall_s"]
                add("whole text in ≤ 2× baseline wall time", cfg, f"{w:.2f}×", w <= 2)
        q = find(results, corpus, cfg, "quality")
        if q and torch_q and cfg != "torch":
            d = q["hit@5"] - torch_q["hit@5"]
            add(
                "hit@5 within 0.01 of fp32",
                cfg,
                f"{q['hit@5']:.3f} vs {torch_q['hit@5']:.3f} ({d:+.3f})",
                d >= -0.01,
            )
        re = find(results, corpus, cfg, "reingest")
        if re:
            add(
                "re-ingest unchanged ≤ 3 s (`newsrag ingest`)",
                cfg,
                f"{re['cli_s']:.2f} s",
                re["cli_s"] <= 3,
            )
            add(
                "re-ingest unchanged ≤ 3 s (sync in-process)",
                cfg,
                f"{re['in_process_s']:.2f} s",
                re["in_process_s"] <= 3,
            )
        lat = find(results, corpus, cfg, "latency")
        if lat:
            # the first performance issue's targets, then the answer budget of issue 12 (which
            # the sentence reader spends part of)
            for label, key, limit in (
                ("in-process p50 ≤ 15 ms", "p50", 15),
                ("in-process p95 ≤ 30 ms", "p95", 30),
                ("answer budget: in-process p50 ≤ 30 ms", "p50", 30),
                ("answer budget: in-process p95 ≤ 60 ms", "p95", 60),
            ):
                add(label, cfg, f"{lat[key]:.1f} ms", lat[key] <= limit)
        http = find(results, corpus, cfg, "http")
        if http:
            one, many = http["one_client"], http.get("n_clients")
            add("HTTP 1 client p50 ≤ 25 ms", cfg, f"{one['p50']:.1f} ms", one["p50"] <= 25)
            if many:
                for label, limit in (("", 150), ("answer budget: ", 200)):
                    add(
                        f"{label}HTTP {many['clients']} clients: no errors, p95 ≤ {limit} ms",
                        cfg,
                        f"{many['errors']} errors, p95 {many['p95']:.1f} ms",
                        many["errors"] == 0 and many["p95"] <= limit,
                    )
            add("cold start ≤ 8 s", cfg, f"{http['cold_start_s']:.2f} s", http["cold_start_s"] <= 8)
    for r in results.get("records", []):
        if r["phase"] != "scale" or not r["points"]:
            continue
        top = max(r["points"], key=lambda p: p["passages"])
        n = top["passages"]
        where = f"scale {n:,} passages" + (
            "" if n >= 100_000 else " (below 100k: target not reached)"
        )
        lat, rss = top.get("latency", {}), top.get("http", {}).get("peak_rss_mb")
        if lat.get("p95") is not None:
            add(
                "100k passages: in-process p95 ≤ 60 ms",
                r["config"],
                f"{lat['p95']:.1f} ms",
                lat["p95"] <= 60 if n >= 100_000 else None,
                where,
            )
        if rss is not None:
            add(
                "100k passages: server RSS ≤ 1.5 GB",
                r["config"],
                f"{rss:,.0f} MB",
                rss <= 1536 if n >= 100_000 else None,
                where,
            )
    note = (
        ""
        if corpus == "noisy"
        else f"\n\nTargets are stated on rtqa gold + distractors; measured here on `{corpus}`."
    )
    return _table(["target", "corpus", "config", "measured", "status"], rows) + note
