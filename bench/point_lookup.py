"""Point → commune: our prepared STRtree locator against a per-call geopandas.sjoin of one point.

Both run in-process, warm, on the real COG 2026 communes and the same random points (town halls
jittered by up to 500 m). Prints p50 per call and the ratio last.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from app.sources.communes import attach_contours, parse_cog
from app.zones.search import Locator
from bench.common import files, p50, per_call, ratio_line

data = files("communes-reference", "epci", "communes-contours")
cog, _ = parse_cog(data["communes-reference"], data["epci"])
rows = [r for r in attach_contours(cog, data["communes-contours"]).rows if r["geom"] is not None]
locator = Locator(
    [r["insee"] for r in rows],
    [r["geom"] for r in rows],
    {r["insee"] for r in rows if r["kind"] == "ARM"},
)
frame = gpd.GeoDataFrame(
    {"insee": [r["insee"] for r in rows]}, geometry=[r["geom"] for r in rows], crs=4326
)
_ = frame.sindex  # built once, as a warm service would

rng = np.random.default_rng(2026)
towns = [r for r in rows if r["townhall_lon"] is not None]
picks = rng.choice(len(towns), 2000)
points = [
    (
        towns[i]["townhall_lon"] + rng.uniform(-0.005, 0.005),
        towns[i]["townhall_lat"] + rng.uniform(-0.005, 0.005),
    )
    for i in picks
]

stream = iter(points * 10)
ours = per_call(lambda: locator.locate(*next(stream)), 20_000)


def sjoin_at(lon: float, lat: float) -> object:
    point = gpd.GeoDataFrame(geometry=[shapely.Point(lon, lat)], crs=4326)
    return gpd.sjoin(point, frame, predicate="within")


stream = iter(points * 10)
baseline = per_call(lambda: sjoin_at(*next(stream)), 300)
agree = sum(
    locator.locate(lon, lat) in set(sjoin_at(lon, lat)["insee"]) for lon, lat in points[:200]
)
print(
    f"ours p50 {p50(ours) * 1e6:.1f} µs; geopandas.sjoin p50 {p50(baseline) * 1e3:.2f} ms; "
    f"same commune for {agree}/200 points"
)
ratio_line("point lookup speed-up over sjoin", p50(baseline) / p50(ours), "≥ 200×, p50 < 20 µs")
