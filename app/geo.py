"""Coordinate reference systems: store in WGS 84, measure in a local projected CRS."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache

import numpy as np
import shapely
from pyproj import Transformer

WGS84 = 4326
LAMBERT93 = 2154

# Projected CRS for areas and distances: Lambert-93 in metropolitan France, UTM in the DROM.
_DROM_CRS = {
    "971": 5490,  # Guadeloupe, RGAF09 / UTM 20N
    "972": 5490,  # Martinique
    "973": 2972,  # Guyane, RGFG95 / UTM 22N
    "974": 2975,  # La Réunion, RGR92 / UTM 40S
    "976": 4471,  # Mayotte, RGM04 / UTM 38S
}


def local_crs(departement: str) -> int:
    """The EPSG code in which to measure geometries of this département."""
    return _DROM_CRS.get(departement, LAMBERT93)


@cache
def _transformer(source: int, target: int) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def reproject(geoms: np.ndarray, source: int, target: int) -> np.ndarray:
    """Vectorised reprojection of an array of shapely geometries."""
    transformer = _transformer(source, target)
    return shapely.transform(
        geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )


def feature_json(properties: Mapping[str, object], geometry: str, id: str | None = None) -> str:
    """A GeoJSON Feature as text around geometry already held as GeoJSON text (no re-parsing
    of the contours)."""
    head = '{"type":"Feature",' + (f'"id":{json.dumps(id)},' if id is not None else "")
    text = json.dumps(properties, ensure_ascii=False, separators=(",", ":"))
    return f'{head}"properties":{text},"geometry":{geometry}}}'


def feature_collection(features: Iterable[str], **members: object) -> bytes:
    """A FeatureCollection of Feature texts; ``members`` (foreign members: meta, links…) first."""
    head = json.dumps(
        {"type": "FeatureCollection", **members}, ensure_ascii=False, separators=(",", ":")
    )[:-1]
    return (head + ',"features":[' + ",".join(features) + "]}").encode()
