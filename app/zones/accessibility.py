"""APL by E2SFCA: travel times, catchment weights, the solve, the installation what-if.

Pure: numpy and scipy only. The catchment (who reaches whom, with which weight) is built once
per data snapshot; solving for a supply vector is then two sparse products, and an installation
changes every APL by ``w_ij · ΔS / D_j`` (rules.md §4.3: the demand side does not depend on the
supply), so a what-if reads one column of the weights.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sparse
from scipy.spatial import cKDTree
from scipy.stats import pearsonr, spearmanr

from app.zones.figures import EARTH_RADIUS_KM


@dataclass(frozen=True)
class Decay:
    """Step weights by travel time: ``(upper bound in minutes, weight)``, ascending.

    A time equal to a bound takes that band's weight (as pysal ``access.weights.step_fn``);
    beyond the last bound the weight is 0.
    """

    bands: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        bounds = [b for b, _ in self.bands]
        if not bounds or bounds != sorted(bounds) or any(w < 0 for _, w in self.bands):
            raise ValueError("decay bands must be ascending with non-negative weights")

    @property
    def reach_minutes(self) -> float:
        return self.bands[-1][0]

    def __call__(self, minutes: np.ndarray) -> np.ndarray:
        bounds = np.array([b for b, _ in self.bands])
        weights = np.array([w for _, w in self.bands] + [0.0])
        return weights[np.searchsorted(bounds, minutes, side="left")]


@dataclass(frozen=True)
class CrowFly:
    """Road time between two distinct places estimated from their great-circle distance:
    ``start + per_km × km`` (a place reaches itself in 0 minutes)."""

    start_minutes: float
    minutes_per_km: float

    def minutes(self, km: np.ndarray) -> np.ndarray:
        return self.start_minutes + km * self.minutes_per_km

    def radius_km(self, minutes: float) -> float:
        return max(0.0, minutes - self.start_minutes) / self.minutes_per_km

    def describe(self) -> str:
        return (
            "temps estimé d'après la distance à vol d'oiseau entre mairies (à défaut, "
            f"centres) : {self.start_minutes:g} min + {self.minutes_per_km:g} min par km (ajusté "
            "sur les temps routiers du distancier Metric de l'Insee), 0 dans la commune"
        ).replace(".", ",")


@dataclass(frozen=True)
class Pairs:
    """Origin → destination travel times within the catchment (indices into one point list),
    each pair once."""

    origins: np.ndarray
    destinations: np.ndarray
    minutes: np.ndarray


def sphere(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lon, lat = np.radians(lon), np.radians(lat)
    return EARTH_RADIUS_KM * np.column_stack(
        (np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat))
    )


def chord_km(km: float) -> float:
    """The straight chord under ``km`` of the sphere's surface: what a KD-tree on ``sphere``
    points measures."""
    return float(2 * EARTH_RADIUS_KM * np.sin(min(km / (2 * EARTH_RADIUS_KM), np.pi / 2)))


def crowfly_pairs(lon: np.ndarray, lat: np.ndarray, model: CrowFly, reach: float) -> Pairs:
    """Every pair of points within ``reach`` minutes, both ways and each point with itself,
    from a KD-tree on the sphere (chord distances, exact great-circle lengths after)."""
    xyz = sphere(np.asarray(lon, float), np.asarray(lat, float))
    half = cKDTree(xyz).query_pairs(chord_km(model.radius_km(reach)), output_type="ndarray")
    i, j = half[:, 0], half[:, 1]
    # coordinate by coordinate: gathering whole rows of xyz took twice as long
    chord = np.sqrt(sum((axis[i] - axis[j]) ** 2 for axis in xyz.T.copy()))
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(chord / (2 * EARTH_RADIUS_KM), 1.0))
    minutes = model.minutes(km)
    n = len(xyz)
    own = np.arange(n)
    return Pairs(
        np.concatenate((i, j, own)),
        np.concatenate((j, i, own)),
        np.concatenate((minutes, minutes, np.zeros(n))),
    )


def distancier_pairs(content: bytes, index: Mapping[str, int], reach: float) -> Pairs:
    """Pairs from a commune-to-commune time matrix (CSV ``origine;destination;minutes``, as the
    Insee METRIC distancier's exports); codes outside ``index`` and times beyond ``reach`` are
    left out, and a commune missing its own line reaches itself in 0 minutes."""
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
    next(reader, None)
    times: dict[tuple[int, int], float] = {}  # a pair listed twice keeps its last time
    for origin, destination, time, *_ in reader:
        i, j = index.get(origin.strip()), index.get(destination.strip())
        value = float(time.replace(",", "."))
        if i is not None and j is not None and value <= reach:
            times[i, j] = value
    for i in sorted(set(index.values())):
        times.setdefault((i, i), 0.0)
    origins, destinations = np.array(list(times), int).reshape(-1, 2).T
    return Pairs(origins, destinations, np.array(list(times.values()), float))


@dataclass(frozen=True)
class Activity:
    """Annual actes of a GP as the method counts them: nothing below ``zero_below``, else
    bounded; a default when only counts of GPs are known."""

    floor: float
    ceiling: float
    per_gp: float
    zero_below: float = 0.0

    def bounded(self, actes: np.ndarray | float) -> np.ndarray:
        return np.where(
            np.asarray(actes) < self.zero_below, 0.0, np.clip(actes, self.floor, self.ceiling)
        )

    def of_counts(self, gps: np.ndarray) -> np.ndarray:
        """Supply in actes of ``gps`` full practitioners (fractions for multi-site GPs)."""
        return np.asarray(gps, float) * float(self.bounded(self.per_gp))


@dataclass(frozen=True)
class Model:
    """Everything an estimate depends on, named in its method text."""

    decay: Decay
    travel: CrowFly
    activity: Activity
    travel_times: str | None = None  # a distancier file replacing the crow-fly times

    def describe(self) -> str:
        bands = " ; ".join(f"≤ {m:g} min → {w:.3g}".replace(".", ",") for m, w in self.decay.bands)
        times = "temps du distancier fourni" if self.travel_times else self.travel.describe()
        return (
            f"E2SFCA (méthode de l'APL, DREES) : {times} ; décroissance {bands} (paramètres "
            "DREES de l'APL 2022-2023) ; demande = population standardisée DREES"
        )


class Catchment:
    """E2SFCA weights between communes: ``W[i, j] = w(t_ij)`` for population at i and
    practices at j, with each practice commune's weighted demand ``D_j = Σ_k W[k, j]·P_k``."""

    def __init__(self, pairs: Pairs, demand: np.ndarray, decay: Decay) -> None:
        n = len(demand)
        weights = decay(pairs.minutes)
        keep = weights > 0
        rows, columns = (a[keep].astype(np.int32) for a in (pairs.origins, pairs.destinations))
        triplets = sparse.coo_matrix((weights[keep], (rows, columns)), shape=(n, n))
        # each pair comes once: no duplicate to sum, so the sort scipy runs to find them is
        # skipped (45 -> 13 ms nationally); the rows' indices stay unsorted, which is valid CSR
        triplets.has_canonical_format = True
        self.weights = triplets.tocsr()
        self.demand = np.asarray(demand, float)
        self.weighted_demand = self.weights.T @ self.demand

    @cached_property
    def _by_practice(self) -> sparse.csc_matrix:
        return self.weights.tocsc()

    def ratio(self, supply: np.ndarray) -> np.ndarray:
        """Step 1: actes per weighted inhabitant at each practice commune (0 if none reach it)."""
        return np.divide(
            supply,
            self.weighted_demand,
            out=np.zeros(len(self.demand)),
            where=self.weighted_demand > 0,
        )

    def solve(self, supply: np.ndarray) -> np.ndarray:
        """Step 2: the APL of every commune for ``supply`` actes per year in each commune."""
        return self.weights @ self.ratio(supply)

    def installation(self, practice: int, actes: float) -> tuple[np.ndarray, np.ndarray]:
        """The communes whose APL changes when ``actes`` are added at ``practice``, and by how
        much; exact whatever the existing supply."""
        column = self._by_practice
        start, end = column.indptr[practice], column.indptr[practice + 1]
        reached = column.indices[start:end]
        demand = self.weighted_demand[practice]
        if demand <= 0:
            return reached[:0], np.zeros(0)
        return reached, column.data[start:end] * (actes / demand)

    def actes_to_reach_all(self, apl: np.ndarray, target: float) -> np.ndarray:
        """Actes per year that one installation in each commune needs to lift its APL from
        ``apl`` to ``target``: ``(target − APL) × D_i / W_ii``; 0 when already there, infinite
        when nobody reaches it, NaN for a NaN APL."""
        own, demand = self.weights.diagonal(), self.weighted_demand
        with np.errstate(divide="ignore", invalid="ignore"):
            needed = np.where((own > 0) & (demand > 0), (target - apl) * demand / own, np.inf)
            return np.where(apl >= target, 0.0, needed)


def correlation(ours: Iterable[float], reference: Iterable[float]) -> tuple[float, float]:
    """Spearman's ρ and Pearson's r between two series (ties ranked by their mean)."""
    a, b = np.asarray(list(ours), float), np.asarray(list(reference), float)
    return float(spearmanr(a, b).statistic), float(pearsonr(a, b).statistic)
