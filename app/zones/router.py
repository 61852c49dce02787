"""HTTP routes of the zones domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.deps import SessionDep, SettingsDep
from app.errors import PROBLEM_RESPONSES
from app.zones import service
from app.zones.schemas import EXAMPLE_INSEE, CommuneCard

router = APIRouter(tags=["communes"])


@router.get(
    "/communes/{insee}",
    operation_id="getCommune",
    summary="Fiche d'une commune",
    response_model=CommuneCard,
    responses=PROBLEM_RESPONSES,
)
def get_commune(
    insee: Annotated[
        str,
        Path(
            description="Code INSEE de la commune (5 caractères ; 2A/2B pour la Corse)",
            openapi_examples={"Toulouse": {"value": EXAMPLE_INSEE}, "Ajaccio": {"value": "2A004"}},
        ),
    ],
    session: SessionDep,
    settings: SettingsDep,
) -> CommuneCard:
    """Population, APL, classe de zonage (publiée ou estimée) avec source et millésime."""
    return service.commune_card(session, insee, settings.thresholds(), settings.thresholds_method)
