"""``/docs`` and ``/redoc``: our own two small pages around the packaged viewers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.deps import ContextDep
from app.errors import KINDS, PROBLEMS_PATH, NotFound
from app.middleware import page_headers

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
STATIC = {
    "/static/apidocs/vendor": Path(fastapi_offline.__file__).resolve().parent / "static",
    "/static/apidocs/init": HERE / "static",
}
# path: (template, whether it is ReDoc, which needs a looser CSP)
VIEWERS = {"/docs": ("swagger.html", False), "/redoc": ("redoc.html", True)}

router = APIRouter(include_in_schema=False)


def _viewer(template: str, redoc: bool) -> Callable[..., Any]:
    async def viewer(request: Request, context: ContextDep) -> Response:
        return TEMPLATES.TemplateResponse(
            request,
            template,
            {"openapi_url": request.app.openapi_url},
            headers=page_headers(context.settings.embed_origins, redoc=redoc),
        )

    return viewer


for path, (template, redoc) in VIEWERS.items():
    router.add_api_route(
        path, _viewer(template, redoc), methods=["GET"], response_class=HTMLResponse
    )


@router.get(PROBLEMS_PATH)
def problem_kinds() -> list[dict[str, object]]:
    """Every kind of problem the API answers, the targets of the problems' ``type``."""
    return [_kind(code) for code in KINDS]


@router.get(PROBLEMS_PATH + "/{code}")
def problem_kind(code: str) -> dict[str, object]:
    """One kind of problem: its code, status and meaning."""
    if code not in KINDS:
        raise NotFound(f"Type de problème inconnu : « {code[:40]} ».")
    return _kind(code)


def _kind(code: str) -> dict[str, object]:
    status, description = KINDS[code]
    return {
        "type": f"{PROBLEMS_PATH}/{code}",
        "code": code,
        "status": status,
        "description": description,
    }
