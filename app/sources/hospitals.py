"""Hospital sites (FINESS, geocoded)."""

from __future__ import annotations

from collections import Counter

import shapely

from app.sources.common import Build, Cog, Parsed, csv_rows, number
from app.zones.figures import display_name, fold_upper


def parse_hospitals(content: bytes, cog: Cog) -> Parsed:
    """Hospital sites with coordinates (FINESS numbers restored to 9 characters), their upper-
    case names written in normal case with the accents of the communes they name."""
    places = {
        fold_upper(row["name"]).replace(" ", "-"): row["name"]
        for row in cog.communes.values()
        if len(row["name"]) >= 3
    }
    rows, skipped = [], Counter[str]()
    for record in csv_rows(content):
        lon, lat = number(record["lon"]), number(record["lat"])
        if lon is None or lat is None:
            skipped["site sans coordonnées"] += 1
            continue
        rows.append(
            {
                "finess": record["id"].strip().zfill(9),
                "name": display_name(record["hospital_name"].strip(), places),
                "site_name": display_name(record["site_name"].strip(), places) or None,
                "category": record["facility_type"].strip() or None,
                "public_private": record["public_private"].strip() or None,
                "postcode": record["postcode"].strip().zfill(5)
                if record["postcode"].strip()
                else None,
                "city": display_name(record["city"].strip(), places) or None,
                "lon": lon,
                "lat": lat,
                "geom": shapely.Point(lon, lat),
            }
        )
    return Parsed(rows, skipped)


DATASETS = ("hospitals",)
TABLES = ("hospital",)


def parse(build: Build) -> dict[str, Parsed]:
    return {"hospital": parse_hospitals(build.files["hospitals"], build.cog)}
