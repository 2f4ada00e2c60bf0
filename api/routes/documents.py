"""The indexed articles: list, read (the text citation offsets refer to), upload and delete."""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.deps import EngineDep, SettingsDep
from api.errors import responses
from api.schemas import Document, DocumentIn, DocumentInfo, DocumentList, IngestReport, SkippedOut
from corpus.loader import SUFFIXES, ArticleError, safe_id
from index.ingest import SyncReport
from newsrag.errors import InvalidRequest, PayloadTooLarge, UnsupportedFileType

router = APIRouter(prefix="/v1/documents", tags=["documents"])

ArticleId = Annotated[str, Path(min_length=1, max_length=200, description="The article id.")]
# Read an upload in pieces of this size, so an oversized file is refused after limit + 64 KiB.
_CHUNK = 64 * 1024

_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "An article file: .txt, .md or .html (one article), "
                        ".jsonl (one a line). Only the file name's stem and suffix are used, never as a path.",
                    }
                },
            }
        },
        "application/json": {"schema": DocumentIn.model_json_schema()},
    },
}


@router.get("", response_model=DocumentList, responses=responses(401, 503))
async def list_documents(engine: EngineDep) -> DocumentList:
    """Every indexed article with its passage count (no text)."""
    infos = await run_in_threadpool(engine.list_documents)
    docs = [
        DocumentInfo(
            id=i.id,
            title=i.title,
            url=i.url,
            source=i.source,
            published=i.published,
            passages=i.passages,
            content_hash=i.content_hash,
        )
        for i in infos
    ]
    return DocumentList(count=len(docs), documents=docs)


@router.get("/{article_id}", response_model=Document, responses=responses(401, 404, 422, 503))
async def get_document(article_id: ArticleId, engine: EngineDep) -> Document:
    """The article's full text and metadata: citation offsets index `text`."""
    a = await run_in_threadpool(engine.get_document, article_id)
    return Document(
        id=a.id,
        title=a.title,
        text=a.text,
        url=a.url,
        source=a.source,
        published=a.published,
        content_hash=a.content_hash,
    )


@router.delete("/{article_id}", status_code=204, responses=responses(401, 404, 422, 503))
async def delete_document(article_id: ArticleId, engine: EngineDep) -> Response:
    """Removes the article and its passages from the index."""
    await run_in_threadpool(engine.delete_document, article_id)
    return Response(status_code=204)


def upload_name(raw: str | None) -> str:
    """A safe name for the loader: the client's file name reduced to a safe stem and its suffix."""
    base = PurePosixPath((raw or "").replace("\\", "/")).name
    suffix = PurePosixPath(base).suffix.lower()
    if suffix not in SUFFIXES:
        raise UnsupportedFileType(
            f"unsupported file type {suffix or '(none)'}; send one of {', '.join(SUFFIXES)}"
        )
    try:
        stem = safe_id(PurePosixPath(base).stem)
    except ArticleError:
        stem = "upload"
    return stem + suffix


async def _read_limited(upload: UploadFile, limit: int) -> bytes:
    data = bytearray()
    while chunk := await upload.read(_CHUNK):
        data += chunk
        if len(data) > limit:
            raise PayloadTooLarge(f"the file is larger than the upload limit of {limit} bytes")
    return bytes(data)


async def _from_form(request: Request, limit: int) -> tuple[str, bytes]:
    form = await request.form(max_files=1, max_fields=10)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidRequest("send the article file in a multipart field named 'file'")
        name = upload_name(upload.filename)
        return name, await _read_limited(upload, limit)
    finally:
        await form.close()


async def _from_json(request: Request, limit: int) -> tuple[str, bytes]:
    raw = await request.body()
    try:
        doc = DocumentIn.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e.get("loc", ()))} for e in exc.errors()]
        ) from None
    line = json.dumps(doc.to_record(), ensure_ascii=False).encode("utf-8")
    if len(line) > limit:
        raise PayloadTooLarge(f"the article is larger than the upload limit of {limit} bytes")
    return f"{doc.id}.jsonl", line + b"\n"


def _report(r: SyncReport) -> IngestReport:
    return IngestReport(
        added=r.added,
        updated=r.updated,
        unchanged=r.unchanged,
        skipped=[SkippedOut(where=s.where, reason=s.reason) for s in r.skipped],
        articles=r.articles,
        passages=r.chunks,
        summary=r.summary(),
    )


@router.post(
    "",
    response_model=IngestReport,
    responses=responses(400, 401, 413, 415, 422, 503),
    openapi_extra={"requestBody": _UPLOAD_BODY},
)
async def add_document(request: Request, engine: EngineDep, settings: SettingsDep) -> IngestReport:
    """Adds or updates articles from an uploaded file (multipart field `file`) or one JSON article.

    Incremental: an article whose content is unchanged costs nothing; one with a known id is replaced.
    """
    limit = settings.api.max_upload_bytes
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        name, data = await _from_form(request, limit)
    elif media == "application/json" or media.endswith("+json"):
        name, data = await _from_json(request, limit)
    else:
        raise UnsupportedFileType("send multipart/form-data (field 'file') or application/json")
    report = await run_in_threadpool(engine.add_document, name, data)
    return _report(report)
