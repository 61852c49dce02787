"""The zonage estimate's thresholds and the APL engine, built from the operator's plain
settings: the settings stay free of the numeric core (``zonage --help`` does not load scipy)."""

from __future__ import annotations

from app.settings import Settings
from app.zones.accessibility import Activity, CrowFly, Decay, Model
from app.zones.classify import Thresholds


def thresholds(settings: Settings) -> Thresholds:
    """The zonage thresholds of the estimate."""
    return Thresholds(
        zip_max=settings.zip_max_apl,
        zip_inclusive=settings.zip_inclusive,
        vivier_max=settings.vivier_max_apl,
        vivier_inclusive=settings.vivier_inclusive,
    )


def apl_model(settings: Settings) -> Model:
    """The E2SFCA engine's parameters."""
    return Model(
        Decay(tuple((float(m), float(w)) for m, w in settings.apl_decay)),
        CrowFly(settings.travel_start_minutes, settings.travel_minutes_per_km),
        Activity(
            settings.gp_activity_floor,
            settings.gp_activity_ceiling,
            settings.gp_activity,
            settings.gp_activity_zero_below,
        ),
        str(settings.travel_times_csv) if settings.travel_times_csv else None,
    )
