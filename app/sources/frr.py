"""The France Ruralités Revitalisation list: each commune's classification (art. 44 quindecies A
CGI), from the DGCL's commune table, a manifest pin (``zonage data frr``)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from app.sources.common import Build, Cog, Parsed, SourceFormatError, Table, plain
from app.zones.statuses import FRR

# The table's labels, without accents or case, and the status each means for the exemption
# (app/zones/statuses.py declares them).
STATUSES = {
    "non classee": FRR["non classée"].code,
    "frr socle": FRR["socle"].code,
    "frr+": FRR["plus"].code,
    # former ZRR communes kept by the loi de finances 2025
    "frr beneficiaire": FRR["bénéficiaire"].code,
    "frr beneficiaire partiellement": FRR["partielle"].code,
    "classee frr partiellement": FRR["partielle"].code,
}
CODE_COLUMNS = ("code_insee", "codgeo", "insee", "code_commune")
MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
)
STAMP = re.compile(r"(\d{1,2})(?:er)?\s+(" + "|".join(MONTHS) + r")\s+(\d{4})", re.IGNORECASE)


def _stamp(heading: str) -> date | None:
    """The date a heading gives (« … au 10 juillet 2025 »); None where it gives none, or an
    impossible one."""
    found = STAMP.search(heading)
    if found is None:
        return None
    try:
        return date(int(found[3]), MONTHS.index(found[2].lower()) + 1, int(found[1]))
    except ValueError:
        return None


def read_frr(content: bytes) -> tuple[dict[str, str], date | None, Counter[str]]:
    """The status of each code of the table, the date its classification column gives
    (« Classement FRR et FRR+ au 10 juillet 2025 »), and the rows skipped, by reason."""
    reader = Table(content, "liste FRR", fallback="cp1252")
    columns = {plain(name).replace(" ", "_"): name for name in reader.columns}
    code = next((columns[c] for c in CODE_COLUMNS if c in columns), None)
    status = next((n for p, n in columns.items() if p.startswith("classement")), None)
    if code is None or status is None:
        raise SourceFormatError(
            "liste FRR : colonnes « Code_insee » et « Classement FRR … » attendues, lues : "
            + ", ".join(reader.columns)
        )
    stamped = _stamp(status)
    statuses: dict[str, str] = {}
    skipped: Counter[str] = Counter()
    for record in reader:
        insee = (record[code] or "").strip()
        insee = insee.zfill(5) if insee.isdigit() else insee  # a spreadsheet drops the 0
        label = STATUSES.get(plain(record[status] or ""))
        if label is None:
            skipped[f"classement FRR inconnu : {(record[status] or '').strip() or 'vide'}"] += 1
            continue
        statuses[insee] = label
    return statuses, stamped, skipped


def attach_frr(communes: Parsed, content: bytes, cog: Cog) -> None:
    """Set each commune's FRR status (« absente » when the list does not name it): a commune
    made of communes classed differently is classed « partielle », by address. Arrondissements
    take their city's."""
    statuses, _, skipped = read_frr(content)
    current: dict[str, str] = {}
    for code, status in statuses.items():
        target = cog.current(code)
        if target is None:
            skipped["code de la liste FRR absent du COG 2026, même par les anciens codes"] += 1
            continue
        held = current.setdefault(target, status)
        if held != status:
            current[target] = "partielle"
    for row in communes.rows:
        row["frr"] = current.get(row["insee"]) or current.get(row["parent_insee"] or "", "absente")
    communes.skipped.update({f"{DATASETS[0]} : {k}": n for k, n in skipped.items()})


DATASETS = ("frr-communes",)  # held by the mirror (July 2025), or a newer list pinned
TABLES = ()


def parse(build: Build) -> dict[str, Parsed]:
    """Adds the FRR status to ``build.communes`` when the list is pinned."""
    if DATASETS[0] in build.files:
        attach_frr(build.communes, build.files[DATASETS[0]], build.cog)
    return {}
