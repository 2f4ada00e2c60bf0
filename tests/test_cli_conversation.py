"""`newsrag ask --conversation ID` continues, in a new process, a conversation an earlier
`newsrag ask --json` started: the follow-up is resolved against the first turn, as in one process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support import ROOT

from ask.engine import Engine
from newsrag.settings import Settings

NEWSRAG = str(Path(sys.executable).parent / "newsrag")
FIRST = "What is the SKA?"
FOLLOW = "When did its construction start?"


def ask(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NEWSRAG, "ask", *args],
        cwd=ROOT,
        env={
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "NEWSRAG_DATA_DIR": str(data_dir),
            "NEWSRAG_CONVERSATION_STORE": "sqlite",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=180,
    )


def answer_of(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def started(seed_settings: Settings) -> dict[str, Any]:
    """A conversation started by one `newsrag ask --json` process."""
    return answer_of(ask(seed_settings.store.data_dir, FIRST, "--json"))


@pytest.mark.slow
def test_a_second_process_continues_the_conversation_with_the_first_turn_resolved(
    seed_settings: Settings, seed_engine: Engine, started: dict[str, Any]
) -> None:
    cid = started["conversation_id"]
    follow = answer_of(ask(seed_settings.store.data_dir, FOLLOW, "--json", "--conversation", cid))
    assert follow["conversation_id"] == cid
    # "its" is read with the first turn's passages (the SKA's): asked alone it is not the SKA
    assert follow["query"] == FOLLOW
    assert "July 2021" in follow["answer"] and not follow["warnings"]
    other = seed_engine.ask("What is FAST?")  # the same follow-up is answered about FAST there
    about_fast = seed_engine.ask(FOLLOW, conversation_id=other.conversation_id)
    assert "SKA" not in about_fast.answer and "FAST" in about_fast.citations[0].passage
    assert "July 2021" in follow["citations"][0]["quote"]
    # the same two turns in one process give the same query and the same answer
    first = seed_engine.ask(FIRST)
    same = seed_engine.ask(FOLLOW, conversation_id=first.conversation_id)
    assert (same.query, same.answer) == (follow["query"], follow["answer"])


@pytest.mark.slow
def test_an_unknown_or_expired_conversation_is_an_error_not_a_new_conversation(
    seed_settings: Settings, started: dict[str, Any]
) -> None:
    unknown = ask(seed_settings.store.data_dir, FOLLOW, "--conversation", "c-0123456789ab")
    assert unknown.returncode == 1 and not unknown.stdout
    assert "'c-0123456789ab' is unknown or expired" in unknown.stderr, unknown.stderr
    # 1 ms: the conversation started above has expired by the time this process looks it up
    expired = ask(
        seed_settings.store.data_dir,
        FOLLOW,
        "--conversation",
        started["conversation_id"],
        NEWSRAG_ANSWER_CONVERSATION_TTL_S="0.001",
    )
    assert expired.returncode == 1 and "unknown or expired" in expired.stderr, expired.stderr
