"""The UI's event handlers without a server: failures become messages, and nothing is left hanging."""

from __future__ import annotations

from typing import Any

from ask.engine import StreamEvent
from newsrag.errors import StoreUnavailable
from newsrag.settings import Settings
from ui.callbacks import Callbacks, new_session


class _FailingEngine:
    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def stream(self, question: str, **_: Any):  # type: ignore[no-untyped-def]
        yield StreamEvent("delta", "Half ")
        raise self.exc


def _run(callbacks: Callbacks, question: str = "What is FAST?") -> list[tuple[Any, ...]]:
    return list(callbacks.ask(question, 5, [], "", "", new_session()))


def _last_text(chat: list[dict[str, Any]]) -> str:
    return str(chat[-1]["content"])


def test_before_the_engine_is_loaded_the_chat_says_so() -> None:
    last = _run(Callbacks(lambda: None, Settings()))[-1]
    chat, _sources, session, box = last[:4]
    assert "still starting" in _last_text(chat) and "nr-error" in _last_text(chat)
    assert box == "What is FAST?"  # the question is back in the box, ready to send again
    assert session["turns"] == [] and len(session["messages"]) == 2


def test_an_unreachable_store_is_reported_in_words() -> None:
    last = _run(Callbacks(lambda: _FailingEngine(StoreUnavailable("down")), Settings()))[-1]  # type: ignore[arg-type,return-value]
    assert "index is unreachable" in _last_text(last[0])


def test_an_unexpected_failure_shows_a_message_and_no_details() -> None:
    last = _run(Callbacks(lambda: _FailingEngine(RuntimeError("/secret/path")), Settings()))[-1]  # type: ignore[arg-type,return-value]
    text = _last_text(last[0])
    assert "went wrong" in text and "/secret/path" not in text


def test_an_empty_question_never_reaches_the_engine() -> None:
    def boom() -> None:
        raise AssertionError("the engine was asked")

    (only,) = _run(Callbacks(boom, Settings()), "  ")  # type: ignore[arg-type]
    assert "Type a question first." in only[4]


def test_an_expired_conversation_is_said_and_the_next_question_starts_anew() -> None:
    from newsrag.errors import ConversationNotFound

    callbacks = Callbacks(lambda: _FailingEngine(ConversationNotFound("gone")), Settings())  # type: ignore[arg-type,return-value]
    session = {**new_session(), "conversation_id": "c-0123456789ab"}
    last = list(callbacks.ask("When did it start?", 5, [], "", "", session))[-1]
    chat, _sources, session, box = last[:4]
    assert "conversation has expired" in _last_text(chat)
    assert session["conversation_id"] is None and box == "When did it start?"
