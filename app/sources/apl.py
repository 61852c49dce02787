"""The DREES APL of each profession and vintage, the GP series 2015-2019, territories' means."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from app.sources.common import Build, Cog, Parsed, Row, csv_rows, number
from app.sources.facts import FactColumn, parse_commune_facts

# --- APL -------------------------------------------------------------------------------------


def parse_apl(content: bytes, cog: Cog, profession: str) -> Parsed:
    """APL rows on the current COG.

    Communes merged since the APL's COG get the mean of their former communes weighted by
    standardised population (the weighting the zonage method uses for a TVS); Paris, Lyon and
    Marseille get the same mean over their arrondissements.
    """
    reader = csv_rows(content)
    columns = _apl_columns(reader.columns)
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
                field: number(record[c]) if c else None
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


def _apl_columns(columns: Sequence[str]) -> dict[str, str | None]:
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
        if commune.get("tvs"):
            names[("tvs", commune["tvs"])] = commune["tvs_name"]
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


HISTORY = "apl-mg-historique"
# the APL files of the manifest (each with its profession code there), then the GP series
DATASETS = (
    "apl-mg",
    "apl-mg-2022",
    "apl-mg-2021",
    "apl-inf",
    "apl-mk",
    "apl-sf",
    "apl-cd",
    HISTORY,
)
TABLES = ("accessibility", "territory_apl", "apl_history")


def parse(build: Build) -> dict[str, Parsed]:
    """Reads the communes' territoires (TVS, bassin de vie): after ``communes`` and ``zonage``."""
    accessibility = Parsed([])
    for name, profession in build.professions.items():
        accessibility.extend(parse_apl(build.files[name], build.cog, profession), name)
    return {
        "accessibility": accessibility,
        "territory_apl": territory_apl(build.communes.rows, accessibility.rows),
        "apl_history": parse_apl_history(build.files[HISTORY], build.cog),
    }
