"""Candidate places: every commune's figures side by side in arrays, which of them lie within
reach of an origin, the filters, the orders and the sentence that says why a place is listed.
Pure: no web, no database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import numpy as np
from scipy.spatial import cKDTree

from app.aids.lines import LABELS, fr_amount, fr_date
from app.zones.accessibility import CrowFly, chord_km, sphere
from app.zones.figures import great_circle_km
from app.zones.schemas import TerritoryLink

# the default order: the classes a doctor is most needed in first
CLASS_RANK = {"ZIP": 0, "ZAC": 1, "vivier": 2, "ZAR": 3, "ZV": 4, "hors zonage": 5}
UNRANKED = len(CLASS_RANK)


ZoneStatus = Literal["publié", "estimation", "non disponible"]


@dataclass
class PlaceTable:
    """One row per commune of the APL network (arrondissements instead of their city), in the
    network's order; a figure the sources do not give is NaN (numbers) or None."""

    codes: list[str]
    names: list[str]
    departements: np.ndarray
    regions: np.ndarray
    lon: np.ndarray  # town hall, else centroid: the points the travel model joins
    lat: np.ndarray
    population: np.ndarray
    zone_class: list[str | None]
    zone_status: list[ZoneStatus]
    zone_dataset: list[str | None]
    decided_on: list[date | None]
    known_on: list[date | None]  # the day the class's source gives it in force
    zrr: list[str | None]
    frr: list[str | None]
    zone_rouge: list[bool | None]  # in an EPCI « zone rouge »; None: not known
    apl: np.ndarray  # APL 2023, all ages
    apl_2019: np.ndarray
    shortage: np.ndarray  # full-time GPs one installation needs to lift the APL ≤ 65 out of ZIP
    gps: np.ndarray  # GPs practising in the commune
    msp: np.ndarray  # 1: an MSP in the commune, 0: none, NaN: not known
    emergency: np.ndarray  # minutes to the nearest emergency service
    territory: list[TerritoryLink | None]

    def __post_init__(self) -> None:
        self.index = {code: i for i, code in enumerate(self.codes)}
        self._tree = cKDTree(sphere(self.lon, self.lat))
        self.class_rank = np.array([CLASS_RANK.get(c or "", UNRANKED) for c in self.zone_class])

    def reach(
        self, lon: float, lat: float, own: int | None, minutes: float, travel: CrowFly
    ) -> tuple[np.ndarray, np.ndarray]:
        """The rows within ``minutes`` of the point and their travel times, by the APL's model
        (``own``, the origin's commune, is reached in 0 minutes)."""
        point = sphere(np.array([lon]), np.array([lat]))[0]
        rows = np.asarray(
            self._tree.query_ball_point(point, chord_km(travel.radius_km(minutes))), int
        )
        times = travel.minutes(self.km(lon, lat, rows))
        if own is not None:
            times[rows == own] = 0.0
            if own not in rows:
                rows, times = np.append(rows, own), np.append(times, 0.0)
        keep = times <= minutes
        return rows[keep], times[keep]

    def km(self, lon: float, lat: float, rows: np.ndarray) -> np.ndarray:
        """Great-circle kilometres from the point to the rows' points."""
        return great_circle_km(lon, lat, self.lon[rows], self.lat[rows])


@dataclass(frozen=True)
class Filters:
    """What a doctor keeps of the places within reach; None: no condition."""

    zone_classes: frozenset[str] | None = None
    min_aid_total: Decimal | None = None
    msp: bool | None = None
    max_emergency_minutes: float | None = None
    min_population: int | None = None
    max_population: int | None = None
    frr: frozenset[str] | None = None
    apl_falling: bool | None = None


def kept(table: PlaceTable, rows: np.ndarray, totals: np.ndarray, f: Filters) -> np.ndarray:
    """A mask of ``rows`` meeting every condition; a figure not known never meets one."""
    keep = np.ones(len(rows), dtype=bool)
    if f.zone_classes is not None:
        keep &= np.array([table.zone_class[i] in f.zone_classes for i in rows], dtype=bool)
    if f.min_aid_total is not None:
        keep &= totals >= float(f.min_aid_total)
    if f.msp is not None:
        keep &= table.msp[rows] == (1.0 if f.msp else 0.0)
    if f.max_emergency_minutes is not None:
        keep &= table.emergency[rows] <= f.max_emergency_minutes
    if f.min_population is not None:
        keep &= table.population[rows] >= f.min_population
    if f.max_population is not None:
        keep &= table.population[rows] <= f.max_population
    if f.frr is not None:
        keep &= np.array([table.frr[i] in f.frr for i in rows], dtype=bool)
    if f.apl_falling is not None:
        falling = table.apl[rows] < table.apl_2019[rows]
        known = ~np.isnan(table.apl[rows]) & ~np.isnan(table.apl_2019[rows])
        keep &= known & (falling if f.apl_falling else ~falling)
    return keep


def _last(values: np.ndarray) -> np.ndarray:
    """Unknown figures after every known one, whichever the direction."""
    return np.where(np.isnan(values), np.inf, values)


# each declared order: the key of every row, ascending (so larger-is-first keys are negated)
SORTS: dict[str, Callable[[PlaceTable, np.ndarray, np.ndarray, np.ndarray], list[np.ndarray]]] = {
    "aid_total": lambda t, rows, totals, minutes: [-totals, minutes],
    "minutes": lambda t, rows, totals, minutes: [minutes, -totals],
    "shortage": lambda t, rows, totals, minutes: [_last(-t.shortage[rows]), minutes],
    "apl": lambda t, rows, totals, minutes: [_last(t.apl[rows]), minutes],
    "population": lambda t, rows, totals, minutes: [_last(-t.population[rows]), minutes],
    "class": lambda t, rows, totals, minutes: [t.class_rank[rows], -totals, minutes],
}


def ordered(
    table: PlaceTable, rows: np.ndarray, totals: np.ndarray, minutes: np.ndarray, sort: str
) -> np.ndarray:
    """The positions of ``rows`` in the declared order, ties broken by the INSEE code."""
    codes = np.array([table.codes[i] for i in rows])
    keys = [*SORTS[sort](table, rows, totals, minutes), codes]
    return np.lexsort(tuple(reversed(keys)))


def _words(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def why(
    table: PlaceTable,
    i: int,
    minutes: float | None,
    total: Decimal,
    aids: list[str],
    doubt: str | None = None,
) -> str:
    """One sentence: the class and how it is known, how far, what the profile would get."""
    zone_class, status = table.zone_class[i], table.zone_status[i]
    if zone_class is None:
        parts = ["classe inconnue"]
    elif status == "publié":
        when = table.decided_on[i]
        parts = [f"{zone_class} publiée" + (f" (arrêté du {fr_date(when)})" if when else "")]
        if doubt:
            parts.append("classe à vérifier : un arrêté plus récent de l'ARS a pu la changer")
    elif zone_class == "vivier":
        parts = ["dans le vivier selon notre estimation (ZIP ou ZAC au choix de l'ARS)"]
    else:
        parts = [f"{zone_class} selon notre estimation"]
    if minutes is not None:
        parts.append("votre commune" if minutes == 0 else f"à {round(minutes)} min")
    if total > 0:
        named = ", ".join(LABELS.get(code, code) for code in aids)
        parts.append(f"{fr_amount(int(total))} € d'aides pour votre profil ({named})")
    shortage = table.shortage[i]
    if not np.isnan(shortage) and shortage > 0 and zone_class in ("ZIP", "vivier"):
        many = "s" if shortage >= 2 else ""  # French counts 1,5 médecin in the singular
        missing = "y manquent" if many else "y manque"
        parts.append(
            f"{_words(shortage)} médecin{many} à temps plein {missing} pour sortir de la ZIP"
        )
    if table.msp[i] == 1:
        parts.append("une maison de santé sur place")
    sentence = " ; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def number(value: Any, digits: int | None = None) -> float | None:
    """A figure for the answer, rounded as the card shows it: None where the source gives none."""
    if value is None or np.isnan(value):
        return None
    return float(value) if digits is None else round(float(value), digits)
