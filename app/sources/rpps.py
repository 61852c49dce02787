"""Libéral general practitioners per commune of practice, from the national RPPS extract."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from app.sources.common import Build, Cog, Parsed, SourceFormatError, pinned

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


DATASETS = ("rpps-activite",)  # a pin: optional, the table stays empty without it
TABLES = ("gp_supply",)


def parse(build: Build) -> dict[str, Parsed]:
    return pinned(
        build, "rpps-activite", "gp_supply", lambda content: parse_rpps_activity(content, build.cog)
    )
