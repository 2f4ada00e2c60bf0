"""The eval runner, HTTP asker, reports and the `newsrag eval` command; fakes first, then the real engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from eval.compare import evaluate, parse_configs
from eval.metrics import Reply
from eval.questions import load_questions, parse_lines
from eval.report import Run, build, markdown, write
from eval.runner import EngineAsker, HttpAsker, reply_from_answer, run
from newsrag.errors import InvalidRequest
from newsrag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEED_QUESTIONS = ROOT / "eval" / "questions" / "seed.jsonl"

QUESTIONS = [
    {
        "id": "q1",
        "question": "How many countries?",
        "answers": ["160"],
        "gold_articles": ["a1"],
        "category": "factoid",
    },
    {
        "id": "c1",
        "turns": [
            {"question": "What is the SKA?", "answers": ["telescope"], "gold_articles": ["a1"]},
            {"question": "When did it start?", "answers": ["2021"], "gold_articles": ["a1"]},
        ],
    },
    {"id": "u1", "question": "Who won the Nobel?", "answerable": False},
]


PASSAGE = {"title": "t", "start": 0, "end": 8, "score": 0.5, "dense": 0.5, "bm25": 1.0}
CITATION = {
    "n": 1,
    "article_id": "a1",
    "title": "t",
    "passage": "over 160",
    "start": 0,
    "end": 8,
    "quote": "over 160",
    "quote_start": 0,
    "quote_end": 8,
    "score": 0.5,
    "passage_id": "a1#0",
}


def answer_json(question: str, conversation_id: str | None, n: int) -> dict[str, Any]:
    """A contract Answer: answers with '160' from a1, abstains on the Nobel."""
    answered = "Nobel" not in question
    return {
        "answer": "Over 160, a telescope, since 2021 [1]."
        if answered
        else "The articles do not say.",
        "answered": answered,
        "citations": [CITATION] if answered else [],
        "conversation_id": conversation_id or f"c-{n}",
        "query": question,
        "timings_ms": {"total": 1.0},
        "warnings": [],
        "retrieved": [
            {**PASSAGE, "rank": 2, "article_id": "a1", "passage_id": "a1#0", "text": "over 160"},
            {**PASSAGE, "rank": 1, "article_id": "zz", "passage_id": "zz#0", "text": "noise"},
        ],
    }


class FakeAsker:
    name = "fake"
    has_answers = True

    def __init__(self, fail_on: str = "") -> None:
        self.calls: list[tuple[str, str | None]] = []
        self.fail_on = fail_on

    def ask(self, question: str, conversation_id: str | None) -> Reply:
        self.calls.append((question, conversation_id))
        if self.fail_on and self.fail_on in question:
            raise RuntimeError("boom")
        return reply_from_answer(answer_json(question, conversation_id, len(self.calls)), 5.0)


def test_conversation_turns_share_one_conversation_and_lone_questions_start_fresh() -> None:
    asker = FakeAsker()
    done: list[int] = []
    records = run(parse_lines([json.dumps(o) for o in QUESTIONS]).entries, asker, done.append)
    assert [r.item.id for r in records] == ["q1", "c1#1", "c1#2", "u1"]
    assert asker.calls == [
        ("How many countries?", None),
        ("What is the SKA?", None),
        ("When did it start?", "c-2"),
        ("Who won the Nobel?", None),
    ]
    assert sum(done) == 4
    # the retrieval list is ranked by its rank field, not by arrival order
    assert records[0].rank == 2


def test_a_failing_call_is_recorded_and_the_run_goes_on() -> None:
    records = run(parse_lines([json.dumps(o) for o in QUESTIONS]).entries, FakeAsker(fail_on="SKA"))
    assert len(records) == 4
    failed = records[1]
    assert failed.failure == "error: RuntimeError: boom"
    assert failed.reply.answered is False
    assert records[2].failure is None  # the next turn still ran (in a new conversation)


def test_engine_asker_asks_for_the_ranked_list_in_the_given_mode() -> None:
    from index.models import Answer

    seen: dict[str, Any] = {}

    class Engine:
        def ask(self, question: str, **kw: Any) -> Answer:
            seen.update(kw)
            return Answer.model_validate(answer_json(question, kw["conversation_id"], 1))

    reply = EngineAsker(Engine(), mode="bm25", top_k=7).ask("How many?", "c-9")
    assert seen == {"conversation_id": "c-9", "top_k": 7, "include_retrieved": True, "mode": "bm25"}
    assert reply.answered and [p.passage_id for p in reply.retrieved] == ["zz#0", "a1#0"]


def test_http_asker_posts_to_v1_chat_with_the_bearer_key() -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        body = json.loads(request.content)
        if body["question"] == "bad":
            return httpx.Response(503, text="store down")
        return httpx.Response(
            200, json=answer_json(body["question"], body.get("conversation_id"), 1)
        )

    client = httpx.Client(
        transport=httpx.MockTransport(handler), headers={"Authorization": "Bearer k"}
    )
    asker = HttpAsker("http://testserver/", api_key="k", client=client)
    reply = asker.ask("How many?", "c-1")
    assert str(requests[0].url) == "http://testserver/v1/chat"
    assert requests[0].headers["authorization"] == "Bearer k"
    assert json.loads(requests[0].content) == {
        "question": "How many?",
        "include_retrieved": True,
        "conversation_id": "c-1",
    }
    assert reply.answered and reply.latency_ms > 0
    with pytest.raises(RuntimeError, match="HTTP 503: store down"):
        asker.ask("bad", None)


def test_http_asker_sends_the_key_from_settings() -> None:
    asker = HttpAsker("http://x", api_key="secret")
    assert asker.client.headers["authorization"] == "Bearer secret"
    asker.close()


def test_configs_are_parsed_and_unknown_ones_refused() -> None:
    assert parse_configs("hybrid, bm25,hybrid") == ["hybrid", "bm25"]
    assert parse_configs("all") == [
        "hybrid",
        "dense",
        "bm25",
        "baseline",
        "baseline-title",
        "baseline-bm25",
    ]
    with pytest.raises(InvalidRequest, match="unknown config"):
        parse_configs("hybrid,magic")


def test_url_takes_no_corpus_or_compare(tmp_path: Path) -> None:
    qs = parse_lines([json.dumps(QUESTIONS[0])])
    with pytest.raises(InvalidRequest):
        evaluate(Settings(), qs, ["hybrid"], None, "http://x")
    with pytest.raises(InvalidRequest):
        evaluate(Settings(), qs, None, [tmp_path], "http://x")


def test_report_files_hold_metrics_categories_items_and_the_comparison(tmp_path: Path) -> None:
    entries = parse_lines([json.dumps(o) for o in QUESTIONS]).entries
    main = Run("hybrid", run(entries, FakeAsker()))
    retrieval_only = Run("baseline", main.records, has_answers=False)
    paths = write(
        [retrieval_only, main], tmp_path, {"questions": "q.jsonl"}, ["line 3: bad (skipped)"]
    )
    data = json.loads(paths["json"].read_text())
    assert data["config"] == "hybrid"  # the first run with an answer step
    assert data["metrics"]["items"] == 4 and data["metrics"]["hit@1"] == 0.0
    assert data["metrics"]["mrr@10"] == 0.5
    assert set(data["categories"]) == {"factoid", "uncategorized"}
    item = data["items"][0]
    assert {"answer", "citations", "first_relevant_rank", "failure"} <= set(item)
    assert data["compare"]["baseline"]["answer_accuracy"] is None
    assert data["compare"]["hybrid"]["answer_accuracy"] == 1.0
    assert data["problems"] == ["line 3: bad (skipped)"]
    md = paths["md"].read_text()
    assert "| answer_accuracy | — | 1.000 |" in md and "line 3: bad" in md
    assert paths["png"].stat().st_size > 1000
    assert build([main], {}, [])["metrics"] == data["metrics"]
    assert "Configs side by side" not in markdown([main], {}, [])


# ---- against the real engine on the seed index ----------------------------------------------
@pytest.mark.slow
def test_the_seed_set_runs_in_process_in_every_engine_mode(seed_engine: Any) -> None:
    qs = load_questions(SEED_QUESTIONS)
    for mode in ("hybrid", "dense", "bm25"):
        records = run(qs.entries, EngineAsker(seed_engine, mode=mode))
        m = Run(mode, records).metrics
        assert m["items"] == len(qs.items) and m["errors"] == 0, mode
        assert m["hit@5"] is not None and m["hit@5"] > 0.5, mode
    followups = [r for r in records if r.item.is_followup]
    assert followups and all(
        r.reply.conversation_id == followups[0].reply.conversation_id
        or r.item.conversation != followups[0].item.conversation
        for r in followups
    )


@pytest.mark.slow
def test_newsrag_eval_writes_the_three_reports_and_names_bad_lines(
    seed_settings: Settings, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from newsrag.cli import app

    questions = tmp_path / "q.jsonl"
    questions.write_text(
        "\n".join(SEED_QUESTIONS.read_text().splitlines()[:3])
        + "\n{broken\n"
        + json.dumps(QUESTIONS[2])
        + "\n"
    )
    env = {"NEWSRAG_DATA_DIR": str(seed_settings.store.data_dir), "NEWSRAG_CHROMA_URL": ""}
    result = CliRunner().invoke(
        app, ["eval", "--questions", str(questions), "--out", str(tmp_path / "out")], env=env
    )
    assert result.exit_code == 0, result.output
    assert "line 4: malformed JSON" in result.output
    assert "hit@1" in result.output
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert data["metrics"]["items"] == 4
    assert (tmp_path / "out" / "report.png").exists() and (tmp_path / "out" / "report.md").exists()


@pytest.mark.slow
def test_the_llama_index_baseline_is_built_once_and_reused(
    seed_settings: Settings, tmp_path: Path
) -> None:
    from corpus.loader import load_articles
    from eval.baseline import BaselineAsker
    from newsrag.settings import SEED_CORPUS

    articles = load_articles([SEED_CORPUS]).articles
    built: list[int] = []
    first = BaselineAsker.build(articles, tmp_path / "bl", lambda d, t: built.append(d))
    assert built and first.chunks > 0
    again = BaselineAsker.build(articles, tmp_path / "bl", lambda d, t: built.append(-1))
    assert -1 not in built and again.chunks == first.chunks
    reply = again.ask("When did construction of the Square Kilometre Array start?", None)
    assert reply.answered is None and len(reply.retrieved) == min(10, first.chunks)
    assert {p.article_id for p in reply.retrieved} <= {a.id for a in articles}


@pytest.mark.slow
def test_the_http_path_scores_like_the_in_process_one(
    seed_settings: Settings, seed_engine: Any
) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    qs = load_questions(SEED_QUESTIONS)
    entries = [e for e in qs.entries if e.is_conversation][:1] + [
        e for e in qs.entries if not e.is_conversation
    ][:4]
    app = create_app(seed_settings, seed_engine, mount_ui=False)
    with TestClient(app) as client:
        over_http = run(entries, HttpAsker("http://testserver", client=client))
    in_process = run(entries, EngineAsker(seed_engine))
    assert [r.reply.error for r in over_http] == [None] * len(over_http)
    assert [r.rank for r in over_http] == [r.rank for r in in_process]
    assert [r.reply.answer for r in over_http] == [r.reply.answer for r in in_process]
    turns = [r for r in over_http if r.item.conversation]
    assert len({r.reply.conversation_id for r in turns}) == 1
