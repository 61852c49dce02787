"""Request guards every response goes through: a body size limit and the headers of a JSON API;
the security headers of the HTML pages.

Pure ASGI, so that a body is refused while it streams in, before any endpoint reads it.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import KINDS, PROBLEM_JSON, Problem

log = logging.getLogger(__name__)


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


def trusted(host: bytes, hosts: list[str]) -> bool:
    """Whether a Host header (port aside) names one of ``hosts`` or a "*.domain" of them."""
    name = host.decode("latin-1").lower()
    name = name if name.endswith("]") else name.rsplit(":", 1)[0]
    return any(
        name == h or (h.startswith("*.") and name.endswith(h[1:]) and len(name) > len(h) - 1)
        for h in hosts
    )


class Guard:
    """413 problem+json for bodies over ``max_body`` bytes, 400 for a Host not among ``hosts``
    (when given: the links of the answers follow Host); ``nosniff`` on every response; the
    codings a client refuses taken out of its Accept-Encoding."""

    def __init__(
        self,
        app: ASGIApp,
        max_body: int,
        hosts: list[str] | None = None,
        public_url: str | None = None,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.hosts = hosts or []
        self.public_url = public_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope["headers"] = [
            (name, accepted(value) if name == b"accept-encoding" else value)
            for name, value in scope["headers"]
        ]
        headers = dict(scope["headers"])
        # health probes come by address (127.0.0.1, a pod's IP) and the answer has no link
        if (
            self.hosts
            and scope["path"] != HEALTH_PATH
            and not trusted(headers.get(b"host", b""), self.hosts)
        ):
            await _refuse(scope, send, "unknown-host")
            return
        declared = headers.get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_body:
            await _refuse(scope, send, "too-large", self.detail)
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

        started = False

        async def secured_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [
                    *(
                        (name, self.located(value, headers.get(b"host", b"")))
                        if name == b"location"
                        else (name, value)
                        for name, value in message.get("headers", [])
                    ),
                    (b"x-content-type-options", b"nosniff"),
                ]
            await send(message)

        try:
            await self.app(scope, limited_receive, secured_send)
        except Exception:
            # answered here, not re-raised: Starlette's last handler would raise it again for
            # the server, which logs it a second time and drops the keep-alive connection
            log.exception("unexpected error on %s", scope["path"])
            if started:
                raise
            await _refuse(scope, send, "internal-error")

    @property
    def detail(self) -> str:
        return f"Requête trop volumineuse : au plus {self.max_body} octets."

    def located(self, location: bytes, host: bytes) -> bytes:
        """A redirect of ours (a trailing slash) without the Host a client chose: to the public
        address when configured, else a path on the same server."""
        parts = urlsplit(location.decode("latin-1"))
        if parts.netloc.encode("latin-1") != host:
            return location  # relative already, or elsewhere
        path = urlunsplit(("", "", parts.path, parts.query, parts.fragment))
        return ((self.public_url or "").rstrip("/") + path).encode("latin-1")


HEALTH_PATH = "/api/v1/health"


async def _refuse(scope: Scope, send: Send, code: str, detail: str | None = None) -> None:
    """A problem+json answer of kind ``code`` sent before (or instead of) the application's:
    its status, and unless given its detail, are the kind's."""
    status, text = KINDS[code]
    problem = Problem.of(code, status, detail or text, scope["path"])
    payload = problem.model_dump_json(exclude_none=True).encode()
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
