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


def estimate(apl: float, thresholds: Thresholds) -> ZoneClass:
    """ZIP at or below the first bound, vivier up to the second, hors zonage above."""
    if thresholds.at_most(apl, thresholds.zip_max, thresholds.zip_inclusive):
        return ZoneClass.ZIP
    if thresholds.at_most(apl, thresholds.vivier_max, thresholds.vivier_inclusive):
        return ZoneClass.vivier
    return ZoneClass.hors_zonage
