"""The OGC API – Features collections: communes with their zone, hospitals; takes a session."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.errors import BadRequest, NotFound
from app.geo import feature_collection, feature_json
from app.ogc.features import CONFORMANCE, CRS84, BadParameter, Bbox, items_query, page_links
from app.zones import classify, layers
from app.zones.data import Reader
from app.zones.models import Hospital

# France with its overseas départements: Guadeloupe's west to Réunion's east, Réunion to Dunkerque
FRANCE_BBOX = [-61.81, -21.39, 55.84, 51.09]


@dataclass(frozen=True)
class Collection:
    title: str
    description: str
    filters: tuple[str, ...]
    sources: tuple[str, ...]


COLLECTIONS = {
    "communes": Collection(
        "Communes et zonage des médecins généralistes",
        "Chaque commune (COG) avec sa classe de zonage (publiée par l'ARS, sinon estimée), son "
        "APL aux médecins généralistes et sa population ; contours simplifiés par département.",
        ("insee", "departement", "region", "zone_class", "status"),
        layers.ZONE_TABLE_SOURCES,
    ),
    "hospitals": Collection(
        "Établissements hospitaliers",
        "Sites hospitaliers du répertoire FINESS, positionnés.",
        ("category", "public_private", "postcode", "city"),
        ("hospitals",),
    ),
}


def _collection(name: str) -> Collection:
    collection = COLLECTIONS.get(name)
    if collection is None:
        raise NotFound(f"Collection inconnue : « {name[:40]} » (communes ou hospitals).")
    return collection


def api_document(document: dict[str, Any], base: str) -> dict[str, Any]:
    """The application's OpenAPI document cut to the OGC paths, written relative to ``base``
    as Part 1 expects of its service description."""
    return {
        **document,
        "servers": [{"url": base}],
        "paths": {
            path.removeprefix("/ogc") or "/": item
            for path, item in document["paths"].items()
            if path == "/ogc" or path.startswith("/ogc/")
        },
    }


def landing(base: str) -> dict[str, Any]:
    return {
        "title": "zonage — OGC API Features",
        "description": "Communes, zonage des médecins généralistes et hôpitaux, pour les SIG.",
        "links": [
            {"href": base, "rel": "self", "type": "application/json", "title": "Cette page"},
            {
                "href": f"{base}/api",
                "rel": "service-desc",
                "type": "application/vnd.oai.openapi+json;version=3.0",
                "title": "Définition OpenAPI",
            },
            {"href": f"{base}/conformance", "rel": "conformance", "type": "application/json"},
            {"href": f"{base}/collections", "rel": "data", "type": "application/json"},
        ],
    }


def conformance() -> dict[str, list[str]]:
    return {"conformsTo": CONFORMANCE}


def describe(reader: Reader, base: str, name: str) -> dict[str, Any]:
    """A collection's metadata, its sources and vintages among its links' neighbours."""
    collection = _collection(name)
    sources = reader.data.sources
    return {
        "id": name,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [FRANCE_BBOX], "crs": CRS84}},
        "sources": [sources(s).model_dump() for s in collection.sources if s in sources],
        "queryables": list(collection.filters),
        "links": [
            {"href": f"{base}/collections/{name}", "rel": "self", "type": "application/json"},
            {
                "href": f"{base}/collections/{name}/items",
                "rel": "items",
                "type": "application/geo+json",
            },
        ],
    }


def collections(reader: Reader, base: str) -> dict[str, Any]:
    return {
        "links": [{"href": f"{base}/collections", "rel": "self", "type": "application/json"}],
        "collections": [describe(reader, base, name) for name in COLLECTIONS],
    }


def _hospital_feature(h: Hospital) -> str:
    properties = {
        "finess": h.finess,
        "name": h.site_name or h.name,
        "category": h.category,
        "public_private": h.public_private,
        "postcode": h.postcode,
        "city": h.city,
    }
    point = json.dumps({"type": "Point", "coordinates": [h.lon, h.lat]})
    return feature_json(properties, point, h.finess)


def _features(
    reader: Reader, name: str, bbox: Bbox | None
) -> tuple[Sequence[Any], Callable[[Any], str]]:
    """The collection's records within the box, and how to write one as a Feature."""
    data = reader.data
    if name == "hospitals":
        hospitals = [h for h in data.hospitals if bbox is None or bbox.contains(h.lon, h.lat)]
        return hospitals, _hospital_feature
    rows: Sequence[classify.ZoneRow] = layers.zone_table(reader)
    if bbox is not None:
        met = data.locator.intersecting(bbox.west, bbox.south, bbox.east, bbox.north)
        rows = [r for r in rows if r.insee in met]
    return rows, lambda r: feature_json(r.properties(), r.geometry, r.insee)


def items(reader: Reader, base: str, name: str, pairs: Sequence[tuple[str, str]]) -> bytes:
    """A page of the collection's features matching the box and the property filters (equal
    values, case aside: ``zone_class=zip`` is ZIP)."""
    collection = _collection(name)
    try:
        query = items_query(pairs, collection.filters)
    except BadParameter as exc:
        raise BadRequest(str(exc)) from exc
    records, write = _features(reader, name, query.bbox)
    wanted = {k: v.casefold() for k, v in query.filters.items()}
    matched = [
        r
        for r in records
        if all(str(getattr(r, k) or "").casefold() == v for k, v in wanted.items())
    ]
    page = matched[query.offset : query.offset + query.limit]
    url = f"{base}/collections/{name}/items"
    return feature_collection(
        (write(r) for r in page),
        numberMatched=len(matched),
        numberReturned=len(page),
        timeStamp=datetime.now(UTC).isoformat(timespec="seconds"),
        links=page_links(url, pairs, query.offset, query.limit, len(matched)),
    )


def item(reader: Reader, name: str, feature_id: str) -> bytes:
    """One feature by its id (INSEE code or FINESS number)."""
    _collection(name)
    records, write = _features(reader, name, None)
    key = "finess" if name == "hospitals" else "insee"
    for record in records:
        if getattr(record, key) == feature_id:
            return write(record).encode()
    raise NotFound(f"Objet inconnu dans « {name} » : « {feature_id[:20]} ».")
