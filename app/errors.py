"""Errors as RFC 9457 problem details (``application/problem+json``) with a French ``detail``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


class Problem(BaseModel):
    """The body of every error response."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


class AppError(Exception):
    """Base of the domain errors; each subclass carries its HTTP status."""

    status = HTTPStatus.BAD_REQUEST
    headers: ClassVar[Mapping[str, str]] = {}

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadRequest(AppError):
    """A parameter a standard defines, with a value it rules out (OGC API: 400, not 422)."""


class NotFound(AppError):
    status = HTTPStatus.NOT_FOUND


class InvalidInput(AppError):
    status = HTTPStatus.UNPROCESSABLE_ENTITY


class DataUnavailable(AppError):
    status = HTTPStatus.SERVICE_UNAVAILABLE


class Unauthorized(AppError):
    status = HTTPStatus.UNAUTHORIZED
    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(AppError):
    status = HTTPStatus.FORBIDDEN


class Conflict(AppError):
    status = HTTPStatus.CONFLICT


class Saturated(AppError):
    status = HTTPStatus.SERVICE_UNAVAILABLE
    headers = {"Retry-After": "5"}


def problem(
    status: int, detail: str, request: Request, errors: list[dict[str, Any]] | None = None
) -> JSONResponse:
    """A problem+json response."""
    body = Problem(
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM_JSON
    )


_HTTP_DETAILS = {
    400: "Corps de requête illisible : JSON en UTF-8 attendu.",
    404: "Ressource introuvable.",
    405: "Méthode non autorisée pour cette ressource.",
}


_MESSAGES = {
    "missing": "Champ obligatoire.",
    "int_parsing": "Nombre entier attendu.",
    "int_from_float": "Nombre entier attendu.",
    "float_parsing": "Nombre attendu.",
    "decimal_parsing": "Nombre attendu.",
    "finite_number": "Nombre fini attendu.",
    "bool_parsing": "Oui ou non attendu.",
    "date_parsing": "Date attendue (aaaa-mm-jj).",
    "date_from_datetime_parsing": "Date attendue (aaaa-mm-jj).",
    "string_pattern_mismatch": "Format non reconnu.",
    "literal_error": "Choix non reconnu.",
    "enum": "Choix non reconnu.",
    "extra_forbidden": "Champ inconnu.",
}


def french_message(error: Mapping[str, Any]) -> str:
    """A French sentence for a pydantic error (its own messages are English)."""
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if kind in ("greater_than_equal", "greater_than"):
        return f"Valeur minimale : {ctx.get('ge', ctx.get('gt'))}."
    if kind in ("less_than_equal", "less_than"):
        return f"Valeur maximale : {ctx.get('le', ctx.get('lt'))}."
    if kind in ("string_too_long", "too_long"):
        return f"Au plus {ctx.get('max_length')} éléments."
    if kind in ("decimal_max_places", "decimal_max_digits"):
        return "Trop de chiffres ou de décimales."
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))[:200] or "Valeur invalide."
    return _MESSAGES.get(kind, "Valeur invalide.")


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc if part not in ("body", "query", "path"))


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    response = problem(exc.status, exc.detail, request)
    response.headers.update(exc.headers)
    return response


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _location(tuple(e["loc"])), "type": e["type"], "message": french_message(e)}
        for e in exc.errors()
    ]
    fields = ", ".join(sorted({e["field"] or "corps de la requête" for e in errors}))
    return problem(422, f"Paramètres invalides : {fields}.", request, errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = _HTTP_DETAILS.get(exc.status_code, str(exc.detail))
    response = problem(exc.status_code, detail, request)
    response.headers.update(exc.headers or {})  # e.g. Allow on a 405
    return response


async def _saturated(request: Request, exc: Exception) -> JSONResponse:
    log.warning("no free database connection for %s", request.url.path)
    return await _app_error(
        request, Saturated("Service momentanément surchargé : réessayez dans quelques secondes.")
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    return problem(500, "Erreur interne du service ; elle a été journalisée.", request)


def install(app: FastAPI) -> None:
    """Register the problem+json handlers on ``app``."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(PoolTimeout, _saturated)
    app.add_exception_handler(Exception, _unexpected)


def problem_responses(*codes: tuple[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` declaring problem+json bodies for these statuses."""
    return {
        code: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": desc}
        for code, desc in codes
    }


PROBLEM_RESPONSES = problem_responses(
    (400, "Corps de requête illisible"),
    (404, "Introuvable"),
    (413, "Requête trop volumineuse"),
    (422, "Paramètres invalides"),
    (503, "Données non chargées, ou service surchargé (Retry-After)"),
)
