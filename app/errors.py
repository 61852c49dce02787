"""Errors as RFC 9457 problem details (``application/problem+json``) with a French ``detail``."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import date
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
PROBLEMS_PATH = "/api/v1/problems"
log = logging.getLogger(__name__)

# every kind of problem by its stable code, with its status and what it means to a client; each
# is described at PROBLEMS_PATH/{code}, the problem's ``type``
KINDS: dict[str, tuple[int, str]] = {
    "bad-parameter": (
        400,
        "Un paramètre défini par une norme (OGC API) a une valeur qu'elle exclut, ou n'existe pas.",
    ),
    "unreadable-body": (400, "Le corps de la requête n'est pas du JSON lisible en UTF-8."),
    "unknown-host": (400, "Le service ne répond pas à ce nom d'hôte (en-tête Host)."),
    "unauthorized": (401, "Jeton d'administration absent ou invalide."),
    "forbidden": (403, "Administration fermée : aucun jeton n'est défini sur le service."),
    "not-found": (404, "La ressource demandée n'existe pas (commune, collection, objet, chemin)."),
    "method-not-allowed": (
        405,
        "Cette méthode HTTP n'est pas proposée pour cette ressource (en-tête Allow).",
    ),
    "conflict": (409, "Un chargement est déjà en cours sur cette base."),
    "too-large": (413, "Le corps de la requête dépasse la taille admise."),
    "invalid-parameters": (
        422,
        "Paramètres absents ou invalides : le membre errors dit lesquels et pourquoi.",
    ),
    "invalid-input": (
        422,
        "Demande bien formée à laquelle le service ne peut pas répondre telle quelle "
        "(adresse ambiguë, combinaison impossible…).",
    ),
    "load-refused": (
        422,
        "Chargement refusé (fichier illisible, tronqué, trop gros ou d'empreinte inattendue) : "
        "les données servies restent en place.",
    ),
    "internal-error": (500, "Erreur interne, journalisée par le service."),
    "data-unavailable": (503, "Aucune donnée chargée, ou le jeu nécessaire manque."),
    "saturated": (
        503,
        "Service momentanément surchargé : réessayez après le délai de Retry-After.",
    ),
    "http-error": (400, "Autre erreur HTTP."),
}


# the problems' titles, in French (HTTPStatus's phrases are English)
TITLES = {
    400: "Requête incorrecte",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Introuvable",
    405: "Méthode non autorisée",
    409: "Conflit",
    413: "Requête trop volumineuse",
    414: "Adresse de requête trop longue",
    415: "Type de contenu non pris en charge",
    422: "Requête non traitable",
    429: "Trop de requêtes",
    500: "Erreur interne",
    503: "Service indisponible",
}


class Problem(BaseModel):
    """The body of every error response: ``type`` names its kind, ``code`` is the same kind
    as a short stable word for programs."""

    type: str
    code: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None

    @classmethod
    def of(
        cls,
        code: str,
        status: int,
        detail: str,
        instance: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> Problem:
        return cls(
            type=f"{PROBLEMS_PATH}/{code}",
            code=code,
            title=TITLES.get(status, f"Erreur HTTP {status}"),
            status=status,
            detail=detail,
            instance=instance,
            errors=errors,
        )


class AppError(Exception):
    """Base of the domain errors; each subclass names its problem kind, whose HTTP status it
    answers with."""

    code = "bad-parameter"
    headers: ClassVar[Mapping[str, str]] = {}

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field  # the request's field at fault, where one is (the page shows it there)

    @property
    def status(self) -> HTTPStatus:
        return HTTPStatus(KINDS[self.code][0])


class BadRequest(AppError):
    """A parameter a standard defines, with a value it rules out (OGC API: 400, not 422)."""


class NotFound(AppError):
    code = "not-found"


class InvalidInput(AppError):
    code = "invalid-input"


class DataUnavailable(AppError):
    code = "data-unavailable"


class Unauthorized(AppError):
    code = "unauthorized"
    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(AppError):
    code = "forbidden"


class Conflict(AppError):
    code = "conflict"


class LoadRefused(InvalidInput):
    """A data file the loader will not load; the data served stays in place."""

    code = "load-refused"


class Saturated(AppError):
    code = "saturated"
    headers = {"Retry-After": "5"}


def problem(
    code: str,
    status: int,
    detail: str,
    request: Request,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    """A problem+json response."""
    body = Problem.of(code, status, detail, request.url.path, errors)
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM_JSON
    )


_HTTP_DETAILS = {
    400: ("unreadable-body", "Corps de requête illisible : JSON en UTF-8 attendu."),
    404: ("not-found", "Ressource introuvable."),
    405: ("method-not-allowed", "Méthode non autorisée pour cette ressource."),
    413: ("too-large", ""),
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
        return f"Valeur minimale : {_bound(ctx.get('ge', ctx.get('gt')))}."
    if kind in ("less_than_equal", "less_than"):
        return f"Valeur maximale : {_bound(ctx.get('le', ctx.get('lt')))}."
    if kind in ("string_too_long", "too_long"):
        return f"Au plus {ctx.get('max_length')} éléments."
    if kind in ("decimal_max_places", "decimal_max_digits"):
        return "Trop de chiffres ou de décimales."
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))[:200] or "Valeur invalide."
    return _MESSAGES.get(kind, "Valeur invalide.")


# FastAPI hands a date bound over as its repr: "datetime.date(2100, 12, 31)"
_DATE_REPR = re.compile(r"datetime\.date\((\d+), (\d+), (\d+)\)")


def _bound(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    written = _DATE_REPR.fullmatch(str(value))
    return date(*map(int, written.groups())).isoformat() if written else str(value)


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc if part not in ("body", "query", "path"))


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    response = problem(exc.code, exc.status, exc.detail, request)
    response.headers.update(exc.headers)
    return response


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    if any(e["type"] == "json_invalid" for e in exc.errors()):  # not a body to validate
        return problem("unreadable-body", 400, _HTTP_DETAILS[400][1], request)
    errors = [
        {"field": _location(tuple(e["loc"])), "type": e["type"], "message": french_message(e)}
        for e in exc.errors()
    ]
    said = [f"{e['field'] or 'corps de la requête'} : {e['message'].rstrip('.')}" for e in errors]
    more = f" ; et {len(errors) - 3} autres" if len(errors) > 3 else ""
    detail = f"Paramètres invalides — {' ; '.join(said[:3])}{more}."
    return problem("invalid-parameters", 422, detail, request, errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, detail = _HTTP_DETAILS.get(exc.status_code, ("http-error", ""))
    response = problem(code, exc.status_code, detail or str(exc.detail), request)
    response.headers.update(exc.headers or {})  # e.g. Allow on a 405
    return response


async def _saturated(request: Request, exc: Exception) -> JSONResponse:
    log.warning("no free database connection for %s", request.url.path)
    return await _app_error(
        request, Saturated("Service momentanément surchargé : réessayez dans quelques secondes.")
    )


def install(app: FastAPI) -> None:
    """Register the problem+json handlers on ``app``."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(PoolTimeout, _saturated)


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
