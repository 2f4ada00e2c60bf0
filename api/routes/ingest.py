"""POST /v1/ingest: how `newsrag ingest` writes an index a running server holds (index/writer.py)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from api.deps import EngineDep
from api.errors import responses
from api.routes.documents import _report
from api.schemas import IngestBatch, IngestReport
from corpus.loader import ArticleError, article_from_record
from newsrag.errors import InvalidRequest

router = APIRouter(prefix="/v1", tags=["documents"])


@router.post("/ingest", response_model=IngestReport, responses=responses(400, 401, 413, 422, 503))
async def ingest(batch: IngestBatch, engine: EngineDep) -> IngestReport:
    """Adds and updates `articles` (an id given twice: the last copy counts) and removes the
    `remove` ids, in one write (`reset`: drop the whole index first). Incremental: an unchanged article costs nothing. Every serving process
    picks up the new index generation."""
    try:
        articles = [article_from_record(doc.to_record()) for doc in batch.articles]
    except ArticleError as exc:
        raise InvalidRequest(str(exc)) from None
    # an id given twice in one batch: the last copy counts, as with any upsert (Chroma refuses
    # a batch holding one id twice)
    articles = list({a.id: a for a in articles}.values())
    report = await run_in_threadpool(engine.sync_articles, articles, batch.remove, batch.reset)
    out = _report(report)
    out.removed, out.generation = report.removed, report.generation
    return out
