"""Pure helpers of the commune card: secrecy, density, age shares, nearest points."""

from __future__ import annotations

import numpy as np
import pytest

from app.zones.figures import counted, density, nearest_each, share_aged


def test_fewer_than_five_professionals_are_masked_never_zero() -> None:
    assert counted(4, "x").status == "masqué" and counted(4, "x").value is None
    assert counted(0, "x").status == "masqué"
    assert counted(5, "x").value == 5 and counted(5, "x").status == "disponible"
    assert counted(None, "DROM regroupés").reason == "DROM regroupés"
    assert density(4, 1000) is None


def test_density_per_100000() -> None:
    assert density(348, 143_467) == pytest.approx(242.6)


def test_share_aged_from_bands() -> None:
    bands = [["0-4", 10, 10], ["60-64", 20, 20], ["65-69", 15, 5], ["95+", 5, 15]]
    assert share_aged(bands, 65) == 40.0  # (20 + 20) / 100
    assert share_aged(bands, 95) == 20.0
    assert share_aged([], 65) is None


def test_nearest_lists_equally_far_points_in_their_given_order() -> None:
    # many sites at one address: a reload must not reorder a card's hospitals
    lons = np.tile([6.0, 6.1, 6.1, 7.0], 2000)
    lats = np.full(lons.size, 44.5)
    order, _ = nearest_each(np.array([6.1, 6.0]), np.array([44.5, 44.5]), lons, lats, 3)
    assert order.tolist() == [[1, 2, 5], [0, 4, 8]]


def test_nearest_uses_great_circle_distance() -> None:
    # Paris Notre-Dame → Gap, Marseille Vieux-Port; one degree of latitude ≈ 111.2 km
    lons, lats = np.array([6.0786, 5.3698, 2.35]), np.array([44.5594, 43.2965, 49.853])
    order, km = (a[0] for a in nearest_each(np.array([2.35]), np.array([48.853]), lons, lats, 2))
    assert order.tolist() == [2, 0]
    assert km[0] == pytest.approx(111.2, abs=0.1)
