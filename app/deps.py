"""Request dependencies shared by the routers."""

from __future__ import annotations

import functools
import hmac
import inspect
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.errors import Forbidden, Unauthorized
from app.geocoding.geoplateforme import Geoplateforme
from app.settings import Settings
from app.zones import parameters
from app.zones.classify import Thresholds
from app.zones.data import IndexCache


@dataclass(frozen=True)
class Context:
    """What the routes read from the application, built once with it and given as one
    dependency: FastAPI spends ≈ 8 µs a request on each dependency it resolves."""

    settings: Settings
    sessions: sessionmaker[Session]
    indexes: IndexCache  # the in-memory data of the active snapshot
    online: Geoplateforme | None  # the national geocoder when settings ask for it
    thresholds: Thresholds

    @classmethod
    def of(cls, settings: Settings, sessions: sessionmaker[Session]) -> Context:
        return cls(
            settings,
            sessions,
            IndexCache(parameters.apl_model(settings)),
            _national_geocoder(settings),
            parameters.thresholds(settings),
        )


def _national_geocoder(settings: Settings) -> Geoplateforme | None:
    """The national geocoder the settings ask for: tried on every request, or in auto mode
    once with a short timeout and left alone for a while when it does not answer."""
    if settings.geocoder == "offline":
        return None
    if settings.geocoder == "geoplateforme":
        return Geoplateforme(settings.geoplateforme_url, settings.geoplateforme_timeout_s)
    return Geoplateforme(
        settings.geoplateforme_url,
        settings.geoplateforme_probe_timeout_s,
        retries=1,
        reprobe_s=settings.geoplateforme_reprobe_s,
    )


def public_base(request: Request) -> str:
    """Where the answers' links point: the configured public address, else the request's own
    (whose Host a client chooses)."""
    configured = request.app.state.context.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


async def get_context(request: Request) -> Context:
    """The application's context."""
    context: Context = request.app.state.context
    return context


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request; the public API only reads.

    Async so that FastAPI does not hop to a worker thread for it: a session opens no
    connection until its first query, which runs in the endpoint's thread."""
    context: Context = request.app.state.context
    with context.sessions() as session:
        yield session


ContextDep = Annotated[Context, Depends(get_context)]
SessionDep = Annotated[Session, Depends(get_session)]
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
    context: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """The administration endpoints answer only to the token of the settings."""
    if credentials is None:
        raise Unauthorized("Jeton d'administration absent (Authorization: Bearer …).")
    token = context.settings.admin_token
    if token is None:
        raise Forbidden("Administration fermée : aucun jeton défini (ZONAGE_ADMIN_TOKEN).")
    expected = token.get_secret_value().encode()
    if not hmac.compare_digest(credentials.credentials.encode(), expected):
        raise Unauthorized("Jeton d'administration invalide.")
