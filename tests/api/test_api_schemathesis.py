"""schemathesis against the live server's /openapi.json: no 5xx and no schema violation in its cases.

schemathesis's pytest loader (`schemathesis.pytest.from_fixture`) reads `request.node._nodeid`,
which pytest 9 no longer has; so each operation gets its own test here, parametrized from the app
factory's schema (no server needed to collect), and drives schemathesis's Hypothesis strategy for
that operation of the live server's schema.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from api_live import API_KEY, LiveServer, api_settings, ingest_seed
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from api.app import create_app

pytestmark = pytest.mark.slow

# Examples per operation and mode; NEWSRAG_FUZZ_EXAMPLES raises it for a longer run.
MAX_EXAMPLES = int(os.environ.get("NEWSRAG_FUZZ_EXAMPLES", "50"))
OPERATIONS = [
    (method.upper(), path)
    for path, item in create_app(api_settings(Path("unused")), mount_ui=False)
    .openapi()["paths"]
    .items()
    for method in item
]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Its own index: the fuzzer uploads and deletes documents (the examples name seed articles)."""
    config = api_settings(
        tmp_path_factory.mktemp("fuzz-index"), api_key=API_KEY, max_upload_bytes=256 * 1024
    )
    ingest_seed(config)
    server = LiveServer(create_app(config, mount_ui=False))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api_schema(fuzzed: LiveServer):  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_url(f"{fuzzed.url}/openapi.json")
    schema.config.update(base_url=fuzzed.url, headers={"Authorization": f"Bearer {API_KEY}"})
    return schema


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_server_errors_and_no_schema_violations(
    api_schema, method: str, path: str, mode: GenerationMode
) -> None:  # type: ignore[no-untyped-def]
    operation = api_schema[path][method]
    excluded = []
    if (method, path) == ("POST", "/v1/documents"):
        # A schema-valid upload can still be refused by what a schema cannot state: the file's
        # suffix (415), its decoded text (422: empty, not UTF-8) or its size (413).
        excluded.append(positive_data_acceptance)

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call_and_validate(excluded_checks=excluded, timeout=60)
        assert response.status_code < 500

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        pytest.skip("no input of this operation can be made schema-invalid")
