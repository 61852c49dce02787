"""HTTP routes of the geocoder."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import ContextDep, ReaderDep, Route
from app.errors import PROBLEM_RESPONSES
from app.geocoding import service
from app.geocoding.schemas import GeocodeResults

router = APIRouter(prefix="/geocode", tags=["adresses"], route_class=Route)


QueryText = Annotated[
    str,
    Query(
        min_length=1,
        max_length=200,
        description="Adresse ou commune, telle que tapée",
        openapi_examples={"adresse": {"value": "12 av. Jean Jaurès Gap"}},
    ),
]


@router.get(
    "",
    operation_id="geocode",
    summary="Chercher une adresse ou une commune",
    response_model=GeocodeResults,
    responses=PROBLEM_RESPONSES,
)
def geocode(
    q: QueryText,
    reader: ReaderDep,
    limit: Annotated[int, Query(ge=1, le=20)] = 10,
) -> GeocodeResults:
    """Adresses de la BAN et communes, les plus proches de la requête d'abord."""
    return service.geocode(reader, q, limit)


@router.get(
    "/autocomplete",
    operation_id="autocompleteAddress",
    summary="Suggestions pendant la saisie",
    response_model=GeocodeResults,
    responses=PROBLEM_RESPONSES,
)
def autocomplete(q: QueryText, reader: ReaderDep, context: ContextDep) -> GeocodeResults:
    """Les 8 meilleures suggestions pour un début de saisie."""
    return service.geocode(reader, q, 8, context.online)
