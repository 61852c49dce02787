"""OGC API – Features at /ogc, for QGIS, GDAL and the other GIS clients."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from app.deps import ReaderDep, Route, public_base, revalidated
from app.errors import PROBLEM_RESPONSES
from app.ogc import service
from app.ogc.features import CRS84, DEFAULT_LIMIT, FORMATS, MAX_LIMIT, STANDARD

router = APIRouter(prefix="/ogc", tags=["OGC API Features"], route_class=Route)
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CollectionId = Annotated[
    str,
    Path(
        description="communes ou hospitals",
        openapi_examples={"communes": {"value": "communes"}, "hôpitaux": {"value": "hospitals"}},
    ),
]
FILTERS = {
    "insee": "Code INSEE (communes)",
    "departement": "Département (communes)",
    "region": "Région (communes)",
    "zone_class": "Classe : ZIP, ZAC, vivier, hors zonage… (communes)",
    "status": "publié, estimation ou non disponible (communes)",
    "category": "Catégorie FINESS (hospitals)",
    "public_private": "Statut public ou privé (hospitals)",
    "postcode": "Code postal (hospitals)",
    "city": "Commune (hospitals)",
}
# the documentation of each parameter Part 1 defines, in the order features.STANDARD lists them
# (a parameter added there without its documentation here fails at import)
STANDARD_DOCS: dict[str, dict[str, object]] = {
    "bbox": {
        "description": "Ouest,sud,est,nord en longitude/latitude WGS 84",
        "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        "style": "form",
        "explode": False,
        "example": [6.6, 44.85, 6.7, 44.93],
    },
    "bbox-crs": {"description": "Seul CRS84", "schema": {"type": "string"}},
    "crs": {"description": "Seul CRS84 est proposé", "schema": {"type": "string"}},
    "limit": {
        "description": f"Objets par page (au-delà de {MAX_LIMIT} : {MAX_LIMIT})",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_LIMIT,
            "default": DEFAULT_LIMIT,
        },
    },
    "offset": {
        "description": "Objets sautés (pagination)",
        "schema": {"type": "integer", "minimum": 0, "default": 0},
    },
    "f": {
        "description": "Format de la réponse : json (GeoJSON), seul proposé",
        "schema": {"type": "string", "enum": list(FORMATS), "default": "json"},
    },
}
STANDARD_PARAMETERS: list[dict[str, object]] = [
    {"name": name, **STANDARD_DOCS[name]} for name in STANDARD
]


def items_parameters(filters: list[str]) -> list[dict[str, object]]:
    """The query parameters of an items path: Part 1's, then the property filters, which a
    client such as GDAL sends to the server when the collection's own path declares them."""
    properties: list[dict[str, object]] = [
        {"name": name, "description": FILTERS[name], "schema": {"type": "string"}}
        for name in filters
    ]
    return [
        {"in": "query", "required": False, **parameter}
        for parameter in [*STANDARD_PARAMETERS, *properties]
    ]


FEATURES_EXAMPLE: dict[str, Any] = {
    "type": "FeatureCollection",
    "numberMatched": 162,
    "numberReturned": 1,
    "links": [
        {
            "href": "http://localhost:8000/ogc/collections/communes/items?departement=05&limit=1&offset=1",
            "rel": "next",
            "type": GEOJSON,
        }
    ],
    "features": [
        {
            "type": "Feature",
            "id": "05006",
            "properties": {
                "insee": "05006",
                "name": "L'Argentière-la-Bessée",
                "zone_class": "ZIP",
                "status": "publié",
            },
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [[[[6.55, 44.78], [6.6, 44.8], [6.52, 44.82], [6.55, 44.78]]]],
            },
        }
    ],
}


EXAMPLE_BASE = "http://127.0.0.1:8000/ogc"
COLLECTION_EXAMPLE = {
    "id": "communes",
    "title": service.COLLECTIONS["communes"].title,
    "itemType": "feature",
    "crs": [CRS84],
    "extent": {"spatial": {"bbox": [service.FRANCE_BBOX], "crs": CRS84}},
    "queryables": list(service.COLLECTIONS["communes"].filters),
    "links": [
        {
            "href": f"{EXAMPLE_BASE}/collections/communes/items",
            "rel": "items",
            "type": GEOJSON,
        }
    ],
}


def _json_example(example: object) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"example": example}}}, **PROBLEM_RESPONSES}


def _base(request: Request) -> str:
    return public_base(request) + "/ogc"


def _geojson(body: bytes) -> Response:
    return Response(body, media_type=GEOJSON)


@router.get(
    "",
    operation_id="ogcLanding",
    summary="Page d'accueil OGC API Features",
    responses=_json_example(service.landing(EXAMPLE_BASE)),
)
@revalidated
def landing(request: Request) -> dict[str, Any]:
    """Liens vers la conformité, la définition OpenAPI et les collections."""
    return service.landing(_base(request))


@router.get(
    "/api",
    operation_id="ogcApi",
    summary="Définition OpenAPI de l'OGC API Features",
    response_class=Response,
    responses={
        200: {"content": {OPENAPI: {"example": {"servers": [{"url": EXAMPLE_BASE}]}}}},
        **PROBLEM_RESPONSES,
    },
)
@revalidated
def api(request: Request) -> Response:
    """Les chemins de /ogc, relatifs à son adresse (servers) : ce que les clients OGC lisent
    pour connaître les paramètres de chaque collection."""
    document = service.api_document(request.app.openapi(), _base(request))
    return Response(json.dumps(document), media_type=OPENAPI)


@router.get(
    "/conformance",
    operation_id="ogcConformance",
    summary="Classes de conformité",
    responses=_json_example(service.conformance()),
)
@revalidated
def conformance() -> dict[str, list[str]]:
    """Part 1 : core, GeoJSON, OpenAPI 3.0."""
    return service.conformance()


@router.get(
    "/collections",
    operation_id="ogcCollections",
    summary="Collections",
    responses=_json_example({"links": [], "collections": [COLLECTION_EXAMPLE]}),
)
@revalidated
def collections(request: Request, reader: ReaderDep) -> dict[str, Any]:
    """communes (zonage, APL, population) et hospitals, avec leurs sources et millésimes."""
    return service.collections(reader, _base(request))


@router.get(
    "/collections/{collection_id}",
    operation_id="ogcCollection",
    summary="Une collection",
    responses=_json_example(COLLECTION_EXAMPLE),
)
@revalidated
def collection(request: Request, collection_id: CollectionId, reader: ReaderDep) -> dict[str, Any]:
    """Étendue, système de coordonnées, filtres possibles, sources."""
    return service.describe(reader, _base(request), collection_id)


ITEMS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {GEOJSON: {"example": FEATURES_EXAMPLE}}},
    **PROBLEM_RESPONSES,
}
ITEMS_DOC = (
    "Une page d'objets GeoJSON filtrés par boîte et par propriétés (égalité, casse "
    "indifférente), avec numberMatched et les liens next/prev. Un paramètre inconnu ou une "
    "valeur invalide donne 400 ; une limite au-delà du maximum vaut le maximum."
)


def _items(request: Request, name: str, reader: ReaderDep) -> Response:
    body = service.items(reader, _base(request), name, list(request.query_params.multi_items()))
    return _geojson(body)


def _collection_items(name: str) -> None:
    """The items path of one collection, with its own filters declared (GDAL reads the path
    of the collection it opens, then the generic one)."""

    @router.get(
        f"/collections/{name}/items",
        operation_id=f"ogcItems_{name}",
        summary=f"Objets de la collection {name}",
        description=ITEMS_DOC,
        response_class=Response,
        responses=ITEMS_RESPONSES,
        openapi_extra={"parameters": items_parameters(list(service.COLLECTIONS[name].filters))},
    )
    @revalidated
    def collection_items(request: Request, reader: ReaderDep) -> Response:
        return _items(request, name, reader)


for _name in service.COLLECTIONS:
    _collection_items(_name)


@router.get(
    "/collections/{collection_id}/items",
    operation_id="ogcItems",
    summary="Objets d'une collection",
    description=ITEMS_DOC,
    response_class=Response,
    responses=ITEMS_RESPONSES,
    openapi_extra={"parameters": items_parameters(list(FILTERS))},
)
@revalidated
def items(request: Request, collection_id: CollectionId, reader: ReaderDep) -> Response:
    return _items(request, collection_id, reader)


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    operation_id="ogcItem",
    summary="Un objet",
    response_class=Response,
    responses={
        200: {"content": {GEOJSON: {"example": FEATURES_EXAMPLE["features"][0]}}},
        **PROBLEM_RESPONSES,
    },
)
@revalidated
def item(
    collection_id: CollectionId,
    feature_id: Annotated[
        str,
        Path(
            description="Code INSEE ou numéro FINESS", openapi_examples={"Gap": {"value": "05061"}}
        ),
    ],
    reader: ReaderDep,
) -> Response:
    """Un objet par son identifiant."""
    return _geojson(service.item(reader, collection_id, feature_id))
