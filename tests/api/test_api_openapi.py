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


def test_the_not_blank_pattern_agrees_with_the_servers_strip_on_every_character() -> None:
    """Schema tools read the pattern with their own idea of \\s (ECMAScript leaves out U+0085 and
    U+001C-U+001F), so every white-space character is spelled out: a character passes the pattern
    exactly when Python's str.strip(), the server's check, would keep it."""
    import re

    from api.schemas import NOT_BLANK

    pattern = re.compile(NOT_BLANK)
    disagree = [hex(c) for c in range(0x110000) if bool(pattern.search(chr(c))) == chr(c).isspace()]
    assert disagree == []
