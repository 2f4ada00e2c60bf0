"""Request and response models of the HTTP API, each with an example so /docs teaches the API."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal, cast

from pydantic import AfterValidator, AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field

from index.bm25 import Filters
from index.models import RETRIEVED_EXAMPLE, Answer, Citation, RetrievedPassage

# Ids the API accepts for conversations: what the engine issues (c-<hex>) and what clients make up.
CONVERSATION_ID = r"^[A-Za-z0-9._:\-]{1,128}$"
# A question must hold something besides white space (the engine refuses blank ones with 422).
# Something other than white space, with every character Python's str.strip() (the server's own
# check) removes spelled out: the \s of other regex engines (JSON Schema tools, ECMAScript) leaves
# out some of them, U+001C-U+001F and U+0085 among them (schemathesis sent "\u0085" as a question).
NOT_BLANK = (
    r"[^\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
QUESTION_DOC = (
    "The question. At most `NEWSRAG_ANSWER_MAX_QUESTION_CHARS` characters (2000 by default); "
    "a longer one is refused with 413."
)


def _example_of(model: type[BaseModel]) -> dict[str, Any]:
    extra = model.model_config.get("json_schema_extra")
    assert isinstance(extra, dict)
    value = extra["example"] if "example" in extra else extra["examples"][0]  # type: ignore[index]
    return cast(dict[str, Any], value)


_CITATION_EXAMPLE = _example_of(Citation)
_ANSWER_EXAMPLE = _example_of(Answer)


def _iso_date(value: str) -> str:
    if not _DATE.fullmatch(value):
        raise ValueError("expected a date as YYYY-MM-DD")
    return date.fromisoformat(value).isoformat()  # ValueError for 2021-02-30


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Request models are strict: the schema says what is accepted and nothing else is coerced into it
# (no "5" for 5, no 0.0 for a date). Dates are strings, not `date`: request models are strict (no "5" for 5, no 0.0 for a date), and
# pydantic's strict mode refuses a date given as a string when FastAPI validates parsed JSON.
IsoDate = Annotated[str, AfterValidator(_iso_date), Field(json_schema_extra={"format": "date"})]


def _json_int(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)  # JSON Schema counts 11.0 as an integer; strict pydantic would not
    return value


JsonInt = Annotated[int, BeforeValidator(_json_int)]
TopK = Annotated[int, Field(ge=1, le=50), BeforeValidator(_json_int)]


def _example(value: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [value]})


# ---- errors ---------------------------------------------------------------------------------


class ErrorResponse(BaseModel):
    """Every error the API returns: a short machine-readable code and a message for people."""

    model_config = _example(
        {"error": "document_not_found", "detail": "no article with id 'nope'"},
    )

    error: str = Field(description="Short code, e.g. validation_error, document_not_found.")
    detail: str = Field(description="What went wrong, in a sentence safe to show a user.")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Validation errors, one per offending field (422 only)."
    )


# ---- chat and search ------------------------------------------------------------------------


class FiltersIn(BaseModel):
    """Restricts retrieval to some articles, sources or a publication-date range."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [{"article_ids": ["002_c34788a0f5bea4b4"], "published_from": "2021-01-01"}]
        },
    )

    article_ids: list[str] | None = Field(default=None, max_length=1000)
    sources: list[str] | None = Field(default=None, max_length=1000)
    published_from: IsoDate | None = Field(default=None, description="Inclusive, YYYY-MM-DD.")
    published_to: IsoDate | None = Field(default=None, description="Inclusive, YYYY-MM-DD.")

    def to_engine(self) -> Filters:
        return Filters(
            article_ids=self.article_ids,
            sources=self.sources,
            published_from=self.published_from,
            published_to=self.published_to,
        )


def engine_filters(filters: FiltersIn | None) -> Filters | None:
    return filters.to_engine() if filters is not None else None


class ChatRequest(BaseModel):
    """A question, optionally a follow-up in a conversation; `stream` switches to Server-Sent Events."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "question": "How many countries does China cooperate with on science?",
                    "conversation_id": None,
                    "top_k": 5,
                    "stream": False,
                }
            ]
        },
    )

    question: str = Field(min_length=1, pattern=NOT_BLANK, description=QUESTION_DOC)
    conversation_id: str | None = Field(
        default=None,
        pattern=CONVERSATION_ID,
        description="Continue this conversation: the id a previous answer returned (from any API "
        "process sharing the conversation store), or an id of the client's own, which starts a new "
        "conversation under it on first use. An id newsrag issued (`c-` and 12 hex digits) that has "
        "expired or is unknown is a 404 `conversation_not_found`, never a silent new conversation.",
    )
    top_k: TopK | None = Field(default=None, description="Passages to retrieve.")
    filters: FiltersIn | None = None
    stream: bool = Field(
        default=False,
        description='Answer as Server-Sent Events: `delta` events ({"text"}), one `citations` '
        'event ({"citations"}), then `done` carrying the complete Answer.',
    )
    include_retrieved: bool = Field(
        default=False, description="Add the ranked retrieval list to the Answer (for evaluation)."
    )


class SearchRequest(BaseModel):
    """A query for ranked passages; no answer is composed."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [{"query": "Square Kilometre Array construction", "top_k": 5}]
        },
    )

    # `question` is accepted too: /v1/chat calls the same text `question`, and clients mix them up.
    query: str = Field(
        min_length=1,
        pattern=NOT_BLANK,
        validation_alias=AliasChoices("query", "question"),
        description=QUESTION_DOC + " Also accepted as `question` (as in /v1/chat).",
    )
    top_k: TopK | None = Field(default=None)
    filters: FiltersIn | None = None


_PASSAGE_EXAMPLE: dict[str, Any] = RETRIEVED_EXAMPLE


class SearchHit(RetrievedPassage):
    """One ranked passage: `text` is the article's text[start:end]."""

    model_config = _example(_PASSAGE_EXAMPLE)


class SearchResponse(BaseModel):
    """Passages ranked by hybrid (dense + BM25) search, best first."""

    model_config = _example(
        {"query": "Square Kilometre Array construction", "passages": [_PASSAGE_EXAMPLE]}
    )

    query: str
    passages: list[SearchHit]


# ---- documents ------------------------------------------------------------------------------


class DocumentInfo(BaseModel):
    """An indexed article without its text."""

    model_config = _example(
        {
            "id": "002_c34788a0f5bea4b4",
            "title": "Recently, the Science and Technology Daily published an article …",
            "url": None,
            "source": None,
            "published": None,
            "passages": 12,
            "content_hash": "0c4b5f0f6bd1f6c1d3a2e0a9c8b7d6e5",
        }
    )

    id: str
    title: str
    url: str | None = None
    source: str | None = None
    published: str | None = None
    passages: int = Field(description="Passages the article was cut into.")
    content_hash: str


class DocumentList(BaseModel):
    """Every indexed article, by id."""

    model_config = _example({"count": 1, "documents": [_example_of(DocumentInfo)]})

    count: int
    documents: list[DocumentInfo]


class Document(BaseModel):
    """An article with its full text: citation offsets (start/end, quote_start/quote_end) index `text`."""

    model_config = _example(
        {
            "id": "002_c34788a0f5bea4b4",
            "title": "Recently, the Science and Technology Daily published an article …",
            "text": "Recently, the Science and Technology Daily published an article …\n\n…",
            "url": None,
            "source": None,
            "published": None,
            "content_hash": "0c4b5f0f6bd1f6c1d3a2e0a9c8b7d6e5",
        }
    )

    id: str
    title: str
    text: str
    url: str | None = None
    source: str | None = None
    published: str | None = None
    content_hash: str


class DocumentIn(BaseModel):
    """One article sent as JSON (the same fields as a line of a .jsonl file)."""

    model_config = ConfigDict(
        strict=True,
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "id": "ska-2021",
                    "title": "SKA construction begins",
                    "text": "SKA construction begins\n\nConstruction of the Square Kilometre Array began in July 2021.",
                    "url": "https://example.org/ska",
                    "source": "Example News",
                    "published": "2021-07-01",
                }
            ]
        },
    )

    id: str = Field(
        min_length=1,
        max_length=200,
        # at least one letter, digit or '-': the id is stored without leading and trailing '.'/'_'
        # (corpus/loader.py safe_id), so "_" alone would be empty
        pattern=r"^[A-Za-z0-9_\-]*[A-Za-z0-9\-][A-Za-z0-9._\-]*$",
        description="Article id: letters, digits, '.', '_' and '-', with at least one letter, digit or '-'.",
    )
    title: str | None = Field(
        default=None,
        description="Default: the text's first line if it reads as a heading, else its first sentence.",
    )
    text: str = Field(min_length=1, pattern=NOT_BLANK)
    url: str | None = None
    source: str | None = None
    published: IsoDate | None = Field(default=None, description="YYYY-MM-DD")

    def to_record(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class SkippedOut(BaseModel):
    model_config = _example({"where": "notes.txt", "reason": "empty file"})

    where: str
    reason: str


class IngestReport(BaseModel):
    """What an upload changed in the index (incremental: an unchanged article costs nothing)."""

    model_config = _example(
        {
            "added": ["ska-2021"],
            "updated": [],
            "unchanged": 0,
            "skipped": [],
            "articles": 3,
            "passages": 41,
            "summary": "articles: 3 (added 1, updated 0, removed 0, unchanged 0, skipped 0) chunks: 41",
        }
    )

    added: list[str]
    updated: list[str]
    unchanged: int
    skipped: list[SkippedOut]
    articles: int = Field(description="Articles in the index afterwards.")
    passages: int = Field(description="Passages in the index afterwards.")
    summary: str
    removed: list[str] = Field(default_factory=list)
    generation: int | None = Field(
        default=None, description="The index generation this write published (null: no change)."
    )


class IngestBatch(BaseModel):
    """Articles to add or update, ids to remove: what `newsrag ingest` sends to the server that
    holds the index (all or nothing per request)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "articles": [_example_of(DocumentIn)],
                    "remove": ["old-article"],
                    "reset": False,
                }
            ]
        },
    )

    articles: list[DocumentIn] = Field(default_factory=list, max_length=100_000)
    remove: list[str] = Field(default_factory=list, description="Article ids to remove.")
    reset: bool = Field(default=False, description="Drop the whole index first.")


# ---- health ---------------------------------------------------------------------------------


class Health(BaseModel):
    """Liveness, this process's view of the index, and model. "degraded" with 200 when the view is
    behind the store or disagrees with it (it refreshes by itself); 503 when the store is unreachable."""

    # extra="ignore": the engine's report also names the store's location (a path or a URL,
    # possibly with credentials), which an unauthenticated route must not show.
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "status": "ok",
                    "store": "ok",
                    "index": "current",
                    "generation": 3,
                    "store_generation": 3,
                    "last_refresh_ms": 41.5,
                    "articles": 2,
                    "passages": 27,
                    "bm25_passages": 27,
                    "model": "all-MiniLM-L6-v2",
                    "backend": "torch",
                    "llm": None,
                }
            ]
        },
    )

    status: Literal["ok", "degraded"]
    store: Literal["ok", "unreachable"]
    index: Literal["current", "behind", "inconsistent", "unknown"] = Field(
        default="unknown",
        description="current; behind: another process wrote a newer generation (refresh due or "
        "running); inconsistent: BM25 and the store hold different passage counts (a write in "
        "progress or killed midway); unknown: the store is down.",
    )
    generation: int | None = Field(
        default=None, description="The index generation this process serves."
    )
    store_generation: int | None = Field(
        default=None, description="The latest generation a writer published in the store."
    )
    last_refresh_ms: float | None = Field(
        default=None, description="How long this process's last refresh took."
    )
    articles: int | None = Field(
        default=None, description="Articles this process serves (null when the store is down)."
    )
    passages: int | None = None
    bm25_passages: int | None = None
    model: str = Field(description="The embedding model.")
    backend: str | None = None
    llm: str | None = Field(default=None, description="The language model, when one is configured.")


# ---- OpenAI-compatible ----------------------------------------------------------------------


class ContentPart(BaseModel):
    """A part of a multi-part message; only `text` parts are read."""

    model_config = ConfigDict(
        strict=True,
        extra="allow",
        json_schema_extra={"examples": [{"type": "text", "text": "Hello"}]},
    )

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    """One message of an OpenAI chat conversation."""

    model_config = ConfigDict(
        strict=True,
        extra="allow",
        json_schema_extra={"examples": [{"role": "user", "content": "What is the SKA?"}]},
    )

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        if not self.content:
            return ""
        return "".join(p.text or "" for p in self.content if p.type == "text")


class StreamOptions(BaseModel):
    model_config = ConfigDict(
        strict=True, extra="allow", json_schema_extra={"examples": [{"include_usage": True}]}
    )

    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """OpenAI's chat-completion request. The last user message with text is the question; earlier messages
    identify the conversation (see `conversation_id`). Sampling parameters are accepted and ignored:
    the answer is composed from the articles."""

    model_config = ConfigDict(
        strict=True,
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "model": "newsrag",
                    "messages": [
                        {
                            "role": "user",
                            "content": "How many countries does China cooperate with on science?",
                        }
                    ],
                    "stream": False,
                }
            ]
        },
    )

    model: str = Field(
        default="newsrag", description="Any name is accepted; responses say `newsrag`."
    )
    messages: list[ChatMessage] = Field(
        min_length=1,
        description="The conversation; the last user message with text is the question.",
        json_schema_extra={
            "contains": {
                "type": "object",
                "required": ["role", "content"],
                "properties": {
                    "role": {"const": "user"},
                    "content": {"type": "string", "pattern": NOT_BLANK},
                },
            }
        },
    )
    stream: bool = False
    stream_options: StreamOptions | None = None
    conversation_id: str | None = Field(
        default=None,
        pattern=CONVERSATION_ID,
        description="newsrag extension: the engine conversation to continue. Without it, a client "
        "that resends the whole history continues the same conversation (looked up by its earlier "
        "user messages); a history the server has not seen, or whose conversation has expired, "
        "starts a new one. An expired id newsrag issued, named here, is a 404.",
    )
    top_k: TopK | None = Field(default=None, description="newsrag extension.")
    filters: FiltersIn | None = Field(default=None, description="newsrag extension.")
    user: str | None = None
    temperature: float | None = None
    max_tokens: JsonInt | None = None


class ModelCard(BaseModel):
    model_config = _example(
        {"id": "newsrag", "object": "model", "created": 1700000000, "owned_by": "newsrag"}
    )

    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    model_config = _example(
        {
            "object": "list",
            "data": [
                {"id": "newsrag", "object": "model", "created": 1700000000, "owned_by": "newsrag"}
            ],
        }
    )

    object: Literal["list"] = "list"
    data: list[ModelCard]


class AssistantMessage(BaseModel):
    model_config = _example(
        {
            "role": "assistant",
            "content": "China cooperates with over 160 countries and regions [1].",
        }
    )

    role: Literal["assistant"] = "assistant"
    content: str
    refusal: str | None = None


class Choice(BaseModel):
    model_config = _example(
        {
            "index": 0,
            "message": {"role": "assistant", "content": "… [1]."},
            "finish_reason": "stop",
            "logprobs": None,
        }
    )

    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class Usage(BaseModel):
    """Word counts (there is no tokenizer for a composed answer); present because clients expect it."""

    model_config = _example({"prompt_tokens": 9, "completion_tokens": 8, "total_tokens": 17})

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    """OpenAI's chat-completion object, plus `citations` (the Answer's) and `conversation_id`."""

    model_config = _example(
        {
            "id": "chatcmpl-3f2a9d1e0b7c4d5e",
            "object": "chat.completion",
            "created": 1700000000,
            "model": "newsrag",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": _ANSWER_EXAMPLE["answer"]},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 9, "completion_tokens": 8, "total_tokens": 17},
            "citations": [_CITATION_EXAMPLE],
            "conversation_id": "c-3f2a9d1e0b7c",
            "answered": True,
        }
    )

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    system_fingerprint: str | None = None
    citations: list[Citation]
    conversation_id: str
    answered: bool
