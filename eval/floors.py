"""Checks metrics against eval/floors.json: {"min": {metric: floor}, "max": {metric: ceiling}}."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

FLOORS_FILE = Path(__file__).resolve().parent / "floors.json"


def load_floors(path: Path = FLOORS_FILE) -> dict[str, dict[str, float]]:
    data = json.loads(path.read_text())
    unknown = set(data) - {"min", "max", "note"}
    if unknown:
        raise ValueError(f"{path}: unknown sections {sorted(unknown)} (expected 'min' and 'max')")
    return {"min": dict(data.get("min", {})), "max": dict(data.get("max", {}))}


def check_floors(
    metrics: Mapping[str, float | int | None], floors: Mapping[str, Mapping[str, float]]
) -> list[str]:
    """One line per breach; an undefined (None) or missing metric breaches any bound set on it."""
    breaches: list[str] = []
    for key, floor in floors.get("min", {}).items():
        value = metrics.get(key)
        if value is None:
            breaches.append(f"{key} is undefined (no items measure it); floor {floor}")
        elif value < floor:
            breaches.append(f"{key} = {value:.4g} is below its floor {floor}")
    for key, ceiling in floors.get("max", {}).items():
        value = metrics.get(key)
        if value is None:
            breaches.append(f"{key} is undefined (no items measure it); ceiling {ceiling}")
        elif value > ceiling:
            breaches.append(f"{key} = {value:.4g} is above its ceiling {ceiling}")
    return breaches
