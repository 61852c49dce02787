"""Coordinated primary care (MSP, centres de santé, CPTS) from the FINESS+ feed."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from app.sources.common import Build, Cog, Parsed, number, pinned

# --- FINESS+ structures ---------------------------------------------------------------------

# FINESS "catégorie d'établissement" codes of coordinated primary care
CARE_CATEGORIES = {"603": "MSP", "124": "CDS", "604": "CPTS"}


def _coded(item: Mapping[str, Any], *keys: str) -> str | None:
    """The ``code`` of the first key present (the feed's sample and schema spell some keys
    differently)."""
    for key in keys:
        value = item.get(key)
        if isinstance(value, Mapping) and value.get("code"):
            return str(value["code"])
    return None


def parse_finess_structures(content: bytes, cog: Cog, today: str) -> Parsed:
    """Open maisons de santé, centres de santé and CPTS of the FINESS+ « Structures » feed.

    One row per entité géographique (EGE) of category 603, 124 or 604, at its first address
    with WGS 84 coordinates; ``today`` (ISO date) decides which are closed.
    """
    rows, skipped = [], Counter[str]()
    for legal in json.loads(content).get("pmej", []):
        for site in legal.get("ege", []):
            general = (
                site.get("informationsGeneralesEGE") or site.get("informationsGeneralesEge") or {}
            )
            category = CARE_CATEGORIES.get(
                _coded(
                    site,
                    "categorieEntiteGeographiqueExercice",
                    "categorieentiteGeographiqueExercice",
                )
                or ""
            )
            if category is None:
                continue
            closed = general.get("dateFermeture")
            if closed and closed[:10] <= today:
                skipped["structure fermée"] += 1
                continue
            address: dict[str, Any] = next(
                iter(site.get("adresse") or legal.get("adresse") or []), {}
            )
            position = address.get("coordonneesGeographique") or {}
            lon, lat = (
                number(position.get("directionLongitude")),
                number(position.get("directionLatitude")),
            )
            insee = cog.current(str(address.get("cogCommune", "")))
            if insee is None or lon is None or lat is None:
                skipped["structure sans commune ou sans coordonnées"] += 1
                continue
            rows.append(
                {
                    "finess": general.get("numFinessEge"),
                    "name": general.get("nomEgeLong") or general.get("nomEge") or "",
                    "category": category,
                    "insee": insee,
                    "lon": lon,
                    "lat": lat,
                }
            )
    return Parsed(rows, skipped)


DATASETS = ("finess-structures",)  # a pin: optional, the table stays empty without it
TABLES = ("care_structure",)


def parse(build: Build) -> dict[str, Parsed]:
    return pinned(
        build,
        "finess-structures",
        "care_structure",
        lambda content: parse_finess_structures(content, build.cog, build.today),
    )
