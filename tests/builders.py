"""Tiny inputs written from the sources' documented schemas, for tests only."""

from __future__ import annotations

import json
from typing import Any

CATEGORY_KEY = "categorieEntiteGeographiqueExercice"


def finess_site(
    finess: str, category: str, commune: str, closed: str = "", key: str = CATEGORY_KEY
) -> dict[str, Any]:
    """An entité géographique as the FINESS+ « Structures » schema describes it."""
    return {
        "informationsGeneralesEGE": {
            "numFinessEge": finess,
            "nomEgeLong": f"Structure {finess}",
            "dateOuverture": "2019-01-01",
            "dateFermeture": closed,
        },
        key: {"code": category, "system": "https://mos.esante.gouv.fr/NOS/tre_r397"},
        "etatObjet": {"code": "ACTIF"},
        "roleEge": {"code": "P"},
        "adresse": [
            {
                "cogCommune": commune,
                "codePostal": "01300",
                "coordonneesGeographique": {
                    "coordonneeX": "",
                    "coordonneeY": "",
                    "directionLatitude": "45.75",
                    "directionLongitude": "5.68",
                },
            }
        ],
    }


def finess_feed(*sites: dict[str, Any]) -> bytes:
    """A FINESS+ « Structures » daily file holding ``sites`` under one legal entity."""
    feed = {
        "schemaVersion": "1",
        "generatedAt": "2026-03-09",
        "gcc": [],
        "gco": [],
        "pmej": [{"informationsGeneralesPmej": {"numFinessPm": "010000001"}, "ege": list(sites)}],
    }
    return json.dumps(feed).encode()
