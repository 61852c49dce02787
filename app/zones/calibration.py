"""How well a crow-fly travel-time model reproduces road times, where the decay looks: the
least-squares fit of ``start + per_km × km`` and the errors that matter to the E2SFCA (minutes,
decay band, decay weight). Pure: numpy only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.zones.accessibility import CrowFly, Decay


@dataclass(frozen=True)
class Fit:
    """Errors of a model's minutes against road minutes on some pairs."""

    pairs: int
    mean_abs_error: float
    bias: float
    same_band: float  # share of pairs whose predicted time falls in the road time's band
    weight_error: float  # mean |decay weight predicted − decay weight of the road time|


def fit(km: np.ndarray, minutes: np.ndarray) -> CrowFly:
    """Least-squares ``start + per_km × km`` of road minutes on crow-fly km."""
    per_km, start = np.polyfit(km, minutes, 1)
    return CrowFly(round(float(start), 2), round(float(per_km), 3))


def errors(model: CrowFly, km: np.ndarray, minutes: np.ndarray, decay: Decay) -> Fit:
    predicted = model.minutes(km)
    bounds = [b for b, _ in decay.bands]
    return Fit(
        pairs=len(km),
        mean_abs_error=float(np.mean(np.abs(predicted - minutes))),
        bias=float(np.mean(predicted - minutes)),
        same_band=float(
            np.mean(
                np.searchsorted(bounds, predicted, side="left")
                == np.searchsorted(bounds, minutes, side="left")
            )
        ),
        weight_error=float(np.mean(np.abs(decay(predicted) - decay(minutes)))),
    )
