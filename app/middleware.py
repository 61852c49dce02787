"""Request guards every response goes through: a body size limit and the headers of a JSON API;
the security headers of the HTML pages.

Pure ASGI, so that a body is refused while it streams in, before any endpoint reads it.
"""

from __future__ import annotations

from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PROBLEM_JSON, Problem


def accepted(codings: bytes) -> bytes:
    """An Accept-Encoding without the codings it refuses (``gzip;q=0``): Starlette's gzip
    middleware and the map layer look for the word "gzip" alone."""
    kept = []
    for part in codings.split(b","):
        name, *params = (p.strip() for p in part.split(b";"))
        q = next((p[2:] for p in params if p.startswith(b"q=")), b"1")
        try:
            refused = float(q) <= 0
        except ValueError:
            refused = True
        if name and not refused:
            kept.append(name)
    return b", ".join(kept)


class Head:
    """An answer to HEAD wherever GET answers (RFC 9110 §9.3.2): the GET's status and headers,
    its Content-Length included, without its body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] != "http.response.body":
                await send(message)
            elif not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b""})

        await self.app({**scope, "method": "GET"}, receive, without_body)


class Guard:
    """413 problem+json for bodies over ``max_body`` bytes; ``nosniff`` on every response; the
    codings a client refuses taken out of its Accept-Encoding."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope["headers"] = [
            (name, accepted(value) if name == b"accept-encoding" else value)
            for name, value in scope["headers"]
        ]
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_body:
            await self._too_large(scope, send)
            return
        received = 0

        async def limited_receive() -> Message:
            """Counts a body sent without (or with a false) Content-Length; the endpoint's
            body parsing turns the exception into the 413 problem."""
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:
                raise HTTPException(413, self.detail)
            return message

        async def secured_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-content-type-options", b"nosniff"),
                ]
            await send(message)

        await self.app(scope, limited_receive, secured_send)

    @property
    def detail(self) -> str:
        return f"Requête trop volumineuse : au plus {self.max_body} octets."

    async def _too_large(self, scope: Scope, send: Send) -> None:
        status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
        payload = (
            Problem(title=status.phrase, status=status, detail=self.detail, instance=scope["path"])
            .model_dump_json(exclude_none=True)
            .encode()
        )
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(payload)).encode()),
                    (b"x-content-type-options", b"nosniff"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def page_headers(
    embed_origins: list[str], embed: bool = False, redoc: bool = False
) -> dict[str, str]:
    """An HTML page's headers: a strict CSP (no inline script or style, no third-party
    origin); framing only in embed mode and only by ``embed_origins``.

    ``redoc`` relaxes two directives for ReDoc alone: its styled-components inject ``<style>``
    elements without a nonce we could give them, and its search runs in a ``blob:`` worker;
    scripts themselves stay ``'self'``."""
    ancestors = " ".join(["'self'", *embed_origins]) if embed else "'none'"
    styles, workers = ("'self' 'unsafe-inline'", "; worker-src blob:") if redoc else ("'self'", "")
    headers = {
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
        f"style-src {styles}; script-src 'self'; connect-src 'self'; object-src 'none'; "
        f"base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}{workers}",
        "Referrer-Policy": "same-origin",
    }
    if not embed:
        headers["X-Frame-Options"] = "DENY"
    return headers
