"""Word similarity from MiniLM's own input embeddings, for the answer step's word matching.

A paraphrase asks "how many nations" of a sentence that says "countries", or about a "lab" the
sentence calls a "laboratory". The answer step counts the question's words a sentence contains;
with this table a question word the sentence lacks still counts, scaled by its similarity, when
the sentence has a word close to it. Close means the cosine of the two words' rows in
all-MiniLM-L6-v2's word-piece embedding matrix, averaged over the vocabulary words that share a
Snowball stem, is at least 0.6. For example, nations/countries 0.55 as words, lab/laboratory 0.64,
finished/completed 0.61. The unrelated pairs checked (money/telescope, plant/the) were below 0.2.

No text is embedded: the table lists, for each stem (the same stems BM25 and the stored sentence
terms use), its close stems. It is built once from the bundled weights (all pairs, about 3 s) and
cached beside the ONNX export.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

TENSOR = "embeddings.word_embeddings.weight"
CACHE_NAME = "lexicon-v2.npz"
# A question word the sentence lacks counts when the sentence has a word at least this close.
# 0.55-0.65 gave the same answers on the four question sets; at 0.45-0.5 seed accuracy fell
# (docs/benchmarks.md).
CLOSE = 0.6


class Lexicon:
    """For each stem, the stems close to it (cosine ≥ CLOSE), found once when the table is built, so
    a question costs a few dictionary lookups and one set intersection per sentence."""

    def __init__(self, stems: list[str], pairs: np.ndarray, cosines: np.ndarray) -> None:
        self.stems = stems
        self.neighbors: dict[str, dict[str, float]] = {}
        for (i, j), c in zip(pairs.tolist(), cosines.tolist(), strict=True):
            self.neighbors.setdefault(stems[i], {})[stems[j]] = float(c)

    def __len__(self) -> int:
        return len(self.stems)

    def closeness(
        self, question: Iterable[str], sentences: list[frozenset[str]]
    ) -> list[dict[str, float]]:
        """For each sentence, the question stems it lacks but has a close word for: stem -> cosine."""
        close: dict[str, list[tuple[str, float]]] = {}
        for q in question:
            for stem, cos in self.neighbors.get(q, {}).items():
                close.setdefault(stem, []).append((q, cos))
        out: list[dict[str, float]] = []
        keys = close.keys()
        for terms in sentences:
            found: dict[str, float] = {}
            for t in terms & keys:
                for q, cos in close[t]:
                    if q not in terms and cos > found.get(q, 0.0):
                        found[q] = cos
            out.append(found)
        return out

    def unmatched(self, terms: Iterable[str], held: Callable[[str], bool]) -> frozenset[str]:
        """The ``terms`` for which no close stem is ``held``: of the question words no article
        uses, those the articles have no other word for either ("population", not "nations"
        where they say "countries"). Only these count as what the articles lack (ask/answer.py
        MISSING_PENALTY): blind9 false abstentions 0.012 -> 0.000, blind_conv4 0.050 -> 0.042,
        abstain recall unchanged on every set (docs/benchmarks.md, session 8)."""
        return frozenset(
            t for t in terms if not any(held(stem) for stem in self.neighbors.get(t, {}))
        )


def _build(model_path: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    from safetensors import safe_open

    from index.text import stem_words, stopwords

    with safe_open(str(model_path / "model.safetensors"), framework="numpy") as f:
        table = f.get_tensor(TENSOR).astype(np.float32)
    vocab = (model_path / "vocab.txt").read_text(encoding="utf-8").splitlines()
    stop = stopwords()
    rows = [(i, w) for i, w in enumerate(vocab) if w.isalpha() and len(w) >= 3 and w not in stop]
    groups: dict[str, list[int]] = {}
    for (row, _), stem in zip(rows, stem_words([w for _, w in rows]), strict=True):
        groups.setdefault(stem, []).append(row)
    stems = sorted(groups)
    vectors = np.stack([table[groups[s]].mean(axis=0) for s in stems])
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    pairs: list[np.ndarray] = []
    cosines: list[np.ndarray] = []
    for start in range(0, len(stems), 1024):  # all pairs, a block of rows at a time
        sims = vectors[start : start + 1024] @ vectors.T
        i, j = np.nonzero(sims >= CLOSE)
        keep = (i + start) != j
        pairs.append(np.stack([i[keep] + start, j[keep]], axis=1))
        cosines.append(sims[i[keep], j[keep]])
    return stems, np.concatenate(pairs).astype(np.int32), np.concatenate(cosines).astype(np.float16)


_lock = threading.Lock()


def load_lexicon(model_path: Path, cache: Path) -> Lexicon | None:
    """The table for the model at ``model_path``, from ``cache`` when built before; None (and a
    log line) when the weights cannot be read, so answers fall back to exact word matches."""
    file = cache / CACHE_NAME
    with _lock:
        try:
            if file.is_file():
                data = np.load(file, allow_pickle=False)
                return Lexicon([str(s) for s in data["stems"]], data["pairs"], data["cosines"])
            stems, pairs, cosines = _build(model_path)
            try:
                cache.mkdir(parents=True, exist_ok=True)
                tmp = cache / f".{CACHE_NAME}.{os.getpid()}.tmp.npz"
                np.savez(tmp, stems=np.array(stems), pairs=pairs, cosines=cosines)
                os.replace(tmp, file)
            except OSError as exc:  # a read-only cache still answers, just slower to start
                log.warning("could not cache the word table in %s: %s", cache, exc)
            return Lexicon(stems, pairs, cosines)
        except Exception as exc:
            log.warning("word similarity is off (%s: %s)", type(exc).__name__, exc)
            return None
