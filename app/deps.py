"""Request dependencies shared by the routers."""

from __future__ import annotations

import functools
import hashlib
import hmac
import inspect
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import date
from typing import Annotated, Any, Protocol

from fastapi import Depends, Query, Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from app.bodies import Prepared
from app.context import Context
from app.errors import DataUnavailable, Forbidden, Unauthorized
from app.zones.data import Reader


def public_base(request: Request) -> str:
    """Where the answers' links point: the configured public address, else the request's own
    (whose Host a client chooses)."""
    configured = request.app.state.context.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


async def get_context(request: Request) -> Context:
    """The application's context."""
    context: Context = request.app.state.context
    return context


async def get_reader(request: Request) -> AsyncIterator[Reader]:
    """One reader per request; the public API only reads.

    Async so that FastAPI does not hop to a worker thread for it: a reader opens no session
    until its first query, which runs in the endpoint's thread (and ``Route`` closes it there)."""
    context: Context = request.app.state.context
    with context.reader() as reader:
        yield reader


ContextDep = Annotated[Context, Depends(get_context)]
ReaderDep = Annotated[Reader, Depends(get_reader)]
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
            snapshot = await in_thread(lambda reader: reader.data.id, context.reader())
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
            endpoint = _closing_readers(endpoint)
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


def _closing_readers(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, closing the readers it was given once it returns, in the same thread."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        finally:
            for value in (*args, *kwargs.values()):
                if isinstance(value, Reader):
                    value.close()

    return run


async def in_thread(fn: Callable[..., Any], reader: Reader, *args: Any) -> Any:
    """``fn(reader, *args)`` in a worker thread, the reader's session closed there (see
    ``Route``): the async endpoints that answer from memory first open none."""

    def run() -> Any:
        with reader:
            return fn(reader, *args)

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
