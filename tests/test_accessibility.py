"""The E2SFCA engine: hand-computed grids, pysal ``access`` on the same inputs, properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.zones.accessibility import (
    Activity,
    Catchment,
    CrowFly,
    Decay,
    Pairs,
    crowfly_pairs,
    distancier_pairs,
)
from bench.common import pysal_e2sfca

STANDARD = Decay(((10.0, 1.0), (15.0, 2 / 3), (20.0, 1 / 3)))


def line_of_three() -> Catchment:
    """A (1,000 inh.) — 8 min — B (2,000) — 12 min — C (500); A to C takes 20 min."""
    times = {(0, 1): 8.0, (1, 2): 12.0, (0, 2): 20.0}
    origins, destinations, minutes = [0, 1, 2], [0, 1, 2], [0.0, 0.0, 0.0]
    for (i, j), t in times.items():
        origins += [i, j]
        destinations += [j, i]
        minutes += [t, t]
    pairs = Pairs(np.array(origins), np.array(destinations), np.array(minutes))
    return Catchment(pairs, np.array([1000.0, 2000.0, 500.0]), STANDARD)


def test_decay_bands_include_their_upper_bound():
    minutes = np.array([0, 10, 10.01, 15, 15.5, 20, 20.01, 90])
    assert STANDARD(minutes).tolist() == pytest.approx([1, 1, 2 / 3, 2 / 3, 1 / 3, 1 / 3, 0, 0])
    with pytest.raises(ValueError):
        Decay(((15.0, 1.0), (10.0, 0.5)))


def test_hand_computed_line():
    catchment = line_of_three()
    # B's practice is reached by A (w 1), B (1) and C (2/3): D_B = 1000 + 2000 + 500·2/3
    assert catchment.weighted_demand[1] == pytest.approx(3333.3333333)
    apl = catchment.solve(np.array([0.0, 10_000.0, 0.0]))
    # R_B = 10,000 / 3,333.33 = 3 actes per weighted inhabitant; C gets 2/3 of it
    assert apl == pytest.approx([3.0, 3.0, 2.0])
    reached, delta = catchment.installation(1, 5_000.0)
    assert dict(zip(reached.tolist(), delta, strict=True)) == pytest.approx(
        {0: 1.5, 1: 1.5, 2: 1.0}
    )


def test_actes_to_reach_lands_on_the_target():
    catchment = line_of_three()
    supply = np.array([0.0, 10_000.0, 0.0])
    apl = catchment.solve(supply)
    needed = catchment.actes_to_reach_all(apl, 2.5)[2]
    # C's own weight is 1 and D_C = 1000/3 + 2000·2/3 + 500 = 2166.67: 0.5 × 2166.67
    assert needed == pytest.approx(1083.3333333)
    supply[2] += needed
    assert catchment.solve(supply)[2] == pytest.approx(2.5)
    assert catchment.actes_to_reach_all(apl, 2.5)[0] == 0.0


def test_crowfly_pairs_measure_great_circles():
    # 0.1° of latitude = 11.1195 km on the mean sphere; 8.17 + 0.841 × 11.1195 = 17.5215 min
    pairs = crowfly_pairs(
        np.array([0.0, 0.0, 0.0]), np.array([0.0, 0.1, 0.3]), CrowFly(8.17, 0.841), 20
    )
    found = {(int(i), int(j)): t for i, j, t in zip(*vars(pairs).values(), strict=True)}
    assert found[(0, 1)] == pytest.approx(17.5215, abs=1e-3)
    assert found[(1, 0)] == found[(0, 1)]
    assert found[(0, 0)] == found[(2, 2)] == 0.0
    assert (0, 2) not in found  # 33 km: 36 minutes, beyond the catchment
    assert len(found) == 5


def test_distancier_pairs_read_the_matrix_and_fill_the_diagonal():
    content = "origine;destination;minutes\n05061;05023;12,5\n05023;05061;13\n05061;99999;1\n"
    content += "05061;05046;25\n05023;05061;14\n"  # listed twice: the last time holds
    pairs = distancier_pairs(content.encode(), {"05061": 0, "05023": 1, "05046": 2}, 20)
    found = [(int(i), int(j), t) for i, j, t in zip(*vars(pairs).values(), strict=True)]
    assert sorted(found) == [(0, 0, 0.0), (0, 1, 12.5), (1, 0, 14.0), (1, 1, 0.0), (2, 2, 0.0)]


def test_activity_is_counted_as_the_drees_does():
    """Paramètres of the APL 2022-2023: < 250 → 0; 251–3,600 → 3,600; 3,601–6,000 as is;
    > 6,000 → 6,000."""
    activity = Activity(3600, 6000, 5400, zero_below=250)
    counted = activity.bounded(np.array([249, 251, 1000, 4000, 9000])).tolist()
    assert counted == [0, 3600, 3600, 4000, 6000]
    assert activity.of_counts(np.array([2, 0.5])).tolist() == [10_800, 2_700]


def random_communes(
    seed: int, n: int = 150
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lon = 2.0 + rng.uniform(0, 0.6, n)
    lat = 46.0 + rng.uniform(0, 0.4, n)
    demand = rng.uniform(50, 5000, n).round(3)
    supply = np.where(rng.random(n) < 0.3, rng.integers(1, 8, n) * 5400.0, 0.0)
    return lon, lat, demand, supply


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # inside pysal access
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_values_as_pysal_access(seed):
    lon, lat, demand, supply = random_communes(seed)
    pairs = crowfly_pairs(lon, lat, CrowFly(8.17, 0.841), STANDARD.reach_minutes)
    ours = Catchment(pairs, demand, STANDARD).solve(supply)

    ids = [f"c{i}" for i in range(len(lon))]
    theirs = pysal_e2sfca(ids, demand, supply, pairs, {10: 1, 15: 2 / 3, 20: 1 / 3}, 20)
    assert np.abs(ours - theirs).max() < 1e-9
    assert ours.max() > 1  # a real comparison, not of zeros


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    practice=st.integers(0, 59),
    added=st.floats(1, 50_000),
    scale=st.floats(0.1, 10),
)
def test_properties(seed, practice, added, scale):
    lon, lat, demand, supply = random_communes(seed, 60)
    pairs = crowfly_pairs(lon, lat, CrowFly(8.17, 0.841), 20)
    catchment = Catchment(pairs, demand, STANDARD)
    apl = catchment.solve(supply)
    more = supply.copy()
    more[practice] += added
    after = catchment.solve(more)
    assert (after >= apl - 1e-12).all()  # adding supply never lowers any APL
    np.testing.assert_allclose(catchment.solve(supply * scale), apl * scale, rtol=1e-9)  # linear
    assert not catchment.solve(np.zeros_like(supply)).any()  # no supply, no access
    reached, delta = catchment.installation(practice, added)
    expected = np.zeros_like(apl)
    expected[reached] = delta
    np.testing.assert_allclose(after - apl, expected, atol=1e-9)  # the local update is exact
    # the catchment is respected: only communes within 20 minutes of the practice change
    times = {(int(i), int(j)): t for i, j, t in zip(*vars(pairs).values(), strict=True)}
    changed = np.flatnonzero(after - apl > 1e-12)
    assert all(times.get((int(i), practice), np.inf) <= 20 for i in changed)


def test_practice_sites_count_each_multi_site_gp_once():
    from app.zones.network import parse_practice_sites

    content = (
        "code_commune,nom_commune,mg_liberal_sites,mg_sites_multi_communes\n"
        "14118,Caen,10,2\n50129,Cherbourg,3,0\n14999,Ancienne,1,1\n99999,Ailleurs,4,0\n"
    )
    current = {"14118": "14118", "50129": "50129", "14999": "14118"}.get
    gps, listed = parse_practice_sites(content.encode(), current)
    assert gps == {"14118": 9.5, "50129": 3.0} and listed == {"14118", "50129"}
