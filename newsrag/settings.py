"""One settings object for newsrag, read from NEWSRAG_* environment variables and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# a folder of its own: corpus/ also holds the loader, which an ingest would count as skipped
SEED_CORPUS = PROJECT_ROOT / "corpus" / "seed"


class StoreSettings(BaseSettings):
    """Where the index lives: an embedded Chroma under data_dir, or a Chroma server."""

    model_config = SettingsConfigDict(env_prefix="NEWSRAG_", extra="ignore")

    data_dir: Path = Field(
        default=Path(".newsrag"), description="Index location (NEWSRAG_DATA_DIR)."
    )
    chroma_url: str | None = Field(
        default=None, description="Chroma server URL (NEWSRAG_CHROMA_URL)."
    )
    collection: str = Field(
        default="newsrag", description="Prefix of the Chroma collection names (NEWSRAG_COLLECTION)."
    )
    # Longest a request to a Chroma server may take before it counts as unreachable (503). 30 s:
    # far above a loopback query (~5 ms) or a 1,000-passage upsert (~1 s), yet a hung server frees
    # the request instead of holding it forever.
    chroma_timeout_s: float = Field(default=30.0, gt=0)
    # How often a serving process reads the index generation (one small record) to notice an
    # ingest made by another process; 0: on every request. 1 s: ~3 ms of a loopback Chroma
    # server's time a second per process, and a new ingest is served within ~1-2 s (docs/scaling.md).
    refresh_check_s: float = Field(default=1.0, ge=0)
    # Where conversations live (ask/history.py): "sqlite" in data_dir, shared by every process
    # of the machine; "memory" in the process; a redis:// URL, shared by several machines.
    conversation_store: str = Field(
        default="sqlite",
        pattern=r"^(sqlite|memory|(redis|rediss|unix)://.+)$",
        description="Conversation store (NEWSRAG_CONVERSATION_STORE).",
    )


class EmbeddingSettings(BaseSettings):
    """The sentence-transformers model and how it is run."""

    model_config = SettingsConfigDict(env_prefix="NEWSRAG_EMBED_", extra="ignore")

    model_path: Path | None = Field(
        default=None, description="Model folder; default: the bundled MiniLM."
    )
    batch_size: int = 64
    # int8 ONNX, exported and quantized locally from the bundled weights on first use (cached), or
    # the fp32 torch model. int8: ~2x the ingest throughput and a question in ~2 ms instead of ~9,
    # with embeddings at cosine 0.991 to fp32 (index/onnx.py; docs/benchmarks.md).
    backend: str = Field(default="onnx-int8", pattern="^(torch|onnx-int8)$")
    threads: int | None = None


class PassageSettings(BaseSettings):
    """How articles are cut into passages."""

    model_config = SettingsConfigDict(env_prefix="NEWSRAG_PASSAGE_", extra="ignore")

    # Word-piece budget of one passage; MiniLM truncates at 256, so every passage is embedded whole.
    max_tokens: int = Field(default=160, ge=16, le=250)
    # Sentences repeated from the end of the previous passage.
    overlap_sentences: int = Field(default=0, ge=0, le=3)
    # Each passage BM25-indexed under its article's title, and the title embedded on its own
    # (index/passages.py, ask/ranker.py).
    title_header: bool = True
    # Passages embedded and committed together: fills embedding batches, yet a crash loses little.
    group_passages: int = Field(default=512, ge=1, le=10_000)


class RetrievalSettings(BaseSettings):
    """Hybrid search: dense (Chroma) + BM25, fused."""

    model_config = SettingsConfigDict(env_prefix="NEWSRAG_RETRIEVAL_", extra="ignore")

    mode: str = Field(default="hybrid", pattern="^(hybrid|dense|bm25)$")
    top_k: int = Field(default=5, ge=1, le=50)
    # Candidates each retriever contributes before fusion.
    candidates: int = Field(default=30, ge=1, le=200)
    # 60: the constant of Cormack et al.'s reciprocal rank fusion.
    rrf_k: int = 60
    # the answer step also reads this many of the best dense passages that fusion ranked below
    # top_k: a paraphrase shares no word with its answer, so BM25 pushes it down (docs/benchmarks.md)
    answer_dense_extra: int = Field(default=2, ge=0, le=10)
    # ... and this many of the best BM25 passages: one whose words match but whose vector is
    # diluted by other topics ("Which platform launched on May 22?": the passage opens with a
    # heading and another subject) ranks low in fusion (development sets: 7 answers gained, none
    # lost; docs/benchmarks.md, session 13)
    answer_bm25_extra: int = Field(default=1, ge=0, le=10)
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    # the ranked list shows at most this many passages of one article ahead of the best passage of
    # every other candidate article, the rest following in their order (0: no limit), as web
    # search shows few results per site. Chosen on the rtqa 2023-26 validation weeks (hit@5 0.841
    # -> 0.897 at 1, 0.857 at 2; docs/benchmarks.md). The answer step reads the fused order.
    per_article: int = Field(default=1, ge=0, le=50)
    # the learned ranker (ask/ranker.py, ask/data/ranker.md) re-orders the fused candidates in
    # hybrid mode when on. Off by default: on the held-out 2025-26 rtqa weeks it does not beat the
    # fused order (article mrr@10 0.765 vs 0.793), and on the rtqa 2022 dev questions it is even
    # (gold: hit@1 0.845 vs 0.825, mrr@10 0.864 vs 0.865; docs/benchmarks.md).
    ranker: bool = False
    # a misspelled question word is matched to the closest word the articles hold (index/bm25.py)
    spelling: bool = True
    ranker_path: Path | None = Field(
        default=None, description="A ranker model file; default: the shipped ask/data/ranker.txt."
    )


class AnswerSettings(BaseSettings):
    """Grounded answer composition and abstention."""

    model_config = SettingsConfigDict(env_prefix="NEWSRAG_ANSWER_", extra="ignore")

    max_sentences: int = Field(default=2, ge=1, le=5)
    # two sentences fit when both are short: median answer 268-272 characters on the question sets
    max_chars: int = 350
    # 0.25, swept 0.20-0.35 on eval/questions/seed.jsonl and heldout.jsonl with the int8 backend
    # (docs/benchmarks.md): seed accuracy 0.913, false abstentions 0.014, abstain recall 1.0;
    # held-out 0.857 / 0.0 / 0.917. At 0.225 recall drops (0.917 / 0.833); at 0.275 held-out
    # false abstentions start (0.036), at 0.30 they pass 0.05. Questions about what the articles
    # mention but do not state are declined by the answer-type rules (ask/answer.py), not by it.
    abstain_threshold: float = 0.25
    # the learned answer selector (ask/selector.py, trained on rtqa 2023-26; card in
    # ask/data/selector.md): its probability, times selector_weight, joins the rules' sentence score.
    # Off by default: better on held-out rtqa weeks (top-1 sentence 0.379 -> 0.402), not on the
    # user-style question sets (docs/benchmarks.md, session 4)
    selector: bool = False
    selector_weight: float = Field(default=1.0, ge=0.0)
    selector_path: Path | None = None
    # the sentence reader (ask/reader.py, a cross-encoder adapter trained on rtqa 2023-26; card in
    # ask/data/reader.md): it reads the rules' first reader_k sentences with the question, and its
    # probability, times reader_weight, joins their score.
    reader: bool = False
    reader_k: int = Field(default=6, ge=1, le=20)
    reader_weight: float = Field(default=0.5, ge=0.0)  # chosen on the valid weeks (the card)
    reader_path: Path | None = None
    # the reader's own pick quoted second: when the sentence the reader finds likeliest among the
    # rules' first reader_k (those scoring at least 0.75 of the first) is not the rules' first and
    # its probability reaches reader_second_min, the answer quotes it after the rules' first (in
    # place of the rules' second). The rules still choose the first sentence and whether to answer.
    # rtqa 2023-26 validation weeks 0.437 -> 0.524 (0.5 chosen there and on the development sets,
    # 3 answers gained, none lost; docs/benchmarks.md, session 9). Ignored while ``reader``
    # re-orders the sentences itself.
    reader_second: bool = True
    reader_second_min: float = Field(default=0.5, ge=0.0, le=1.0)
    # a follow-up also reads the passages the previous answer cited (retrieval that reads the
    # conversation, issue 14). Off: one follow-up more right on blind_conv1, one fewer on seed
    # (docs/benchmarks.md, session 4), for a store read per follow-up
    follow_up_passages: bool = False
    # a follow-up whose rewrite is uncertain searches with its vector plus this times the mean
    # vector of the passages the previous answer cited (0: off)
    follow_up_vector_mix: float = Field(default=0.5, ge=0.0)
    # a close word (MiniLM's own word-piece embeddings) stands in for a question word the sentence
    # lacks: "nations" for "countries" (index/lexicon.py)
    word_similarity: bool = True
    max_question_chars: int = 2000
    conversation_turns: int = 20
    conversation_ttl_s: float = 3600.0
    max_conversations: int = 10_000


class LLMSettings(BaseSettings):
    """Optional OpenAI-compatible generator (Ollama, vLLM, llama.cpp server, OpenAI)."""

    model_config = SettingsConfigDict(env_prefix="NEWSRAG_LLM_", extra="ignore")

    url: str | None = Field(default=None, description="Base URL, e.g. http://127.0.0.1:11434/v1")
    model: str = "llama3.1"
    api_key: str | None = None
    timeout_s: float = 30.0
    max_tokens: int = 300


class APISettings(BaseSettings):
    """HTTP API."""

    model_config = SettingsConfigDict(env_prefix="NEWSRAG_", extra="ignore")

    api_key: str | None = Field(
        default=None, description="Bearer key required on every route but /health."
    )
    cors_origins: list[str] = Field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_bytes: int = 5 * 1024 * 1024
    max_body_bytes: int = 6 * 1024 * 1024


class Settings(BaseSettings):
    """All of newsrag's configuration; build it once with ``Settings()`` and pass it down."""

    model_config = SettingsConfigDict(env_prefix="NEWSRAG_", extra="ignore")

    store: StoreSettings = Field(default_factory=StoreSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    passages: PassageSettings = Field(default_factory=PassageSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    api: APISettings = Field(default_factory=APISettings)
    seed_corpus: Path = SEED_CORPUS
