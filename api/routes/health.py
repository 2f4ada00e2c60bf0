"""GET /health: liveness, index counts and model; no key needed, so monitors can call it."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import EngineDep
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "The Chroma store is unreachable."}},
)
async def health(engine: EngineDep) -> JSONResponse | Health:
    """200 with status "ok"; 200 with "degraded" while this process's view of the index is behind
    or inconsistent (it refreshes by itself: a balancer should keep it); 503 when the store cannot
    be reached."""
    report = await run_in_threadpool(engine.health)
    body = Health.model_validate(report)
    if body.store != "ok":
        return JSONResponse(body.model_dump(mode="json"), status_code=503)
    return body
