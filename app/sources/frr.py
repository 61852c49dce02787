"""The France Ruralités Revitalisation list: each commune's classification (art. 44 quindecies A
CGI), from the DGCL's commune table, a manifest pin (``zonage data frr``)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from datetime import date

from app.sources.common import Build, Cog, Parsed, SourceFormatError
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


def _plain(text: str) -> str:
    """Lower case, no accents, single spaces: how the table's labels are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def read_frr(content: bytes) -> tuple[dict[str, str], date | None, Counter[str]]:
    """The status of each code of the table, the date its classification column gives
    (« Classement FRR et FRR+ au 10 juillet 2025 »), and the rows skipped, by reason."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")
    header = text.split("\n", 1)[0]
    reader = csv.DictReader(
        io.StringIO(text), delimiter=";" if header.count(";") >= header.count(",") else ","
    )
    columns = {_plain(name).replace(" ", "_"): name for name in reader.fieldnames or []}
    code = next((columns[c] for c in CODE_COLUMNS if c in columns), None)
    status = next((n for p, n in columns.items() if p.startswith("classement")), None)
    if code is None or status is None:
        raise SourceFormatError(
            "liste FRR : colonnes « Code_insee » et « Classement FRR … » attendues, lues : "
            + ", ".join(reader.fieldnames or [])
        )
    stamp = STAMP.search(status)
    stamped = (
        date(int(stamp[3]), MONTHS.index(stamp[2].lower()) + 1, int(stamp[1])) if stamp else None
    )
    statuses: dict[str, str] = {}
    skipped: Counter[str] = Counter()
    for record in reader:
        insee = (record[code] or "").strip()
        insee = insee.zfill(5) if insee.isdigit() else insee  # a spreadsheet drops the 0
        label = STATUSES.get(_plain(record[status] or ""))
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
