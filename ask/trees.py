"""A LightGBM model file of ours (the passage ranker, the answer selector): loaded once, checked
against the features the code computes, and scored on one thread (a few dozen rows a question)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


class TreeModel:
    """Trees trained on ``features`` (in that order); ``command`` retrains them."""

    def __init__(self, path: Path, features: Sequence[str], command: str) -> None:
        import lightgbm as lgb

        self.path = path
        self.booster: Any = lgb.Booster(model_file=str(path))
        names = tuple(self.booster.feature_name())
        if names != tuple(features):
            raise ValueError(
                f"{path.name} was trained on other features ({len(names)}); retrain it with "
                f"`{command}`"
            )

    def predict(self, rows: np.ndarray) -> np.ndarray:
        if len(rows) == 0:
            return np.zeros(0)
        return np.asarray(self.booster.predict(rows, num_threads=1), dtype=np.float64)
