"""Word similarity from MiniLM's own input embeddings, for the answer step's word matching.

A paraphrase asks "how many nations" of a sentence that says "countries", or about a "lab" the
sentence calls a "laboratory". The answer step counts the question's words a sentence contains;
with this table a question word the sentence lacks still counts, scaled by its similarity, when
the sentence has a word close to it. Close means the cosine of the two words' rows in
all-MiniLM-L6-v2's word-piece embedding matrix, averaged over the vocabulary words that share a
Snowball stem, is at least 0.6. For example, nations/countries 0.55 as words, lab/laboratory 0.64,
finished/completed 0.61. The unrelated pairs checked (money/telescope, plant/the) were below 0.2.

No text is embedded: the table maps stems (the same ones BM25 and the stored sentence terms use) to
fixed vectors, built once from the bundled weights and cached beside the ONNX export.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

TENSOR = "embeddings.word_embeddings.weight"
CACHE_NAME = "lexicon-v1.npz"
# A question word the sentence lacks counts when the sentence has a word at least this close.
# 0.55-0.65 gave the same answers on the four question sets; at 0.45-0.5 seed accuracy fell
# (docs/benchmarks.md).
CLOSE = 0.6


class Lexicon:
    """Stem -> unit vector; ``closeness`` scores question stems against a sentence's stems."""

    def __init__(self, stems: list[str], vectors: np.ndarray) -> None:
        self.index = {s: i for i, s in enumerate(stems)}
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)  # (n, 384), unit length

    def __len__(self) -> int:
        return len(self.index)

    def closeness(
        self, question: Iterable[str], sentences: list[frozenset[str]]
    ) -> list[dict[str, float]]:
        """For each sentence, the question stems it lacks but has a close word for: stem -> cosine."""
        asked = [q for q in question if q in self.index]
        empty: list[dict[str, float]] = [{} for _ in sentences]
        if not asked:
            return empty
        seen: dict[str, int] = {}
        cols: list[int] = []
        starts: list[int] = []
        for terms in sentences:
            starts.append(len(cols))
            for t in terms:
                if t in self.index:
                    cols.append(seen.setdefault(t, len(seen)))
        if not cols:
            return empty
        # one matrix product and one segmented max for all sentences (a Python loop per sentence
        # cost 1.5 ms a question on rtqa)
        sims = (
            self.vectors[[self.index[a] for a in asked]]
            @ self.vectors[[self.index[t] for t in seen]].T
        )
        ends = [*starts[1:], len(cols)]
        has = [e > b for b, e in zip(starts, ends, strict=True)]
        at = [b for b, h in zip(starts, has, strict=True) if h]
        best = np.maximum.reduceat(sims[:, cols], at, axis=1)  # (asked, sentences with words)
        hits = np.argwhere(best >= CLOSE)
        if not len(hits):
            return empty
        which = [i for i, h in enumerate(has) if h]
        for a, j in hits:
            i = which[j]
            stem = asked[a]
            if stem not in sentences[i]:
                empty[i][stem] = float(best[a, j])
        return empty


def _build(model_path: Path) -> tuple[list[str], np.ndarray]:
    from safetensors import safe_open

    from index.text import stem_words, stopwords

    with safe_open(str(model_path / "model.safetensors"), framework="numpy") as f:
        table = f.get_tensor(TENSOR).astype(np.float32)
    vocab = (model_path / "vocab.txt").read_text(encoding="utf-8").splitlines()
    stop = stopwords()
    rows = [(i, w) for i, w in enumerate(vocab) if w.isalpha() and len(w) >= 3 and w not in stop]
    groups: dict[str, list[int]] = {}
    for (i, _), stem in zip(rows, stem_words([w for _, w in rows]), strict=True):
        groups.setdefault(stem, []).append(i)
    stems = sorted(groups)
    vectors = np.stack([table[groups[s]].mean(axis=0) for s in stems])
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return stems, vectors.astype(np.float16)


_lock = threading.Lock()


def load_lexicon(model_path: Path, cache: Path) -> Lexicon | None:
    """The table for the model at ``model_path``, from ``cache`` when built before; None (and a
    log line) when the weights cannot be read, so answers fall back to exact word matches."""
    file = cache / CACHE_NAME
    with _lock:
        try:
            if file.is_file():
                data = np.load(file, allow_pickle=False)
                return Lexicon([str(s) for s in data["stems"]], data["vectors"])
            stems, vectors = _build(model_path)
            try:
                cache.mkdir(parents=True, exist_ok=True)
                tmp = cache / f".{CACHE_NAME}.{os.getpid()}.tmp.npz"
                np.savez(tmp, stems=np.array(stems), vectors=vectors)
                os.replace(tmp, file)
            except OSError as exc:  # a read-only cache still answers, just slower to start
                log.warning("could not cache the word table in %s: %s", cache, exc)
            return Lexicon(stems, vectors)
        except Exception as exc:
            log.warning("word similarity is off (%s: %s)", type(exc).__name__, exc)
            return None
