"""Request dependencies shared by the routers."""

from __future__ import annotations

import functools
import hashlib
import hmac
import inspect
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Protocol

from fastapi import Depends, Query, Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app import __version__
from app.errors import DataUnavailable, Forbidden, Unauthorized
from app.geocoding.geoplateforme import Geoplateforme
from app.settings import Settings
from app.zones import parameters
from app.zones.classify import Thresholds
from app.zones.data import IndexCache, Prepared


@dataclass(frozen=True)
class Context:
    """What the routes read from the application, built once with it and given as one
    dependency: FastAPI spends ≈ 8 µs a request on each dependency it resolves."""

    settings: Settings
    sessions: sessionmaker[Session]
    indexes: IndexCache  # the in-memory data of the active snapshot
    online: Geoplateforme | None  # the national geocoder when settings ask for it
    thresholds: Thresholds

    @functools.cached_property
    def fingerprint(self) -> str:
        """What, besides the snapshot and the URL, an answer depends on: the code's version and
        the settings of the estimates."""
        return f"{__version__}|{self.thresholds!r}|{self.indexes.model!r}"

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
        pattern=r"^([0-9]{2}|2[ABab]|97[0-9])$",
        description="Code du département",
        openapi_examples={"Hautes-Alpes": {"value": "05"}},
    ),
]
RegionQuery = Annotated[
    str | None,
    Query(
        pattern=r"^[0-9]{2}$",
        description="Code de la région",
        openapi_examples={"Provence-Alpes-Côte d'Azur": {"value": "93"}},
    ),
]


# a client or a proxy may keep an answer a minute, then asks again with its ETag: a reload shows
# within that minute, and an unchanged answer costs a 304
CACHE_CONTROL = "public, max-age=60"


def revalidated(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a GET endpoint whose answer depends only on its URL, the active snapshot, the
    settings and the day: ``Route`` gives it an ETag and Cache-Control, and answers 304 without
    running it when the client already holds that answer."""
    endpoint.revalidated = True  # type: ignore[attr-defined]  # the mark Route reads
    return endpoint


def etag_matches(if_none_match: str | None, etag: str, star: bool = True) -> bool:
    """The weak comparison of RFC 9110 §13.1.2 against a list of tags, or ``*`` (which only
    an existing answer matches: ``star`` False where that is not known yet)."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return (star and "*" in tags) or etag.removeprefix("W/") in tags


def prepared_response(
    prepared: Prepared, media_type: str, request: Request, headers: dict[str, str]
) -> Response:
    """A body built once per snapshot, gzipped when the client takes it, 304 when it holds it."""
    headers = {"ETag": prepared.etag, **headers}
    if etag_matches(request.headers.get("if-none-match"), prepared.etag):
        return Response(status_code=304, headers={"Vary": "Accept-Encoding", **headers})
    return encoded_response(prepared, media_type, request, headers)


class Encoded(Protocol):
    """A body kept with its gzipped copy (None: the body is compressed already)."""

    @property
    def body(self) -> bytes: ...

    @property
    def gzipped(self) -> bytes | None: ...


def encoded_response(
    kept: Encoded, media_type: str, request: Request, headers: dict[str, str] | None = None
) -> Response:
    """The kept body, gzipped when the client takes gzip (the codings it refuses were taken
    out of its Accept-Encoding by the middleware). The gzip middleware passes an encoded
    answer through, and says ``Vary: Accept-Encoding`` on the others itself."""
    headers = dict(headers or {})
    gzipped = kept.gzipped if "gzip" in request.headers.get("accept-encoding", "") else None
    if gzipped is not None:
        headers |= {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        return Response(gzipped, media_type=media_type, headers=headers)
    return Response(kept.body, media_type=media_type, headers=headers)


async def _validator(request: Request) -> str | None:
    """The answer's weak ETag, keyed by the active snapshot; None when no data is loaded."""
    context: Context = request.app.state.context
    data = context.indexes.fresh()
    if data is None:
        try:
            snapshot = await in_thread(lambda s: context.indexes.current(s).id, context.sessions)
        except DataUnavailable:
            return None
    else:
        snapshot = data.id
    key = f"{context.fingerprint}|{date.today()}|{request.url.path}?{request.url.query}"
    return f'W/"{snapshot}-{hashlib.sha256(key.encode()).hexdigest()[:24]}"'


class Route(APIRoute):
    """A route whose sync endpoint gives its database connection back before leaving its
    worker thread, and whose ``revalidated`` endpoint answers conditional requests.

    FastAPI validates a sync endpoint's response in a second worker thread: a request would hold
    its pooled connection while waiting for one, and once every thread waits for a connection
    the process stops answering (seen with 200 clients)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self.revalidated = getattr(endpoint, "revalidated", False)
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _closing_sessions(endpoint)
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if not self.revalidated:
            return handler

        async def conditional(request: Request) -> Response:
            etag = await _validator(request)
            if etag is None:
                return await handler(request)
            headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
            wanted = request.headers.get("if-none-match")
            if etag_matches(wanted, etag, star=False):
                return Response(status_code=304, headers=headers)
            response = await handler(request)
            if response.status_code == 200:
                if etag_matches(wanted, etag):  # "*": any current answer, once there is one
                    return Response(status_code=304, headers=headers)
                response.headers.update(headers)
            return response

        return conditional


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
