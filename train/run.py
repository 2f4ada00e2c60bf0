"""``newsrag train ranker``: the whole training run, from the rtqa files to the model and its card."""

from __future__ import annotations

import hashlib
import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ask.answer
import ask.needs
import ask.selector
from index.embedder import Embedder, bundled_model_path
from newsrag.settings import Settings
from train import corpus as train_corpus
from train import rtqa
from train.card import importance as card_importance
from train.ranker import CandidateBuilder, Group, build_groups, compare, fit, write_card

Step = Callable[[str, int, int], None]  # (what, done, total)


@dataclass(slots=True)
class RankerRun:
    model: Path
    card: Path
    metrics: dict[str, dict[str, dict[str, float]]]
    rounds: int
    seconds: dict[str, float]
    kept: bool  # whether the ranker beat the first stage on valid and was written


def train_ranker(
    settings: Settings,
    data: Path,
    work: Path,
    out_dir: Path,
    *,
    seed: int = 13,
    limit: int | None = None,
    window_days: int = 90,
    rounds: int = 600,
    require_gain: bool = True,
    step: Step | None = None,
) -> RankerRun:
    """Builds (or loads) the corpus, runs the first stage for every question, trains and writes
    ``out_dir/ranker.txt`` and ``out_dir/ranker.md``. ``limit`` keeps that many questions (spread
    over all dates) and only their pages: a quick run for tests."""
    seconds: dict[str, float] = {}
    split, dates, docs, corpus = _data(settings, data, work, limit, step, seconds)
    if corpus.build_seconds is not None:
        seconds["corpus embedding (once, then cached)"] = corpus.build_seconds

    t0 = time.perf_counter()
    embedder = Embedder(settings.embedding)
    builder = CandidateBuilder(corpus, dates, settings, window_days)
    groups: dict[str, list[Group]] = {}
    for name, qs in (("train", split.train), ("valid", split.valid), ("test", split.test)):
        groups[name] = build_groups(builder, qs, embedder, _stepper(step, f"candidates ({name})"))
    seconds["candidates"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    booster, best = fit(groups["train"], groups["valid"], seed, rounds)
    seconds["training"] = time.perf_counter() - t0

    metrics = {part: compare(groups[part], booster) for part in ("valid", "test")}
    metrics["train"] = compare(groups["train"], booster)
    valid = metrics["valid"]
    gain = (
        valid["ranker"]["article_mrr@10"] > valid["fused (first stage)"]["article_mrr@10"]
        and valid["ranker"]["passage_mrr@10"] > valid["fused (first stage)"]["passage_mrr@10"]
    )
    kept = gain or not require_gain
    out_dir.mkdir(parents=True, exist_ok=True)
    model, card = out_dir / "ranker.txt", out_dir / "ranker.md"
    if kept:
        booster.save_model(str(model), num_iteration=best)
        write_card(
            card,
            command="newsrag train ranker " + " ".join(shlex.quote(a) for a in sys.argv[3:]),
            split=split,
            groups=groups,
            metrics=metrics,
            params=_params(seed),
            rounds=best,
            seconds=seconds,
            window_days=window_days,
            corpus_size=(len(docs), len(corpus)),
            importance=card_importance(booster, best),
        )
    return RankerRun(model, card, metrics, best, seconds, kept)


def _data(
    settings: Settings,
    data: Path,
    work: Path,
    limit: int | None,
    step: Step | None,
    seconds: dict[str, float],
) -> tuple[rtqa.Split, dict[str, str], dict[str, rtqa.Doc], train_corpus.TrainCorpus]:
    """The questions split by date, the pages' dates, the pages, and the embedded corpus (cached).
    ``limit`` keeps that many questions (spread over all dates) and only their pages."""
    t0 = time.perf_counter()
    questions, docs = rtqa.load(data)
    if limit is not None:
        every = max(1, len(questions) // limit)
        questions = questions[::every][:limit]
        wanted = {d for q in questions for d in q.results}
        docs = {k: v for k, v in docs.items() if k in wanted}
    split = rtqa.split_by_date(questions)
    dates = rtqa.doc_dates(questions)
    seconds["load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    corpus = train_corpus.build(docs, dates, settings, work, _stepper(step, "embedding pages"))
    seconds["corpus"] = time.perf_counter() - t0
    return split, dates, docs, corpus


def _stepper(step: Step | None, what: str) -> Callable[[int, int], None] | None:
    if step is None:
        return None
    return lambda done, total: step(what, done, total)


def _params(seed: int) -> dict[str, Any]:
    from train.ranker import PARAMS

    return dict(PARAMS, seed=seed)


def _sentence_groups(
    settings: Settings,
    embedder: Embedder,
    corpus: train_corpus.TrainCorpus,
    dates: dict[str, str],
    split: rtqa.Split,
    window_days: int,
    step: Step | None,
) -> dict[str, list[Any]]:
    """Every question's candidate sentences as ``newsrag ask`` reads them (train/selector.py),
    by part: what the selector and the reader learn from."""
    from train import selector as sel

    lexicon = None
    if settings.answer.word_similarity:
        from index.lexicon import load_lexicon
        from index.onnx import cache_dir

        lexicon = load_lexicon(embedder.model_path, cache_dir(embedder.model_path))
    builder = sel.SentenceBuilder(
        CandidateBuilder(corpus, dates, settings, window_days), embedder, lexicon
    )
    return {
        name: sel.build_sentences(builder, qs, _stepper(step, f"sentences ({name})"))
        for name, qs in (("train", split.train), ("valid", split.valid), ("test", split.test))
    }


@dataclass(slots=True)
class SelectorRun:
    model: Path
    card: Path
    metrics: dict[str, dict[str, dict[str, float]]]
    rounds: int
    seconds: dict[str, float]


def train_selector(
    settings: Settings,
    data: Path,
    work: Path,
    out_dir: Path,
    *,
    seed: int = 13,
    limit: int | None = None,
    window_days: int = 90,
    rounds: int = 600,
    step: Step | None = None,
) -> SelectorRun:
    """Builds (or loads) the corpus, runs retrieval and the answer rules for every question, trains
    the selector and writes ``out_dir/selector.txt`` and its card ``selector.md``. ``limit``: as in ``train_ranker``."""
    from train import selector as sel

    seconds: dict[str, float] = {}
    split, dates, _, corpus = _data(settings, data, work, limit, step, seconds)

    t0 = time.perf_counter()
    embedder = Embedder(settings.embedding)
    groups = _sentence_groups(settings, embedder, corpus, dates, split, window_days, step)
    seconds["sentences"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    booster, best = sel.fit(groups["train"], groups["valid"], seed, rounds)
    seconds["training"] = time.perf_counter() - t0

    def model(rows: Any) -> Any:
        return booster.predict(rows, num_iteration=best)

    class _Model:
        predict = staticmethod(model)

    valid_tops = sel.tops(groups["valid"], _Model)
    a, b = sel.calibrate(valid_tops)
    threshold = sel.best_threshold(valid_tops, sel.platt(a, b, valid_tops.score))
    rule_threshold = settings.answer.abstain_threshold
    weight = settings.answer.selector_weight
    metrics: dict[str, dict[str, dict[str, float]]] = {}
    for part in ("test", "valid", "train"):
        rules = sel.tops(groups[part], None)
        learned = sel.tops(groups[part], _Model)
        blended = sel.tops(groups[part], _Model, weight)
        metrics[part] = {
            "rules": sel.decisions(rules, rules.score, rule_threshold),
            "rules + selector": sel.decisions(blended, blended.score, rule_threshold),
            "selector alone": sel.decisions(learned, sel.platt(a, b, learned.score), threshold),
        }
    out_dir.mkdir(parents=True, exist_ok=True)
    path, card = out_dir / "selector.txt", out_dir / "selector.md"
    booster.save_model(str(path), num_iteration=best)
    calibration = {"a": round(a, 6), "b": round(b, 6), "threshold": round(threshold, 6)}
    sel.write_card(
        card,
        command="newsrag train selector " + " ".join(shlex.quote(a) for a in sys.argv[3:]),
        split=split,
        groups=groups,
        metrics=metrics,
        params=dict(sel.PARAMS, seed=seed),
        rounds=best,
        calibration=calibration,
        rule_threshold=rule_threshold,
        weight=weight,
        seconds=seconds,
        importance=card_importance(booster, best),
    )
    return SelectorRun(path, card, metrics, best, seconds)


def train_reader(
    settings: Settings,
    data: Path,
    work: Path,
    out_dir: Path,
    *,
    seed: int = 13,
    limit: int | None = None,
    window_days: int = 90,
    epochs: int | None = None,
    rank: int | None = None,
    step: Step | None = None,
) -> Any:
    """Builds (or loads) the corpus and the selector's candidate sentences, trains the sentence
    reader's adapter and writes ``out_dir/reader.safetensors`` and its card ``reader.md``."""
    from train import reader as rd

    seconds: dict[str, float] = {}
    split, dates, _, corpus = _data(settings, data, work, limit, step, seconds)
    model_path = settings.embedding.model_path or bundled_model_path()

    def build() -> dict[str, list[Any]]:  # only when they are not cached: the embedder loads
        embedder = Embedder(settings.embedding)
        return _sentence_groups(settings, embedder, corpus, dates, split, window_days, step)

    # the candidates depend on the corpus, the question window and the answer rules' code
    code = b"".join(
        Path(m.__file__).read_bytes() for m in (ask.answer, ask.needs, ask.selector) if m.__file__
    )
    key = f"{len(corpus)}-{limit}-{window_days}-{hashlib.sha256(code).hexdigest()[:12]}"
    groups = rd.timed(seconds, "sentences", lambda: rd.cached_sentences(work, key, build))
    pairs = rd.pairs_of(groups["train"]) + rd.evidence_pairs(split.train)
    params = dict(rd.PARAMS)
    if epochs is not None:
        params["epochs"] = epochs
    if rank is not None:  # alpha follows, so the adapter's scale stays alpha / rank = 2
        params["rank"], params["alpha"] = rank, 2.0 * rank
    net = rd.timed(seconds, "training", lambda: rd.fit(pairs, model_path, params, seed, step))
    k = settings.answer.reader_k
    weight, metrics = rd.timed(
        seconds, "evaluation", lambda: rd.evaluate(net, model_path, params, groups, k)
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    adapter, card = out_dir / "reader.safetensors", out_dir / "reader.md"
    size = rd.save_adapter(net, params, adapter)
    rd.write_card(
        card,
        command="newsrag train reader " + " ".join(shlex.quote(a) for a in sys.argv[3:]),
        split=split,
        groups=groups,
        pairs=len(pairs),
        params=params,
        weight=weight,
        k=k,
        metrics=metrics,
        seconds=seconds,
        size=size,
    )
    return rd.ReaderRun(adapter, card, weight, metrics, seconds)
