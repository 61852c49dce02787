"""HTTP routes of the exports: the zone table as GeoJSON, GeoParquet or CSV."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from app.deps import (
    CACHE_CONTROL,
    DepartementQuery,
    ReaderDep,
    RegionQuery,
    Route,
    prepared_response,
    public_base,
    revalidated,
)
from app.errors import PROBLEM_RESPONSES, BadRequest
from app.exports import service
from app.exports.service import MEDIA_TYPES, Format

router = APIRouter(prefix="/exports", tags=["exports"], route_class=Route)
AREA = ("departement", "region")


def _known_only(request: Request) -> None:
    """An export is a file a proxy caches and links to: a parameter it does not read is a
    mistake to say, not a key to echo into its ``Link`` (16,000 of them made a 48 KB header)."""
    unknown = sorted(set(request.query_params) - set(AREA))
    if unknown:
        raise BadRequest(
            f"Paramètre inconnu : {', '.join(unknown)[:200]} (possibles : {', '.join(AREA)})."
        )


META_EXAMPLE = {
    "title": "Zonage des médecins généralistes par commune",
    "scope": "département 05",
    "count": 162,
    "snapshot": 1,
    "sources": [
        {
            "dataset": "apl-mg",
            "title": "APL aux médecins généralistes",
            "vintage": "2023",
            "attribution": "DREES",
            "licence": "Licence Ouverte 2.0",
            "official": True,
        }
    ],
}


@router.get(
    "/zones.meta.json",
    operation_id="getZonesExportMeta",
    summary="Métadonnées d'un export (sources et millésimes)",
    responses={
        200: {"content": {"application/json": {"example": META_EXAMPLE}}},
        **PROBLEM_RESPONSES,
    },
)
@revalidated
def zones_meta(
    request: Request,
    reader: ReaderDep,
    departement: DepartementQuery = None,
    region: RegionQuery = None,
) -> dict[str, Any]:
    """Ce que contient l'export de la même zone : colonnes, méthode, sources et millésimes (le
    fichier d'accompagnement du CSV)."""
    _known_only(request)
    return service.meta(reader, departement, region)


@router.get(
    "/zones.{format}",
    operation_id="getZonesExport",
    summary="Export des communes et de leur zonage",
    response_class=Response,
    responses={
        200: {
            "content": {
                MEDIA_TYPES["geojson"]: {
                    "example": {"type": "FeatureCollection", "meta": META_EXAMPLE, "features": []}
                },
                MEDIA_TYPES["parquet"]: {"schema": {"type": "string", "format": "binary"}},
                MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
                MEDIA_TYPES["csv"]: {
                    "example": "\ufeffCode INSEE;Commune;Département;Région;Population;Classe;"
                    "Statut;APL;APL ≤ 65 ans\r\n05006;L'Argentière-la-Bessée;05;93;2266;ZIP;"
                    "publié;2,9;2,8\r\n"
                },
            },
            "description": "GeoJSON, GeoParquet et Excel portent leurs métadonnées (l'Excel dans "
            "sa feuille « Sources ») ; le CSV les donne dans zones.meta.json (en-tête Link)",
        },
        **PROBLEM_RESPONSES,
    },
)
def zones_export(
    request: Request,
    format: Format,
    reader: ReaderDep,
    departement: DepartementQuery = None,
    region: RegionQuery = None,
) -> Response:
    """Communes d'un département, d'une région ou de la France (sans paramètre) avec leur classe
    de zonage (publiée, sinon estimée), leur APL et leur population ; GeoJSON, GeoParquet
    (QGIS, geopandas), Excel (codes en texte, nombres en nombres, feuille des sources) ou CSV
    pour un tableur (« ; », UTF-8 avec BOM, virgule décimale)."""
    _known_only(request)
    result = service.export(reader, format, departement, region)
    headers = {"Content-Disposition": f'attachment; filename="{result.filename}"'}
    if format == "csv":
        # rebuilt from the parsed parameters, re-encoded: a raw « >, <…> » in the query string
        # would add a link of the client's to the header
        query = urlencode(request.query_params.multi_items())
        meta_url = public_base(request) + request.url.path.replace(".csv", ".meta.json")
        meta_url += f"?{query}" if query else ""
        headers["Link"] = f'<{meta_url}>; rel="describedby"; type="application/json"'
    headers["Cache-Control"] = CACHE_CONTROL
    return prepared_response(result.file, result.media_type, request, headers)
