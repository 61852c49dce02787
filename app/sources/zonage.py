"""The published GP zonage: the official national table when pinned, else the unofficial copy."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date

from app.sources.common import Build, Cog, Parsed, Row, SourceFormatError, Table, csv_rows
from app.zones.statuses import ZRR


def attach_tvs(communes: Parsed, tvs: dict[str, tuple[str, str]]) -> None:
    """Set each commune's territoire de vie-santé; arrondissements take their city's."""
    for row in communes.rows:
        code, name = tvs.get(row["insee"]) or tvs.get(row["parent_insee"] or "") or (None, None)
        row.update(tvs=code, tvs_name=name)


# --- published zonage ------------------------------------------------------------------------

ZONE_CLASSES = {"1_ZIP": "ZIP", "2_ZAC": "ZAC", "3_HZ": "hors zonage", "4_ZAR": "ZAR"}
# the unofficial copy's last commit (zonage-medecins-zonagemed/SOURCES.md): its classes are
# those of arrêtés made before it, whose dates it does not give
COPY_DATE = date(2025, 6, 9)
NO_HISTORY = {"since": None, "previous_class": None, "previous_decided_on": None}


def _zrr(text: str) -> str | None:
    codes = {part.split(" - ")[0].strip() for part in text.split("|") if part.strip()}
    if not codes:
        return None
    if codes == {"C"}:
        return ZRR["classée"].code
    if codes == {"NC"}:
        return ZRR["non classée"].code
    return ZRR["partiellement classée"].code


def parse_zonage(content: bytes, cog: Cog, dataset: str) -> Parsed:
    """Published GP zone class and ZRR status per current commune."""
    skipped: Counter[str] = Counter()
    rows: dict[str, Row] = {}
    for record in csv_rows(content):
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
            "known_on": COPY_DATE,
            **NO_HISTORY,
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
    reader = Table(content, "table des zonages")
    missing = OFFICIAL_COLUMNS - set(reader.columns)
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


def parse_official_zonage(
    content: bytes, cog: Cog, dataset: str = "zonage-officiel"
) -> tuple[Parsed, dict[str, tuple[str, str]]]:
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
            "dataset": dataset,
            "decided_on": french_date(record["zmed_date_arrete"]),
            "authority": f"ARS {record['com_region'].strip()}",
            "known_on": french_date(record["date_maj"]),
            **NO_HISTORY,
        }
    return Parsed(list(rows.values()), skipped), tvs


def with_history(vintages: list[Parsed]) -> Parsed:
    """The newest vintage's classes (``vintages`` newest first), each with the arrêté since
    which it holds and the class before it, as the older vintages give them."""
    current, *older = vintages
    before = [{row["insee"]: row for row in vintage.rows} for vintage in older]
    for row in current.rows:
        since, previous = row["decided_on"], None
        for vintage in before:
            held = vintage.get(row["insee"])
            if held is None:
                break
            if held["zone_class"] != row["zone_class"]:
                previous = held
                break
            since = held["decided_on"] or since
        row.update(
            since=since,
            previous_class=previous and previous["zone_class"],
            previous_decided_on=previous and previous["decided_on"],
        )
    return Parsed(current.rows, sum((v.skipped for v in vintages[1:]), current.skipped))


def published_zones(official: Parsed | None, unofficial: Parsed) -> Parsed:
    """The official class where the table gives one, the unofficial copy elsewhere (with its
    ZRR status, which the official table does not hold, kept on every commune)."""
    if official is None:
        return unofficial
    zrr = {row["insee"]: row["zrr"] for row in unofficial.rows}
    held = {row["insee"]: {**row, "zrr": zrr.get(row["insee"])} for row in official.rows}
    rows = [*held.values(), *(r for r in unofficial.rows if r["insee"] not in held)]
    return Parsed(rows, official.skipped + unofficial.skipped)


OFFICIAL = "zonage-officiel"  # a pin, in vintages: "zonage-officiel-20260730"…
DATASETS = ("zonage-mg", OFFICIAL)
TABLES = ("published_zone",)


def official_vintages(names: Iterable[str]) -> list[str]:
    """The pinned vintages of the official table among the loaded datasets."""
    return [n for n in names if n == OFFICIAL or n.startswith(OFFICIAL + "-")]


def _updated(vintage: Parsed) -> date:
    """A vintage's day: its latest « date_maj »."""
    return max((r["known_on"] for r in vintage.rows if r["known_on"]), default=date.min)


def parse(build: Build) -> dict[str, Parsed]:
    """Also sets each commune's territoire de vie-santé (the newest official vintage's) when
    the official table is held."""
    official = None
    vintages = [
        parse_official_zonage(build.files[name], build.cog, name)
        for name in official_vintages(build.files)
    ]
    if vintages:
        vintages.sort(key=lambda vintage: _updated(vintage[0]), reverse=True)
        official = with_history([parsed for parsed, _ in vintages])
        attach_tvs(build.communes, vintages[0][1])
    unofficial = parse_zonage(build.files["zonage-mg"], build.cog, "zonage-mg")
    return {"published_zone": published_zones(official, unofficial)}
