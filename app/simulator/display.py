"""French number formats and the geometry of the page's two drawings (APL gauge, cash-flow bars).

Pure: the templates draw inline SVG from these numbers, so the page needs no chart library and
shows the same drawing with or without JavaScript.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

NNBSP = "\u202f"  # the thousands separator of French typography
MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
)


def number(value: float | Decimal | int | None, digits: int = 1) -> str:
    """``1234.5`` → ``1 234,5``; ``None`` → an en dash."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace(",", NNBSP).replace(".", ",")


def euros(value: Decimal | int | None) -> str:
    """Whole euros without decimals, cents when there are some: ``12 500 €``, ``312,50 €``."""
    if value is None:
        return "–"
    digits = 0 if Decimal(value) == Decimal(value).to_integral_value() else 2
    return f"{number(value, digits)}{NNBSP}€"


ELIDED = tuple("AEIOUYHÂÉÈÊÎÔŒ")


def of(name: str) -> str:
    """« de » before a place name as French writes it: d'Ahun, du Havre, des Mureaux, de Gap,
    de La Rochelle, de L'Argentière-la-Bessée (a « Hau… » name keeps its aspirated h)."""
    if name.startswith("Le "):
        return f"du {name[3:]}"
    if name.startswith("Les "):
        return f"des {name[4:]}"
    if name.upper().startswith(ELIDED) and not name.startswith("Hau"):
        return f"d'{name}"
    return f"de {name}"


def long_date(value: date) -> str:
    """``2026-06-30`` → ``30 juin 2026``."""
    return f"{value.day}{'er' if value.day == 1 else ''} {MONTHS[value.month - 1]} {value.year}"


@dataclass(frozen=True)
class Gauge:
    """A horizontal APL scale: the three zonage bands, the commune's mark and, after a what-if,
    its mark with the doctors added, in percent."""

    scale_max: float
    zip_at: float
    vivier_at: float
    value_at: float | None
    after_at: float | None = None


def gauge(
    apl: float | None, zip_max: float, vivier_max: float, after: float | None = None
) -> Gauge:
    """Positions on a scale that always shows both thresholds and the values (at least 0–6)."""
    top = max(6.0, math.ceil(max(apl or 0, after or 0) + 0.5))

    def at(x: float | None) -> float | None:
        return None if x is None else round(100 * x / top, 2)

    return Gauge(top, at(zip_max), at(vivier_max), at(apl), at(after))  # type: ignore[arg-type]  # the thresholds are never None


@dataclass(frozen=True)
class TrendPoint:
    year: int
    value: float
    x: float
    y: float


@dataclass(frozen=True)
class Trend:
    """A small line chart of an APL series, ``width`` × ``height``, its points labelled."""

    width: int
    height: int
    points: list[TrendPoint]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


def trend(series: list[tuple[int, float]], width: int = 340, height: int = 110) -> Trend:
    """Points spaced by year (2020, never published, leaves its gap), scaled between the
    series' own minimum and maximum: the direction matters here, not the distance to 0."""
    years = [year for year, _ in series]
    low = min((v for _, v in series), default=0.0)
    high = max((v for _, v in series), default=1.0)
    span, first, last = (high - low) or 1.0, min(years, default=0), max(years, default=1)
    left, right, top, bottom = 18, width - 18, 26, height - 26

    def x(year: int) -> float:
        return round(left + (right - left) * (year - first) / ((last - first) or 1), 1)

    def y(value: float) -> float:
        return round(bottom - (bottom - top) * (value - low) / span, 1)

    return Trend(width, height, [TrendPoint(yr, v, x(yr), y(v)) for yr, v in series])


@dataclass(frozen=True)
class Bar:
    label: str
    amount: Decimal
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class Bars:
    """Vertical bars of a chart ``width`` × ``height`` (plot area under the top margin)."""

    width: int
    height: int
    left: int
    bar_width: float
    baseline: float
    ticks: list[tuple[float, Decimal]]
    bars: list[Bar]


def nice_step(top: Decimal, count: int = 4) -> Decimal:
    """A 1-2-5 step that cuts ``top`` into about ``count`` intervals."""
    if top <= 0:
        return Decimal(1)
    raw = top / count
    power = Decimal(10) ** (len(str(int(raw))) - 1)
    return next(power * m for m in (1, 2, 5, 10) if power * m >= raw)


def bars(
    series: list[tuple[str, Decimal]],
    width: int = 640,
    height: int = 240,
    margin: int = 28,
    left: int = 84,
) -> Bars:
    """One bar per (label, amount), on an axis with round ticks; ``left`` leaves room for the
    tick labels."""
    top = max((amount for _, amount in series), default=Decimal(0))
    step = nice_step(top)
    axis_top = step * max(1, math.ceil(top / step))
    plot = height - 2 * margin
    slot = (width - left - margin / 2) / max(1, len(series))

    def y(amount: Decimal) -> float:
        return round(margin + plot * float(1 - amount / axis_top), 1)

    return Bars(
        width=width,
        height=height,
        left=left,
        bar_width=round(slot * 0.6, 1),
        baseline=y(Decimal(0)),
        ticks=[(y(step * i), step * i) for i in range(int(axis_top / step) + 1)],
        bars=[
            Bar(
                label,
                amount,
                round(left + slot * (i + 0.2), 1),
                y(amount),
                round(y(Decimal(0)) - y(amount), 1),
            )
            for i, (label, amount) in enumerate(series)
        ],
    )


ZONE_LABELS = {
    "ZIP": "ZIP — zone d'intervention prioritaire",
    "ZAC": "ZAC — zone d'action complémentaire",
    "ZAR": "ZAR — zone d'accompagnement régional",
    "ZV": "zone de vigilance",
    "hors zonage": "hors zonage",
    "vivier": "vivier (ZIP ou ZAC au choix de l'ARS)",
    None: "classe non disponible",
}


def zone_slug(zone_class: str | None) -> str:
    """The CSS class of a zone class, shared by the badges, the legend and the map."""
    return (zone_class or "nd").lower().replace(" ", "-")


def figure(value: float | int | None) -> str:
    """Counts without decimals, rates and ratios with two."""
    return number(value, 0 if isinstance(value, int) else 2)


def share(value: float | None) -> str:
    """``0.113`` → ``11 %``."""
    return "–" if value is None else f"{number(value * 100, 0)}{NNBSP}%"
