"""Runs one question set through one or several configurations in one run, so results sit side by side.

Configs: ``hybrid``, ``dense`` and ``bm25`` are the engine with that retrieval mode (one engine, one
index); ``baseline`` is llama-index's default VectorStoreIndex over Chroma (eval/baseline.py), built
from the same articles. ``server`` is a running newsrag over HTTP (``--url``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from eval.cache import corpus_dir, prepare_corpus, stored_articles
from eval.questions import QuestionSet
from eval.report import Run
from eval.runner import Asker, EngineAsker, HttpAsker, run
from newsrag.errors import InvalidRequest
from newsrag.settings import Settings

ENGINE_MODES = ("hybrid", "dense", "bm25")
BASELINES = ("baseline", "baseline-title", "baseline-bm25")
CONFIGS = (*ENGINE_MODES, *BASELINES)
DEFAULT_COMPARE = ",".join(CONFIGS)

# (stage label, done, total or None): how the CLI's progress bar follows a run
Tracker = Callable[[str, int, int | None], None]


def parse_configs(text: str) -> list[str]:
    """``"hybrid,dense,bm25,baseline"`` (or ``all``) as a list, unknown names refused."""
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    if names == ["all"]:
        return list(CONFIGS)
    unknown = [n for n in names if n not in CONFIGS]
    if unknown or not names:
        raise InvalidRequest(
            f"unknown config(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(CONFIGS)} or all"
        )
    return list(dict.fromkeys(names))


def _quiet(label: str, done: int, total: int | None) -> None:
    pass


def evaluate(
    settings: Settings,
    questions: QuestionSet,
    configs: Sequence[str] | None = None,
    corpus: Sequence[Path] | None = None,
    url: str | None = None,
    top_k: int | None = None,
    track: Tracker = _quiet,
) -> tuple[list[Run], dict[str, Any]]:
    """Every configuration's Run, in the order asked (None: the configured engine alone), and run facts."""
    if url and (configs or corpus):
        raise InvalidRequest(
            "--url scores the server as deployed: it takes no --corpus or --compare"
        )
    meta: dict[str, Any] = {"questions": questions.path}
    n_items = len(questions.items)
    if url:
        asker = HttpAsker(url, settings.api.api_key, top_k)
        meta["target"] = url
        try:
            return [_run(asker, questions, track, n_items)], meta
        finally:
            asker.close()

    local = settings
    articles = None
    if corpus:
        prepared = prepare_corpus(settings, corpus, lambda d, t: track("indexing corpus", d, t))
        local, articles = prepared.settings, prepared.articles
        meta["corpus"] = [str(p) for p in corpus]
        meta["corpus_index"] = prepared.summary
        meta["skipped_articles"] = len(prepared.skipped)
    meta["target"] = f"in-process: {local.store.chroma_url or local.store.data_dir}"
    meta["top_k"] = top_k or local.retrieval.top_k

    askers: list[Asker] = []
    wanted = list(configs) if configs else [local.retrieval.mode]
    engine = None
    if any(c in ENGINE_MODES for c in wanted):
        from ask.engine import Engine

        track("loading engine", 0, None)
        engine = Engine.from_settings(local)
    for name in wanted:
        if name in BASELINES:
            from eval.baseline import BaselineAsker, BM25BaselineAsker

            if articles is None:
                articles = stored_articles(local)
            step = lambda d, t, n=name: track(f"building {n}", d, t)  # noqa: E731
            if name == "baseline-bm25":
                askers.append(BM25BaselineAsker.build_bm25(articles, step))
            else:
                folder = corpus_dir(settings, corpus) / name
                askers.append(
                    BaselineAsker.build(articles, folder, step, titles=name == "baseline-title")
                )
        else:
            askers.append(
                EngineAsker(engine, mode=name if configs else None, top_k=top_k, name=name)
            )
    runs = [_run(a, questions, track, n_items) for a in askers]
    return runs, meta


def _run(asker: Asker, questions: QuestionSet, track: Tracker, total: int) -> Run:
    label = f"asking ({asker.name})"
    done = 0
    track(label, 0, total)

    def advance(n: int) -> None:
        nonlocal done
        done += n
        track(label, done, total)

    return Run(asker.name, run(questions.entries, asker, advance), asker.has_answers)
