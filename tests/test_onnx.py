"""The int8 ONNX backend against the fp32 torch model: real weights, real text, no mocks."""

from __future__ import annotations

import logging
import os
import re
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from index.embedder import DIM, Embedder
from index.onnx import FP32_NAME, INT8_NAME, cache_dir, ensure_files, load_int8_session
from newsrag.settings import SEED_CORPUS, EmbeddingSettings

pytestmark = pytest.mark.timeout(300)


def seed_sentences(limit: int = 96) -> list[str]:
    """Real news sentences from the two seed articles shipped in the repo."""
    out: list[str] = []
    for path in sorted(SEED_CORPUS.glob("*.txt")):
        for s in re.split(r"(?<=[.!?])\s+", path.read_text(encoding="utf-8")):
            s = " ".join(s.split())
            if 30 <= len(s) <= 400:
                out.append(s)
    assert len(out) >= 20, "seed corpus too small for an agreement test"
    return out[:limit]


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("onnx-cache")
    old = os.environ.get("NEWSRAG_ONNX_CACHE")
    os.environ["NEWSRAG_ONNX_CACHE"] = str(root)
    yield root
    if old is None:
        os.environ.pop("NEWSRAG_ONNX_CACHE", None)
    else:
        os.environ["NEWSRAG_ONNX_CACHE"] = old


@pytest.fixture(scope="module")
def fp32() -> Embedder:
    return Embedder(EmbeddingSettings(backend="torch"))


@pytest.fixture(scope="module")
def int8(onnx_cache: Path, fp32: Embedder):  # type: ignore[no-untyped-def]
    """Builds the cache once (export + quantize) from the torch embedder's loaded model."""
    return load_int8_session(fp32.model_path, fp32._bert, fp32._hf_tokenizer)


@pytest.fixture(scope="module")
def int8_embedder(int8: object) -> Embedder:
    return Embedder(EmbeddingSettings(backend="onnx-int8"))


def pooled(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    m = mask.astype(np.float32)[..., None]
    p = (hidden * m).sum(1) / m.sum(1)
    return p / np.linalg.norm(p, axis=1, keepdims=True)


def test_int8_embeddings_agree_with_fp32(fp32: Embedder, int8_embedder: Embedder) -> None:
    sents = seed_sentences()
    ref = fp32.embed_texts(sents)
    got = int8_embedder.embed_texts(sents)
    cos = (ref * got).sum(1)
    # Measured on 400 news sentences: mean 0.991, min 0.983 (index/onnx.py). Mean 0.98 is the
    # project's target; 0.95 per sentence leaves room for one unlucky sentence, and anything
    # broken (wrong quantization axis, padding leak, mis-wired input) lands far below both.
    assert cos.mean() >= 0.98, cos.mean()
    assert cos.min() >= 0.95, cos.min()
    # Retrieval-relevant: each sentence's nearest fp32 neighbour is still itself.
    assert (np.argmax(got @ ref.T, axis=1) == np.arange(len(sents))).mean() >= 0.98


def test_shapes_and_padding(fp32: Embedder, int8) -> None:  # type: ignore[no-untyped-def]
    texts = [
        "Rates.",
        "The central bank raised interest rates for the third time this year.",
        "Hi there",
    ]
    batch = fp32._hf_tokenizer(texts, padding=True, return_tensors="np")
    batch = {k: batch[k] for k in ("input_ids", "attention_mask", "token_type_ids")}
    out = int8(batch)
    want = fp32._forward(batch)
    assert out.shape == want.shape == (3, batch["input_ids"].shape[1], DIM)
    assert out.dtype == np.float32
    assert np.isfinite(out).all()
    # Padded rows pool to nearly the same vector as the same text run alone: padding is masked.
    # Not exactly: dynamic quantization picks one activation scale per batch, and int8 noise on a
    # 2-word text is larger (measured: "Hi there" 0.971 padded-vs-alone, each ~0.97-0.98 from
    # fp32). Ignoring the mask moves a short row next to 13 pads much further than that.
    padded = pooled(out, batch["attention_mask"])
    for i, text in enumerate(texts):
        alone = fp32._hf_tokenizer([text], return_tensors="np")
        alone = {k: alone[k] for k in ("input_ids", "attention_mask", "token_type_ids")}
        single = pooled(int8(alone), alone["attention_mask"])[0]
        assert float(padded[i] @ single) > 0.95
    assert (pooled(want, batch["attention_mask"]) * padded).sum(1).min() > 0.95
    # token_type_ids may be absent (all zeros): same result.
    no_tt = {k: batch[k] for k in ("input_ids", "attention_mask")}
    np.testing.assert_allclose(int8(no_tt), out, atol=1e-5)


def test_second_load_reuses_cache(onnx_cache: Path, fp32: Embedder, int8) -> None:  # type: ignore[no-untyped-def]
    folder = cache_dir(fp32.model_path)
    assert folder.parent == onnx_cache
    files = {p: p.stat().st_mtime_ns for p in (folder / FP32_NAME, folder / INT8_NAME)}
    assert all(p.is_file() for p in files)
    assert not list(onnx_cache.rglob(".tmp-*")), "temporary files left behind"
    t0 = time.perf_counter()
    # No model and no tokenizer: a cache hit must not need them (an export would fail at once).
    again = load_int8_session(fp32.model_path, None, None)
    elapsed = time.perf_counter() - t0
    assert {p: p.stat().st_mtime_ns for p in files} == files
    # ~0.2 s measured; generous for a loaded 2-core machine.
    assert elapsed < 3.0, elapsed
    batch = fp32._hf_tokenizer(["Same answer from a reloaded session."], return_tensors="np")
    batch = {k: batch[k] for k in ("input_ids", "attention_mask", "token_type_ids")}
    np.testing.assert_allclose(again(batch), int8(batch), atol=1e-5)


def test_embedder_onnx_backend_with_sentence_spans(fp32: Embedder, int8_embedder: Embedder) -> None:
    texts = [
        "The central bank raised rates again. Markets fell sharply on the news. Bonds rallied.",
        "A short passage with one sentence.",
        "",
    ]
    spans = [[(0, 36), (37, 70), (71, 85)], [(0, 34)], []]
    got = int8_embedder.embed_passages(texts, spans)
    ref = fp32.embed_passages(texts, spans)
    assert got.passages.shape == (3, DIM)
    assert got.tokens == ref.tokens
    assert [s.shape for s in got.sentences] == [(3, DIM), (1, DIM), (0, DIM)]
    np.testing.assert_allclose(np.linalg.norm(got.passages, axis=1), 1.0, atol=1e-5)
    for g, r in zip(got.sentences, ref.sentences, strict=True):
        if len(g):
            np.testing.assert_allclose(np.linalg.norm(g, axis=1), 1.0, atol=1e-5)
            assert (g * r).sum(1).min() > 0.95
    assert (got.passages[:2] * ref.passages[:2]).sum(1).min() > 0.97
    q = int8_embedder.embed_query("Why did markets fall?")
    assert q.shape == (DIM,) and q.dtype == np.float32
    assert float(q @ fp32.embed_query("Why did markets fall?")) > 0.97


def test_the_first_export_says_what_it_prepares_and_shows_no_third_party_warnings(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fp32: Embedder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("NEWSRAG_ONNX_CACHE", str(tmp_path))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with caplog.at_level(logging.INFO):
            _, int8_path = ensure_files(fp32.model_path, fp32._bert, fp32._hf_tokenizer)
    assert int8_path.is_file()
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []
    shown = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(shown) == 1 and "preparing the int8 ONNX model" in shown[0], shown
    assert any("ONNX model ready in" in r.getMessage() for r in caplog.records)
