"""The UI driven by gradio_client against a live server: ask, follow up, start over, and the errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from gradio_client import Client
from ui_live import LiveServer

from newsrag.settings import APISettings, Settings

MARKER = re.compile(r"\[(\d+)\]")
KEY = "ui-test-key-0123456789"


@pytest.fixture()
def client(ui_server: LiveServer) -> Client:
    """A fresh browser session (its own conversation) for each test."""
    return Client(f"{ui_server.url}/ui/", verbose=False)


def ask(client: Client, question: str, **settings: Any) -> tuple[Any, ...]:
    return client.predict(
        question,
        settings.get("top_k", 5),
        settings.get("sources", []),
        settings.get("date_from", ""),
        settings.get("date_to", ""),
        api_name="/ask",
    )


def texts(chat: list[dict[str, Any]]) -> list[str]:
    return ["".join(part["text"] for part in m["content"] if "text" in part) for m in chat]


def test_an_answer_links_each_marker_to_a_card_with_the_cited_passage(
    client: Client, seed_engine
) -> None:  # type: ignore[no-untyped-def]
    chat, sources, _box, banner, answer = ask(client, "What is the Square Kilometre Array (SKA)?")
    assert answer["answered"] and answer["citations"]
    markers = {int(n) for n in MARKER.findall(answer["answer"])}
    assert markers == {c["n"] for c in answer["citations"]}
    shown = texts(chat)
    assert len(shown) == 2 and "Square Kilometre Array" in shown[0]
    assert "nr-answer" in shown[1] and "answered in" in shown[1]
    for c in answer["citations"]:
        text = seed_engine.get_document(c["article_id"]).text
        assert text[c["start"] : c["end"]] == c["passage"]
        assert text[c["quote_start"] : c["quote_end"]] == c["quote"]
        assert f'href="#nr-src-1-{c["n"]}"' in shown[1]
        assert f'id="nr-src-1-{c["n"]}"' in sources
    assert '<mark class="nr-quote">' in sources
    assert (
        not isinstance(banner, str) or banner == ""
    )  # no message (an unchanged banner is an update)


def test_a_follow_up_question_uses_the_previous_turn(client: Client) -> None:
    first = ask(client, "What is the Square Kilometre Array (SKA)?")[-1]
    chat, sources, *_, answer = ask(client, "When did its construction start?")
    assert answer["conversation_id"] == first["conversation_id"]
    assert "2021" in answer["answer"]
    assert answer["context"]  # searched with the first answer's passages
    assert len(chat) == 4
    assert sources.index('id="nr-turn-2"') < sources.index('id="nr-turn-1"')
    assert "searched for" in texts(chat)[3] and "with the last answer" in texts(chat)[3]


def test_new_chat_starts_a_fresh_conversation(client: Client) -> None:
    first = ask(client, "What is the Square Kilometre Array (SKA)?")[-1]
    chat, sources, _box, _banner, answer = client.predict(api_name="/new_chat")
    assert chat == [] and answer is None and "Sources appear here" in sources
    chat, *_, again = ask(client, "When did its construction start?")
    assert again["conversation_id"] != first["conversation_id"]
    assert len(chat) == 2


def test_the_answer_is_streamed_into_the_chat(client: Client) -> None:
    job = client.submit("What is FAST?", 5, [], "", "", api_name="/ask")
    final = job.result()
    updates = [o for o in job.outputs() if isinstance(o[0], list) and o[0]]
    assert any("nr-streaming" in texts(o[0])[-1] for o in updates), "no partial answer was shown"
    assert "nr-streaming" not in texts(final[0])[-1]


def test_an_unanswerable_question_is_shown_as_an_abstention_with_related_passages(
    client: Client,
) -> None:
    chat, sources, *_, answer = ask(client, "Who won the 1998 football World Cup final?")
    assert answer["answered"] is False
    assert (
        "nr-abstain" in texts(chat)[-1] and "Not found in the indexed articles" in texts(chat)[-1]
    )
    if answer["citations"]:
        assert "Related passages (not an answer)" in sources


@pytest.mark.parametrize(
    ("question", "settings", "message"),
    [
        ("   ", {}, "Type a question first."),
        ("why? " * 500, {}, "the limit is 2,000"),
        ("What is FAST?", {"date_from": "June 2025"}, "is not a date like"),
        (
            "What is FAST?",
            {"date_from": "2025-07-01", "date_to": "2025-06-01"},
            "after the To date",
        ),
    ],
)
def test_a_bad_request_shows_a_message_and_asks_nothing(
    client: Client, question: str, settings: dict[str, str], message: str
) -> None:
    chat, _sources, _box, banner, answer = ask(client, question, **settings)
    assert message in banner and 'role="alert"' in banner
    assert unchanged(chat) and unchanged(answer)  # nothing was asked


def unchanged(output: Any) -> bool:
    return isinstance(output, dict) and output.get("__type__") == "update"


def test_filters_reach_the_engine(client: Client) -> None:
    *_, answer = ask(client, "What is FAST?", date_from="2030-01-01")
    assert answer["citations"] == [] and answer["answered"] is False  # no seed article is dated


@pytest.fixture(scope="module")
def keyed_ui(seed_settings: Settings, seed_engine: object) -> Iterator[LiveServer]:
    from api.app import create_app

    settings = seed_settings.model_copy(update={"api": APISettings(api_key=KEY, cors_origins=[])})
    server = LiveServer(create_app(settings, engine=seed_engine))  # type: ignore[arg-type]
    server.start()
    yield server
    server.stop()


def test_with_an_api_key_the_ui_needs_it_to_sign_in(keyed_ui: LiveServer) -> None:
    with httpx.Client(base_url=keyed_ui.url, timeout=30) as anonymous:
        page = anonymous.get("/ui/")
        assert page.status_code == 200 and '"auth_required":true' in page.text.replace(" ", "")
        assert anonymous.get("/ui/config").status_code == 401
        assert anonymous.post("/ui/gradio_api/queue/join", json={}).status_code == 401
        wrong = anonymous.post("/ui/login", data={"username": "me", "password": "nope"})
        assert wrong.status_code == 400
    with pytest.raises(Exception):  # noqa: B017  (gradio_client raises a bare ValueError)
        Client(f"{keyed_ui.url}/ui/", verbose=False)
    authed = Client(f"{keyed_ui.url}/ui/", auth=("anyone", KEY), verbose=False)
    *_, answer = ask(authed, "What is the Square Kilometre Array (SKA)?")
    assert answer["answered"]
