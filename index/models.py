"""The Answer object and its parts (../shared/CONTRACT.md), shared by the engine, CLI, API, UI and eval."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Citation(BaseModel):
    """One cited passage; offsets index the article text served by GET /v1/documents/{article_id}."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "n": 1,
                "article_id": "002_c34788a0f5bea4b4",
                "title": "Recently, the Science and Technology Daily published an article …",
                "url": None,
                "source": None,
                "published": None,
                "passage": "China has consistently adhered to the principle … over 160 countries …",
                "start": 5120,
                "end": 5873,
                "quote": "To date, China has established science and technology cooperation relationships "
                "with over 160 countries and regions worldwide …",
                "quote_start": 5190,
                "quote_end": 5410,
                "score": 0.71,
                "passage_id": "002_c34788a0f5bea4b4#4",
            }
        }
    )

    n: int = Field(ge=1, description="The number used by the [n] marker in the answer text.")
    article_id: str
    title: str
    url: str | None = None
    source: str | None = None
    published: str | None = Field(default=None, description="YYYY-MM-DD")
    passage: str = Field(description="The cited passage: text[start:end].")
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    quote: str = Field(
        description="The sentence the statement comes from: text[quote_start:quote_end]."
    )
    quote_start: int = Field(ge=0)
    quote_end: int = Field(ge=0)
    score: float = Field(
        description="Relevance of the quoted sentence to the question (higher is better)."
    )
    passage_id: str = Field(default="", description="Stable id of the passage (article_id#index).")
    highlight_start: int | None = Field(
        default=None,
        ge=0,
        description="Where the exact phrase the question asks for (a number, date, name ...) starts "
        "inside the quote, as an offset into the article text; absent when none was found.",
    )
    highlight_end: int | None = Field(default=None, ge=0, description="Where that phrase ends.")


RETRIEVED_EXAMPLE: dict[str, Any] = {
    "rank": 1,
    "passage_id": "002_c34788a0f5bea4b4#4",
    "article_id": "002_c34788a0f5bea4b4",
    "title": "Recently, the Science and Technology Daily published an article …",
    "start": 5120,
    "end": 5873,
    "score": 0.0325,
    "dense": 0.61,
    "bm25": 7.42,
    "text": "China has consistently adhered to the principle … over 160 countries …",
    "source": None,
    "published": None,
}


class RetrievedPassage(BaseModel):
    """A passage from the ranked retrieval list (returned when asked for, e.g. by evaluation)."""

    model_config = ConfigDict(json_schema_extra={"example": RETRIEVED_EXAMPLE})

    rank: int = Field(ge=1)
    passage_id: str
    article_id: str
    title: str
    start: int
    end: int
    score: float = Field(description="Fused rank score.")
    dense: float = Field(description="Cosine similarity of question and passage.")
    bm25: float = Field(description="BM25 score (0 when BM25 did not return it).")
    text: str
    source: str | None = None
    published: str | None = None


class Answer(BaseModel):
    """A grounded answer: every [n] in ``answer`` has a citation with that n, and vice versa."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "answer": "China cooperates with over 160 countries and regions [1].",
                "answered": True,
                "citations": [Citation.model_config["json_schema_extra"]["example"]],  # type: ignore[index]
                "conversation_id": "c-3f2a9d1e0b7c",
                "query": "How many countries does China cooperate with on science?",
                "timings_ms": {"retrieve": 4.1, "answer": 1.3, "total": 6.0},
                "warnings": [],
            }
        }
    )

    answer: str
    answered: bool
    citations: list[Citation] = Field(default_factory=list)
    conversation_id: str
    query: str = Field(
        description="The standalone query actually searched (after resolving a follow-up)."
    )
    timings_ms: dict[str, float] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    context: list[str] = Field(
        default_factory=list,
        description="Passage ids of the earlier answer a follow-up was searched and read with "
        "(empty when the question stood alone).",
    )
    retrieved: list[RetrievedPassage] | None = Field(
        default=None, description="The ranked retrieval list, when the request asked for it."
    )
