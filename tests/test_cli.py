"""The command line's face: help that reads right, and `ask` loading only what an answer needs."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from support import ROOT
from typer.testing import CliRunner

from newsrag.cli import app
from newsrag.settings import Settings


@pytest.mark.parametrize("command", [[], ["ask"], ["ingest"], ["serve"], ["eval"], ["bench"]])
def test_help_shows_flags_as_flags_not_as_bool_values(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    assert "--help" in result.output


def test_ask_help_lists_json_as_a_bare_flag() -> None:
    output = CliRunner().invoke(app, ["ask", "--help"]).output
    line = next(line for line in output.splitlines() if line.strip().startswith("--json"))
    assert line.split()[1] == "Print", line  # the help text follows the flag, no value placeholder


@pytest.mark.slow
def test_ask_answers_without_importing_torch_or_the_web_stack(seed_settings: Settings) -> None:
    # What `ask` imports is what it waits for: torch, transformers, FastAPI and Gradio are not
    # needed for an answer from a warm index (the int8 model is cached by the seed fixture).
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['newsrag', 'ask', 'How many countries does China cooperate with on science?']\n"
        "try:\n"
        "    runpy.run_module('newsrag', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in ('torch', 'transformers', 'sentence_transformers', 'fastapi',"
        " 'gradio', 'llama_index') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "NEWSRAG_DATA_DIR": str(seed_settings.store.data_dir),
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    assert "160" in done.stdout, done.stdout
    assert "HEAVY []" in done.stdout, done.stdout
    print(f"newsrag ask: {elapsed:.2f} s")
