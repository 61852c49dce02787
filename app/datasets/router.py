"""Service endpoints: health and the metadata of the served data."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app import __version__
from app.datasets.schemas import Health, Meta
from app.datasets.snapshot import active_snapshot
from app.db import is_sqlite
from app.deps import SessionDep
from app.errors import PROBLEM_RESPONSES, DataUnavailable

router = APIRouter(tags=["service"])


@router.get(
    "/health",
    operation_id="getHealth",
    summary="État du service",
    response_model=Health,
    responses={503: {"model": Health, "description": "Base injoignable ou vide"}},
)
def health(session: SessionDep) -> JSONResponse:
    """200 when the database answers and data is loaded, else 503 with the reason."""
    try:
        session.execute(text("SELECT 1"))
        loaded = active_snapshot(session) is not None
        database = "ok"
    except SQLAlchemyError:
        loaded, database = False, "injoignable"
    ok = database == "ok" and loaded
    body = Health(
        status="ok" if ok else "dégradé", database=database, data_loaded=loaded, version=__version__
    )
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


@router.get(
    "/meta",
    operation_id="getMeta",
    summary="Jeux de données servis",
    response_model=Meta,
    responses=PROBLEM_RESPONSES,
)
def meta(session: SessionDep) -> Meta:
    """Datasets, vintages, licences and checksums of the served snapshot, and when it was loaded."""
    snapshot = active_snapshot(session)
    if snapshot is None:
        raise DataUnavailable("Aucune donnée chargée : lancez « zonage data load ».")
    return Meta.from_snapshot(snapshot, "spatialite" if is_sqlite(session) else "postgis")
