"""Translation between OpenAI's chat-completion format and the engine's questions and Answers.

Conversations: OpenAI clients resend the whole history with every request and know no conversation
id. The question is the last user message with text. The engine conversation is, in order: the request's
``conversation_id`` (a newsrag extension, e.g. ``extra_body={"conversation_id": ...}``); else the
one that answered the same earlier user messages (each answer is remembered under the user
messages up to and including its question, so resending the history finds it); else a new one.
Only user messages form the key: clients often trim or reformat the assistant's text (markers,
whitespace) when they resend it. Two clients that send identical question sequences share a
conversation; pass ``conversation_id`` to keep them apart.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections import OrderedDict
from typing import Any

from api.schemas import AssistantMessage, ChatCompletion, ChatMessage, Choice, ModelCard, Usage
from index.models import Answer
from newsrag.errors import InvalidRequest

MODEL = "newsrag"
# When the API started: the `created` of the one model it serves.
_STARTED = int(time.time())


def model_card() -> ModelCard:
    return ModelCard(id=MODEL, created=_STARTED, owned_by="newsrag")


def question_of(messages: list[ChatMessage]) -> str:
    """The last user message with text (user messages without text, e.g. images only, are skipped)."""
    texts = _user_texts(messages)
    if not texts:
        raise InvalidRequest("no user message with text: send the question as a user message")
    return texts[-1]


def _key(user_texts: list[str]) -> str:
    payload = json.dumps([" ".join(t.split()) for t in user_texts], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _user_texts(messages: list[ChatMessage]) -> list[str]:
    return [t for m in messages if m.role == "user" and (t := m.text()).strip()]


class ConversationMap:
    """Earlier user messages → engine conversation id; bounded, least recently used dropped first."""

    def __init__(self, max_items: int = 10_000) -> None:
        self.max_items = max_items
        self._items: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def find(self, messages: list[ChatMessage]) -> str | None:
        """The conversation that answered the user messages before the last one (None: a new one)."""
        earlier = _user_texts(messages)[:-1]
        if not earlier:
            return None
        key = _key(earlier)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def remember(self, messages: list[ChatMessage], conversation_id: str) -> None:
        key = _key(_user_texts(messages))
        with self._lock:
            self._items[key] = conversation_id
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)


def completion_id() -> str:
    return f"chatcmpl-{secrets.token_hex(12)}"


def _words(text: str) -> int:
    return len(text.split())


def usage(messages: list[ChatMessage], answer_text: str) -> Usage:
    prompt = sum(_words(m.text()) for m in messages)
    completion = _words(answer_text)
    return Usage(
        prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion
    )


def completion(
    answer: Answer, messages: list[ChatMessage], cid: str, created: int
) -> ChatCompletion:
    return ChatCompletion(
        id=cid,
        created=created,
        model=MODEL,
        choices=[Choice(message=AssistantMessage(content=answer.answer))],
        usage=usage(messages, answer.answer),
        citations=answer.citations,
        conversation_id=answer.conversation_id,
        answered=answer.answered,
    )


class ChunkWriter:
    """Builds the `chat.completion.chunk` objects of one streamed completion, as OpenAI sends them."""

    def __init__(self, messages: list[ChatMessage], include_usage: bool) -> None:
        self.id = completion_id()
        self.created = int(time.time())
        self.messages = messages
        self.include_usage = include_usage
        self.sent: list[str] = []

    def _chunk(self, delta: dict[str, Any], finish: str | None, **extra: Any) -> str:
        chunk: dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": MODEL,
            "system_fingerprint": None,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if self.include_usage:
            chunk["usage"] = None
        chunk.update(extra)
        return json.dumps(chunk, ensure_ascii=False)

    def role(self) -> str:
        return self._chunk({"role": "assistant", "content": ""}, None)

    def delta(self, text: str) -> str:
        self.sent.append(text)
        return self._chunk({"content": text}, None)

    def final(self, answer: Answer) -> list[str]:
        """The last choice chunk (finish_reason "stop", with the citations), then usage if asked."""
        extra: dict[str, Any] = {
            "citations": [c.model_dump(mode="json") for c in answer.citations],
            "conversation_id": answer.conversation_id,
            "answered": answer.answered,
            "warnings": answer.warnings,
        }
        if "".join(self.sent) != answer.answer:
            # A language model's streamed text failed validation and the grounded answer replaced
            # it: the pieces already sent cannot be taken back, so the final text travels here.
            extra["replaced_content"] = answer.answer
        out = [self._chunk({}, "stop", **extra)]
        if self.include_usage:
            chunk = json.loads(self._chunk({}, None))
            chunk["choices"] = []
            chunk["usage"] = usage(self.messages, answer.answer).model_dump()
            out.append(json.dumps(chunk, ensure_ascii=False))
        return out
