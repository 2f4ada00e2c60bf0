"""The sentence reader: does this sentence say what the question asks?

A cross-encoder (question and sentence read together, each word attending to the other's) made
from the bundled all-MiniLM-L6-v2 and a small adapter learned on real news questions
(``newsrag train reader``; train/reader.py; the model card is ask/data/reader.md). The adapter
is low-rank (LoRA) changes to the six layers' weight matrices, their LayerNorms and a one-number
head over the mean of the token vectors: 1.4 MB (float16) beside the model it adapts, so only our own
weights are in the repository. On first use the adapter is merged into a copy of the bundled
weights, exported to ONNX and quantized to int8 the way the embedder is (index/onnx.py), cached
under ``$NEWSRAG_ONNX_CACHE/reader-<digest>/``; later loads need neither torch nor
transformers.

The answer step (ask/answer.py) asks it about the rules' first few sentences only (pairs cut to
64 word pieces): six sentences cost 15.5 ms p50, 16.8 ms p95 on 2 cores (int8, quiet machine,
100 questions over rtqa pages; docs/benchmarks.md, session 7), which is why it reads six and not all.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.embedder import padded
from index.onnx import (
    INPUT_NAMES,
    OPSET,
    _atomic_target,
    _make_session,
    _quiet_export,
    cache_root,
    quantize_int8,
    weights_digest,
)
from newsrag.settings import AnswerSettings

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent / "data"
ADAPTER_FILE = MODEL_DIR / "reader.safetensors"
# the weight matrices the adapter changes, in every layer of the encoder
TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)
LOGITS = "logits"
FP32_NAME = "reader-fp32.onnx"
INT8_NAME = "reader-int8.onnx"


def read_adapter(path: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The adapter's tensors (float32) and its settings (rank, alpha, max_len)."""
    from safetensors import safe_open

    with safe_open(str(path), framework="numpy") as f:
        meta = json.loads((f.metadata() or {}).get("newsrag", "{}"))
        tensors = {k: f.get_tensor(k).astype(np.float32) for k in f.keys()}  # noqa: SIM118
    if not {"rank", "alpha", "max_len"} <= meta.keys():
        raise ValueError(f"{path}: not a newsrag reader adapter (no rank/alpha/max_len)")
    return tensors, meta


def pair_tokenizer(model_path: Path, max_len: int) -> Any:
    """MiniLM's word pieces for (question, sentence) pairs, cut to ``max_len`` together."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(Path(model_path) / "tokenizer.json"))
    tok.enable_truncation(max_length=max_len, strategy="longest_first")
    tok.no_padding()
    return tok


def encode_pairs(tok: Any, pairs: Sequence[tuple[str, str]]) -> dict[str, np.ndarray]:
    """Model inputs for ``pairs``, padded to the longest."""
    return padded(tok.encode_batch(list(pairs)))


# ---- the torch model: training (train/reader.py) and the one-time export ----------------------


def build_net(model_path: Path, rank: int, alpha: float, seed: int = 0) -> Any:
    """The bundled MiniLM with a LoRA pair beside every target matrix and a fresh head; only
    the pairs, the LayerNorms and the head are trainable."""
    import torch
    from torch import nn
    from transformers import BertModel
    from transformers.utils import logging as transformers_logging

    class LoRALinear(nn.Module):
        def __init__(self, base: nn.Linear) -> None:
            super().__init__()
            self.base = base
            self.scale = alpha / rank
            self.lora_A = nn.Parameter(torch.empty(rank, base.in_features))
            self.lora_B = nn.Parameter(torch.zeros(base.out_features, rank))
            nn.init.kaiming_uniform_(self.lora_A, a=5**0.5)

        def forward(self, x: Any) -> Any:
            return self.base(x) + (x @ self.lora_A.T @ self.lora_B.T) * self.scale

        def merged(self) -> nn.Linear:
            out = nn.Linear(self.base.in_features, self.base.out_features)
            with torch.no_grad():
                out.weight.copy_(self.base.weight + self.scale * (self.lora_B @ self.lora_A))
                out.bias.copy_(self.base.bias)
            return out

    class ReaderNet(nn.Module):
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert
            self.head = nn.Linear(bert.config.hidden_size, 1)

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            tokens = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * m).sum(1) / m.sum(1).clamp(min=1.0)
            return self.head(pooled).squeeze(-1)

        def merge(self) -> None:
            """Folds every LoRA pair into its matrix (for export)."""
            for layer in self.bert.encoder.layer:
                for target in TARGETS:
                    parent_name, _, leaf = target.rpartition(".")
                    parent = layer.get_submodule(parent_name)
                    child = getattr(parent, leaf)
                    if isinstance(child, LoRALinear):
                        setattr(parent, leaf, child.merged())

    torch.manual_seed(seed)
    verbosity = transformers_logging.get_verbosity()
    transformers_logging.set_verbosity_error()  # the unused pooler's weights are not news
    try:
        bert = BertModel.from_pretrained(
            str(model_path),
            local_files_only=True,
            attn_implementation="eager",
            add_pooling_layer=False,
        )
    finally:
        transformers_logging.set_verbosity(verbosity)
    for p in bert.parameters():
        p.requires_grad = False
    for layer in bert.encoder.layer:
        for target in TARGETS:
            parent_name, _, leaf = target.rpartition(".")
            parent = layer.get_submodule(parent_name)
            setattr(parent, leaf, LoRALinear(getattr(parent, leaf)))
    for name, p in bert.named_parameters():
        if "LayerNorm" in name:
            p.requires_grad = True
    return ReaderNet(bert)


def adapter_state(net: Any) -> dict[str, np.ndarray]:
    """What the adapter file holds: every trainable tensor of ``net``."""
    return {
        name: p.detach().cpu().numpy().astype(np.float32)
        for name, p in net.named_parameters()
        if p.requires_grad
    }


def load_adapter(net: Any, tensors: dict[str, np.ndarray]) -> None:
    import torch

    params = dict(net.named_parameters())
    missing = [k for k, p in params.items() if p.requires_grad and k not in tensors]
    if missing:
        raise ValueError(f"reader adapter lacks {len(missing)} tensors, e.g. {missing[0]}")
    with torch.no_grad():
        for name, value in tensors.items():
            params[name].copy_(torch.as_tensor(value))


def _export(net: Any, tok: Any, path: Path) -> None:
    import torch

    net.eval()
    sample = encode_pairs(tok, [("who won?", "The home team won."), ("when", "Last week, a few.")])
    with _atomic_target(path) as tmp:
        with torch.no_grad():
            torch.onnx.export(
                net,
                tuple(torch.as_tensor(sample[k]) for k in INPUT_NAMES),
                str(tmp),
                input_names=list(INPUT_NAMES),
                output_names=[LOGITS],
                dynamic_axes={
                    **{k: {0: "batch", 1: "seq"} for k in INPUT_NAMES},
                    LOGITS: {0: "batch"},
                },
                opset_version=OPSET,
                dynamo=False,
            )
        check = encode_pairs(
            tok,
            [("a", "One."), ("what did they say about it", "Two words here and more."), ("b", "c")],
        )
        got = _make_session(tmp, threads=1).run([LOGITS], check)[0]
        with torch.no_grad():
            want = net(**{k: torch.as_tensor(v) for k, v in check.items()}).numpy()
        err = float(np.abs(got - want).max())
        if not err < 1e-3:
            raise RuntimeError(f"reader ONNX export disagrees with torch (max abs diff {err:.2e})")


# ---- run time -----------------------------------------------------------------------------------

_build_lock = threading.Lock()


def reader_dir(model_path: Path, adapter: Path) -> Path:
    root = cache_root()
    digest = hashlib.sha256(
        (
            weights_digest(model_path, root) + hashlib.sha256(adapter.read_bytes()).hexdigest()
        ).encode()
    ).hexdigest()[:32]
    return root / f"reader-{digest}"


class Reader:
    """``probabilities(question, sentences)``: for each sentence, the probability that it holds
    the answer. Thread-safe (``InferenceSession.run`` is)."""

    def __init__(self, session: Any, tok: Any) -> None:
        self.session = session
        self.tok = tok

    def probabilities(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        batch = encode_pairs(self.tok, [(question, s) for s in sentences])
        logits = np.asarray(self.session.run([LOGITS], batch)[0], dtype=np.float64)
        return (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)


def load_reader(
    model_path: Path, adapter: Path = ADAPTER_FILE, threads: int | None = None
) -> Reader:
    """The reader for ``adapter`` over the bundled weights at ``model_path``; builds and caches
    its int8 ONNX file on first use (20-60 s, with torch), then only opens it."""
    tensors, meta = read_adapter(adapter)
    folder = reader_dir(model_path, adapter)
    int8 = folder / INT8_NAME
    tok = pair_tokenizer(model_path, int(meta["max_len"]))
    if not int8.is_file():
        with _build_lock:
            if not int8.is_file():
                folder.mkdir(parents=True, exist_ok=True)
                started = time.monotonic()
                log.warning(
                    "newsrag: preparing the sentence reader's int8 ONNX model from the bundled "
                    "weights and %s (first run only, 20-60 s) in %s",
                    adapter.name,
                    folder,
                )
                net = build_net(model_path, int(meta["rank"]), float(meta["alpha"]))
                load_adapter(net, tensors)
                net.merge()
                fp32 = folder / FP32_NAME
                with _quiet_export():
                    _export(net, tok, fp32)
                    quantize_int8(fp32, int8)
                fp32.unlink(missing_ok=True)
                log.info("newsrag: sentence reader ready in %.1f s", time.monotonic() - started)
    return Reader(_make_session(int8, threads), tok)


def shipped_reader(settings: AnswerSettings, model_path: Path) -> Reader | None:
    """The reader the settings ask for: None when switched off; the shipped adapter unless
    NEWSRAG_ANSWER_READER_PATH names another."""
    if not (settings.reader or settings.reader_second):
        return None
    path = settings.reader_path or ADAPTER_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no sentence reader adapter at {path}")
    return load_reader(model_path, path)
