"""Service endpoints: health and the metadata of the served data."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app import __version__
from app.datasets.fetch import DataFileError
from app.datasets.manifest import ManifestError, read_manifests
from app.datasets.schemas import Health, Meta
from app.datasets.snapshot import LoadInProgress, active_snapshot, load
from app.db import is_sqlite
from app.deps import ContextDep, ReaderDep, Route, require_admin, revalidated
from app.errors import (
    PROBLEM_RESPONSES,
    Conflict,
    DataUnavailable,
    LoadRefused,
    problem_responses,
)

router = APIRouter(tags=["service"], route_class=Route)
admin = APIRouter(
    prefix="/admin",
    route_class=Route,
    tags=["administration"],
    dependencies=[Depends(require_admin)],
    responses=problem_responses(
        (401, "Jeton absent ou invalide"),
        (403, "Administration fermée (aucun jeton défini)"),
        (409, "Un chargement est déjà en cours"),
        (422, "Chargement refusé : fichier absent, modifié ou mal formé"),
    ),
)


@router.get(
    "/health",
    operation_id="getHealth",
    summary="État du service",
    response_model=Health,
    responses={503: {"model": Health, "description": "Base injoignable ou vide"}},
)
def health(reader: ReaderDep) -> JSONResponse:
    """200 when the database answers and data is loaded, else 503 with the reason."""
    session = reader.session
    try:
        session.execute(text("SELECT 1"))
        loaded = active_snapshot(session) is not None
        database: Literal["ok", "injoignable"] = "ok"
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
@revalidated
def meta(reader: ReaderDep) -> Meta:
    """Datasets, vintages, licences and checksums of the served snapshot, and when it was loaded."""
    session = reader.session
    snapshot = active_snapshot(session)
    if snapshot is None:
        raise DataUnavailable("Aucune donnée chargée : lancez « zonage data load ».")
    return Meta.from_snapshot(snapshot, "spatialite" if is_sqlite(session) else "postgis")


@admin.post(
    "/reload",
    operation_id="reloadData",
    summary="Recharger les données (jeton requis)",
    response_model=Meta,
)
def reload(reader: ReaderDep, context: ContextDep) -> Meta:
    """Verify the manifest's files, load a new snapshot and switch it in atomically; the
    previous data stays served until then, and stays served if the load fails."""
    try:
        load(
            context.engine,
            read_manifests(context.settings.manifest_path, context.settings.local_manifest_path),
            context.settings.data_mirror,
            context.settings.download_dir,
            allow_download=context.settings.allow_download,
        )
    except LoadInProgress as exc:
        raise Conflict("Un chargement est déjà en cours sur cette base ; réessayez après.") from exc
    except (DataFileError, ManifestError) as exc:
        detail = f"Chargement refusé : {exc}. Les données servies restent en place."
        raise LoadRefused(detail) from exc
    context.indexes.refresh(reader.session)  # this process serves the new data from its answer on
    return meta(reader)


@admin.post(
    "/cache/purge",
    operation_id="purgeCache",
    summary="Vider le cache en mémoire (jeton requis)",
    status_code=204,
)
def purge(reader: ReaderDep, context: ContextDep) -> Response:
    """The in-memory indexes and cached cards are rebuilt from the database; requests read the
    previous ones until the new ones are built."""
    context.indexes.purge(reader.session)
    return Response(status_code=204)
