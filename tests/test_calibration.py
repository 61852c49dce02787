"""The crow-fly travel-time model against road times: the fit, its errors, and the defaults
taken from the INSEE Metric pairs of Gironde."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from app.datasets.fetch import fetch
from app.datasets.manifest import read_manifest
from app.settings import REPO_ROOT, Settings
from app.zones import calibration
from app.zones.accessibility import CrowFly, Decay
from app.zones.parameters import apl_model

DECAY = Decay(((10.0, 1.0), (15.0, 2 / 3), (20.0, 1 / 3)))


def test_fit_recovers_an_affine_law_and_errors_count_bands_and_weights() -> None:
    km = np.array([1.0, 5.0, 10.0, 20.0])
    assert calibration.fit(km, 4 + 0.5 * km) == CrowFly(4.0, 0.5)
    # road minutes 5, 9, 14, 24 against predicted 4.5, 6.5, 9, 14
    e = calibration.errors(CrowFly(4.0, 0.5), km, np.array([5.0, 9.0, 14.0, 24.0]), DECAY)
    assert e.pairs == 4
    assert e.mean_abs_error == pytest.approx((0.5 + 2.5 + 5 + 10) / 4)
    assert e.bias == pytest.approx(-(0.5 + 2.5 + 5 + 10) / 4)
    assert e.same_band == 0.5  # 4.5|5 and 6.5|9 share band 1; 9|14 and 14|24 do not
    assert e.weight_error == pytest.approx((0 + 0 + 1 / 3 + 2 / 3) / 4)


@pytest.mark.realdata
def test_default_travel_times_are_the_fit_on_metric(shared_data, tmp_path) -> None:
    entry = read_manifest(REPO_ROOT / "data" / "geo" / "manifest.toml")[
        "metric-calibration-gironde"
    ]
    content = fetch(entry, shared_data, tmp_path, allow_download=False)  # checksum verified
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    km = np.array([float(r["crow_km"]) for r in rows])
    minutes = np.array([float(r["metric_hc_min"]) for r in rows])
    assert len(km) == 2429
    fitted = calibration.fit(km, minutes)
    assert fitted == apl_model(Settings(_env_file=None)).travel == CrowFly(8.17, 0.841)
    ours = calibration.errors(fitted, km, minutes, DECAY)
    before = calibration.errors(CrowFly(0.0, 1.3), km, minutes, DECAY)  # ×1.3 at 60 km/h
    assert round(before.mean_abs_error, 1) == 16.8 and round(ours.mean_abs_error, 1) == 5.9
    assert abs(ours.bias) < 0.05 < 15 < before.bias
