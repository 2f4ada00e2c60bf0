"""The parts every model card of ours shares: how it was made (command, versions, wall time), the
parameters, and which features the trees leaned on."""

from __future__ import annotations

import json
import platform
from typing import Any


def lgb_version() -> str:
    import lightgbm as lgb

    return str(lgb.__version__)


def importance(booster: Any, iteration: int) -> dict[str, float]:
    """Total gain per feature of the first ``iteration`` trees."""
    gains = booster.feature_importance("gain", iteration=iteration)
    return dict(zip(booster.feature_name(), (float(x) for x in gains), strict=True))


def command_lines(command: str, seconds: dict[str, float], cached: str = "") -> list[str]:
    return [
        "## Command",
        "",
        f"`{command}`",
        "",
        f"Python {platform.python_version()}, LightGBM {lgb_version()}, {platform.machine()}.",
        "Wall time: " + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items()) + cached + ".",
        "",
    ]


def params_lines(params: dict[str, Any], rounds: int) -> list[str]:
    return [
        "## Parameters",
        "",
        "```json",
        json.dumps(dict(params, num_boost_round=rounds), indent=1, sort_keys=True),
        "```",
        "",
    ]


def importance_lines(gains: dict[str, float]) -> list[str]:
    total = sum(gains.values()) or 1.0
    lines = ["## Feature importance (total gain, share)", ""]
    for name, gain in sorted(gains.items(), key=lambda kv: -kv[1]):
        lines.append(f"- `{name}`: {gain / total:.3f}")
    return lines
