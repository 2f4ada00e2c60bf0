"""The OpenAPI document teaches the API: every model has an example, every route its error statuses."""

from __future__ import annotations

from pathlib import Path

from api_live import api_settings

from api.app import create_app


def _spec() -> dict:  # type: ignore[type-arg]
    return create_app(api_settings(Path("unused")), mount_ui=False).openapi()


def test_every_model_in_the_docs_has_an_example() -> None:
    missing = [
        name
        for name, schema in _spec()["components"]["schemas"].items()
        if "examples" not in schema and "example" not in schema
    ]
    assert missing == [], missing


def test_every_keyed_operation_documents_401_and_the_error_shape() -> None:
    for path, item in _spec()["paths"].items():
        for method, op in item.items():
            if path == "/health":
                continue
            assert "401" in op["responses"], (method, path)
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorResponse"), (method, path, status)
