"""The national method's thresholds, as configured."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.zones.classify import Caps, Thresholds, Unit, ZoneClass, classify_region, estimate

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


units_strategy = st.lists(
    st.builds(
        Unit,
        code=st.uuids().map(str),
        name=st.just("u"),
        apl=st.floats(0, 8, allow_nan=False),
        population=st.integers(0, 200_000),
    ),
    max_size=40,
    unique_by=lambda u: u.code,
)
caps_strategy = st.builds(Caps, st.floats(0, 1), st.floats(0, 1))


@given(units_strategy, caps_strategy)
def test_region_caps_are_never_exceeded_beyond_the_national_selection(units, caps) -> None:
    t = Thresholds()
    classes = classify_region(units, t, caps)
    total = sum(u.population for u in units)
    mandatory = sum(u.population for u in units if u.apl <= t.zip_max)
    zip_people = sum(u.population for u in units if classes[u.code] == ZoneClass.ZIP)
    zac_people = sum(u.population for u in units if classes[u.code] == ZoneClass.ZAC)
    assert zip_people <= max(caps.zip_share * total, mandatory) + 1e-6
    assert zac_people <= caps.zac_share * total + 1e-6
    assert set(classes.values()) <= {ZoneClass.ZIP, ZoneClass.ZAC, ZoneClass.hors_zonage}


@given(units_strategy, caps_strategy)
def test_region_classes_follow_ascending_apl(units, caps) -> None:
    classes = classify_region(units, Thresholds(), caps)
    rank = {ZoneClass.ZIP: 0, ZoneClass.ZAC: 1, ZoneClass.hors_zonage: 2}
    ordered = sorted(units, key=lambda u: (u.apl, u.code))
    ranks = [rank[classes[u.code]] for u in ordered]
    assert ranks == sorted(ranks)  # no unit is passed over for a better-served one


def test_region_fill_on_a_worked_example() -> None:
    units = [
        Unit("a", "a", 2.0, 100),  # national selection
        Unit("b", "b", 2.6, 100),  # vivier
        Unit("c", "c", 3.0, 300),
        Unit("d", "d", 3.5, 100),
        Unit("e", "e", 4.5, 400),  # above the vivier
    ]
    # total 1,000: ZIP cap 25 % → a (100) + b (100) = 200, c (300) does not fit;
    # ZAC cap 40 % → c (300) + d (100) = 400
    classes = classify_region(units, Thresholds(), Caps(0.25, 0.40))
    assert [classes[k] for k in "abcde"] == [
        ZoneClass.ZIP,
        ZoneClass.ZIP,
        ZoneClass.ZAC,
        ZoneClass.ZAC,
        ZoneClass.hors_zonage,
    ]
    # a tight ZAC cap leaves the rest of the vivier outside
    classes = classify_region(units, Thresholds(), Caps(0.25, 0.35))
    assert [classes[k] for k in "cd"] == [ZoneClass.ZAC, ZoneClass.hors_zonage]


def test_the_method_text_is_written_from_the_thresholds() -> None:
    assert "APL ≤ 2,5 → ZIP ; 2,5 < APL ≤ 4 → vivier" in Thresholds().describe()
    assert "APL > 4 → hors zonage" in Thresholds().describe()
    strict = Thresholds(2.71, False, 3.98, False).describe()
    assert "APL < 2,71 → ZIP ; 2,71 ≤ APL < 3,98 → vivier" in strict
    assert "APL ≥ 3,98 → hors zonage" in strict
