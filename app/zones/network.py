"""The snapshot's communes as an E2SFCA network: points, standardised demand, published APL.

Built from the database once per snapshot and kept in memory (``SnapshotData.network``); the
weights come from the pure engine in ``accessibility``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.sources.common import csv_rows
from app.zones.accessibility import (
    Catchment,
    Model,
    correlation,
    crowfly_pairs,
    distancier_pairs,
)
from app.zones.classify import estimate_unit
from app.zones.models import Accessibility, Commune, GpSupply

GP = "medecin_generaliste"  # the latest vintage (APL 2023): card, map, estimate, what-if
GP_2021 = "medecin_generaliste_2021"  # the last vintage with the ≤ 62 variant (ageing share)
GP_2022 = "medecin_generaliste_2022"


@dataclass
class Network:
    """One node per commune (arrondissements instead of their city) that has a point and a
    standardised population in the DREES APL file."""

    codes: list[str]
    index: dict[str, int]
    names: list[str]
    regions: np.ndarray
    units: list[tuple[str, str] | None]  # each commune's estimate unit (TVS, else bassin)
    lon: np.ndarray  # town hall, else centroid
    lat: np.ndarray
    population: np.ndarray  # "Population totale" of the APL file: the territories' weights
    apl: np.ndarray  # all ages (NaN where the file has none)
    apl_le65: np.ndarray
    catchment: Catchment
    model: Model
    departements: np.ndarray
    gps: np.ndarray | None  # national RPPS extract, when loaded (persons split over communes)
    _totals: dict[tuple[str, str], tuple[float, float | None]] = field(
        default_factory=dict, repr=False
    )
    _actes: dict[float, np.ndarray] = field(default_factory=dict, repr=False)

    @cached_property
    def rpps_apl(self) -> np.ndarray | None:
        """The APL recomputed from ``gps``, all ages (the extract has no birth date)."""
        if self.gps is None:
            return None
        return self.catchment.solve(self.model.activity.of_counts(self.gps))

    def mean_rpps_apl(self, where: np.ndarray) -> float | None:
        """Population-weighted mean of the recomputed APL, as the DREES weights territories."""
        weights = self.population[where]
        if self.rpps_apl is None or weights.sum() <= 0:
            return None
        return float(np.average(self.rpps_apl[where], weights=weights))

    def actes_to_reach(self, target: float) -> np.ndarray:
        """Actes per year one installation in each commune needs to lift its APL ≤ 65 to
        ``target`` (see ``Catchment.actes_to_reach_all``); kept per target."""
        actes = self._actes.get(target)
        if actes is None:
            actes = self._actes[target] = self.catchment.actes_to_reach_all(self.apl_le65, target)
        return actes

    def rpps_totals(self, kind: str, code: str) -> tuple[float, float | None]:
        """GPs practising in a département, a région or France (``kind`` "france") and the
        mean of their recomputed APL; kept, as every card of the area asks for them."""
        totals = self._totals.get((kind, code))
        if totals is None:
            assert self.gps is not None
            where = {"departement": self.departements, "region": self.regions}.get(kind)
            area = np.ones(len(self.codes), dtype=bool) if where is None else where == code
            totals = self._totals[(kind, code)] = (
                float(self.gps[area].sum()),
                self.mean_rpps_apl(area),
            )
        return totals


def build_network(session: Session, snapshot_id: int, model: Model) -> Network:
    rows = session.execute(
        select(
            Commune.insee,
            Commune.name,
            Commune.kind,
            Commune.parent_insee,
            Commune.region,
            Commune.departement,
            Commune.tvs,
            Commune.bv2012,
            Commune.lon,
            Commune.lat,
            Commune.townhall_lon,
            Commune.townhall_lat,
            Accessibility.value,
            Accessibility.value_le65,
            Accessibility.population,
            Accessibility.std_population,
        )
        .join(
            Accessibility,
            and_(
                Accessibility.snapshot_id == Commune.snapshot_id,
                Accessibility.insee == Commune.insee,
                Accessibility.profession == GP,
            ),
        )
        .where(Commune.snapshot_id == snapshot_id)
        .order_by(Commune.insee)
    ).all()
    cities = {r.parent_insee for r in rows if r.kind == "ARM"}
    nodes = [
        r
        for r in rows
        if r.insee not in cities and r.lon is not None and r.std_population is not None
    ]
    index = {r.insee: i for i, r in enumerate(nodes)}
    lon = np.array([r.townhall_lon if r.townhall_lon is not None else r.lon for r in nodes])
    lat = np.array([r.townhall_lat if r.townhall_lat is not None else r.lat for r in nodes])
    reach = model.decay.reach_minutes
    if model.travel_times:
        pairs = distancier_pairs(Path(model.travel_times).read_bytes(), index, reach)
    else:
        pairs = crowfly_pairs(lon, lat, model.travel, reach)

    def column(values: list[float | None]) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in values], dtype=float)

    supply = dict(
        session.execute(
            select(GpSupply.insee, GpSupply.gps).where(GpSupply.snapshot_id == snapshot_id)
        ).all()
    )
    return Network(
        codes=[r.insee for r in nodes],
        index=index,
        names=[r.name for r in nodes],
        regions=np.array([r.region for r in nodes]),
        units=[estimate_unit(r.tvs, r.bv2012) for r in nodes],
        lon=lon,
        lat=lat,
        population=column([r.population or 0 for r in nodes]),
        apl=column([r.value for r in nodes]),
        apl_le65=column([r.value_le65 for r in nodes]),
        catchment=Catchment(pairs, column([r.std_population for r in nodes]), model.decay),
        model=model,
        departements=np.array([r.departement for r in nodes]),
        gps=np.array([supply.get(code, 0.0) for code in index]) if supply else None,
    )


@dataclass(frozen=True)
class RegionalCheck:
    """Our APL from a regional list of GPs against the DREES APL of the same year."""

    region: str
    compared: int
    near_unknown: int
    spearman: float
    pearson: float
    mean_ours: float
    mean_drees: float
    method: str


def regional_check(
    session: Session, snapshot_id: int, network: Network, region: str, sites_csv: bytes
) -> RegionalCheck:
    """Solve the APL with the list's GPs and compare, on the région's communes that reach no
    commune of unknown supply within the catchment (outside the list: other régions, and
    communes the list misses), with the DREES APL 2021 without age bound."""
    successor = {
        old: insee
        for insee, olds in session.execute(
            select(Commune.insee, Commune.former_codes).where(Commune.snapshot_id == snapshot_id)
        )
        for old in olds
    }
    gps, listed = parse_practice_sites(
        sites_csv, lambda code: code if code in network.index else successor.get(code)
    )
    supply = np.zeros(len(network.codes))
    for code, count in gps.items():
        if code in network.index:
            supply[network.index[code]] += count
    ours = network.catchment.solve(network.model.activity.of_counts(supply))
    # the list is of 2021: compared with the DREES APL of the same year
    drees_2021 = dict(
        session.execute(
            select(Accessibility.insee, Accessibility.value).where(
                Accessibility.snapshot_id == snapshot_id, Accessibility.profession == GP_2021
            )
        ).all()
    )
    drees = np.array([drees_2021.get(code) for code in network.codes], dtype=float)
    unknown = np.array([code not in listed for code in network.codes], dtype=float)
    near_unknown = (network.catchment.weights @ unknown) > 0
    in_region = (network.regions == region) & ~np.isnan(drees)
    compared = in_region & ~near_unknown
    spearman, pearson = correlation(ours[compared], drees[compared])
    return RegionalCheck(
        region=region,
        compared=int(compared.sum()),
        near_unknown=int((in_region & near_unknown).sum()),
        spearman=spearman,
        pearson=pearson,
        mean_ours=float(ours[compared].mean()),
        mean_drees=float(drees[compared].mean()),
        method=network.model.describe(),
    )


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
    for record in csv_rows(content):
        code = current(record["code_commune"].strip())
        if code is None:
            continue
        listed.add(code)
        sites = float(record["mg_liberal_sites"] or 0)
        multi = float(record["mg_sites_multi_communes"] or 0)
        gps[code] += sites - multi / 2
    return dict(gps), listed
