"""OGC API – Features, Part 1 (core, GeoJSON): the parameters and links of an items page.

Pure: no web framework, no database."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
DEFAULT_LIMIT, MAX_LIMIT = 10, 1000
# the parameters Part 1 defines for an items request; any other is a filter or an error
STANDARD = ("bbox", "bbox-crs", "crs", "limit", "offset", "f")
FORMATS = ("json", "geojson")
# a decimal number as the standard writes it: no "1_0", "inf" or "0x1p3" that float() accepts
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?")


class BadParameter(ValueError):
    """A query parameter the standard defines but whose value is wrong (400)."""


@dataclass(frozen=True)
class Bbox:
    west: float
    south: float
    east: float
    north: float

    def contains(self, lon: float, lat: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north


def parse_bbox(text: str) -> Bbox:
    """``west,south,east,north`` in CRS84 longitude/latitude (a 6-value 3D box drops heights)."""
    parts = [v.strip() for v in text.split(",")]
    if not all(_NUMBER.fullmatch(v) for v in parts):
        raise BadParameter("bbox : quatre nombres séparés par des virgules attendus.")
    values = [float(v) for v in parts]
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise BadParameter("bbox : quatre nombres séparés par des virgules attendus.")
    west, south, east, north = values
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise BadParameter("bbox : longitudes entre -180 et 180, latitudes de sud à nord.")
    if west > east:
        raise BadParameter(
            "bbox : une boîte qui traverse l'antiméridien n'est pas prise en charge."
        )
    return Bbox(west, south, east, north)


def check_crs(crs: str | None) -> None:
    """Only WGS 84 longitude/latitude is served."""
    if crs is not None and crs not in (CRS84, EPSG4326):
        raise BadParameter(f"crs : seul {CRS84} est proposé.")


@dataclass(frozen=True)
class ItemsQuery:
    bbox: Bbox | None
    limit: int
    offset: int
    filters: dict[str, str]


def items_query(pairs: Sequence[tuple[str, str]], filters: Collection[str]) -> ItemsQuery:
    """An items request's parameters, checked as Part 1 asks: an unknown parameter or a bad
    value is a 400, and a ``limit`` above the maximum is the maximum, not an error."""
    unknown = sorted({k for k, _ in pairs} - {*STANDARD, *filters})
    if unknown:
        names = ", ".join(n[:30] for n in unknown[:5])
        raise BadParameter(
            f"Paramètre inconnu : {names} (possibles : {', '.join([*STANDARD, *filters])})."
        )
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in values:
            raise BadParameter(f"{name} : une seule valeur attendue.")
        values[name] = value
    if values.get("f", "json").lower() not in FORMATS:
        raise BadParameter("f : seul le format json (GeoJSON) est proposé.")
    check_crs(values.get("crs"))
    check_crs(values.get("bbox-crs"))
    bbox = values.get("bbox")
    return ItemsQuery(
        bbox=parse_bbox(bbox) if bbox is not None else None,
        limit=min(_count(values, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT),
        offset=_count(values, "offset", 0, 0),
        filters={k: v for k, v in values.items() if k in filters},
    )


def _count(values: dict[str, str], name: str, default: int, minimum: int) -> int:
    text = values.get(name)
    if text is None:
        return default
    if not re.fullmatch(r"\d{1,9}", text) or int(text) < minimum:
        raise BadParameter(f"{name} : nombre entier d'au moins {minimum} attendu.")
    return int(text)


def page_links(
    url: str, query: Sequence[tuple[str, str]], offset: int, limit: int, matched: int
) -> list[dict[str, str]]:
    """self, and next/prev when there is a page after/before this one."""
    kept = [(k, v) for k, v in query if k != "offset"]

    def link(rel: str, at: int) -> dict[str, str]:
        href = f"{url}?{urlencode([*kept, ('offset', str(at))])}"
        return {"href": href, "rel": rel, "type": "application/geo+json"}

    links = [link("self", offset)]
    if offset + limit < matched:
        links.append(link("next", offset + limit))
    if offset > 0:
        links.append(link("prev", max(0, offset - limit)))
    return links
