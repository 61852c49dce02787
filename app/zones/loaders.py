"""Parse the manifest's files into rows for the zones tables.

Pure functions of the files' content: no database here. Each returns the rows and, per reason,
how many source records were skipped, so the load summary can say why.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pyogrio
import shapely
from shapely.geometry import MultiPolygon, Polygon

from app.geo import WGS84, local_crs, reproject
from app.zones.figures import display_name, fold_upper

Row = dict[str, Any]


@dataclass
class Parsed:
    """Rows for one table, skipped source records by reason, and rows loaded with a gap."""

    rows: list[Row]
    skipped: Counter[str] = field(default_factory=Counter)
    incomplete: Counter[str] = field(default_factory=Counter)

    def extend(self, other: Parsed, source: str) -> None:
        """Add another source's rows to this table, its reasons prefixed by its name."""
        self.rows += other.rows
        self.skipped.update({f"{source}: {k}": v for k, v in other.skipped.items()})
        self.incomplete.update({f"{source}: {k}": v for k, v in other.incomplete.items()})


def _csv(content: bytes, delimiter: str = ",") -> Iterable[dict[str, str]]:
    return csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter)


def _number(text: str | None) -> float | None:
    text = (text or "").strip().replace(",", ".")
    return float(text) if text and text.upper() != "NA" else None


# --- COG reference ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cog:
    """The current COG communes, and where each older code went."""

    communes: dict[str, Row]
    successor: dict[str, str]  # former or delegated code -> current commune code

    def current(self, code: str) -> str | None:
        """The current commune a code of any vintage now belongs to."""
        if code in self.communes:
            return code
        return self.successor.get(code)


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


def parse_areas(departements_json: bytes, regions_json: bytes) -> tuple[list[Row], list[Row]]:
    """Région and département rows, without the overseas collectivities (as for communes)."""
    regions = [
        {"code": r["code"], "name": r["nom"]}
        for r in json.loads(regions_json)
        if r["zone"] != "com"
    ]
    departements = [
        {"code": d["code"], "name": d["nom"], "region_code": d["region"]}
        for d in json.loads(departements_json)
        if d["zone"] != "com"
    ]
    return regions, departements


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


# --- APL -------------------------------------------------------------------------------------


def parse_apl(content: bytes, cog: Cog, profession: str) -> Parsed:
    """APL rows on the current COG.

    Communes merged since the APL's COG get the mean of their former communes weighted by
    standardised population (the weighting the zonage method uses for a TVS); Paris, Lyon and
    Marseille get the same mean over their arrondissements.
    """
    reader = _csv(content)
    columns = _apl_columns(reader.fieldnames or [])
    skipped: Counter[str] = Counter()
    groups: dict[str, list[Row]] = defaultdict(list)
    for record in reader:
        code = record[columns["code"]].strip()
        target = cog.current(code)
        if target is None:
            skipped["code APL absent du COG 2026, même par les anciens codes"] += 1
            continue
        groups[target].append(
            {"code": code}
            | {
                field: _number(record[c]) if c else None
                for field, c in columns.items()
                if field != "code"
            }
        )
    for code, row in cog.communes.items():
        parent = row["parent_insee"]
        if row["kind"] == "ARM" and parent and parent not in groups and code in groups:
            groups.setdefault(f"parent:{parent}", []).extend(groups[code])
    rows = []
    for key, records in groups.items():
        target = key.removeprefix("parent:")
        if key.startswith("parent:"):
            derivation = "arrondissements"
        elif len(records) == 1 and records[0]["code"] == target:
            derivation = "source"
        else:
            derivation = "fusion"
        rows.append(
            {
                "insee": target,
                "profession": profession,
                "derivation": derivation,
                "source_codes": sorted(r["code"] for r in records),
                **_weighted(records),
            }
        )
    missing = len(cog.communes) - len(rows)
    incomplete = Counter(
        {"commune sans APL (créée ou rétablie depuis le COG de l'APL)": missing} if missing else {}
    )
    return Parsed(rows, skipped, incomplete)


APL_VALUES = ("value", "value_le65", "value_le62")


def _apl_columns(columns: list[str]) -> dict[str, str | None]:
    """Where a file keeps each field: the DREES workbook's labels (2021 files) or the short
    names of the 2022 and 2023 CSVs (which have no ≤ 62 variant)."""
    if "code_commune" in columns:
        return {
            "code": "code_commune",
            "value": "apl_mg",
            "value_le65": "apl_mg_moins65",
            "value_le62": None,
            "population": "pop_totale",
            "std_population": "pop_standardisee",
        }
    # The first APL column is the file's headline indicator; the GP file adds age-bounded ones.
    value, *bounded = [c for c in columns if c.startswith("APL")]
    return {
        "code": "Code commune",
        "value": value,
        "value_le65": next((c for c in bounded if "65 ans" in c), None),
        "value_le62": next((c for c in bounded if "62 ans" in c), None),
        "population": "Population totale",
        "std_population": next(c for c in columns if c.startswith("Population standardisée")),
    }


HISTORY_YEARS = range(2015, 2020)


def parse_apl_history(content: bytes, cog: Cog) -> Parsed:
    """The GP APL (all ages) of 2015-2019 per current commune, from the DREES series as
    SanteScope compiled it; communes merged since take the mean of their parts weighted by
    population (``parse_commune_facts``, one figure a year)."""
    yearly = [FactColumn(str(year), f"apl_mg_{year}") for year in HISTORY_YEARS]
    facts = parse_commune_facts(content, cog, yearly)
    rows = [{"insee": r["code"], "year": int(r["key"]), "value": r["value"]} for r in facts.rows]
    return Parsed(rows, facts.skipped)


def _weighted(records: list[Row]) -> Row:
    """Sum populations; average each indicator weighted by standardised population."""
    if len(records) == 1:
        only = dict(records[0])
        only.pop("code")
        only["population"] = None if only["population"] is None else round(only["population"])
        return only
    weights = [r["std_population"] or 0.0 for r in records]
    total_weight = sum(weights)
    out: Row = {
        "population": round(sum(r["population"] or 0 for r in records)),
        "std_population": round(total_weight, 3),
    }
    for name in APL_VALUES:
        out[name] = _mean(records, weights, name)
    return out


def _mean(records: list[Row], weights: list[float], name: str) -> float | None:
    """Weighted mean of ``name`` over the records that have it (3 decimals, as the APL file)."""
    pairs = [(r[name], w) for r, w in zip(records, weights, strict=True) if r[name] is not None]
    weight = sum(w for _, w in pairs)
    return round(sum(v * w for v, w in pairs) / weight, 3) if weight else None


# --- bassins de vie ----------------------------------------------------------------------------


def attach_bassins(communes: Parsed, content: bytes, cog: Cog) -> None:
    """Set each commune's BV2012; arrondissements take their city's, merged communes their parts'.

    Communes re-created after the table's COG keep none and are counted as incomplete.
    """
    bv: dict[str, tuple[str, str]] = {}
    for record in _csv(content):
        target = cog.current(record["CODGEO"].strip())
        if target is not None:
            bv.setdefault(target, (record["BV2012"], record["LIBBV2012"]))
    missing = 0
    for row in communes.rows:
        code, name = bv.get(row["insee"]) or bv.get(row["parent_insee"] or "", (None, None))
        row.update(bv2012=code, bv2012_name=name)
        missing += code is None
    if missing:
        communes.incomplete[
            "commune sans bassin de vie (créée ou rétablie depuis le COG 2022)"
        ] += missing


def attach_tvs(communes: Parsed, tvs: dict[str, tuple[str, str]]) -> None:
    """Set each commune's territoire de vie-santé; arrondissements take their city's."""
    for row in communes.rows:
        code, name = tvs.get(row["insee"]) or tvs.get(row["parent_insee"] or "", (None, None))
        row.update(tvs=code, tvs_name=name)


TERRITORY_KINDS = ("tvs", "bv2012", "departement", "region", "france")


def territory_apl(communes: list[Row], apl: list[Row]) -> Parsed:
    """APL of each bassin de vie, département, région and France, for every profession: the
    mean of its communes' APL weighted by population (arrondissements aside, their city stands
    for them)."""
    cities = {c["insee"]: c for c in communes if c["kind"] == "COM"}
    members: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    names: dict[tuple[str, str], str] = {}
    for record in apl:
        commune = cities.get(record["insee"])
        if commune is None:
            continue
        units = {
            "tvs": commune.get("tvs"),
            "bv2012": commune["bv2012"],
            "departement": commune["departement"],
            "region": commune["region"],
            "france": "FR",
        }
        names[("bv2012", commune["bv2012"])] = commune["bv2012_name"]
        names[("tvs", commune.get("tvs"))] = commune.get("tvs_name")
        for kind, code in units.items():
            if code:
                members[(kind, code, record["profession"])].append(record)
    rows = []
    for (kind, code, profession), records in members.items():
        weights = [r["population"] or 0 for r in records]
        rows.append(
            {
                "kind": kind,
                "code": code,
                "profession": profession,
                "name": names.get((kind, code), code),
                "population": sum(weights),
                "communes": len(records),
                **{name: _mean(records, weights, name) for name in APL_VALUES},
            }
        )
    return Parsed(rows)


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


# --- published zonage ------------------------------------------------------------------------

ZONE_CLASSES = {"1_ZIP": "ZIP", "2_ZAC": "ZAC", "3_HZ": "hors zonage", "4_ZAR": "ZAR"}


def _zrr(text: str) -> str | None:
    codes = {part.split(" - ")[0].strip() for part in text.split("|") if part.strip()}
    if not codes:
        return None
    if codes == {"C"}:
        return "classée"
    if codes == {"NC"}:
        return "non classée"
    return "partiellement classée"


def parse_zonage(content: bytes, cog: Cog, dataset: str) -> Parsed:
    """Published GP zone class and ZRR status per current commune."""
    skipped: Counter[str] = Counter()
    rows: dict[str, Row] = {}
    for record in _csv(content):
        target = cog.current(record["code_insee"].strip())
        if target is None:
            skipped["code du zonage absent du COG 2026, même par les anciens codes"] += 1
            continue
        zone = ZONE_CLASSES.get(record["zonage"].strip())
        if zone is None:
            skipped["classe de zonage non disponible dans la source"] += 1
            continue
        if target in rows and rows[target]["zone_class"] != zone:
            skipped["commune fusionnée aux classes contradictoires (première gardée)"] += 1
            continue
        rows[target] = {
            "insee": target,
            "profession": "medecin_generaliste",
            "zone_class": zone,
            "zrr": _zrr(record["zrr"]),
            "dataset": dataset,
            "decided_on": None,  # the unofficial copy does not date the arrêtés
            "authority": None,
        }
    return Parsed(list(rows.values()), skipped)


OFFICIAL_COLUMNS = frozenset(
    {
        "niveau",
        "code",
        "com_code",
        "com_region",
        "tvs_code",
        "tvs_lib",
        "zmed_niveau",
        "zmed_date_arrete",
        "date_maj",
    }
)
# The table's GP levels keep the authority's numbering ("1_ZIP", "5b_Non_prioritaire"): read by
# their label, the number dropped.
OFFICIAL_LEVELS = {
    "zip": "ZIP",
    "zac": "ZAC",
    "zar": "ZAR",
    "hz": "hors zonage",
    "hors_zonage": "hors zonage",
    "non_prioritaire": "hors zonage",
}


def official_level(level: str) -> str | None:
    """Our zone class of a level of the official table (``None``: not one we know)."""
    label = re.sub(r"^\d+[a-z]?_", "", level.strip()).lower()
    return OFFICIAL_LEVELS.get(label)


def official_rows(content: bytes) -> Iterator[dict[str, str]]:
    """The official table's rows (comma- or semicolon-separated), its columns checked."""
    text = content.decode("utf-8-sig")
    header = text.split("\n", 1)[0]
    reader = csv.DictReader(
        io.StringIO(text), delimiter=";" if header.count(";") > header.count(",") else ","
    )
    missing = OFFICIAL_COLUMNS - set(reader.fieldnames or [])
    if missing:
        raise SourceFormatError(
            f"table des zonages : colonnes absentes {', '.join(sorted(missing))}"
        )
    yield from reader


def french_date(text: str) -> date | None:
    day, month, year = (text.strip().split("/") + ["", "", ""])[:3]
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_official_zonage(content: bytes, cog: Cog) -> tuple[Parsed, dict[str, tuple[str, str]]]:
    """The GP class with the date and région of its arrêté per current commune, and each
    commune's territoire de vie-santé, from the national table « Zonages des professionnels de
    santé libéraux »."""
    skipped: Counter[str] = Counter()
    rows: dict[str, Row] = {}
    tvs: dict[str, tuple[str, str]] = {}
    for record in official_rows(content):
        if record["niveau"].strip() not in ("COM", "ARM"):
            continue
        target = cog.current(record["code"].strip())
        if target is None:
            skipped["code de la table absent du COG 2026, même par les anciens codes"] += 1
            continue
        if record["tvs_code"].strip() not in ("", "NC"):
            tvs[target] = (record["tvs_code"].strip(), record["tvs_lib"].strip())
        level = record["zmed_niveau"].strip()
        zone = official_level(level)
        if zone is None:
            skipped[f"niveau de zonage sans classe de médecin généraliste : {level or 'vide'}"] += 1
            continue
        rows[target] = {
            "insee": target,
            "profession": "medecin_generaliste",
            "zone_class": zone,
            "zrr": None,
            "dataset": "zonage-officiel",
            "decided_on": french_date(record["zmed_date_arrete"]),
            "authority": f"ARS {record['com_region'].strip()}",
        }
    return Parsed(list(rows.values()), skipped), tvs


def published_zones(official: Parsed | None, unofficial: Parsed) -> Parsed:
    """The official class where the table gives one, the unofficial copy elsewhere (with its
    ZRR status, which the official table does not hold, kept on every commune)."""
    if official is None:
        return unofficial
    zrr = {row["insee"]: row["zrr"] for row in unofficial.rows}
    held = {row["insee"]: {**row, "zrr": zrr.get(row["insee"])} for row in official.rows}
    rows = [*held.values(), *(r for r in unofficial.rows if r["insee"] not in held)]
    return Parsed(rows, official.skipped + unofficial.skipped)


# --- key figures: per commune and per bassin de vie 2022 ---------------------------------------


@dataclass(frozen=True)
class FactColumn:
    """A column of a source that becomes a key figure: ``sum`` for counts (territories add
    them up), ``any`` for a presence (territories count the communes that have it), ``mean``
    for rates and times (territories weigh them by population)."""

    key: str
    column: str
    aggregate: str = "mean"


def parse_commune_facts(
    content: bytes, cog: Cog, columns: Iterable[FactColumn], code_column: str = "code_commune"
) -> Parsed:
    """Key figures per current commune; merged communes add their parts' counts and weigh
    their rates by population."""
    columns = list(columns)
    parts: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    skipped: Counter[str] = Counter()
    for record in _csv(content):
        target = cog.current(record[code_column].strip())
        if target is None:
            skipped["code absent du COG 2026, même par les anciens codes"] += 1
            continue
        weight = _number(record.get("population")) or 0.0
        for column in columns:
            value = _number(record[column.column])
            if value is not None:
                parts[target, column.key].append((value, weight))
    aggregate = {c.key: c.aggregate for c in columns}
    rows = [
        {"kind": "commune", "code": insee, "key": key, "value": _combine(values, aggregate[key])}
        for (insee, key), values in parts.items()
    ]
    return Parsed(rows, skipped)


def _combine(values: list[tuple[float, float]], aggregate: str = "mean") -> float:
    """Several (value, population) parts as one: their sum, whether any is set, or their
    population-weighted mean (their plain mean when no population is known)."""
    if aggregate == "sum":
        return round(sum(v for v, _ in values), 3)
    if aggregate == "any":
        return max(v for v, _ in values)
    total = sum(w for _, w in values)
    if not total:
        return round(sum(v for v, _ in values) / len(values), 3)
    return round(sum(v * w for v, w in values) / total, 3)


def _statistiques_locales(content: bytes) -> Iterator[dict[str, str]]:
    """Rows of a CartoSanté or INSEE « Statistiques locales » export: two title lines, then a
    semicolon-separated table."""
    lines = content.decode("utf-8-sig").splitlines()
    yield from csv.DictReader(io.StringIO("\n".join(lines[2:])), delimiter=";")


def parse_bassin_facts(content: bytes, columns: Iterable[FactColumn]) -> Parsed:
    """Key figures per bassin de vie 2022; "N/A" values (statistical secrecy, not available)
    are left out and counted."""
    rows, skipped = [], Counter[str]()
    for record in _statistiques_locales(content):
        code = (record.get("Code") or "").strip()
        if not code:
            continue
        for column in columns:
            text = (record.get(column.column) or "").strip()
            value = None if text.startswith("N/A") else _number(text)
            if value is None:
                skipped[f"{column.key} : {text or 'vide'}"] += 1
                continue
            rows.append({"kind": "bv2022", "code": code, "key": column.key, "value": value})
    return Parsed(rows, skipped)


def attach_bassins_2022(communes: Parsed, content: bytes, cog: Cog) -> None:
    """Set each commune's bassin de vie 2022; arrondissements take their city's."""
    bv: dict[str, str] = {}
    for record in _csv(content):
        target = cog.current(record["CODGEO"].strip())
        if target is not None:
            bv.setdefault(target, record["BV2022"])
    for row in communes.rows:
        row["bv2022"] = bv.get(row["insee"]) or bv.get(row["parent_insee"] or "")


def territory_facts(
    communes: list[Row], facts: list[Row], aggregates: Mapping[str, str]
) -> list[Row]:
    """Each figure for every département, région and France: the sum of the communes' counts,
    the population-weighted mean of their rates (a bassin's rate standing for each of its
    communes); arrondissements aside, their city stands for them."""
    by_commune = {(f["code"], f["key"]): f["value"] for f in facts if f["kind"] == "commune"}
    by_bassin = {(f["code"], f["key"]): f["value"] for f in facts if f["kind"] == "bv2022"}
    sums: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for commune in communes:
        if commune["kind"] != "COM":
            continue
        weight = float(commune["population"] or 0)
        for key, aggregate in aggregates.items():
            value = by_commune.get((commune["insee"], key))
            if value is None:
                value = by_bassin.get((commune.get("bv2022"), key))
            if value is None:
                continue
            for kind, code in (
                ("departement", commune["departement"]),
                ("region", commune["region"]),
                ("france", "FR"),
            ):
                total = sums[kind, code, key]
                total[0] += value if aggregate in ADDED else value * weight
                total[1] += weight
    return [
        {
            "kind": kind,
            "code": code,
            "key": key,
            "value": round(total if aggregates[key] in ADDED else total / weight, 3),
        }
        for (kind, code, key), (total, weight) in sums.items()
        if aggregates[key] in ADDED or weight
    ]


ADDED = ("sum", "any")  # aggregates that territories add up
COMMUNE_FACTS = {
    "rpps-communes-2026": [FactColumn("gp_rpps", "nb_medecins_generalistes_rpps", "sum")],
    "msp-finess-2026": [FactColumn("msp_count", "msp_presente", "any")],
    "urgences-drees-2019": [FactColumn("emergency_minutes", "temps_acces_urgences_min")],
}
BASSIN_FACTS = {
    "cartosante-bv-2024": [
        FactColumn("ald_share", "Part des bénéf. en ALD dans la pop 2024"),
        FactColumn("gp_density_liberal", "Densité de généralistes lib. 2024"),
    ],
    "insee-social-bv-2022": [
        FactColumn("poverty_rate", "Taux de pauvreté 2021"),
        FactColumn("median_income", "Médiane du niveau de vie 2021"),
    ],
}


def parse_facts(files: Mapping[str, bytes], cog: Cog, communes: list[Row]) -> Parsed:
    """Every key figure of the sources held, with its territories' totals or means."""
    facts = Parsed([])
    for name, columns in COMMUNE_FACTS.items():
        if name in files:
            facts.extend(parse_commune_facts(files[name], cog, columns), name)
    for name, columns in BASSIN_FACTS.items():
        if name in files:
            facts.extend(parse_bassin_facts(files[name], columns), name)
    aggregates = {
        c.key: c.aggregate
        for columns in (*COMMUNE_FACTS.values(), *BASSIN_FACTS.values())
        for c in columns
    }
    facts.rows += territory_facts(communes, facts.rows, aggregates)
    return facts


# --- hospitals, RPPS, age --------------------------------------------------------------------


def parse_hospitals(content: bytes, cog: Cog) -> Parsed:
    """Hospital sites with coordinates (FINESS numbers restored to 9 characters), their upper-
    case names written in normal case with the accents of the communes they name."""
    places = {
        fold_upper(row["name"]).replace(" ", "-"): row["name"]
        for row in cog.communes.values()
        if len(row["name"]) >= 3
    }
    rows, skipped = [], Counter[str]()
    for record in _csv(content):
        lon, lat = _number(record["lon"]), _number(record["lat"])
        if lon is None or lat is None:
            skipped["site sans coordonnées"] += 1
            continue
        rows.append(
            {
                "finess": record["id"].strip().zfill(9),
                "name": display_name(record["hospital_name"].strip(), places),
                "site_name": display_name(record["site_name"].strip(), places) or None,
                "category": record["facility_type"].strip() or None,
                "public_private": record["public_private"].strip() or None,
                "postcode": record["postcode"].strip().zfill(5)
                if record["postcode"].strip()
                else None,
                "city": display_name(record["city"].strip(), places) or None,
                "lon": lon,
                "lat": lat,
                "geom": shapely.Point(lon, lat),
            }
        )
    return Parsed(rows, skipped)


def parse_rpps(departements_csv: bytes, france_csv: bytes) -> Parsed:
    """Doctor counts by département (``97`` = all DROM, as in the source) and for France."""
    rows, skipped = [], Counter[str]()
    for record in _csv(departements_csv):
        if record["dpt"] == "00":
            skipped["lieu d'exercice sans département (00)"] += 1
            continue
        rows.append(
            {
                "area": record["dpt"],
                "specialty_code": record["code_savoir_faire"],
                "specialty_label": record["libelle_savoir_faire"],
                "count": int(record["eff"]),
            }
        )
    for record in _csv(france_csv):
        code, _, label = record["specialite"].partition(" - ")
        rows.append(
            {
                "area": "FR",
                "specialty_code": code.strip(),
                "specialty_label": label.strip(),
                "count": int(record["eff"]),
            }
        )
    return Parsed(rows, skipped)


def parse_age(content: bytes, cog: Cog, year: int = 2021) -> Parsed:
    """Population by sex and five-year band; the source covers communes of ≥ 3,300 people."""
    reader = _csv(content, delimiter=";")
    columns = reader.fieldnames or []
    band_cols = [c for c in columns if c.split("_")[0] in ("Homme", "Hommes", "Femmes")]
    rows, skipped = [], Counter[str]()
    for record in reader:
        target = cog.current(record["Code"].strip())
        if target is None or target != record["Code"].strip():
            skipped["code absent du COG 2026 (ou fusionné)"] += 1
            continue
        bands = []
        for men_col, women_col in zip(band_cols[::2], band_cols[1::2], strict=True):
            low, high = men_col.split("_")[1:3]
            # the source misspells the 70-74 men column as "Hommes_70_47"
            label = f"{low}+" if high == "plus" else f"{low}-{int(low) + 4}"
            bands.append(
                [label, int(_number(record[men_col]) or 0), int(_number(record[women_col]) or 0)]
            )
        rows.append(
            {
                "insee": target,
                "year": year,
                "bands": bands,
                "population": int(_number(record["Population municipale 2021.x"]) or 0),
            }
        )
    return Parsed(rows, skipped)


# --- FINESS+ structures ---------------------------------------------------------------------

# FINESS "catégorie d'établissement" codes of coordinated primary care
CARE_CATEGORIES = {"603": "MSP", "124": "CDS", "604": "CPTS"}


def _coded(item: Mapping[str, Any], *keys: str) -> str | None:
    """The ``code`` of the first key present (the feed's sample and schema spell some keys
    differently)."""
    for key in keys:
        value = item.get(key)
        if isinstance(value, Mapping) and value.get("code"):
            return str(value["code"])
    return None


def parse_finess_structures(content: bytes, cog: Cog, today: str) -> Parsed:
    """Open maisons de santé, centres de santé and CPTS of the FINESS+ « Structures » feed.

    One row per entité géographique (EGE) of category 603, 124 or 604, at its first address
    with WGS 84 coordinates; ``today`` (ISO date) decides which are closed.
    """
    rows, skipped = [], Counter[str]()
    for legal in json.loads(content).get("pmej", []):
        for site in legal.get("ege", []):
            general = (
                site.get("informationsGeneralesEGE") or site.get("informationsGeneralesEge") or {}
            )
            category = CARE_CATEGORIES.get(
                _coded(
                    site,
                    "categorieEntiteGeographiqueExercice",
                    "categorieentiteGeographiqueExercice",
                )
                or ""
            )
            if category is None:
                continue
            closed = general.get("dateFermeture")
            if closed and closed[:10] <= today:
                skipped["structure fermée"] += 1
                continue
            address = next(iter(site.get("adresse") or legal.get("adresse") or []), {})
            position = address.get("coordonneesGeographique") or {}
            lon, lat = (
                _number(position.get("directionLongitude")),
                _number(position.get("directionLatitude")),
            )
            insee = cog.current(str(address.get("cogCommune", "")))
            if insee is None or lon is None or lat is None:
                skipped["structure sans commune ou sans coordonnées"] += 1
                continue
            rows.append(
                {
                    "finess": general.get("numFinessEge"),
                    "name": general.get("nomEgeLong") or general.get("nomEge") or "",
                    "category": category,
                    "insee": insee,
                    "lon": lon,
                    "lat": lat,
                }
            )
    return Parsed(rows, skipped)


# --- national RPPS extract (ANS, open access) -------------------------------------------------

RPPS_COLUMNS = {
    "person": "Identifiant PP",
    "profession": "Code profession",
    "skill": "Code savoir-faire",
    "mode": "Code mode exercice",
    "sector": "Libellé secteur d'activité",
    "postcode": "Code postal (coord. structure)",
    "commune": "Code commune (coord. structure)",
}
RPPS_DOCTOR = "10"
# Spécialiste en médecine générale, qualifié en médecine générale, médecine générale
RPPS_GP_SKILLS = frozenset({"SM53", "SM26", "SM54"})


class SourceFormatError(ValueError):
    """A file does not have the columns its documented format promises."""


def rpps_lines(lines: Iterable[bytes]) -> Iterator[list[str]]:
    """The header, then the general practitioners' rows of a ``PS_LibreAcces_Personne_activite``
    file (pipe-separated, one row per person × activity, a trailing ``|``); the other ≈ 2
    million rows are dropped before they are decoded."""
    lines = iter(lines)
    header = _rpps_fields(next(lines, b""))
    missing = [c for c in RPPS_COLUMNS.values() if c not in header]
    if missing:
        raise SourceFormatError(
            f"extraction RPPS : colonnes absentes {missing} (format PS_LibreAcces attendu)"
        )
    yield header
    profession = header.index(RPPS_COLUMNS["profession"])
    skill = header.index(RPPS_COLUMNS["skill"])
    marker = f"|{RPPS_DOCTOR}|".encode()
    for line in lines:
        if marker not in line:
            continue
        fields = _rpps_fields(line)
        if fields[profession] == RPPS_DOCTOR and fields[skill] in RPPS_GP_SKILLS:
            yield fields


def _rpps_fields(line: bytes) -> list[str]:
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError:  # older extractions were Windows-1252
        text = line.decode("cp1252")
    return text.rstrip("\r\n").split("|")


def parse_rpps_activity(content: bytes, cog: Cog) -> Parsed:
    """Libéral general practitioners per commune of practice, from the national RPPS extract.

    The supply the DREES APL counts (rules.md §4.3): médecins with a general-practice
    savoir-faire, in libéral practice (cabinets secondaires included) or salaried in a centre
    de santé; hospital practice is excluded. A person practising in k communes counts 1/k in
    each, so that every person counts once. Paris, Lyon and Marseille are placed in their
    arrondissement by postcode.
    """
    rows = rpps_lines(content.splitlines())
    header = next(rows)
    at = {key: header.index(column) for key, column in RPPS_COLUMNS.items()}
    arrondissements = {
        (row["parent_insee"], postcode): code
        for code, row in cog.communes.items()
        if row["kind"] == "ARM"
        for postcode in row["postcodes"]
    }
    cities = {city for city, _ in arrondissements}
    places: dict[str, set[str]] = defaultdict(set)
    skipped: Counter[str] = Counter()
    for fields in rows:
        mode, sector = fields[at["mode"]], fields[at["sector"]].lower()
        if mode != "L" and not (mode == "S" and sector.startswith("centre de sant")):
            continue
        code = fields[at["commune"]].strip()
        insee = cog.current(code) if code else None
        if insee in cities:
            insee = arrondissements.get((insee, fields[at["postcode"]].strip()))
        if insee is None:
            skipped["activité sans commune d'exercice reconnue"] += 1
            continue
        places[fields[at["person"]]].add(insee)
    gps: dict[str, float] = defaultdict(float)
    persons: Counter[str] = Counter()
    for communes in places.values():
        for insee in communes:
            gps[insee] += 1 / len(communes)
            persons[insee] += 1
    return Parsed(
        [{"insee": c, "gps": round(gps[c], 6), "persons": persons[c]} for c in sorted(gps)],
        skipped,
    )


# --- everything ------------------------------------------------------------------------------


def parse_all(
    files: Mapping[str, bytes], professions: Mapping[str, str], today: str
) -> dict[str, Parsed]:
    """Rows for every zones table from the manifest's files, keyed by table name.

    ``professions`` maps each APL dataset name to its profession code; optional files that
    were not provided leave their table empty.
    """
    cog, cog_skipped = parse_cog(files["communes-reference"], files["epci"])
    communes = attach_contours(cog, files["communes-contours"])
    communes.skipped.update(cog_skipped)
    attach_bassins(communes, files["bassins-de-vie"], cog)
    attach_bassins_2022(communes, files["bassins-de-vie-2022"], cog)
    official = None
    if "zonage-officiel" in files:
        official, tvs = parse_official_zonage(files["zonage-officiel"], cog)
        attach_tvs(communes, tvs)
    regions, departements = parse_areas(files["departements"], files["regions"])
    accessibility = Parsed([])
    for name, profession in professions.items():
        accessibility.extend(parse_apl(files[name], cog, profession), name)
    return {
        "region": Parsed(regions),
        "departement": Parsed(departements),
        "commune": communes,
        "accessibility": accessibility,
        "territory_apl": territory_apl(communes.rows, accessibility.rows),
        "map_geometry": map_geometries(communes.rows),
        "apl_history": parse_apl_history(files["apl-mg-historique"], cog),
        "fact": parse_facts(files, cog, communes.rows),
        "published_zone": published_zones(
            official, parse_zonage(files["zonage-mg"], cog, "zonage-mg")
        ),
        "hospital": parse_hospitals(files["hospitals"], cog),
        "doctor_count": parse_rpps(files["rpps-departements"], files["rpps-france"]),
        "age_structure": parse_age(files["population-age"], cog),
        "care_structure": (
            parse_finess_structures(files["finess-structures"], cog, today)
            if "finess-structures" in files
            else Parsed([])
        ),
        "gp_supply": (
            parse_rpps_activity(files["rpps-activite"], cog)
            if "rpps-activite" in files
            else Parsed([])
        ),
    }


# --- libéral GP practice sites (check input) ---------------------------------------------------


def parse_practice_sites(
    content: bytes, current: Callable[[str], str | None]
) -> tuple[dict[str, float], set[str]]:
    """GPs per current commune from the ARS Normandie list, and the communes it covers.

    A row is one GP × one commune of practice; a GP practising in several communes appears in
    each. The list flags 421 such rows for about 209 GPs (2,938 rows, 2,726 persons): each
    multi-site row counts for half a GP, so that every person counts once.
    """
    gps: dict[str, float] = defaultdict(float)
    listed: set[str] = set()
    for record in _csv(content):
        code = current(record["code_commune"].strip())
        if code is None:
            continue
        listed.add(code)
        sites = float(record["mg_liberal_sites"] or 0)
        multi = float(record["mg_sites_multi_communes"] or 0)
        gps[code] += sites - multi / 2
    return dict(gps), listed
