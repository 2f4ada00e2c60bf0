"""The official `openai` client against /v1/chat/completions and /v1/models, plain and streaming."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import openai
import pytest
from api_live import LiveServer, check_citations, parse_sse

SKA = "When did construction of the Square Kilometre Array start?"
MARKER = re.compile(r"\[(\d+)\]")


@pytest.fixture()
def oai(live: LiveServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=f"{live.url}/v1", api_key="unused", max_retries=0, timeout=60) as c:
        yield c


def test_openai_client_gets_the_answer_with_markers_and_citations(
    oai: openai.OpenAI, client: httpx.Client
) -> None:
    done = oai.chat.completions.create(model="newsrag", messages=[{"role": "user", "content": SKA}])
    assert done.object == "chat.completion" and done.model == "newsrag"
    choice = done.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    content = choice.message.content or ""
    assert "SKA" in content and MARKER.search(content)
    extra = done.model_extra or {}
    citations = extra["citations"]
    assert {c["n"] for c in citations} == {int(n) for n in MARKER.findall(content)}
    check_citations(client, {"answer": content, "citations": citations})
    assert done.usage is not None and done.usage.total_tokens > 0


def test_openai_client_streams_the_answer_and_gets_citations_on_the_final_chunk(
    oai: openai.OpenAI, client: httpx.Client
) -> None:
    stream = oai.chat.completions.create(
        model="newsrag",
        messages=[{"role": "user", "content": SKA}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" and c.model == "newsrag" for c in chunks)
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    finals = [c for c in chunks if c.choices and c.choices[0].finish_reason == "stop"]
    assert len(finals) == 1
    citations = (finals[0].model_extra or {})["citations"]
    assert "SKA" in text and MARKER.search(text)
    check_citations(client, {"answer": text, "citations": citations})
    assert chunks[-1].choices == [] and chunks[-1].usage is not None


def test_streamed_completion_ends_with_done_exactly_as_openai_sends_it(
    client: httpx.Client,
) -> None:
    body = {"model": "newsrag", "stream": True, "messages": [{"role": "user", "content": SKA}]}
    with client.stream("POST", "/v1/chat/completions", json=body) as r:
        raw = r.read().decode()
    assert raw.endswith("data: [DONE]\n\n") and "\r" not in raw
    events = list(parse_sse(iter(raw.split("\n"))))
    assert all(kind == "message" for kind, _ in events)
    assert [json.loads(d)["choices"][0]["finish_reason"] for _, d in events[:-1]][-1] == "stop"


def test_resending_the_history_continues_the_same_conversation(oai: openai.OpenAI) -> None:
    messages: list[dict[str, str]] = [{"role": "user", "content": "What is the SKA?"}]
    first = oai.chat.completions.create(model="newsrag", messages=messages)  # type: ignore[arg-type]
    messages += [
        {"role": "assistant", "content": first.choices[0].message.content or ""},
        {"role": "user", "content": "When did its construction start?"},
    ]
    follow = oai.chat.completions.create(model="newsrag", messages=messages)  # type: ignore[arg-type]
    assert (follow.model_extra or {})["conversation_id"] == (first.model_extra or {})[
        "conversation_id"
    ]
    assert follow.choices[0].message.content


def test_an_explicit_conversation_id_is_used_as_given(oai: openai.OpenAI) -> None:
    done = oai.chat.completions.create(
        model="newsrag",
        messages=[{"role": "user", "content": "What is the SKA?"}],
        extra_body={"conversation_id": "client-chosen-1"},
    )
    assert (done.model_extra or {})["conversation_id"] == "client-chosen-1"


def test_messages_without_a_user_question_are_refused(oai: openai.OpenAI) -> None:
    with pytest.raises(openai.UnprocessableEntityError):
        oai.chat.completions.create(
            model="newsrag", messages=[{"role": "system", "content": "Be brief."}]
        )


def test_models_lists_newsrag(oai: openai.OpenAI) -> None:
    assert [m.id for m in oai.models.list()] == ["newsrag"]
    assert oai.models.retrieve("newsrag").id == "newsrag"
    with pytest.raises(openai.NotFoundError):
        oai.models.retrieve("gpt-4o")
