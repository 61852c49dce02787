"""Offline geocoding on the database's own full-text search; reads through a reader, never
commits, and answers with its own matches (the zones make lookups of them)."""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass, field

import numpy as np
import shapely
from sqlalchemy import TextClause, select, text
from sqlalchemy.orm import Session

from app.geo import WGS84, local_crs, reproject
from app.geocoding.geoplateforme import Geoplateforme, Resting, Unavailable
from app.geocoding.models import Address
from app.geocoding.normalize import normalise, score, tokens
from app.geocoding.schemas import GeocodeMatch, GeocodeResults
from app.zones.data import Reader
from app.zones.models import Commune
from app.zones.search import Gazetteer

CANDIDATES = 60
# distinct words of a query kept: an address is rarely longer ("12 bis rue du général de Gaulle
# 75001 Paris" has 9), and repeated words add nothing but cost
ADDRESS_WORDS = 12
# the score of a commune whose name holds the words a text names another commune by: below it,
# by more than AMBIGUITY
OTHER_NAME = 0.95
# the score of a commune named by the text only once accents are folded, when the text spells
# another one to the letter: below it, by more than AMBIGUITY
UNACCENTED = 0.97
log = logging.getLogger(__name__)

# CROSS JOIN fixes the join order: the full-text match drives, each hit is one rowid lookup. Left
# to the planner, statistics gathered after a second snapshot can make it scan the addresses and
# run the match once per row, which takes minutes.
_SQLITE = (
    "SELECT a.label, a.postcode, a.insee, a.lon, a.lat, a.search FROM address_fts "
    "CROSS JOIN address a ON a.rowid = address_fts.rowid "
    "WHERE address_fts MATCH :match AND a.snapshot_id = :snapshot ",
    "ORDER BY bm25(address_fts) ",
)
_POSTGRES = (
    "SELECT label, postcode, insee, lon, lat, search FROM address "
    "WHERE snapshot_id = :snapshot "
    "AND to_tsvector('simple', search) @@ to_tsquery('simple', :match) ",
    "ORDER BY ts_rank(to_tsvector('simple', search), to_tsquery('simple', :match)) DESC ",
)


@dataclass(frozen=True)
class _FullText:
    """One database's full-text query, ranked or not, and its query syntax."""

    ranked: TextClause
    unranked: TextClause
    prefix: str
    whole: str
    all_of: str
    any_of: str

    @classmethod
    def of(cls, sql: tuple[str, str], *syntax: str) -> _FullText:
        match, rank = sql
        limit = "LIMIT :limit"
        return cls(text(match + rank + limit), text(match + limit), *syntax)


_FULL_TEXT = {
    "sqlite": _FullText.of(_SQLITE, '"{}"*', '"{}"', " AND ", " OR "),
    "postgresql": _FullText.of(_POSTGRES, "{}:*", "{}", " & ", " | "),
}


def _address_rows(session: Session, snapshot_id: int, words: list[str], fuzzy: bool) -> list:
    """Candidates from the full-text index (SQLite FTS5, PostgreSQL tsvector), in index order:
    the word scores that follow rank them.

    Only the words that select are searched: house numbers, and words of three letters or more
    ("d", "de", "la" are in most addresses). The words before the last are whole words and the
    last one, being typed, a prefix: a whole word is a doclist the index can skip through,
    while a prefix merges the doclists of every word it starts (all the words in "cha"); SQLite
    keeps three-letter prefixes ready (migration 0009). No rank from the index: bm25 counts
    every address holding each word ("rue": millions at the national size). When nothing
    matches, every word is tried as a prefix (a word left short), then, when ``fuzzy``, any of
    them ranked by bm25, so that a typo in one word still finds the rest."""
    indexed = [w for w in words if w.isdigit() or len(w) >= 3]  # \w only: no query syntax
    if all(w.isdigit() for w in indexed):
        return []
    full_text = _FULL_TEXT[session.get_bind().dialect.name]

    def term(word: str, prefix: bool) -> str:
        return (full_text.prefix if prefix and not word.isdigit() else full_text.whole).format(word)

    typed = [term(w, i == len(indexed) - 1) for i, w in enumerate(indexed)]
    prefixes = [term(w, True) for w in indexed]
    query = {"snapshot": snapshot_id, "limit": CANDIDATES}
    for terms in dict.fromkeys([tuple(typed), tuple(prefixes)]):
        match = full_text.all_of.join(terms)
        if rows := list(session.execute(full_text.unranked, {**query, "match": match})):
            return rows
    if fuzzy and len(typed) > 1:
        match = full_text.any_of.join(typed)
        return list(session.execute(full_text.ranked, {**query, "match": match}))
    return []


def geocode(
    reader: Reader, query: str, limit: int, online: Geoplateforme | None = None
) -> GeocodeResults:
    """Addresses and communes matching ``query``, best first: from the national geocoder when
    one is configured and answers, else from the offline gazetteer."""
    if online is not None and tokens(query):
        try:
            return GeocodeResults(
                query=query, provider="Géoplateforme", results=online.search(query, limit)
            )
        except Resting:
            pass  # it failed a moment ago: said then, not at every request
        except Unavailable as exc:
            log.warning("géocodeur national indisponible (%s) : repli hors ligne", exc)
    return _offline(reader, query, limit)


def _offline(reader: Reader, query: str, limit: int) -> GeocodeResults:
    """Addresses and communes from the database, best first (communes first on a tie)."""
    words = list(dict.fromkeys(tokens(query)))[:ADDRESS_WORDS]
    if not words:
        return GeocodeResults(query=query, provider="hors ligne", results=[])
    session, data = reader.session, reader.data
    seen: set[str] = set()
    matches: list[tuple[float, int, GeocodeMatch]] = []
    # a query that names a commune ("10 rue de Metz Toulouse", "31555") gets that commune's
    # addresses or, when none of them is held, the commune itself: never a street elsewhere
    named, naming = data.gazetteer.named(query)
    within, naming_words = {p.insee for p in named}, tokens(naming)
    # "Saint-Julien (88)": the département typed rules out the BAN's old names elsewhere
    departement = words[-1].upper()
    narrowed = bool(named) and {p.departement for p in named} == {departement}
    places = list(dict.fromkeys([*named, *data.gazetteer.search(query, 5)]))[:5]
    # a query that names a commune is not a misspelt address: no "any word" fallback for it
    for row in _address_rows(session, data.id, words, fuzzy=not places):
        elsewhere = within and not _in(data.gazetteer, row.insee, within)
        # the BAN may still call a renamed commune by its old name: its own name for the
        # commune, after the postcode, is enough ("… 05190 rousset", now Rousset-Serre-Ponçon)
        renamed = _ban_names(row.search, naming_words) and not (
            narrowed and not row.insee.startswith(departement)
        )
        if row.label in seen or (elsewhere and not renamed):
            continue
        seen.add(row.label)
        value = score(words, row.search.split())
        match = GeocodeMatch(
            label=row.label,
            kind="adresse",
            score=value,
            insee=row.insee,
            commune=getattr(data.gazetteer.get(row.insee), "name", row.insee),
            postcode=row.postcode,
            lon=row.lon,
            lat=row.lat,
        )
        matches.append((value, 1, match))
    if places:
        points = dict(
            (r.insee, r)
            for r in session.execute(
                select(
                    Commune.insee,
                    Commune.townhall_lon,
                    Commune.townhall_lat,
                    Commune.lon,
                    Commune.lat,
                ).where(
                    Commune.snapshot_id == data.id, Commune.insee.in_([p.insee for p in places])
                )
            )
        )
        typed = f" {_spelt(query)} "
        spelt = {p.insee for p in places if f" {_spelt(p.name)} " in typed}
        for place in places:
            point = points[place.insee]
            lon, lat = point.townhall_lon or point.lon, point.townhall_lat or point.lat
            if lon is None:
                continue
            described = f"{place.name} {place.insee} {' '.join(place.postcodes)}"
            value = score(words, normalise(described).split())
            if within and place.insee not in within:
                value *= OTHER_NAME  # "Toulouse" is Toulouse, then Vieille-Toulouse
            if spelt and place.insee not in spelt:
                value *= UNACCENTED  # "Issé" is Issé (44), then Isse (51)
            matches.append(
                (
                    value,
                    0,
                    GeocodeMatch(
                        label=f"{place.name} ({place.departement})",
                        kind="commune",
                        score=value,
                        insee=place.insee,
                        commune=place.name,
                        postcode=place.postcodes[0] if place.postcodes else None,
                        lon=lon,
                        lat=lat,
                    ),
                )
            )
    matches.sort(key=lambda m: (-m[0], m[1]))
    return GeocodeResults(
        query=query,
        provider="hors ligne",
        results=[m for _, _, m in matches[:limit] if m.score > 0],
    )


def _spelt(text: str) -> str:
    """Lower case and single spaces for hyphens and apostrophes, accents kept."""
    return " ".join(re.split(r"[\s\-'’]+", text.casefold()))


def _ban_names(search: str, name: list[str]) -> bool:
    """Whether an address's search text names its commune ``name``: the words after its
    postcode start with it (a lieu-dit may follow)."""
    words = search.split()
    at = next((i for i, w in enumerate(words) if len(w) == 5 and w.isdigit()), len(words))
    return bool(name) and words[at + 1 : at + 1 + len(name)] == name


def _in(gazetteer: Gazetteer, insee: str, communes: set[str]) -> bool:
    """Whether an address's commune is one of ``communes`` or an arrondissement of one."""
    place = gazetteer.get(insee)
    return insee in communes or (place is not None and place.parent in communes)


@dataclass
class CheckReport:
    """How often a typed BAN address resolves to the BAN's own commune."""

    sample: int
    same_commune: int
    misses: list[tuple[str, str, str]]  # query, expected INSEE, returned INSEE or ""
    far: list[tuple[str, str, float]]  # label, returned INSEE, metres outside its contour
    # per département of the addresses: [addresses drawn, found in their commune]
    by_departement: dict[str, list[int]] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.same_commune / self.sample if self.sample else 0.0


FAR_M = 200.0


def _sample(reader: Reader, sample: int, seed: int) -> list[tuple[str, str, str]]:
    """Addresses drawn in the database, none of the others read: each draw seeks the first
    address at or after a random key of the primary index (a commune of the départements held,
    a random street code), so that a national gazetteer of 24 million addresses costs a few
    hundred index seeks, not a scan."""
    session, data = reader.session, reader.data
    held = set(data.sources.address_departements)
    communes = sorted(p.insee for p in data.gazetteer.places if p.departement in held)
    rng = random.Random(seed)
    picked: dict[str, tuple[str, str, str]] = {}
    for _ in range(4 * sample if communes else 0):
        key = f"{rng.choice(communes)}_{rng.randrange(10_000):04d}"
        row = session.execute(
            select(Address.ban_id, Address.label, Address.postcode, Address.insee)
            .where(Address.snapshot_id == data.id, Address.ban_id >= key)
            .order_by(Address.ban_id)
            .limit(1)
        ).first()
        if row is not None:
            picked.setdefault(row.ban_id, (row.label, row.postcode, row.insee))
        if len(picked) == sample:
            break
    return list(picked.values())


def check(reader: Reader, sample: int, seed: int = 2026) -> CheckReport:
    """Type a random sample of BAN addresses as a person would — number, street, commune name,
    no code — and check the commune found and the distance of the point to its contour."""
    data = reader.data
    picked = _sample(reader, sample, seed)
    report = CheckReport(len(picked), 0, [], [])
    for label, postcode, insee in picked:
        typed = label.replace(f" {postcode} ", " ")
        results = _offline(reader, typed, 1).results
        found = results[0] if results else None
        place = data.gazetteer.get(insee)
        counts = report.by_departement.setdefault(place.departement if place else "?", [0, 0])
        counts[0] += 1
        if found is not None and found.insee == insee:
            report.same_commune += 1
            counts[1] += 1
        else:
            report.misses.append((typed, insee, found.insee if found else ""))
        held = data.gazetteer.get(found.insee) if found is not None else None
        if found is not None and held is not None:
            contour = data.locator.geometry(found.insee)
            if contour is not None:
                point, polygon = reproject(
                    np.array([shapely.Point(found.lon, found.lat), contour]),
                    WGS84,
                    local_crs(held.departement),
                )
                distance = float(point.distance(polygon))
                if distance > FAR_M:
                    report.far.append((found.label, found.insee, round(distance)))
    return report
