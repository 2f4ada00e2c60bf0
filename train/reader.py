"""Trains the sentence reader (ask/reader.py) on the rtqa training questions.

The candidate sentences are the answer selector's (train/selector.py): for every question the
answer step is run as ``newsrag ask`` runs it over the training corpus, and each sentence the
rules rank is labelled 1 when it holds an answer string. The reader learns from the rules' first
``TRAIN_K`` sentences of each train-week question, (question, sentence) pairs read together,
binary cross-entropy. The weight it gets beside the rules' score is chosen on the valid weeks;
the test weeks are only measured.

Only a low-rank adapter is trained (ask/reader.py says what it changes); the bundled weights stay
as they are. Seeded: the same data and seed give the same adapter on the same machine.
"""

from __future__ import annotations

import math
import pickle
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ask.reader import adapter_state, build_net, encode_pairs, pair_tokenizer
from ask.selector import FEATURES
from eval.metrics import normalize
from index.passages import split_sentences
from train.card import command_lines
from train.rtqa import Question, Split
from train.selector import Sentences

Step = Callable[[str, int, int], None]

# sentences a training question contributes: the rules' first eight when one of them holds the
# answer, else the first two (a question none answers teaches only "no"; two thirds of the
# questions are such, and every pair costs ~50 ms of training on 2 cores)
TRAIN_K = 8
TRAIN_K_UNANSWERED = 2
READ_K = 6  # sentences the answer step asks the reader about (AnswerSettings.reader_k)
WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)  # reader weights tried on valid
PARAMS: dict[str, Any] = {
    "rank": 16,
    "alpha": 32.0,
    "max_len": 64,
    "epochs": 2,
    "batch": 32,
    "lr": 8e-4,
    "weight_decay": 0.01,
    "warmup": 0.05,
    "pos_weight": 2.0,
}
_RULE = FEATURES.index("rule_score")


def pairs_of(
    groups: Sequence[Sentences], k: int = TRAIN_K, k_unanswered: int = TRAIN_K_UNANSWERED
) -> list[tuple[str, str, int]]:
    """(question, sentence, label) for the first ``k`` sentences of every question whose first
    ``k`` hold an answer, the first ``k_unanswered`` of the others."""
    out = []
    for g in groups:
        n = k if g.labels[:k].any() else k_unanswered
        out += [
            (g.question.question, text, int(label))
            for text, label in zip(g.texts[:n], g.labels[:n], strict=True)
        ]
    return out


def evidence_pairs(questions: Sequence[Question]) -> list[tuple[str, str, int]]:
    """(question, sentence, label) for every sentence of each question's evidence paragraph (the
    quiz's own source text): the cleanest positives there are, and close negatives beside them."""
    out = []
    for q in questions:
        for span in split_sentences(q.evidence):
            text = q.evidence[span.start : span.end]
            out.append((q.question, text, int(q.holds_answer(normalize(text)))))
    return out


def fit(
    pairs: Sequence[tuple[str, str, int]],
    model_path: Path,
    params: dict[str, Any],
    seed: int,
    step: Step | None = None,
) -> Any:
    """The trained reader network (torch, LoRA pairs not merged)."""
    import torch

    torch.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.set_num_threads(2)
    net = build_net(model_path, params["rank"], params["alpha"], seed)
    tok = pair_tokenizer(model_path, params["max_len"])
    trainable = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=params["lr"], weight_decay=params["weight_decay"])
    batch = params["batch"]
    per_epoch = math.ceil(len(pairs) / batch)
    total = max(1, per_epoch * params["epochs"])
    warm = max(1, int(total * params["warmup"]))

    def rate(i: int) -> float:
        return (i + 1) / warm if i < warm else max(0.0, (total - i) / (total - warm))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, rate)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(params["pos_weight"]))
    rng = random.Random(seed)
    net.train()
    done = 0
    for _ in range(params["epochs"]):
        order = list(range(len(pairs)))
        rng.shuffle(order)
        for b in range(0, len(order), batch):
            rows = [pairs[i] for i in order[b : b + batch]]
            enc = encode_pairs(tok, [(q, s) for q, s, _ in rows])
            logits = net(**{k: torch.as_tensor(v) for k, v in enc.items()})
            loss = loss_fn(logits, torch.tensor([float(y) for _, _, y in rows]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            done += 1
            if step is not None and (done % 10 == 0 or done == total):
                step("training the reader", done, total)
    net.eval()
    return net


def read(
    net: Any, model_path: Path, params: dict[str, Any], groups: Sequence[Sentences], k: int
) -> list[np.ndarray]:
    """The reader's probabilities for the first ``k`` sentences of every question."""
    import torch

    tok = pair_tokenizer(model_path, params["max_len"])
    out: list[np.ndarray] = []
    with torch.no_grad():
        for g in groups:
            texts = g.texts[:k]
            if not texts:
                out.append(np.zeros(0))
                continue
            enc = encode_pairs(tok, [(g.question.question, t) for t in texts])
            logits = net(**{kk: torch.as_tensor(v) for kk, v in enc.items()}).numpy()
            out.append(1.0 / (1.0 + np.exp(-logits.astype(np.float64))))
    return out


def chosen_right(groups: Sequence[Sentences], probs: Sequence[np.ndarray], weight: float) -> float:
    """top-1 with the rules' score plus ``weight`` times the reader's probability over the
    first sentences (the rest keep the rules' order), over questions some sentence answers."""
    right, n = 0, 0
    for g, p in zip(groups, probs, strict=True):
        if not g.answerable:
            continue
        n += 1
        score = g.rows[: len(p), _RULE] + weight * p
        right += int(g.labels[int(np.argmax(score))]) if len(p) else 0
    return right / max(1, n)


def alone_right(groups: Sequence[Sentences], probs: Sequence[np.ndarray]) -> float:
    right, n = 0, 0
    for g, p in zip(groups, probs, strict=True):
        if g.answerable:
            n += 1
            right += int(g.labels[int(np.argmax(p))]) if len(p) else 0
    return right / max(1, n)


def ceiling(groups: Sequence[Sentences], k: int) -> float:
    """Share of answerable questions with an answer among the first ``k`` sentences."""
    ok = [bool(g.labels[:k].any()) for g in groups if g.answerable]
    return sum(ok) / max(1, len(ok))


def abstain_auc(groups: Sequence[Sentences], probs: Sequence[np.ndarray]) -> float:
    """How well the reader's best probability separates questions some read sentence answers
    from those none does (AUC; 0.5 is chance)."""
    from sklearn.metrics import roc_auc_score

    y = [int(bool(g.labels[: len(p)].any())) for g, p in zip(groups, probs, strict=True)]
    x = [float(p.max()) if len(p) else 0.0 for p in probs]
    return float(roc_auc_score(y, x)) if len(set(y)) == 2 else float("nan")


@dataclass(slots=True)
class ReaderRun:
    adapter: Path
    card: Path
    weight: float
    metrics: dict[str, dict[str, float]]
    seconds: dict[str, float]


def cached_sentences(
    work: Path, key: str, build: Callable[[], dict[str, list[Sentences]]]
) -> dict[str, list[Sentences]]:
    """The selector's candidate sentences for every part, built once per ``key`` (9 minutes on
    2 cores) and kept in ``work``."""
    path = work / f"reader-sentences-{key}.pkl"
    if path.is_file():
        with open(path, "rb") as f:
            return pickle.load(f)
    groups = build()
    work.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(groups, f)
    tmp.replace(path)
    return groups


def evaluate(
    net: Any, model_path: Path, params: dict[str, Any], groups: dict[str, list[Sentences]], k: int
) -> tuple[float, dict[str, dict[str, float]]]:
    """Chooses the weight on valid; every part's figures at that weight."""
    # the train weeks are not measured: the reader has seen them, and reading them costs 5 minutes
    probs = {
        part: read(net, model_path, params, g, k) for part, g in groups.items() if part != "train"
    }
    by_weight = {w: chosen_right(groups["valid"], probs["valid"], w) for w in WEIGHTS}
    best = max(WEIGHTS, key=lambda w: (round(by_weight[w], 6), -w))
    metrics: dict[str, dict[str, float]] = {}
    for part, g in groups.items():
        if part not in probs:
            continue
        metrics[part] = {
            "questions": float(len(g)),
            "answerable": float(sum(x.answerable for x in g)),
            f"answer in first {k}": ceiling(g, k),
            "rules top1": chosen_right(g, probs[part], 0.0),
            "rules + reader top1": chosen_right(g, probs[part], best),
            f"reader alone (first {k}) top1": alone_right(g, probs[part]),
            "reader best-probability AUC (answer read or not)": abstain_auc(g, probs[part]),
        }
    metrics["valid weights"] = {f"w={w}": v for w, v in by_weight.items()}
    return best, metrics


def write_card(
    path: Path,
    *,
    command: str,
    split: Split,
    groups: dict[str, list[Sentences]],
    pairs: int,
    params: dict[str, Any],
    weight: float,
    k: int,
    metrics: dict[str, dict[str, float]],
    seconds: dict[str, float],
    size: int,
) -> None:
    import json

    import torch
    import transformers

    dates = {
        "train": split.train,
        "valid": split.valid,
        "test": split.test,
    }
    lines = [
        "# Model card: newsrag sentence reader (`ask/data/reader.safetensors`)",
        "",
        "A cross-encoder that reads a question and one sentence together and gives the",
        "probability that the sentence holds the answer: the bundled all-MiniLM-L6-v2 with a",
        "low-rank adapter (LoRA on the six layers' attention and feed-forward matrices, their",
        "LayerNorms, a linear head over the mean token vector). The file holds only the adapter",
        f"({size / 1e6:.1f} MB); ask/reader.py merges it into the bundled weights and makes an int8",
        "ONNX model on first use. Written by the training command; do not edit by hand.",
        "",
        "## Data",
        "",
        "RealTime QA 2023-2026 training data (`../shared/train/rtqa/`, not in this repository):",
        "the answer selector's candidate sentences (ask/data/selector.md says how they are made:",
        "retrieval and the answer rules run over the search-result pages of the weeks around each",
        "question, a sentence is positive when it holds an answer string). The reader learns from",
        f"the rules' first {TRAIN_K} sentences of every train-week question where one of them holds",
        f"an answer, the first {TRAIN_K_UNANSWERED} of the others, and every sentence of the",
        f"train-week questions' evidence paragraphs (the quiz's source text): {pairs:,} pairs.",
        "Never trained on `../shared/bench/` or on the seed articles.",
        "",
        "| part | questions | with an answer among the sentences | dates |",
        "| --- | --- | --- | --- |",
    ]
    for part, qs in dates.items():
        g = groups[part]
        span = f"{min(q.date for q in qs)} .. {max(q.date for q in qs)}" if qs else "-"
        lines.append(f"| {part} | {len(g)} | {sum(x.answerable for x in g)} | {span} |")
    lines += [
        "",
        f"`valid` chose the reader's weight beside the rules' sentence score ({weight}); `test`",
        "was never looked at while training, and its figures are the ones to quote.",
        "",
        *command_lines(command, seconds),
        f"torch {torch.__version__}, transformers {transformers.__version__}.",
        "",
        "## Parameters",
        "",
        "```json",
        json.dumps(
            dict(params, train_k=TRAIN_K, read_k=k, weight=weight), indent=1, sort_keys=True
        ),
        "```",
        "",
        "## Use",
        "",
        f"By default the answer step asks the reader about the rules' first {k} sentences and",
        "quotes its likeliest one second, after the rules' first, when that is not the rules'",
        "first and its probability is at least 0.5 (`NEWSRAG_ANSWER_READER_SECOND`,",
        "`NEWSRAG_ANSWER_READER_SECOND_MIN`; docs/benchmarks.md, session 9).",
        f"`NEWSRAG_ANSWER_READER=true` (off by default) instead adds {weight} times its",
        "probability to the rules' score of those sentences, which is worse than the rules on the",
        "user-style question sets (docs/benchmarks.md, session 7). Either way the rules'",
        "confidence decides abstention (the reader's best probability separates questions it can",
        "answer from the rest too weakly: the AUC below).",
        "",
        "## Metrics",
        "",
        "`top1`: the chosen sentence holds the answer, over questions where one of the rules'",
        f"sentences does. The reader reads the rules' first {k} (as the answer step does); `rules +",
        "reader` orders them by the rules' score plus the weight times its probability.",
        "",
    ]
    for part in ("test", "valid"):
        lines += [f"### {part}", "", "| measure | value |", "| --- | --- |"]
        for name, value in metrics[part].items():
            lines.append(f"| {name} | {value:.3f} |" if value % 1 else f"| {name} | {value:.0f} |")
        lines.append("")
    lines += ["### valid, by reader weight (top1)", ""]
    lines += [f"- {name}: {value:.3f}" for name, value in metrics["valid weights"].items()]
    lines.append("")
    path.write_text("\n".join(lines))


def save_adapter(net: Any, params: dict[str, Any], path: Path) -> int:
    """Writes the adapter (float16) with the settings ask/reader.py needs; returns its size."""
    import json

    from safetensors.numpy import save_file

    tensors = {k: v.astype(np.float16) for k, v in adapter_state(net).items()}
    meta = {k: params[k] for k in ("rank", "alpha", "max_len")}
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path), metadata={"newsrag": json.dumps(meta)})
    return path.stat().st_size


def timed(seconds: dict[str, float], name: str, fn: Callable[[], Any]) -> Any:
    t0 = time.perf_counter()
    out = fn()
    seconds[name] = time.perf_counter() - t0
    return out
