"""Key figures of a commune card, with their reference values. Pure: plain numbers in and out."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

SECRECY_MIN = 5  # fewer professionals than this: the figure is masked, never shown as 0
GP_SPECIALTIES = ("SM53", "SM26")  # spécialiste / qualifié en médecine générale (RPPS)
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Value:
    """A figure's value and whether it can be shown."""

    value: float | None
    status: str = "disponible"
    reason: str | None = None


def counted(count: int | None, reason_missing: str) -> Value:
    """A count of professionals under the statistical-secrecy rule."""
    if count is None:
        return Value(None, "non disponible", reason_missing)
    if count < SECRECY_MIN:
        return Value(None, "masqué", f"moins de {SECRECY_MIN} professionnels (secret statistique)")
    return Value(count)


def density(count: int | None, population: int | None) -> float | None:
    """Professionals per 100,000 inhabitants."""
    if count is None or count < SECRECY_MIN or not population:
        return None
    return round(count * 100_000 / population, 1)


def share_aged(bands: Sequence[Sequence[object]], from_age: int) -> float | None:
    """Share (%) of the population aged ``from_age`` or more, from five-year bands by sex."""
    total = sum(int(m) + int(w) for _, m, w in bands)  # type: ignore[call-overload]  # counts, as the age source writes them
    older = sum(
        int(m) + int(w)  # type: ignore[call-overload]  # counts, as the age source writes them
        for label, m, w in bands
        if int(str(label).split("-")[0].rstrip("+")) >= from_age
    )
    return round(100 * older / total, 1) if total else None


def share_beyond(all_ages: float | None, bounded: float | None) -> float | None:
    """Share of an APL that comes from the doctors above an age bound (0 to 1)."""
    if all_ages is None or bounded is None or all_ages <= 0:
        return None
    return round(max(0.0, 1 - bounded / all_ages), 3)


TIES = 4  # further points a search takes in, to order the equally far by their rank


def nearest_each(
    lons: np.ndarray, lats: np.ndarray, to_lons: np.ndarray, to_lats: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the indices and great-circle distances (km) of the ``k`` nearest of
    ``to_…`` (fewer when there are fewer), nearest first; of points equally far, the first
    listed comes first (FINESS lists several sites at one address). A k-d tree on the unit
    sphere, where the chord grows with the great-circle distance: France's communes in 0.1 s."""
    k = min(k, len(to_lons))
    wide = min(k + TIES, len(to_lons))
    if k == 0:
        return np.zeros((len(lons), 0), dtype=int), np.zeros((len(lons), 0))
    _, near = cKDTree(_on_sphere(to_lons, to_lats)).query(_on_sphere(lons, lats), k=wide)
    near = near.reshape(len(lons), wide)
    km = great_circle_km(lons[:, None], lats[:, None], to_lons[near], to_lats[near])
    order = np.lexsort((near, km), axis=-1)
    near, km = np.take_along_axis(near, order, 1), np.take_along_axis(km, order, 1)
    # where the last point found is as near as the k-th, others may be too: look at them all
    for i in np.flatnonzero((km[:, -1] <= km[:, k - 1]) & (wide < len(to_lons))):
        every = great_circle_km(lons[i], lats[i], to_lons, to_lats)
        best = np.argsort(every, kind="stable")[:k]
        near[i, :k], km[i, :k] = best, every[best]
    return near[:, :k], km[:, :k]


def _on_sphere(lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    lon, lat = np.radians(lons), np.radians(lats)
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def great_circle_km(lon: Any, lat: Any, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Haversine kilometres from one point to many (or, broadcast, from many to many)."""
    lon1, lat1, lon2, lat2 = (np.radians(x) for x in (lon, lat, lons, lats))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0))))


# FINESS categories of general hospitals, as GISCO labels them: 355 centre hospitalier (CHI
# included), 101 CHR/CHU, 106 centre hospitalier ex hôpital local (the hôpitaux de proximité).
GENERAL_HOSPITALS = frozenset(
    {
        "Centre Hospitalier (C.H.)",
        "Centre Hospitalier Régional (C.H.R.)",
        "Centre hospitalier, ex Hôpital local",
    }
)
# Sites FINESS files under their hospital's category that are no hospital a patient is admitted
# to: screening and family-planning centres, psychiatric and day units, SMUR antennas, home
# hospitalisation, long-stay and rehabilitation units (Guéret's CIDAG is one)
ANNEX_SITE = re.compile(
    r"\b(?:C[IE]?DAG|CEGIDD|DEPISTAGE|PLANIFICATION|PSY\w*|CMP|CATTP|HDJ|HJ|(?:HOP(?:ITAL)?|"
    r"CENTRE|HOSPITALISATION) DE JOUR|SMUR|SAMU|HAD|HOSPITALISATION A DOMICILE|USLD|LONGUE "
    r"DUREE|EHPAD|SOINS DE SUITE|SSR|CURE|READAPTATION|ADDICTO\w*|CSAPA|MEDICO.PSYCHOLOGIQUE|"
    r"SPECIALISE|CONSULTATIONS?|LABORATOIRE|DENTAIRE|INFORMATION COORDINATION)\b"
)


def general_hospital(category: str | None, name: str) -> bool:
    """A CH, CHU/CHR, CHI or hôpital de proximité by its FINESS category, not one of its
    annex sites."""
    return category in GENERAL_HOSPITALS and not ANNEX_SITE.search(fold_upper(name))


ACRONYMS = frozenset(
    "CH CHU CHI CHR CHS CHRU CHIC CHG CMP CMPP CATTP SSR USLD EHPAD HAD MCO SMUR SAMU ASM CRF "
    "CLCC HJ CSAPA UGECAM MGEN APHP AP-HP HIA GHT GH SA SAS SIH IME ITEP MAS FAM ESAT".split()
)
SMALL_WORDS = frozenset("de du des la le les et en sur sous aux au à pour par site".split())


def fold_upper(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def display_name(raw: str, places: dict[str, str]) -> str:
    """An upper-case FINESS name in normal case: acronyms kept, small words lowered, place
    names given their accents from ``places`` (folded upper-case name → commune name, matched
    on up to four words), « SITE DE » set off by a dash: "CHI DES ALPES DU SUD SITE DE GAP" →
    "CHI des Alpes du Sud — site de Gap"."""
    words = raw.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        for span in (4, 3, 2, 1):
            place = i + span <= len(words) and places.get(
                "-".join(fold_upper(w) for w in words[i : i + span])
            )
            if place:
                out.append(place)
                i += span
                break
        else:
            out.append("—" if words[i] == "-" else _word(words[i], first=not out))
            i += 1
    return re.sub(r"(?<!—) site ", " — site ", " ".join(out))


def _word(word: str, first: bool) -> str:
    if word.upper() in ACRONYMS:
        return word.upper()
    lower = word.lower()
    if "'" in lower:  # L'ESPERANCE → l'Espérance is beyond us: l'Esperance
        head, _, tail = lower.partition("'")
        return f"{head.capitalize() if first else head}'{_word(tail, first=False)}"
    if lower in SMALL_WORDS and not first:
        return lower
    return "-".join(
        part if part in SMALL_WORDS and n else part.capitalize()
        for n, part in enumerate(lower.split("-"))
    )
