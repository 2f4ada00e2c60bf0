"""The `newsrag` command line: ingest, stats, ask, chat, serve, eval, bench."""

from __future__ import annotations

import gc
import json
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from rich.progress import Progress

    from newsrag.settings import Settings

app = typer.Typer(
    help="newsrag: grounded conversational search over news articles, with exact citations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: typer's rich panels label every flag "<bool>" as if it took a value.
    rich_markup_mode=None,
)
console = Console()
err = Console(stderr=True)


@app.callback()
def main(
    ctx: typer.Context,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log more.")] = False,
) -> None:
    """Builds the one settings object every command uses."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")
    with loading():
        from newsrag.settings import Settings

        ctx.obj = Settings()


@contextmanager
def loading() -> Iterator[None]:
    """Imports and model loading with the cyclic garbage collector paused.

    Loading creates ~165,000 long-lived container objects and no garbage; the collector's repeated
    passes over them were ~12% of `newsrag ask` (1.61 -> 1.42 s median over 10 interleaved runs).
    What was loaded is then frozen, so later collections skip it too."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.freeze()
            gc.enable()


def progress_bar() -> Progress:
    """The progress bar every long command shows on stderr (hidden when stderr is not a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not err.is_terminal,
        transient=True,
    )


def _settings(ctx: typer.Context) -> Settings:
    return ctx.obj  # type: ignore[no-any-return]


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders (default: the seed corpus).")
    ] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Drop the whole index first.")] = False,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune", help="Also remove indexed articles not under PATHS (listed first)."
        ),
    ] = False,
) -> None:
    """Add and update the articles under PATHS (incremental); safe while a server uses the index."""
    from corpus.loader import load_articles
    from index import writer
    from newsrag.errors import NewsragError

    settings = _settings(ctx)
    loaded = load_articles(paths or [settings.seed_corpus])
    for skip in loaded.skipped:
        err.print(f"[yellow]skipped[/] {skip.where}: {skip.reason}")

    def before_remove(ids: list[str]) -> None:
        for article_id in ids:
            err.print(f"[yellow]removing[/] {article_id}", highlight=False)

    try:
        with progress_bar() as bar:
            task = bar.add_task("ingesting", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            report = writer.ingest(
                settings,
                loaded.articles,
                loaded.skipped,
                prune=prune,
                reset=reset,
                before_remove=before_remove,
                progress=progress,
                on_wait=lambda message: err.print(message, highlight=False),
            )
    except NewsragError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from None
    console.print(report.summary(), highlight=False, soft_wrap=True)


@app.command()
def stats(ctx: typer.Context) -> None:
    """Articles, passages, store location and model."""
    from index.runtime import open_store

    settings = _settings(ctx)
    store = open_store(settings)
    infos = store.article_infos()
    console.print(f"articles: {len(infos)}")
    console.print(f"passages: {store.passage_count()}")
    console.print(f"store: {store.location}")
    console.print(f"model: all-MiniLM-L6-v2 ({settings.embedding.backend})")


def _quote_with_answer(c: Any) -> Any:
    """The quote, dim, with the phrase the question asked for in bold (its highlight offsets)."""
    from rich.text import Text

    text = Text(f"      “{c.quote}”", style="dim")
    if c.highlight_start is not None and c.highlight_end is not None:
        at = len("      “") + c.highlight_start - c.quote_start
        text.stylize("bold not dim", at, at + c.highlight_end - c.highlight_start)
    return text


def _print_answer(answer: Any) -> None:
    style = "bold" if answer.answered else "yellow"
    console.print(answer.answer, style=style, highlight=False)
    for c in answer.citations:
        where = " · ".join(x for x in (c.source, c.published) if x)
        title = c.title if len(c.title) <= 90 else c.title[:87].rstrip() + "…"
        console.print(f"  [{c.n}] {title}" + (f" ({where})" if where else ""), highlight=False)
        console.print(_quote_with_answer(c), highlight=False)
    if answer.warnings:
        for w in answer.warnings:
            err.print(f"[yellow]warning:[/] {w}")


@app.command()
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="The question.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the Answer object as JSON.")
    ] = False,
    conversation: Annotated[
        str | None,
        typer.Option(
            "--conversation",
            help="Continue this conversation (the conversation_id of an earlier answer, from any "
            "process on this data directory or store); an expired or unknown one is an error.",
        ),
    ] = None,
    top_k: Annotated[int | None, typer.Option("--top-k", help="Passages to retrieve.")] = None,
) -> None:
    """One answer, with citations."""
    from newsrag.errors import NewsragError

    try:
        with loading():
            from index.runtime import open_engine

            engine = open_engine(_settings(ctx))
        answer = engine.ask(question, conversation_id=conversation, top_k=top_k)
    except NewsragError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(
            json.dumps(
                answer.model_dump(mode="json", exclude_none=False), ensure_ascii=False, indent=2
            )
        )
    else:
        _print_answer(answer)


@app.command()
def chat(ctx: typer.Context) -> None:
    """Interactive conversation in the terminal (empty line or Ctrl-D to quit; /new starts over)."""
    from newsrag.errors import ConversationNotFound, NewsragError

    with loading():
        from index.runtime import open_engine

        engine = open_engine(_settings(ctx))
    conversation: str | None = None
    console.print("Ask about the indexed news. /new starts a new conversation; empty line quits.")
    while True:
        try:
            question = console.input("[bold cyan]you>[/] ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not question:
            break
        if question == "/new":
            conversation = None
            console.print("(new conversation)")
            continue
        try:
            answer = engine.ask(question, conversation_id=conversation)
        except ConversationNotFound:
            conversation = None
            err.print(
                "[yellow]the conversation expired:[/] a new one starts; ask again, naming the subject"
            )
            continue
        except NewsragError as exc:
            err.print(f"[red]error:[/] {exc}")
            continue
        conversation = answer.conversation_id
        if answer.query != question or answer.context:
            with_last = " (with the last answer's passages)" if answer.context else ""
            console.print(f"[dim]searched for: {answer.query}{with_last}[/]", highlight=False)
        _print_answer(answer)


@app.command("eval")
def eval_(
    ctx: typer.Context,
    questions: Annotated[
        Path, typer.Option("--questions", help="Question file (.jsonl, CONTRACT.md format).")
    ],
    corpus: Annotated[
        list[Path] | None,
        typer.Option(
            "--corpus",
            help="Index these files/folders and evaluate on them (repeatable). The index is cached in "
            "$NEWSRAG_DATA_DIR/eval-cache/<hash of the paths>/ (default .newsrag/eval-cache/) and synced "
            "incrementally, so an unchanged corpus costs nothing. Default: the configured index.",
        ),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            "--url", help="Score a running newsrag server over HTTP (POST URL/v1/chat) instead."
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Report folder.")] = Path("reports/eval"),
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            help="Comma-separated configs run side by side: hybrid, dense, bm25 (engine retrieval "
            "modes) and llama-index's defaults: baseline (VectorStoreIndex over Chroma, bare text), "
            "baseline-title (the same, titles as metadata), baseline-bm25 (BM25Retriever); or 'all'.",
        ),
    ] = None,
    top_k: Annotated[
        int | None, typer.Option("--top-k", help="Passages the answer uses (default: configured).")
    ] = None,
) -> None:
    """Score a question set: writes OUT/report.json, report.md, report.png and prints the metric table."""
    import shlex
    import sys
    from datetime import UTC, datetime

    # transformers' own "Loading weights" bars would tear through ours
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from eval import report
    from eval.compare import evaluate, parse_configs
    from eval.questions import load_questions
    from newsrag.errors import NewsragError

    try:
        qset = load_questions(questions)
    except OSError as exc:
        err.print(f"[red]error:[/] cannot read {questions}: {exc}")
        raise typer.Exit(1) from None
    for problem in qset.problems:
        err.print(f"[yellow]{questions}[/] {problem}", highlight=False, soft_wrap=True)
    if not qset.entries:
        err.print("[red]error:[/] no usable question in the file")
        raise typer.Exit(1)
    with progress_bar() as bar:
        task = bar.add_task("starting", total=None)

        def track(label: str, done: int, total: int | None) -> None:
            bar.update(task, description=label, completed=done, total=total)

        try:
            configs = parse_configs(compare) if compare else None
            runs, meta = evaluate(_settings(ctx), qset, configs, corpus, url, top_k, track)
        except NewsragError as exc:
            err.print(f"[red]error:[/] {exc}")
            raise typer.Exit(1) from None
    meta = {
        "command": shlex.join(["newsrag", *sys.argv[1:]]),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        **meta,
    }
    paths = report.write(runs, out, meta, [str(p) for p in qset.problems])
    for table in report.rich_tables(runs):
        console.print(table)
    console.print(
        f"report: {paths['json']}, {paths['md']}, {paths['png']}", highlight=False, soft_wrap=True
    )


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option("--host", help="Address to bind (default 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default 8000).")] = None,
    ui: Annotated[
        bool,
        typer.Option(
            "--ui/--no-ui", help="Serve the chat UI at /ui (--no-ui: API only, starts faster)."
        ),
    ] = True,
) -> None:
    """HTTP API (and the chat UI at /ui) with uvicorn; the model and indexes load once, at startup."""
    import uvicorn

    from api.app import create_app
    from index.writer import serving

    settings = _settings(ctx)
    host = host or settings.api.host
    port = port or settings.api.port
    if settings.api.api_key is None and host not in ("127.0.0.1", "localhost", "::1"):
        err.print("[yellow]warning:[/] serving beyond loopback without NEWSRAG_API_KEY")
    where = "docs at /docs" + (", chat at /ui" if ui else "")
    err.print(f"newsrag: http://{host}:{port}  ({where})", highlight=False)
    # One process: the engine holds the model and the conversations in memory; with an embedded
    # store it is also the index's only writer (index/writer.py).
    with serving(settings, host, port, lambda message: err.print(message, highlight=False)):
        uvicorn.run(
            create_app(settings, mount_ui=ui),
            host=host,
            port=port,
            log_level="info",
            timeout_graceful_shutdown=5,
        )


@app.command()
def bench(
    ctx: typer.Context,
    corpus: Annotated[
        list[Path] | None,
        typer.Option(
            "--corpus",
            help="Bench these files/folders instead of the standard corpora (repeatable).",
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Report folder (bench.json, bench.md, plots, work/).")
    ] = Path("reports/bench"),
    corpora: Annotated[
        str,
        typer.Option(
            "--corpora", help="Standard corpora: seed, gold (rtqa 206), noisy (rtqa 1,659)."
        ),
    ] = "seed,gold,noisy",
    phases: Annotated[
        str,
        typer.Option("--phases", help="machine,ingest,quality,latency,http,chroma,scale (or all)."),
    ] = "all",
    backends: Annotated[
        str,
        typer.Option(
            "--backends", help="Embedding backends for newsrag; the first is used for chroma/scale."
        ),
    ] = "onnx-int8,torch",
    questions: Annotated[
        Path | None, typer.Option("--questions", help="Question file for quality and latency.")
    ] = None,
    no_baseline: Annotated[
        bool, typer.Option("--no-baseline", help="Skip llama-index's pipeline.")
    ] = False,
    requests: Annotated[
        int, typer.Option("--requests", help="Answers per in-process latency loop.")
    ] = 300,
    http_requests: Annotated[
        int, typer.Option("--http-requests", help="Requests per HTTP loop.")
    ] = 200,
    clients: Annotated[int, typer.Option("--clients", help="Concurrent HTTP clients.")] = 8,
    loop_budget: Annotated[
        float, typer.Option("--loop-budget", help="Seconds each latency loop may take.")
    ] = 60.0,
    budget_min: Annotated[
        float, typer.Option("--budget-min", help="Minutes for the whole run.")
    ] = 120.0,
    scale_sizes: Annotated[
        str, typer.Option("--scale-sizes", help="Passage counts of the scale run.")
    ] = "10000,25000,50000,100000",
    scale_source: Annotated[
        str, typer.Option("--scale-source", help="Corpus the scale run repeats.")
    ] = "noisy",
    quick: Annotated[
        bool,
        typer.Option(
            "--quick", help="Seed corpus, small counts, scale to 5,000 passages: a smoke run."
        ),
    ] = False,
    no_ui: Annotated[
        bool, typer.Option("--no-ui", help="Start the measured servers with --no-ui.")
    ] = False,
) -> None:
    """Performance figures side by side with the baseline: writes OUT/bench.json, bench.md and plots."""
    import shlex
    import sys

    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from eval.bench import PHASES, Bench, Options

    wanted = (
        list(PHASES) if phases == "all" else [p.strip() for p in phases.split(",") if p.strip()]
    )
    unknown = [p for p in wanted if p not in PHASES]
    if unknown:
        err.print(
            f"[red]error:[/] unknown phase(s) {', '.join(unknown)}; choose from {', '.join(PHASES)}"
        )
        raise typer.Exit(1)
    opts = Options(
        out=out,
        corpora=[c.strip() for c in corpora.split(",") if c.strip()],
        custom=corpus,
        questions=questions,
        phases=wanted,
        backends=[b.strip() for b in backends.split(",") if b.strip()],
        baseline=not no_baseline,
        requests=requests,
        http_requests=http_requests,
        clients=clients,
        loop_budget_s=loop_budget,
        budget_s=budget_min * 60,
        scale_sizes=[int(x) for x in scale_sizes.split(",") if x.strip()],
        scale_source=scale_source,
        serve_args=["--no-ui"] if no_ui else [],
    )
    if quick:
        opts.corpora, opts.requests, opts.http_requests, opts.loop_budget_s = ["seed"], 50, 40, 20.0
        opts.scale_sizes, opts.scale_source = [1_000, 5_000], "seed"
    bench_run = Bench(
        _settings(ctx), opts, log=lambda line: err.print(line, highlight=False, soft_wrap=True)
    )
    command = shlex.join(["newsrag", *sys.argv[1:]])
    bench_run.results["command"] = command
    bench_run.results.setdefault("commands", []).append(command)
    bench_run.run()
    console.print(
        f"report: {out / 'bench.json'}, {out / 'bench.md'}", highlight=False, soft_wrap=True
    )


train_app = typer.Typer(
    help="Train newsrag's own small models on public data (the rtqa training questions).",
    no_args_is_help=True,
)
app.add_typer(train_app, name="train")


# the options both training commands take
_TrainData = Annotated[
    Path, typer.Option(help="The rtqa training data folder (questions.jsonl, documents.jsonl).")
]
_TrainWork = Annotated[
    Path, typer.Option(help="Cache of the embedded training corpus (reused between runs).")
]
_TrainSeed = Annotated[int, typer.Option(help="Seed of every random choice.")]
_TrainLimit = Annotated[
    int | None, typer.Option(help="Use only this many questions (a quick trial run).")
]
_TrainWindow = Annotated[
    int, typer.Option(help="A question searches the pages of this many days either side.")
]
_TrainRounds = Annotated[int, typer.Option(help="Most boosting rounds (early stopping on valid).")]


def _require_training_data(data: Path) -> None:
    if not (data / "questions.jsonl").is_file():
        err.print(f"no rtqa training data at {data} (questions.jsonl missing)")
        raise typer.Exit(2)


def _steps(bar: Any) -> Callable[[str, int, int], None]:
    """A training step reporter: one progress line per stage ("embedding pages", ...)."""
    tasks: dict[str, Any] = {}

    def step(what: str, done: int, total: int) -> None:
        if what not in tasks:
            tasks[what] = bar.add_task(what, total=total)
        bar.update(tasks[what], completed=done)

    return step


@train_app.command("ranker")
def train_ranker(
    ctx: typer.Context,
    data: _TrainData = Path("../shared/train/rtqa"),
    work: _TrainWork = Path(".newsrag-train"),
    out: Annotated[
        Path, typer.Option(help="Where ranker.txt and its model card ranker.md are written.")
    ] = Path("ask/data"),
    seed: _TrainSeed = 13,
    limit: _TrainLimit = None,
    window_days: _TrainWindow = 90,
    rounds: _TrainRounds = 600,
    require_gain: Annotated[
        bool,
        typer.Option(
            "--require-gain/--no-require-gain",
            help="Write the model only when it beats the first stage on the validation weeks.",
        ),
    ] = True,
) -> None:
    """Train the passage ranker (LightGBM lambdarank) on the rtqa 2023-2026 questions; writes the
    model only when it beats the first stage on the validation weeks."""
    from train.run import train_ranker as run

    _require_training_data(data)
    with progress_bar() as bar:
        step = _steps(bar)
        result = run(
            _settings(ctx), data, work, out, seed=seed, limit=limit,
            window_days=window_days, rounds=rounds, require_gain=require_gain, step=step,
        )  # fmt: skip
    for part, table in result.metrics.items():
        console.print(f"[bold]{part}[/bold]")
        for name, m in table.items():
            console.print(
                f"  {name:22} article hit@1 {m['article_hit@1']:.3f} mrr@10 {m['article_mrr@10']:.3f}"
                f"  passage hit@1 {m['passage_hit@1']:.3f} mrr@10 {m['passage_mrr@10']:.3f}",
                highlight=False,
            )
    times = ", ".join(f"{k} {v:.0f} s" for k, v in result.seconds.items())
    if result.kept:
        console.print(f"trees: {result.rounds}; {times}; wrote {result.model} and {result.card}")
    else:
        err.print(f"the ranker did not beat the first stage on valid; nothing written ({times})")
        raise typer.Exit(1)


@train_app.command("selector")
def train_selector(
    ctx: typer.Context,
    data: _TrainData = Path("../shared/train/rtqa"),
    work: _TrainWork = Path(".newsrag-train"),
    out: Annotated[
        Path, typer.Option(help="Where selector.txt and its model card selector.md are written.")
    ] = Path("ask/data"),
    seed: _TrainSeed = 13,
    limit: _TrainLimit = None,
    window_days: _TrainWindow = 90,
    rounds: _TrainRounds = 600,
) -> None:
    """Train the answer selector (LightGBM) on the rtqa 2023-2026 questions; writes the model and
    its card (the rules, the rules plus the selector, and the selector alone on the test weeks)."""
    from train.run import train_selector as run

    _require_training_data(data)
    with progress_bar() as bar:
        step = _steps(bar)
        result = run(
            _settings(ctx), data, work, out, seed=seed, limit=limit,
            window_days=window_days, rounds=rounds, step=step,
        )  # fmt: skip
    for part, table in result.metrics.items():
        console.print(f"[bold]{part}[/bold]")
        for name, m in table.items():
            console.print(
                f"  {name:16} top1 {m['top1']:.3f}  answered right {m['answered_right']:.3f}"
                f"  abstain recall {m['abstain_recall']:.3f}  false abstain {m['false_abstain']:.3f}",
                highlight=False,
            )
    times = ", ".join(f"{k} {v:.0f} s" for k, v in result.seconds.items())
    console.print(f"trees: {result.rounds}; {times}; wrote {result.model} and {result.card}")


@train_app.command("reader")
def train_reader(
    ctx: typer.Context,
    data: _TrainData = Path("../shared/train/rtqa"),
    work: _TrainWork = Path(".newsrag-train"),
    out: Annotated[
        Path,
        typer.Option(help="Where reader.safetensors and its model card reader.md are written."),
    ] = Path("ask/data"),
    seed: _TrainSeed = 13,
    limit: _TrainLimit = None,
    window_days: _TrainWindow = 90,
    epochs: Annotated[
        int | None, typer.Option(help="Passes over the training pairs (default: the card's).")
    ] = None,
    rank: Annotated[
        int | None, typer.Option(help="Rank of the adapter's matrices (default: the card's).")
    ] = None,
) -> None:
    """Train the sentence reader (a low-rank adapter making the bundled MiniLM a cross-encoder) on
    the rtqa 2023-2026 questions; writes the adapter and its card (the rules with and without it
    on the test weeks)."""
    from train.run import train_reader as run

    _require_training_data(data)
    with progress_bar() as bar:
        step = _steps(bar)
        result = run(
            _settings(ctx), data, work, out, seed=seed, limit=limit,
            window_days=window_days, epochs=epochs, rank=rank, step=step,
        )  # fmt: skip
    for part in ("valid", "test"):
        figures = ", ".join(f"{k} {v:.3f}" for k, v in result.metrics[part].items())
        console.print(f"[bold]{part}[/bold] {figures}", highlight=False)
    times = ", ".join(f"{k} {v:.0f} s" for k, v in result.seconds.items())
    console.print(
        f"weight {result.weight}; {times}; wrote {result.adapter} and {result.card}",
        highlight=False,
    )


@train_app.command("evalset")
def train_evalset(
    data: _TrainData = Path("../shared/train/rtqa"),
    out: Annotated[
        Path,
        typer.Option(
            help="Folder for questions.jsonl and articles.jsonl (keep it outside the repository)."
        ),
    ] = Path(".newsrag-train/evalset"),
    part: Annotated[
        str, typer.Option(help="Which weeks: valid (to choose) or test (to read once).")
    ] = "valid",
    removed: Annotated[
        bool,
        typer.Option(
            "--removed/--intact",
            help="Take every sentence holding an answer out of the pages: the questions become unanswerable.",
        ),
    ] = False,
) -> None:
    """Write the rtqa 2023-2026 validation or test weeks as a question set and corpus for
    `newsrag eval --questions OUT/questions.jsonl --corpus OUT/articles.jsonl`."""
    from train.evalset import write

    _require_training_data(data)
    if part not in ("valid", "test"):
        err.print(f"--part must be valid or test, not {part!r}")
        raise typer.Exit(2)
    result = write(data, out, part, removed)
    console.print(
        f"{part}: {result.kept} of {result.asked} questions have an answer in their pages; "
        f"{result.pages} pages"
        + (f", {result.sentences_removed} sentences holding an answer removed" if removed else "")
        + f"\nnewsrag eval --questions {result.questions} --corpus {result.articles}",
        highlight=False,
        soft_wrap=True,
    )
