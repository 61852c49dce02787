"""Zone rows of many communes at once: the map layers, the exports and the OGC collection;
takes a session, never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.bodies import Memo, Prepared
from app.errors import InvalidInput, NotFound
from app.geo import feature_collection, feature_json
from app.zones import classify
from app.zones.classify import ZoneRow
from app.zones.data import Reader, SnapshotData
from app.zones.models import (
    Accessibility,
    Commune,
    MapGeometry,
    PublishedZone,
    TerritoryApl,
)
from app.zones.network import GP
from app.zones.schemas import (
    Provenance,
)

ZONE_TABLE_SOURCES = (
    "communes-reference",
    "communes-contours",
    "apl-mg",
    "zonage-mg",
    "bassins-de-vie",
)


def gp_row_of(table: Any, of: Any) -> Any:
    """Join condition on the general-practitioner row of ``table`` for the commune of ``of``."""
    return (
        (table.snapshot_id == of.snapshot_id) & (table.insee == of.insee) & (table.profession == GP)
    )


def check_area(data: SnapshotData, departement: str | None, region: str | None) -> str | None:
    """The département's code as the data writes it (« 2a » → « 2A »), once the area is known;
    an unknown area is a 404, both at once a 422."""
    if departement and region:
        raise InvalidInput("Précisez un département ou une région, pas les deux.")
    if departement is not None and departement.upper() not in data.departements:
        raise NotFound(f"Département inconnu : « {departement[:10]} ».")
    if region is not None and region not in data.regions:
        raise NotFound(f"Région inconnue : « {region[:10]} ».")
    return departement and departement.upper()


def map_layer(
    reader: Reader, departement: str | None = None, region: str | None = None
) -> Prepared:
    """Communes of a département, a région or France with class and APL, for the map.

    Geometries were simplified at load time; the collection is assembled once per snapshot,
    area and thresholds, then served from memory.
    """
    data = reader.data
    area = check_area(data, departement, region)
    return data.bodies.get(
        ("layer", area, region, reader.thresholds),
        lambda: Prepared(_features(reader, area, region)),
    )


def _zone_rows(
    reader: Reader, level: str, departement: str | None = None, region: str | None = None
) -> list[ZoneRow]:
    session, snapshot_id, thresholds = reader.session, reader.data.id, reader.thresholds
    query = (
        select(
            MapGeometry.insee,
            Commune.name,
            Commune.departement,
            Commune.region,
            Commune.population,
            PublishedZone.zone_class,
            Commune.tvs,
            Commune.bv2012,
            Accessibility.value,
            Accessibility.value_le65,
            MapGeometry.geojson,
        )
        .join(
            Commune,
            (Commune.snapshot_id == MapGeometry.snapshot_id) & (Commune.insee == MapGeometry.insee),
        )
        .outerjoin(PublishedZone, gp_row_of(PublishedZone, MapGeometry))
        .outerjoin(Accessibility, gp_row_of(Accessibility, MapGeometry))
        .where(MapGeometry.snapshot_id == snapshot_id, MapGeometry.level == level)
        .order_by(MapGeometry.insee)
    )
    if departement:
        query = query.where(Commune.departement == departement)
    if region:
        query = query.where(Commune.region == region)
    territories = {
        (kind, code): value
        for kind, code, value in session.execute(
            select(TerritoryApl.kind, TerritoryApl.code, TerritoryApl.value_le65).where(
                TerritoryApl.snapshot_id == snapshot_id,
                TerritoryApl.kind.in_(classify.UNIT_NAMES),
                TerritoryApl.profession == GP,
            )
        )
    }
    rows = []
    for (
        insee,
        name,
        dep,
        reg,
        population,
        published,
        tvs,
        bv,
        apl,
        le65,
        geometry,
    ) in session.execute(query):
        # the card's rule (card._zone): published, else the territory's APL, else the commune's
        unit = classify.estimate_unit(tvs, bv)
        estimated = territories.get(unit) if unit else None
        if estimated is None:
            estimated = le65
        if published is not None:
            zone_class, status = published, "publié"
        elif estimated is not None:
            zone_class, status = classify.estimate(estimated, thresholds).value, "estimation"
        else:
            zone_class, status = None, "non disponible"
        rows.append(
            ZoneRow(insee, name, dep, reg, population, zone_class, status, apl, le65, geometry)
        )
    return rows


TOWNS = 8  # the most populous communes of an area, named on its map


def _features(reader: Reader, departement: str | None, region: str | None) -> bytes:
    level = "france" if departement is None and region is None else "departement"
    parts = []
    rows = _zone_rows(reader, level, departement, region)
    towns: dict[str, int] = {}
    if level == "departement":  # France's layer names none: its rows need no sort
        largest = sorted(rows, key=lambda r: -(r.population or 0))[:TOWNS]
        towns = {r.insee: rank for rank, r in enumerate(largest, 1)}
    for row in rows:
        properties = {
            "insee": row.insee,
            "zone_class": row.zone_class,
            "status": row.status,
            "apl": row.apl_le65,
        }
        if level == "departement":  # names would weigh too much on the national layer
            properties["name"] = row.name
        if row.insee in towns:  # named on the map, which has no tile server; 1 = most populous
            properties["town"] = towns[row.insee]
        parts.append(feature_json(properties, row.geometry))
    return feature_collection(parts)


TABLES_BUDGET = 4  # France's zone rows under as many sets of thresholds


def zone_table(
    reader: Reader, departement: str | None = None, region: str | None = None
) -> list[ZoneRow]:
    """The zone rows of a département, a région or France, with département-level contours.
    France's are kept per snapshot: the OGC API and the exports filter them in memory."""
    data = reader.data
    area = check_area(data, departement, region)
    tables = data.kept("tables", lambda: Memo[list[ZoneRow]](TABLES_BUDGET, lambda _: 1))
    rows = tables.get(reader.thresholds, lambda: _zone_rows(reader, "departement"))
    if area is not None:
        return [r for r in rows if r.departement == area]
    return rows if region is None else [r for r in rows if r.region == region]


def table_sources(reader: Reader) -> list[Provenance]:
    """Provenance of the zone rows' columns, for an export's or a collection's metadata."""
    sources = reader.data.sources
    return [sources(name) for name in ZONE_TABLE_SOURCES if name in sources]
