"""Writes report.json, report.md and report.png, and renders the metric tables for the terminal."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.metrics import (
    ANSWER_KEYS,
    METRIC_KEYS,
    Record,
    by_category,
    failure_counts,
    summarize,
)

Metrics = Mapping[str, float | int | None]
DASH = "—"
# The columns of the per-category tables and bars.
CATEGORY_KEYS = (
    "items",
    "hit@1",
    "hit@5",
    "mrr@10",
    "answer_accuracy",
    "citation_support",
    "abstain_recall",
)

# Terminal column headers for the per-category table (the Markdown one spells them out).
SHORT = {"answer_accuracy": "answer acc", "citation_support": "cited", "abstain_recall": "abstain"}


@dataclass(slots=True)
class Run:
    """One configuration's scored records."""

    name: str
    records: list[Record]
    has_answers: bool = True
    metrics: dict[str, float | int | None] = field(init=False)

    def __post_init__(self) -> None:
        self.metrics = summarize(self.records)
        if not self.has_answers:
            self.metrics.update({k: None for k in ANSWER_KEYS})


def primary(runs: Sequence[Run]) -> Run:
    """The run report.json's top-level metrics describe: the first with an answer step."""
    return next((r for r in runs if r.has_answers), runs[0])


def fmt(key: str, value: float | int | None) -> str:
    if value is None:
        return DASH
    if key in ("items", "errors"):
        return str(int(value))
    if key.startswith("latency") or key == "answer_chars_median":
        return f"{value:.1f}" if value < 100 else f"{value:.0f}"
    return f"{value:.3f}"


def _rounded(metrics: Metrics) -> dict[str, float | int | None]:
    out: dict[str, float | int | None] = {}
    for key, value in metrics.items():
        if value is None or isinstance(value, int):
            out[key] = value
        elif key.startswith("latency") or key == "answer_chars_median":
            out[key] = round(value, 1)
        else:
            out[key] = round(value, 4)
    return out


def build(runs: Sequence[Run], meta: Mapping[str, Any], problems: Sequence[str]) -> dict[str, Any]:
    """report.json: the primary run's metrics, categories and items on top, every run under ``runs``."""
    main = primary(runs)
    runs_json = {
        run.name: {
            "metrics": _rounded(run.metrics),
            "categories": {c: _rounded(m) for c, m in _categories(run).items()},
            "failures": failure_counts(run.records),
            "items": [r.to_json() for r in run.records],
        }
        for run in runs
    }
    top = runs_json[main.name]
    report: dict[str, Any] = {
        **meta,
        "config": main.name,
        "metrics": top["metrics"],
        "categories": top["categories"],
        "failures": top["failures"],
        "problems": list(problems),
        "items": top["items"],
    }
    if len(runs) > 1:
        report["compare"] = {run.name: _rounded(run.metrics) for run in runs}
        report["runs"] = runs_json
    return report


def _categories(run: Run) -> dict[str, dict[str, float | int | None]]:
    cats = by_category(run.records)
    if not run.has_answers:
        for m in cats.values():
            m.update({k: None for k in ANSWER_KEYS})
    return cats


# ---- tables ---------------------------------------------------------------------------------
def metric_rows(runs: Sequence[Run]) -> list[list[str]]:
    return [[key, *(fmt(key, run.metrics.get(key)) for run in runs)] for key in METRIC_KEYS]


def category_rows(run: Run) -> list[list[str]]:
    return [
        [cat, *(fmt(k, m.get(k)) for k in CATEGORY_KEYS)] for cat, m in _categories(run).items()
    ]


def rich_tables(runs: Sequence[Run]) -> list[Any]:
    from rich.table import Table

    title = "metrics" if len(runs) == 1 else "configs side by side"
    table = Table(title=title, title_justify="left")
    table.add_column("metric")
    for run in runs:
        table.add_column(run.name, justify="right")
    for row in metric_rows(runs):
        table.add_row(*row)
    main = primary(runs)
    cats = Table(title=f"by category ({main.name})", title_justify="left")
    cats.add_column("category")
    for key in CATEGORY_KEYS:
        cats.add_column(SHORT.get(key, key), justify="right")
    for row in category_rows(main):
        cats.add_row(*row)
    return [table, cats]


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(runs: Sequence[Run], meta: Mapping[str, Any], problems: Sequence[str]) -> str:
    main = primary(runs)
    parts = [
        "# newsrag evaluation",
        "",
        *(f"- {k}: `{v}`" for k, v in meta.items() if v not in (None, "", [])),
        "",
        "## Metrics" if len(runs) == 1 else "## Configs side by side",
        "",
        _md_table(["metric", *(r.name for r in runs)], metric_rows(runs)),
        "",
        f"## By category ({main.name})",
        "",
        _md_table(["category", *CATEGORY_KEYS], category_rows(main)),
        "",
    ]
    for run in runs:
        counts = failure_counts(run.records)
        if counts:
            parts += [f"## Failures ({run.name})", ""]
            parts += [f"- {reason}: {n}" for reason, n in counts.items()]
            parts.append("")
    failed = [r for r in main.records if r.failure]
    if failed:
        parts += [f"## Failed items ({main.name})", ""]
        rows = [
            [
                r.item.id,
                r.failure or "",
                _short(r.item.question),
                _short(r.reply.answer),
                str(r.rank or DASH),
            ]
            for r in failed
        ]
        parts += [_md_table(["id", "failure", "question", "answer", "rank"], rows), ""]
    if problems:
        parts += ["## Question file problems", ""] + [f"- {p}" for p in problems] + [""]
    return "\n".join(parts)


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- plot -----------------------------------------------------------------------------------
def plot(runs: Sequence[Run], path: Path) -> None:
    """Per-category bars (primary run), configs side by side (when comparing), latency histogram."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = 3 if len(runs) > 1 else 2
    fig, axes = plt.subplots(1, panels, figsize=(6 * panels, 4.5))
    keys = [k for k in CATEGORY_KEYS if k != "items"]
    main = primary(runs)
    _bars(axes[0], _categories(main), keys, f"by category ({main.name})")
    if len(runs) > 1:
        _bars(
            axes[1],
            {r.name: r.metrics for r in runs},
            ["hit@1", "hit@5", "mrr@10", "answer_accuracy"],
            "configs",
        )
    ax = axes[-1]
    timed = {
        run.name: [r.reply.latency_ms for r in run.records if r.reply.error is None] for run in runs
    }
    every = [ms for values in timed.values() for ms in values]
    if every:  # one set of bins for every config, so the shapes compare
        lo, hi = min(every), max(every)
        hi = hi if hi > lo else lo + 1.0
        edges = [lo + (hi - lo) * i / 30 for i in range(31)]
        for name, values in timed.items():
            if values:
                ax.hist(values, bins=edges, histtype="step", linewidth=1.5, label=name)
    ax.set_title("latency per call")
    ax.set_xlabel("ms")
    ax.set_ylabel("calls")
    if len(runs) > 1:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _bars(ax: Any, groups: Mapping[str, Metrics], keys: Sequence[str], title: str) -> None:
    names = list(groups)
    width = 0.8 / max(1, len(keys))
    for i, key in enumerate(keys):
        values = [groups[n].get(key) or 0.0 for n in names]
        ax.bar([x + i * width for x in range(len(names))], values, width, label=key)
    ax.set_xticks([x + width * (len(keys) - 1) / 2 for x in range(len(names))])
    ax.set_xticklabels(names, rotation=20, ha="right", fontsize=8)
    ax.set_ylim(0, 1.3)  # headroom for the legend above the bars
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_title(title)
    ax.legend(fontsize=7, ncol=3, loc="upper center")


def write(
    runs: Sequence[Run], out: Path, meta: Mapping[str, Any], problems: Sequence[str]
) -> dict[str, Path]:
    """report.json, report.md and report.png in ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "report.json", "md": out / "report.md", "png": out / "report.png"}
    paths["json"].write_text(
        json.dumps(build(runs, meta, problems), ensure_ascii=False, indent=2) + "\n"
    )
    paths["md"].write_text(markdown(runs, meta, problems))
    plot(runs, paths["png"])
    return paths
