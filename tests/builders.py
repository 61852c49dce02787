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


OFFICIAL_HEADER = (
    "source,date_maj,niveau,code,lib,com_code,com_lib,com_region,pop,tvs_region,tvs_dpt,"
    "tvs_code,tvs_lib,bvcv_region,bvcv_dpt,bvcv_code,bvcv_lib,bvcv_type,zmed_niveau,"
    "zmed_date_arrete,zide_niveau,zide_date_arrete,zmk_niveau,zmk_date_arrete,zsf_niveau,"
    "zsf_date_arrete,zdent_niveau,zdent_date_arrete,zortho_niveau,zortho_date_arrete"
).split(",")


def official_row(
    code: str,
    level: str,
    decided: str = "30/10/2025",
    tvs: tuple[str, str] = ("", ""),
    region: str = "Occitanie",
    kind: str = "COM",
    updated: str = "30/07/2026",
) -> dict[str, str]:
    """A commune of the national table « Zonages des professionnels de santé libéraux »
    (DataSanté), as its 30 columns describe it (shared/data/zonage-officiel-datasante-sample)."""
    row = dict.fromkeys(OFFICIAL_HEADER, "")
    row.update(
        source="DataSanté (doc en ligne sur data.gouv.fr)",
        date_maj=updated,
        niveau=kind,
        code=code,
        lib=f"Commune {code}",
        com_code=code,
        com_region=region,
        pop="1 306",
        tvs_region=region,
        tvs_code=tvs[0],
        tvs_lib=tvs[1],
        zmed_niveau=level,
        zmed_date_arrete=decided,
    )
    return row


def official_table(*rows: dict[str, str], delimiter: str = ",") -> bytes:
    """The table's CSV, every field quoted as DataSanté writes it."""
    lines = [delimiter.join(f'"{c}"' for c in OFFICIAL_HEADER)]
    lines += [delimiter.join(f'"{row[c]}"' for c in OFFICIAL_HEADER) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


BAN_HEADER = (
    "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;"
    "code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;"
    "libelle_acheminement;libelle_cad;source_position;source_nom_voie;certification_commune;"
    "cad_parcelles"
)


def ban_file(*rows: tuple[str, str, str, str, str, float, float]) -> bytes:
    """A département's « adresses-XX.csv » of the Base Adresse Nationale: rows of (number,
    street, postcode, INSEE code, commune, lon, lat)."""
    lines = [BAN_HEADER]
    for n, (number, street, postcode, insee, commune, lon, lat) in enumerate(rows):
        lines.append(
            f"{insee}_x_{n};;{number};;{street};{postcode};{insee};{commune};;;;;{lon};{lat};"
            f"entrée;;;{commune.upper()};;commune;commune;1;"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")
