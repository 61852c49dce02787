"""Key figures per commune and per bassin de vie 2022, with their territories' totals or means."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from app.sources.common import Build, Cog, Parsed, Row, Table, csv_rows, number

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
    for record in csv_rows(content):
        target = cog.current(record[code_column].strip())
        if target is None:
            skipped["code absent du COG 2026, même par les anciens codes"] += 1
            continue
        weight = number(record.get("population")) or 0.0
        for column in columns:
            value = number(record[column.column])
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
    yield from Table(content, "Statistiques locales", ";", skip=2)


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
            value = None if text.startswith("N/A") else number(text)
            if value is None:
                skipped[f"{column.key} : {text or 'vide'}"] += 1
                continue
            rows.append({"kind": "bv2022", "code": code, "key": column.key, "value": value})
    return Parsed(rows, skipped)


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


DATASETS = (*COMMUNE_FACTS, *BASSIN_FACTS)
TABLES = ("fact",)


def parse(build: Build) -> dict[str, Parsed]:
    return {"fact": parse_facts(build.files, build.cog, build.communes.rows)}
