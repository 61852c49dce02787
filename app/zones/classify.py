"""The national method's first step: the APL places a commune in ZIP, the vivier or outside.

Pure: no web framework, no database. The thresholds and their inclusivity come from settings,
because the sources disagree on the inclusivity and the 2025 method may have moved them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ZoneClass(enum.StrEnum):
    """Published classes (ARS arrêtés) and the estimate's classes."""

    ZIP = "ZIP"
    ZAC = "ZAC"
    ZAR = "ZAR"
    ZV = "ZV"
    hors_zonage = "hors zonage"
    vivier = "vivier"


@dataclass(frozen=True)
class Thresholds:
    """APL bounds of the national selection (ZIP) and of the vivier."""

    zip_max: float = 2.5
    zip_inclusive: bool = True
    vivier_max: float = 4.0
    vivier_inclusive: bool = True

    def at_most(self, apl: float, bound: float, inclusive: bool) -> bool:
        return apl <= bound if inclusive else apl < bound

    def describe(self) -> str:
        """The national method as these thresholds apply it, shown with every estimate."""
        zip_, vivier = (f"{v:g}".replace(".", ",") for v in (self.zip_max, self.vivier_max))
        to_zip, past_zip = ("≤", "<") if self.zip_inclusive else ("<", "≤")
        to_vivier, past_vivier = ("≤", ">") if self.vivier_inclusive else ("<", "≥")
        return (
            "méthode nationale de 2017 (arrêté du 13 novembre 2017 modifié) : "
            f"APL {to_zip} {zip_} → ZIP ; {zip_} {past_zip} APL {to_vivier} {vivier} → vivier "
            "(ZIP, ZAC ou zone de vigilance au choix de l'ARS) ; "
            f"APL {past_vivier} {vivier} → hors zonage. Les seuils de 2025 (2,71 / 3,98) ne "
            "sont pas vérifiés."
        )


def estimate(apl: float, thresholds: Thresholds) -> ZoneClass:
    """ZIP at or below the first bound, vivier up to the second, hors zonage above."""
    if thresholds.at_most(apl, thresholds.zip_max, thresholds.zip_inclusive):
        return ZoneClass.ZIP
    if thresholds.at_most(apl, thresholds.vivier_max, thresholds.vivier_inclusive):
        return ZoneClass.vivier
    return ZoneClass.hors_zonage


UNIT_NAMES = {"tvs": "territoire de vie-santé", "bv2012": "bassin de vie 2012"}
# What each class means to a doctor, said next to it on the card and in the aid reasons.
ZAR_MEANING = (
    "la ZAR (zone d'accompagnement régional) n'est ni une ZIP ni une ZAC : les aides de la "
    "convention médicale n'y sont pas dues ; l'ARS peut y accompagner l'installation par ses "
    "propres aides (voir sa page)"
)
CLASS_MEANINGS = {  # lower-case, to follow a colon or begin a sentence (``meaning``)
    "ZIP": "zone d'intervention prioritaire : l'accès aux médecins généralistes y est le plus "
    "difficile, et les aides de l'Assurance Maladie à l'installation y sont les plus fortes",
    "ZAC": "zone d'action complémentaire : l'accès y est difficile, à un moindre degré ; les "
    "aides de l'Assurance Maladie y sont plus réduites qu'en ZIP",
    "ZAR": ZAR_MEANING,
    "ZV": "zone de vigilance : ni ZIP ni ZAC, suivie par l'ARS",
    "vivier": "vivier : l'ARS y choisit des ZIP, des ZAC ou des zones de vigilance, sous des "
    "plafonds régionaux de population",
    "hors zonage": "ni ZIP ni ZAC : pas d'aide de l'Assurance Maladie liée à la zone",
}


def meaning(zone_class: str) -> str:
    """What a class means, as a sentence."""
    text = CLASS_MEANINGS[zone_class]
    return f"{text[0].upper()}{text[1:]}."


def estimate_unit(tvs: str | None, bv2012: str | None) -> tuple[str, str] | None:
    """The territory an estimate averages over: the territoire de vie-santé the ARS zones when
    the official table gives it, else the bassin de vie 2012 it was drawn from."""
    if tvs:
        return "tvs", tvs
    if bv2012:
        return "bv2012", bv2012
    return None


@dataclass(frozen=True)
class Unit:
    """A territory the ARS classifies (a bassin de vie, until TVS are available)."""

    code: str
    name: str
    apl: float
    population: int


@dataclass(frozen=True)
class Caps:
    """Shares of the regional population the ARS may put in ZIP and in ZAC."""

    zip_share: float
    zac_share: float

    def __post_init__(self) -> None:
        if not (0 <= self.zip_share <= 1 and 0 <= self.zac_share <= 1):
            raise ValueError("les plafonds sont des parts de population entre 0 et 1")


def classify_region(units: list[Unit], thresholds: Thresholds, caps: Caps) -> dict[str, ZoneClass]:
    """The regional step of the national method.

    Units at or below the ZIP bound are ZIP (national selection, whatever the cap). The vivier
    then fills the ZIP cap, and next the ZAC cap, by ascending APL; the first unit that no
    longer fits closes each class, so a unit is never passed over for a better-served one.
    What is left of the vivier and every unit above it is hors zonage (the ARS's 5 % adaptation
    outside the vivier is not modelled).
    """
    total = sum(u.population for u in units)
    classes = {u.code: estimate(u.apl, thresholds) for u in units}
    zip_population = sum(u.population for u in units if classes[u.code] == ZoneClass.ZIP)
    vivier = sorted(
        (u for u in units if classes[u.code] == ZoneClass.vivier), key=lambda u: (u.apl, u.code)
    )
    budget = {
        ZoneClass.ZIP: caps.zip_share * total - zip_population,
        ZoneClass.ZAC: caps.zac_share * total,
    }
    order = iter(vivier)
    pending = next(order, None)
    for zone in (ZoneClass.ZIP, ZoneClass.ZAC):
        while pending is not None and pending.population <= budget[zone]:
            classes[pending.code] = zone
            budget[zone] -= pending.population
            pending = next(order, None)
    for unit in vivier:
        if classes[unit.code] == ZoneClass.vivier:
            classes[unit.code] = ZoneClass.hors_zonage
    return classes


@dataclass(frozen=True)
class ZoneRow:
    """A commune with the zone class shown (published, else estimated) and its APL."""

    insee: str
    name: str
    departement: str
    region: str
    population: int | None
    zone_class: str | None
    status: str
    apl: float | None
    apl_le65: float | None
    geometry: str  # GeoJSON, simplified for the map

    def properties(self) -> dict[str, object]:
        """Every column but the geometry."""
        return {k: v for k, v in vars(self).items() if k != "geometry"}
