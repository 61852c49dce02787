"""What every commune's card reads, read from the database once per snapshot: a card is then
built in memory, with no query (seven queries a card cost two thirds of its 8 ms)."""

from __future__ import annotations

import sys
from collections import defaultdict, namedtuple
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from app.zones.models import (
    Accessibility,
    AgeStructure,
    AplHistory,
    Commune,
    Fact,
    PublishedZone,
    TerritoryApl,
)
from app.zones.network import GP

# the commune's columns a card, a place or a zone table reads (not its contour)
COMMUNE_COLUMNS = (
    Commune.insee,
    Commune.name,
    Commune.kind,
    Commune.parent_insee,
    Commune.departement,
    Commune.region,
    Commune.epci_siren,
    Commune.epci_name,
    Commune.postcodes,
    Commune.population,
    Commune.lon,
    Commune.lat,
    Commune.townhall_lon,
    Commune.townhall_lat,
    Commune.bbox,
    Commune.area_km2,
    Commune.tvs,
    Commune.tvs_name,
    Commune.bv2012,
    Commune.bv2012_name,
    Commune.bv2022,
    Commune.frr,
    Commune.zone_rouge,
)
APL_FIGURES = ("value", "value_le65", "value_le62", "population")


class AplRow(NamedTuple):
    """A commune's APL to one profession, as the card reads it."""

    value: float | None
    value_le65: float | None
    value_le62: float | None
    population: int | None


@dataclass(frozen=True)
class CardBook:
    """Every commune's rows by INSEE code: numbers in arrays, a row per commune for the rest
    (≈ 40 MB for France)."""

    communes: dict[str, Row[Any]]
    index: dict[str, int]  # a commune's line in the arrays
    apl: dict[str, np.ndarray]  # by profession: value, ≤ 65, ≤ 62, population (NaN: none)
    gp_origin: dict[str, tuple[str, tuple[str, ...]]]  # the GP APL's derivation and source codes
    history_years: tuple[int, ...]
    history: np.ndarray  # GP APL (all ages) of the years before the DREES files, NaN: none
    published: dict[str, Row[Any]]  # the GP class
    territories: dict[tuple[str, str], dict[str, Row[Any]]]  # by kind and code, profession
    ages: dict[str, list[list[Any]]]  # five-year bands by sex
    facts: dict[tuple[str, str], dict[str, float]]  # by kind and code, then key

    def access(self, insee: str) -> dict[str, AplRow]:
        """The commune's APL rows by profession."""
        return {p: row for p in self.apl if (row := self.apl_of(insee, p)) is not None}

    def apl_of(self, insee: str, profession: str) -> AplRow | None:
        table = self.apl.get(profession)
        if table is None:
            return None
        value, le65, le62, population = (
            None if v != v else v for v in table[self.index[insee]].tolist()
        )
        if value is None and le65 is None and le62 is None and population is None:
            return None
        return AplRow(value, le65, le62, None if population is None else int(population))

    def history_of(self, insee: str) -> list[tuple[int, float]]:
        line = self.history[self.index[insee]]
        return [(y, v) for y, v in zip(self.history_years, line.tolist(), strict=True) if v == v]

    def published_of(self, commune: Row[Any]) -> Row[Any] | None:
        """The commune's published class; an arrondissement's is its city's."""
        row = self.published.get(commune.insee)
        if row is None and commune.parent_insee:
            row = self.published.get(commune.parent_insee)
        return row

    def territories_of(self, commune: Row[Any]) -> dict[tuple[str, str], Row[Any]]:
        """The APL rows of the commune's territories and areas, by kind and profession."""
        return {
            (kind, profession): row
            for kind, code in (
                ("departement", commune.departement),
                ("region", commune.region),
                ("france", "FR"),
                ("bv2012", commune.bv2012),
                ("tvs", commune.tvs),
            )
            for profession, row in self.territories.get((kind, code or ""), {}).items()
        }

    def facts_of(self, commune: Row[Any]) -> dict[tuple[str, str], float]:
        """Facts of the commune, its bassin de vie 2022, its areas and France, by kind and key."""
        return {
            (kind, key): value
            for kind, code in (
                ("commune", commune.insee),
                ("bv2022", commune.bv2022 or ""),
                ("departement", commune.departement),
                ("region", commune.region),
                ("france", "FR"),
            )
            for key, value in self.facts.get((kind, code), {}).items()
        }


def _lean(rows: Any, name: str) -> list[Any]:
    """Rows as named tuples whose equal strings and dates are one object (the drivers give each
    row its own: the book took 126 MB for France, 56 MB so), lists as tuples."""
    shared: dict[Any, Any] = {}

    def one(value: Any) -> Any:
        if isinstance(value, str | date):
            return shared.setdefault(value, value)
        if isinstance(value, list):
            return tuple(one(v) for v in value)
        return value

    kind = None
    out = []
    for row in rows:
        kind = kind or namedtuple(name, row._fields)  # type: ignore[misc]  # the select's columns
        out.append(kind(*(one(v) for v in row)))
    return out


def read_book(session: Session, snapshot_id: int) -> CardBook:
    """Every commune's rows of the snapshot, in one pass per table."""
    communes = {
        r.insee: r
        for r in _lean(
            session.execute(
                select(*COMMUNE_COLUMNS)
                .where(Commune.snapshot_id == snapshot_id)
                .order_by(Commune.insee)
            ),
            "CommuneRow",
        )
    }
    index = {insee: i for i, insee in enumerate(communes)}
    apl: dict[str, np.ndarray] = {}
    gp_origin = {}
    for r in session.execute(
        select(
            Accessibility.insee,
            Accessibility.profession,
            *(getattr(Accessibility, name) for name in APL_FIGURES),
            Accessibility.derivation,
            Accessibility.source_codes,
        ).where(Accessibility.snapshot_id == snapshot_id)
    ):
        i = index.get(r.insee)
        if i is None:
            continue
        table = apl.get(r.profession)
        if table is None:
            table = apl[sys.intern(r.profession)] = np.full((len(index), 4), np.nan)
        table[i] = [np.nan if v is None else v for v in r[2:6]]
        if r.profession == GP:
            gp_origin[r.insee] = (sys.intern(r.derivation), tuple(r.source_codes))
    earlier = session.execute(
        select(AplHistory.insee, AplHistory.year, AplHistory.value).where(
            AplHistory.snapshot_id == snapshot_id
        )
    ).all()
    years = tuple(sorted({r.year for r in earlier}))
    history = np.full((len(index), len(years)), np.nan)
    column = {year: j for j, year in enumerate(years)}
    for insee, year, value in earlier:
        if insee in index:
            history[index[insee], column[year]] = value
    facts: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for kind, code, key, value in session.execute(
        select(Fact.kind, Fact.code, Fact.key, Fact.value).where(Fact.snapshot_id == snapshot_id)
    ):
        facts[(kind, code)][key] = value
    return CardBook(
        communes=communes,
        index=index,
        apl=apl,
        gp_origin=gp_origin,
        history_years=years,
        history=history,
        published={
            r.insee: r
            for r in _lean(
                session.execute(
                    select(
                        PublishedZone.insee,
                        PublishedZone.zone_class,
                        PublishedZone.zrr,
                        PublishedZone.dataset,
                        PublishedZone.decided_on,
                        PublishedZone.authority,
                        PublishedZone.known_on,
                        PublishedZone.since,
                        PublishedZone.previous_class,
                        PublishedZone.previous_decided_on,
                    ).where(
                        PublishedZone.snapshot_id == snapshot_id, PublishedZone.profession == GP
                    )
                ),
                "PublishedRow",
            )
        },
        territories=_by_area(
            _lean(
                session.execute(
                    select(
                        TerritoryApl.kind,
                        TerritoryApl.code,
                        TerritoryApl.profession,
                        TerritoryApl.name,
                        TerritoryApl.value,
                        TerritoryApl.value_le65,
                        TerritoryApl.value_le62,
                        TerritoryApl.population,
                        TerritoryApl.communes,
                    ).where(TerritoryApl.snapshot_id == snapshot_id)
                ),
                "TerritoryRow",
            )
        ),
        ages=dict(
            session.execute(
                select(AgeStructure.insee, AgeStructure.bands).where(
                    AgeStructure.snapshot_id == snapshot_id
                )
            ).all()
        ),
        facts=dict(facts),
    )


def _by_area(rows: Any) -> dict[tuple[str, str], dict[str, Row[Any]]]:
    areas: dict[tuple[str, str], dict[str, Row[Any]]] = defaultdict(dict)
    for r in rows:
        areas[(r.kind, r.code)][r.profession] = r
    return dict(areas)
