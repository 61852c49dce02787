"""HTTP routes of the aids domain."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Response

from app.aids import service
from app.aids.schemas import Catalog, IsoDate, SimulationRequest, SimulationResult
from app.deps import ReaderDep, Route, in_thread, revalidated
from app.errors import PROBLEM_RESPONSES

router = APIRouter(prefix="/aids", tags=["aides"], route_class=Route)

EXAMPLE = {
    "place": {"insee": "05006"},
    "as_of": "2025-12-01",
    "profile": {
        "age": 34,
        "sector": "1",
        "first_installation": True,
        "installation_date": "2025-09-01",
        "days_per_week": "4",
        "coordinated_practice": True,
        "pdsa": True,
    },
}


def cash_flow_response(body: bytes) -> Response:
    """A cash-flow CSV as a spreadsheet download (the API's and the page's)."""
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="aides-tresorerie.csv"'},
    )


@router.post(
    "/simulations",
    operation_id="simulateAids",
    summary="Simuler les aides à l'installation",
    response_model=SimulationResult,
    responses={200: {"content": {"text/csv": {}}}, **PROBLEM_RESPONSES},
)
async def simulate(
    request: Annotated[
        SimulationRequest,
        Body(openapi_examples={"CAIM à L'Argentière-la-Bessée": {"value": EXAMPLE}}),
    ],
    reader: ReaderDep,
    format: Annotated[
        Literal["json", "csv"], Query(description="csv : échéancier pour un tableur")
    ] = "json",
) -> Response:
    """Pour chaque aide : éligible ou non et pourquoi, montant, échéancier, texte de référence ;
    puis la trésorerie année par année."""
    result = service.simulate_cached(reader, request) or await in_thread(
        service.simulate, reader, request
    )
    if format == "csv":
        return cash_flow_response(service.cash_flow_csv(result))
    return Response(result.model_dump_json(), media_type="application/json")


@router.get(
    "/catalog",
    operation_id="getAidCatalog",
    summary="Aides en vigueur à une date",
    response_model=Catalog,
    responses=PROBLEM_RESPONSES,
)
@revalidated
def get_catalog(
    as_of: Annotated[
        IsoDate | None,
        Query(
            description="Date (par défaut : aujourd'hui)",
            openapi_examples={"2026": {"value": "2026-03-01"}},
        ),
    ] = None,
) -> Catalog:
    """Les aides qui peuvent être signées ou accordées à cette date, avec leurs sources et les
    règles non vérifiées."""
    return service.catalog_on(as_of or date.today())
