"""HTTP routes of the place search."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request, Response

from app.aids.schemas import FIRST_INSTALLATION
from app.deps import ContextDep, ReaderDep, Route, in_thread
from app.errors import PROBLEM_RESPONSES
from app.places import service
from app.places.schemas import PlaceSearch, PlaceSearchResult

router = APIRouter(prefix="/places", tags=["où s'installer"], route_class=Route)
GEOJSON = "application/geo+json"
EXAMPLE = {
    "origin": {"insee": "23096"},
    "minutes": 30,
    "as_of": "2026-03-01",
    "profile": FIRST_INSTALLATION | {"installation_date": "2026-03-01"},
    "filters": {"zone_classes": ["ZIP", "ZAC"]},
}


@router.post(
    "/search",
    operation_id="searchPlaces",
    summary="Où s'installer : les communes à portée, classées par ce qu'on y obtiendrait",
    response_model=PlaceSearchResult,
    responses={200: {"content": {GEOJSON: {}}}, **PROBLEM_RESPONSES},
)
async def search(
    body: Annotated[
        PlaceSearch, Body(openapi_examples={"Autour de Guéret, 30 minutes": {"value": EXAMPLE}})
    ],
    reader: ReaderDep,
    context: ContextDep,
    request: Request,
    f: Annotated[
        Literal["json", "geojson"] | None,
        Query(
            description="geojson : les lieux en points, pour un SIG (ou Accept: " + GEOJSON + ")"
        ),
    ] = None,
) -> Response:
    """Les communes à moins de ``minutes`` de l'origine (par le modèle de temps de l'APL), ou
    celles d'un département ou d'une région, qui répondent aux filtres ; pour chacune sa classe
    (publiée ou estimée) et sa source, le total des aides dues au profil à la date (le même que
    /aids/simulations), l'APL, les médecins, la maison de santé, les urgences, son territoire,
    et une phrase qui dit pourquoi elle est là."""
    result = await in_thread(service.search, reader, body, context.online)
    if f == "geojson" or (f is None and GEOJSON in request.headers.get("accept", "")):
        return Response(service.geojson(result), media_type=GEOJSON)
    return Response(result.model_dump_json(), media_type="application/json")
