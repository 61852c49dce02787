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


# The columns of ``PS_LibreAcces_Personne_activite`` as the ANS documents them, in order.
RPPS_HEADER = (
    "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Code civilité d'exercice|"
    "Libellé civilité d'exercice|Code civilité|Libellé civilité|Nom d'exercice|"
    "Prénom d'exercice|Code profession|Libellé profession|Code catégorie professionnelle|"
    "Libellé catégorie professionnelle|Code type savoir-faire|Libellé type savoir-faire|"
    "Code savoir-faire|Libellé savoir-faire|Code mode exercice|Libellé mode exercice|"
    "Numéro SIRET site|Numéro SIREN site|Numéro FINESS site|"
    "Numéro FINESS établissement juridique|Identifiant technique de la structure|"
    "Raison sociale site|Enseigne commerciale site|Complément destinataire (coord. structure)|"
    "Complément point géographique (coord. structure)|Numéro Voie (coord. structure)|"
    "Indice répétition voie (coord. structure)|Code type de voie (coord. structure)|"
    "Libellé type de voie (coord. structure)|Libellé Voie (coord. structure)|"
    "Mention distribution (coord. structure)|Bureau cedex (coord. structure)|"
    "Code postal (coord. structure)|Code commune (coord. structure)|"
    "Libellé commune (coord. structure)|Code pays (coord. structure)|"
    "Libellé pays (coord. structure)|Téléphone (coord. structure)|"
    "Téléphone 2 (coord. structure)|Télécopie (coord. structure)|"
    "Adresse e-mail (coord. structure)|Code Département (structure)|"
    "Libellé Département (structure)|Ancien identifiant de la structure|"
    "Autorité d'enregistrement|Code secteur d'activité|Libellé secteur d'activité|"
    "Code section tableau pharmaciens|Libellé section tableau pharmaciens|"
).split("|")


def rpps_row(
    person: str,
    commune: str,
    postcode: str = "",
    profession: str = "10",
    skill: str = "SM53",
    mode: str = "L",
    sector: str = "Cabinet individuel",
) -> str:
    """One person × activity line of the extract (a trailing ``|``, as the ANS writes it)."""
    values = dict.fromkeys(RPPS_HEADER, "")
    values.update(
        {
            "Type d'identifiant PP": "8",
            "Identifiant PP": person,
            "Identification nationale PP": f"8{person}",
            "Nom d'exercice": "DUPRÉ",
            "Code profession": profession,
            "Libellé profession": "Médecin" if profession == "10" else "Pharmacien",
            "Code savoir-faire": skill,
            "Code mode exercice": mode,
            "Libellé mode exercice": {"L": "Libéral", "S": "Salarié"}.get(mode, ""),
            "Code postal (coord. structure)": postcode,
            "Code commune (coord. structure)": commune,
            "Libellé secteur d'activité": sector,
        }
    )
    return "|".join(values[c] for c in RPPS_HEADER)


def rpps_extract(*rows: str, encoding: str = "utf-8") -> bytes:
    return "\n".join(["|".join(RPPS_HEADER), *rows, ""]).encode(encoding)
