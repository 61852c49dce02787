"""Régions and départements."""

from __future__ import annotations

import json

from app.sources.common import Build, Parsed, Row


def parse_areas(departements_json: bytes, regions_json: bytes) -> tuple[list[Row], list[Row]]:
    """Région and département rows, without the overseas collectivities (as for communes)."""
    regions = [
        {"code": r["code"], "name": r["nom"]}
        for r in json.loads(regions_json)
        if r["zone"] != "com"
    ]
    departements = [
        {"code": d["code"], "name": d["nom"], "region_code": d["region"]}
        for d in json.loads(departements_json)
        if d["zone"] != "com"
    ]
    return regions, departements


DATASETS = ("departements", "regions")
TABLES = ("region", "departement")


def parse(build: Build) -> dict[str, Parsed]:
    regions, departements = parse_areas(build.files["departements"], build.files["regions"])
    return {"region": Parsed(regions), "departement": Parsed(departements)}
