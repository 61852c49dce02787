"""The COG communes with their contours, town halls, bassins de vie and map geometries."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

import numpy as np
import pyogrio
import shapely
from shapely.geometry import MultiPolygon, Polygon

from app.geo import WGS84, local_crs, reproject
from app.sources.common import Build, Cog, Parsed, Row, csv_rows


def parse_cog(communes_json: bytes, epci_json: bytes) -> tuple[Cog, Counter[str]]:
    """Communes of metropolitan France and the DROM, plus the municipal arrondissements."""
    epci_of: dict[str, tuple[str, str]] = {}
    for epci in json.loads(epci_json):
        for member in epci["membres"]:
            epci_of[member["code"]] = (epci["code"], epci["nom"])
    communes: dict[str, Row] = {}
    successor: dict[str, str] = {}
    skipped: Counter[str] = Counter()
    for item in json.loads(communes_json):
        kind = item["type"]
        if kind in ("commune-deleguee", "commune-associee"):
            successor.setdefault(
                item["code"], item["chefLieu"] if "chefLieu" in item else item["commune"]
            )
            skipped["commune déléguée ou associée (rattachée à sa commune nouvelle)"] += 1
            continue
        if item.get("zone") == "com":
            skipped["collectivité d'outre-mer (hors champ de la convention médicale)"] += 1
            continue
        siren, epci_name = epci_of.get(item["code"], (None, None))
        communes[item["code"]] = {
            "insee": item["code"],
            "name": item["nom"],
            "kind": "ARM" if kind == "arrondissement-municipal" else "COM",
            "parent_insee": item.get("commune"),
            "departement": item["departement"],
            "region": item["region"],
            "epci_siren": siren,
            "epci_name": epci_name,
            "population": item.get("population"),
            "postcodes": sorted(item.get("codesPostaux", [])),
            "former_codes": sorted(item.get("anciensCodes", [])),
        }
        for old in item.get("anciensCodes", []):
            successor[old] = item["code"]
    # An old code that is still a current code is not a successor link.
    successor = {
        old: new for old, new in successor.items() if old not in communes and new in communes
    }
    return Cog(communes, successor), skipped


# --- contours --------------------------------------------------------------------------------


def _as_multipolygon(geom: shapely.Geometry) -> MultiPolygon:
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    polygons = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]
    polygons += [
        p for g in getattr(geom, "geoms", []) if isinstance(g, MultiPolygon) for p in g.geoms
    ]
    return MultiPolygon(polygons)


# The source's town-hall points are geocoded addresses; some land in another commune (Gex's
# in Vénissieux). Beyond this distance from its own contour a point is dropped.
TOWNHALL_TOLERANCE_M = 1000.0


def attach_contours(cog: Cog, contours_geojson: bytes) -> Parsed:
    """Commune rows with geometry, centroid, bbox, area and town-hall point where held."""
    # GDAL reads the GeoJSON three times faster than json + shapely, to the same doubles
    _, _, wkb, (codes, townhall_lons, townhall_lats) = pyogrio.raw.read(
        contours_geojson, columns=["code", "mairie_lon", "mairie_lat"]
    )
    skipped: Counter[str] = Counter()
    by_code: dict[str, tuple[MultiPolygon, shapely.Point | None]] = {}
    for code, geom, lon, lat in zip(
        codes, shapely.from_wkb(wkb), townhall_lons, townhall_lats, strict=True
    ):
        if code not in cog.communes:
            skipped["contour sans commune dans le COG 2026"] += 1
            continue
        townhall = None if np.isnan(lon) or np.isnan(lat) else shapely.Point(lon, lat)
        by_code[code] = (_as_multipolygon(geom), townhall)

    rows = [
        dict(
            row,
            geom=None,
            lon=None,
            lat=None,
            bbox=None,
            area_km2=None,
            townhall_lon=None,
            townhall_lat=None,
        )
        for row in cog.communes.values()
    ]
    index = {row["insee"]: row for row in rows}
    incomplete: Counter[str] = Counter()
    groups: dict[int, list[str]] = defaultdict(list)
    for code in by_code:
        groups[local_crs(index[code]["departement"])].append(code)
    for crs, codes in groups.items():
        geoms = np.array([by_code[c][0] for c in codes], dtype=object)
        projected = reproject(geoms, WGS84, crs)
        centroids = reproject(shapely.centroid(projected), crs, WGS84)
        areas = shapely.area(projected) / 1e6
        bounds = shapely.bounds(geoms)
        townhalls = np.array([by_code[c][1] for c in codes], dtype=object)
        held = townhalls != None  # noqa: E711 (element-wise)
        offside = np.zeros(len(codes), dtype=bool)
        offside[held] = (
            shapely.distance(projected[held], reproject(townhalls[held], WGS84, crs))
            > TOWNHALL_TOLERANCE_M
        )
        for code, geom, centroid, area, bbox, townhall, off in zip(
            codes, geoms, centroids, areas, bounds, townhalls, offside, strict=True
        ):
            if off:
                incomplete["position de mairie hors de la commune (ignorée)"] += 1
            keep = townhall is not None and not off
            index[code].update(
                geom=geom,
                lon=round(centroid.x, 6),
                lat=round(centroid.y, 6),
                bbox=[round(float(v), 6) for v in bbox],
                area_km2=round(float(area), 4),
                townhall_lon=townhall.x if keep else None,
                townhall_lat=townhall.y if keep else None,
            )
    missing = sum(1 for row in rows if row["geom"] is None)
    if missing:
        incomplete["commune sans contour dans la source"] = missing
    return Parsed(rows, skipped, incomplete)


# --- bassins de vie ----------------------------------------------------------------------------


def attach_bassins(communes: Parsed, content: bytes, cog: Cog) -> None:
    """Set each commune's BV2012; arrondissements take their city's, merged communes their parts'.

    Communes re-created after the table's COG keep none and are counted as incomplete.
    """
    bv: dict[str, tuple[str, str]] = {}
    for record in csv_rows(content):
        target = cog.current(record["CODGEO"].strip())
        if target is not None:
            bv.setdefault(target, (record["BV2012"], record["LIBBV2012"]))
    missing = 0
    for row in communes.rows:
        code, name = bv.get(row["insee"]) or bv.get(row["parent_insee"] or "") or (None, None)
        row.update(bv2012=code, bv2012_name=name)
        missing += code is None
    if missing:
        communes.incomplete[
            "commune sans bassin de vie (créée ou rétablie depuis le COG 2022)"
        ] += missing


def attach_bassins_2022(communes: Parsed, content: bytes, cog: Cog) -> None:
    """Set each commune's bassin de vie 2022; arrondissements take their city's."""
    bv: dict[str, str] = {}
    for record in csv_rows(content):
        target = cog.current(record["CODGEO"].strip())
        if target is not None:
            bv.setdefault(target, record["BV2022"])
    for row in communes.rows:
        row["bv2022"] = bv.get(row["insee"]) or bv.get(row["parent_insee"] or "")


# --- map layers -------------------------------------------------------------------------------

# Simplification tolerances (degrees) and coordinate precision, chosen so that the heaviest
# département (Pas-de-Calais) stays under 100 KB gzipped and France under 1.5 MB (bench/).
MAP_LEVELS = {"departement": (0.003, 4), "france": (0.02, 3)}


def map_geometries(communes: list[Row]) -> Parsed:
    """Simplified contours for the map layers, borders kept shared between neighbours.

    Communes only (a city with arrondissements is drawn whole); each département is simplified
    as one coverage, France as another, coarser one.
    """
    drawn = [c for c in communes if c["kind"] == "COM" and c["geom"] is not None]
    rows: list[Row] = []
    by_departement: dict[str, list[Row]] = defaultdict(list)
    for commune in drawn:
        by_departement[commune["departement"]].append(commune)
    for level, groups in (("departement", list(by_departement.values())), ("france", [drawn])):
        tolerance, digits = MAP_LEVELS[level]
        for group in groups:
            geoms = np.array([c["geom"] for c in group], dtype=object)
            simplified = shapely.coverage_simplify(geoms, tolerance)
            simplified = shapely.transform(simplified, lambda xy, d=digits: np.round(xy, d))
            for commune, geom in zip(group, simplified, strict=True):
                geom = geom if geom.is_valid else _as_multipolygon(geom)
                if geom.is_empty:  # a tiny commune simplified away: keep it, less simplified
                    geom = _as_multipolygon(shapely.simplify(commune["geom"], tolerance / 10))
                rows.append(
                    {"level": level, "insee": commune["insee"], "geojson": shapely.to_geojson(geom)}
                )
    return Parsed(rows)


DATASETS = (
    "communes-reference",
    "epci",
    "communes-contours",
    "bassins-de-vie",
    "bassins-de-vie-2022",
)
TABLES = ("commune", "map_geometry")


def parse(build: Build) -> dict[str, Parsed]:
    """Sets ``build.cog`` and ``build.communes``, which later sources read."""
    files = build.files
    build.cog, skipped = parse_cog(files["communes-reference"], files["epci"])
    communes = attach_contours(build.cog, files["communes-contours"])
    communes.skipped.update(skipped)
    attach_bassins(communes, files["bassins-de-vie"], build.cog)
    attach_bassins_2022(communes, files["bassins-de-vie-2022"], build.cog)
    build.communes = communes
    return {"commune": communes, "map_geometry": map_geometries(communes.rows)}
