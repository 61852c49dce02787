"""The 151 EPCI « zones rouges » of the mission de solidarité territoriale (list made official
30/6/2025, no décret nor arrêté): a pinned list of EPCI, by SIREN or by name, in the shape of
``zones-rouges-partial-2025`` (``region;departement;epci_name;epci_siren_if_given``).

A press list names an EPCI without its legal form or accents (« Pays de l'Aigle » for « CC des
Pays de L'Aigle »): a name is matched on its words, within its région and département when the
list gives them. Until every one of the 151 is matched, an EPCI the list does not name is not
known to be outside the mission: its communes stay unknown, never « non ».
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from app.sources.common import Build, Parsed, SourceFormatError, Table, plain

LIST_SIZE = 151
NAME_COLUMNS = ("epci_name", "epci", "nom_epci", "nom")
SIREN_COLUMNS = ("epci_siren", "epci_siren_if_given", "siren")
MAX_ROWS = 2000
# articles and legal forms a press list keeps or drops at will
FORMS = {
    "communaute de communes": "cc",
    "communaute d agglomeration": "ca",
    "communaute urbaine": "cu",
}
ARTICLES = frozenset({"de", "du", "des", "d", "l", "la", "le", "les", "et", "en", "sur", "a"})
LEGAL = frozenset({"cc", "ca", "cu", "metropole"})


@dataclass(frozen=True)
class Listed:
    """One EPCI of the list, as it names it."""

    name: str
    siren: str | None
    region: str | None
    departement: str | None


def words(name: str) -> frozenset[str]:
    """The words that name an EPCI: no accents, articles or plural marks."""
    text = plain(name.replace("œ", "oe").replace("Œ", "oe"))
    text = re.sub(r"[^a-z0-9]+", " ", text)
    for long, short in FORMS.items():
        text = text.replace(long, short)
    return frozenset(
        w[:-1] if len(w) > 3 and w.endswith("s") else w for w in text.split() if w not in ARTICLES
    )


def read_zones_rouges(content: bytes) -> list[Listed]:
    """The list's EPCI; a file without a name or SIREN column, or with none, is refused."""
    reader = Table(content, "liste des zones rouges")
    columns = set(reader.columns)
    name = next((c for c in NAME_COLUMNS if c in columns), None)
    siren = next((c for c in SIREN_COLUMNS if c in columns), None)
    if name is None and siren is None:
        raise SourceFormatError(
            "liste des zones rouges : ni colonne de nom d'EPCI (epci_name) ni de SIREN (epci_siren)"
        )
    listed: list[Listed] = []
    for record in reader:
        if len(listed) >= MAX_ROWS:
            raise SourceFormatError(f"liste des zones rouges : plus de {MAX_ROWS} lignes")
        code = re.sub(r"\s", "", record.get(siren or "") or "")
        label = (record.get(name or "") or "").strip()
        if not code and not label:
            continue
        listed.append(
            Listed(
                label or code,
                code if re.fullmatch(r"\d{9}", code) else None,
                (record.get("region") or "").strip() or None,
                (record.get("departement") or "").strip() or None,
            )
        )
    if not listed:
        raise SourceFormatError("liste des zones rouges : aucun EPCI")
    return listed


@dataclass(frozen=True)
class Epci:
    siren: str
    name: str
    regions: frozenset[str]  # names, plain
    departements: frozenset[str]


def match(listed: list[Listed], epcis: list[Epci]) -> tuple[set[str], list[str]]:
    """The SIREN of the EPCI the list names, and the names it gives that match none (or
    several)."""
    by_siren = {e.siren: e for e in epcis}
    named = [(e, words(e.name)) for e in epcis]
    found: set[str] = set()
    unmatched = []
    for item in listed:
        if item.siren in by_siren:
            found.add(item.siren)
            continue
        wanted = words(item.name)
        region, departement = plain(item.region or ""), plain(item.departement or "")
        near = [
            (e, w)
            for e, w in named
            if (not region or region in e.regions)
            and (not departement or departement in e.departements)
        ]
        same = [e for e, w in near if w == wanted or w - LEGAL == wanted]
        within = same or [e for e, w in near if wanted <= w]
        if len(within) == 1:
            found.add(within[0].siren)
        else:
            unmatched.append(item.name)
    return found, unmatched


DATASETS = ("zones-rouges",)  # a pin: no list is held by default
TABLES = ()


def parse(build: Build) -> dict[str, Parsed]:
    """Sets each commune's ``zone_rouge`` when the list is pinned: True in a listed EPCI, False
    elsewhere only once the whole list is matched; arrondissements take their city's."""
    content = build.files.get(DATASETS[0])
    if content is None:
        return {}
    communes = build.communes
    regions = {r["code"]: plain(r["name"]) for r in build.tables["region"].rows}
    departements = {d["code"]: plain(d["name"]) for d in build.tables["departement"].rows}
    members: defaultdict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
    for row in communes.rows:
        if row["epci_siren"]:
            members[(row["epci_siren"], row["epci_name"] or "")].append(row)
    epcis = [
        Epci(
            siren,
            name,
            frozenset(regions.get(str(r["region"]), "") for r in rows),
            frozenset(departements.get(str(r["departement"]), "") for r in rows),
        )
        for (siren, name), rows in members.items()
    ]
    found, unmatched = match(read_zones_rouges(content), epcis)
    whole = len(found) >= LIST_SIZE
    epci_of = {row["insee"]: row["epci_siren"] for row in communes.rows}
    for row in communes.rows:
        siren = row["epci_siren"] or epci_of.get(row["parent_insee"] or "")
        row["zone_rouge"] = True if siren in found else False if whole else None
    skipped = Counter({f"{DATASETS[0]} : EPCI introuvable ou ambigu : {n}": 1 for n in unmatched})
    communes.skipped.update(skipped)
    return {}
