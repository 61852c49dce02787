"""Request dependencies shared by the routers."""

from __future__ import annotations

import functools
import hmac
import inspect
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.errors import Forbidden, Unauthorized
from app.geocoding.geoplateforme import Geoplateforme
from app.settings import Settings
from app.zones.service import IndexCache


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request; the public API only reads.

    Async so that FastAPI does not hop to a worker thread for it: a session opens no
    connection until its first query, which runs in the endpoint's thread."""
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as session:
        yield session


async def get_sessions(request: Request) -> sessionmaker[Session]:
    """The session factory, for an async endpoint that needs the database only sometimes."""
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


async def get_settings(request: Request) -> Settings:
    """The settings the application was created with."""
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
SessionsDep = Annotated[sessionmaker[Session], Depends(get_sessions)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_indexes(request: Request) -> IndexCache:
    """The application's in-memory data of the active snapshot."""
    cache: IndexCache = request.app.state.zone_indexes
    return cache


async def get_online(request: Request) -> Geoplateforme | None:
    """The national geocoder when settings ask for it, else None (offline only)."""
    online: Geoplateforme | None = request.app.state.geocoder
    return online


IndexesDep = Annotated[IndexCache, Depends(get_indexes)]
DepartementQuery = Annotated[
    str | None,
    Query(
        pattern=r"^(\d{2}|2[ABab]|97\d)$",
        description="Code du département",
        openapi_examples={"Hautes-Alpes": {"value": "05"}},
    ),
]
RegionQuery = Annotated[
    str | None,
    Query(
        pattern=r"^\d{2}$",
        description="Code de la région",
        openapi_examples={"Provence-Alpes-Côte d'Azur": {"value": "93"}},
    ),
]
OnlineDep = Annotated[Geoplateforme | None, Depends(get_online)]


class Route(APIRoute):
    """A route whose sync endpoint gives its database connection back before leaving its
    worker thread.

    FastAPI validates a sync endpoint's response in a second worker thread: a request would hold
    its pooled connection while waiting for one, and once every thread waits for a connection
    the process stops answering (seen with 200 clients)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _closing_sessions(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _closing_sessions(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, closing the sessions it was given once it returns, in the same thread."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        finally:
            for value in (*args, *kwargs.values()):
                if isinstance(value, Session):
                    value.close()

    return run


async def in_thread(fn: Callable[..., Any], sessions: sessionmaker[Session], *args: Any) -> Any:
    """``fn(session, *args)`` in a worker thread, with a session opened and closed there (see
    ``Route``): the async endpoints that answer from memory first open none."""

    def run() -> Any:
        with sessions() as session:
            return fn(session, *args)

    return await run_in_threadpool(run)


_bearer = HTTPBearer(auto_error=False, description="ZONAGE_ADMIN_TOKEN")


async def require_admin(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """The administration endpoints answer only to the token of the settings."""
    if credentials is None:
        raise Unauthorized("Jeton d'administration absent (Authorization: Bearer …).")
    if settings.admin_token is None:
        raise Forbidden("Administration fermée : aucun jeton défini (ZONAGE_ADMIN_TOKEN).")
    expected = settings.admin_token.get_secret_value().encode()
    if not hmac.compare_digest(credentials.credentials.encode(), expected):
        raise Unauthorized("Jeton d'administration invalide.")
