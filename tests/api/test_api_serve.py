"""`newsrag serve` starts uvicorn on the given loopback port with the model loaded in the lifespan."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from api_live import api_settings, free_port, ingest_seed

pytestmark = pytest.mark.slow


def test_newsrag_serve_answers_on_the_given_port(tmp_path: Path) -> None:
    ingest_seed(api_settings(tmp_path / "index"))
    port = free_port()
    env = {
        **os.environ,
        "NEWSRAG_DATA_DIR": str(tmp_path / "index"),
        "NEWSRAG_API_KEY": "serve-key",
    }
    env.pop("NEWSRAG_CHROMA_URL", None)
    log = (tmp_path / "serve.log").open("wb")
    exe = Path(sys.executable).parent / "newsrag"
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "newsrag serve did not answer within 120 s"
                time.sleep(0.3)
        assert health.status_code == 200 and health.json()["articles"] == 2
        r = httpx.post(
            f"http://127.0.0.1:{port}/v1/chat",
            json={"question": "What is the SKA?"},
            headers={"Authorization": "Bearer serve-key"},
            timeout=60,
        )
        assert r.status_code == 200 and r.json()["citations"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    assert "serve-key" not in (tmp_path / "serve.log").read_text()
