"""The national method's thresholds, as configured."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.zones.classify import Thresholds, ZoneClass, estimate

ORDER = {ZoneClass.ZIP: 0, ZoneClass.vivier: 1, ZoneClass.hors_zonage: 2}


def test_faq_boundaries_are_inclusive_by_default() -> None:
    t = Thresholds()
    assert estimate(2.5, t) == ZoneClass.ZIP
    assert estimate(2.5001, t) == ZoneClass.vivier
    assert estimate(4.0, t) == ZoneClass.vivier
    assert estimate(4.0001, t) == ZoneClass.hors_zonage


def test_exclusive_boundaries_as_some_sources_write_them() -> None:
    t = Thresholds(zip_inclusive=False, vivier_inclusive=False)
    assert estimate(2.5, t) == ZoneClass.vivier
    assert estimate(4.0, t) == ZoneClass.hors_zonage


@given(st.floats(0, 20), st.floats(0, 20), st.booleans(), st.booleans())
def test_monotone_in_apl(a: float, b: float, zi: bool, vi: bool) -> None:
    t = Thresholds(zip_max=2.71, zip_inclusive=zi, vivier_max=3.98, vivier_inclusive=vi)
    low, high = sorted((a, b))
    assert ORDER[estimate(low, t)] <= ORDER[estimate(high, t)]
