"""schemathesis across every route of the live API, counting the cases: at least 1,000 in all.

tests/api/test_api_schemathesis.py runs the same checks at 50 examples per operation and mode in
the normal suite; here each gets up to NEWSRAG_FUZZ_LONG_EXAMPLES (default 150) and the test
asserts the total of cases actually sent, since Hypothesis stops early on small input spaces.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rel_support import API_KEY, ApiProcess, save_figures
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

pytestmark = pytest.mark.reliability

EXAMPLES = int(os.environ.get("NEWSRAG_FUZZ_LONG_EXAMPLES", "150"))


@pytest.mark.timeout(3600)
def test_a_thousand_generated_cases_find_no_server_error_and_no_schema_violation(
    api_process: ApiProcess,
) -> None:
    schema = schemathesis.openapi.from_url(f"{api_process.url}/openapi.json")
    schema.config.update(base_url=api_process.url, headers={"Authorization": f"Bearer {API_KEY}"})
    cases: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        excluded = [positive_data_acceptance] if label == "POST /v1/documents" else []
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run = _fuzz(
                operation.as_strategy(generation_mode=mode), label, excluded, cases, statuses
            )
            try:
                run()
            except Unsatisfiable:
                if mode is GenerationMode.POSITIVE:
                    raise
    total = sum(cases.values())
    save_figures(
        "schemathesis",
        {"cases": total, "per_operation": dict(cases), "statuses": dict(statuses)},
    )
    assert total >= 1000, cases
    assert all(s < 500 for s in statuses)


def _fuzz(strategy, label, excluded, cases, statuses):  # type: ignore[no-untyped-def]
    """One operation and mode as a Hypothesis test (a factory: @given allows no default arguments)."""

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call_and_validate(excluded_checks=excluded, timeout=60)
        cases[label] += 1
        statuses[response.status_code] += 1
        assert response.status_code < 500, (label, response.text[:300])

    return run
