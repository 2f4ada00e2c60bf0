"""Dependencies of the routes, as Annotated aliases; tests override them with app.dependency_overrides."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.openai_compat import ConversationMap
from ask.engine import Engine
from newsrag.settings import Settings

# auto_error=False: a missing or malformed header reaches require_api_key, which answers 401 in
# the API's error format (and only when a key is configured).
_bearer = HTTPBearer(auto_error=False, description="Needed when NEWSRAG_API_KEY is set.")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_engine(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


def get_conversations(request: Request) -> ConversationMap:
    return request.app.state.conversations  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
ConversationsDep = Annotated[ConversationMap, Depends(get_conversations)]
EngineDep = Annotated[Engine, Depends(get_engine)]


def require_api_key(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """401 unless the request carries `Authorization: Bearer <NEWSRAG_API_KEY>` (when one is set)."""
    expected = settings.api.api_key
    if not expected:
        return
    given = credentials.credentials if credentials is not None else ""
    # compare_digest: the time taken does not reveal how much of the key matched
    if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise HTTPException(
            status_code=401,
            detail="missing or invalid API key (send Authorization: Bearer <key>)",
            headers={"WWW-Authenticate": "Bearer"},
        )


ApiKey = Depends(require_api_key)
