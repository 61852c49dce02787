"""Parse the manifest's files into rows for the zones tables.

Pure functions of the files' content: no database here. Each returns the rows and, per reason,
how many source records were skipped, so the load summary can say why.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyogrio
import shapely
from shapely.geometry import MultiPolygon, Polygon

from app.geo import WGS84, local_crs, reproject

Row = dict[str, Any]


@dataclass
class Parsed:
    """Rows for one table, skipped source records by reason, and rows loaded with a gap."""

    rows: list[Row]
    skipped: Counter[str] = field(default_factory=Counter)
    incomplete: Counter[str] = field(default_factory=Counter)


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
    columns = reader.fieldnames or []
    # The first APL column is the file's headline indicator; the GP file adds age-bounded ones.
    value_col, *bounded = [c for c in columns if c.startswith("APL")]
    le65_col = next((c for c in bounded if "65 ans" in c), None)
    le62_col = next((c for c in bounded if "62 ans" in c), None)
    std_col = next(c for c in columns if c.startswith("Population standardisée"))
    skipped: Counter[str] = Counter()
    groups: dict[str, list[Row]] = defaultdict(list)
    for record in reader:
        code = record["Code commune"].strip()
        target = cog.current(code)
        if target is None:
            skipped["code APL absent du COG 2026, même par les anciens codes"] += 1
            continue
        groups[target].append(
            {
                "code": code,
                "value": _number(record[value_col]),
                "value_le65": _number(record[le65_col]) if le65_col else None,
                "value_le62": _number(record[le62_col]) if le62_col else None,
                "population": _number(record["Population totale"]),
                "std_population": _number(record[std_col]),
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


TERRITORY_KINDS = ("bv2012", "departement", "region", "france")


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
            "bv2012": commune["bv2012"],
            "departement": commune["departement"],
            "region": commune["region"],
            "france": "FR",
        }
        names[("bv2012", commune["bv2012"])] = commune["bv2012_name"]
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
        }
    return Parsed(list(rows.values()), skipped)


# --- hospitals, RPPS, age --------------------------------------------------------------------


def parse_hospitals(content: bytes) -> Parsed:
    """Hospital sites with coordinates (FINESS numbers restored to 9 characters)."""
    rows, skipped = [], Counter[str]()
    for record in _csv(content):
        lon, lat = _number(record["lon"]), _number(record["lat"])
        if lon is None or lat is None:
            skipped["site sans coordonnées"] += 1
            continue
        rows.append(
            {
                "finess": record["id"].strip().zfill(9),
                "name": record["hospital_name"].strip(),
                "site_name": record["site_name"].strip() or None,
                "category": record["facility_type"].strip() or None,
                "public_private": record["public_private"].strip() or None,
                "postcode": record["postcode"].strip().zfill(5)
                if record["postcode"].strip()
                else None,
                "city": record["city"].strip() or None,
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
    regions, departements = parse_areas(files["departements"], files["regions"])
    accessibility = Parsed([])
    for name, profession in professions.items():
        parsed = parse_apl(files[name], cog, profession)
        accessibility.rows += parsed.rows
        accessibility.skipped.update({f"{name}: {k}": v for k, v in parsed.skipped.items()})
        accessibility.incomplete.update({f"{name}: {k}": v for k, v in parsed.incomplete.items()})
    return {
        "region": Parsed(regions),
        "departement": Parsed(departements),
        "commune": communes,
        "accessibility": accessibility,
        "territory_apl": territory_apl(communes.rows, accessibility.rows),
        "map_geometry": map_geometries(communes.rows),
        "published_zone": parse_zonage(files["zonage-mg"], cog, "zonage-mg"),
        "hospital": parse_hospitals(files["hospitals"]),
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
