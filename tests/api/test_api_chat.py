"""POST /v1/chat (JSON and Server-Sent Events) and POST /v1/search against a live server."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
from api_live import LiveServer, check_citations, parse_sse

SKA = "When did construction of the Square Kilometre Array start?"


def test_chat_returns_an_answer_whose_citations_point_at_the_document_text(
    client: httpx.Client,
) -> None:
    r = client.post("/v1/chat", json={"question": SKA})
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["answered"] is True
    assert "Square Kilometre Array" in answer["answer"] or "SKA" in answer["answer"]
    assert answer["citations"] and answer["conversation_id"]
    assert set(answer["timings_ms"]) >= {"retrieve", "answer", "total"}
    assert answer["warnings"] == []
    check_citations(client, answer)


def test_follow_up_question_uses_the_previous_turn(client: httpx.Client) -> None:
    first = client.post("/v1/chat", json={"question": "What is the SKA?"}).json()
    follow = client.post(
        "/v1/chat",
        json={
            "question": "When did its construction start?",
            "conversation_id": first["conversation_id"],
        },
    ).json()
    assert follow["conversation_id"] == first["conversation_id"]
    # searched as typed with the first answer's passages, which it names
    assert follow["query"] == "When did its construction start?" and not first["context"]
    cited = {c["passage_id"] for c in first["citations"]}
    assert follow["context"] and set(follow["context"]) <= cited
    assert "July 2021" in follow["answer"]


def test_include_retrieved_adds_the_ranked_list(client: httpx.Client) -> None:
    answer = client.post("/v1/chat", json={"question": SKA, "include_retrieved": True}).json()
    ranks = [p["rank"] for p in answer["retrieved"]]
    assert ranks == sorted(ranks) and len(ranks) >= 5


def test_streamed_chat_sends_deltas_then_citations_then_the_complete_answer(
    client: httpx.Client,
) -> None:
    with client.stream("POST", "/v1/chat", json={"question": SKA, "stream": True}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        events = list(parse_sse(r.iter_lines()))
    kinds = [kind for kind, _ in events]
    assert kinds[-2:] == ["citations", "done"] and set(kinds[:-2]) == {"delta"}, kinds
    text = "".join(json.loads(data)["text"] for kind, data in events if kind == "delta")
    citations = json.loads(events[-2][1])["citations"]
    done = json.loads(events[-1][1])
    assert done["answer"] == text
    assert done["citations"] == citations and citations
    check_citations(client, done)


def test_a_too_long_streamed_question_is_refused_before_the_stream_starts(
    client: httpx.Client,
) -> None:
    r = client.post("/v1/chat", json={"question": "why " * 1000, "stream": True})
    assert r.status_code == 413
    assert r.json()["error"] == "question_too_long"


def test_a_question_over_the_length_limit_gets_413_with_the_limit_named(
    client: httpx.Client,
) -> None:
    r = client.post("/v1/chat", json={"question": "x" * 2001})
    assert r.status_code == 413
    assert "2000" in r.json()["detail"]


def test_a_blank_or_missing_question_is_a_422(client: httpx.Client) -> None:
    for body in ({"question": "   "}, {}, {"question": 3}, {"question": "ok", "top_k": 0}):
        r = client.post("/v1/chat", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"] == "validation_error"
    r = client.post("/v1/chat", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_search_returns_ranked_passages_with_offsets_and_article_metadata(
    client: httpx.Client,
) -> None:
    r = client.post("/v1/search", json={"query": "Kang Musha Asian elephants", "top_k": 3})
    assert r.status_code == 200, r.text
    passages = r.json()["passages"]
    assert [p["rank"] for p in passages] == [1, 2, 3]
    assert passages[0]["score"] >= passages[-1]["score"]
    top = passages[0]
    assert "Kang Musha" in top["text"] and top["title"]
    text = client.get(f"/v1/documents/{top['article_id']}").json()["text"]
    assert text[top["start"] : top["end"]] == top["text"]


def test_search_filters_restrict_the_articles(client: httpx.Client) -> None:
    body = {
        "query": "science cooperation",
        "top_k": 5,
        "filters": {"article_ids": ["000_08bfda3cfe92e91c"]},
    }
    passages = client.post("/v1/search", json=body).json()["passages"]
    assert passages and {p["article_id"] for p in passages} == {"000_08bfda3cfe92e91c"}


def test_concurrent_conversations_keep_their_own_context(live: LiveServer) -> None:
    """Eight two-turn conversations at once, on two topics: each follow-up is resolved exactly as
    it is when the conversation runs alone."""
    topics = [
        ("What is the SKA?", "When did its construction start?"),
        (
            "Which Spanish researcher works on Asian elephants in Xishuangbanna?",
            "When did he join it?",
        ),
    ]

    def converse(i: int) -> tuple[str, str]:
        first_q, follow_q = topics[i % 2]
        with live.client() as c:
            first = c.post("/v1/chat", json={"question": first_q}).json()
            follow = c.post(
                "/v1/chat", json={"question": follow_q, "conversation_id": first["conversation_id"]}
            ).json()
        assert follow["conversation_id"] == first["conversation_id"]
        return first["conversation_id"], follow["query"]

    alone = [converse(0)[1], converse(1)[1]]
    assert alone[0] != alone[1]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(converse, range(8)))
    assert len({cid for cid, _ in results}) == 8
    assert [query for _, query in results] == [alone[i % 2] for i in range(8)]
