"""Tiny inputs written from the sources' documented schemas, for tests only."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
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


# --- a tiny snapshot: every source of the manifest, for three communes -------------------------
#
# Région 93, départements 05 and 04. Bourg (05002) absorbed 05004, whose APL row keeps the old
# code; Aval and Bourg share a bassin de vie. Every figure below has a known answer.

TINY_COMMUNES = (
    # code, name, département, population, postcodes, west edge (a 0.1° square at 44.5° N)
    ("05001", "Aval", "05", 1000, ["05100"], 6.0),
    ("05002", "Bourg", "05", 9000, ["05200"], 6.1),
    ("04001", "Cime", "04", 500, ["04100"], 6.2),
)
# code, APL all ages, APL ≤ 65, standardised population, population (05004: Bourg's former part)
TINY_APL = (
    ("05001", 2.0, 1.9, 1000.0, 1000),
    ("05002", 3.5, 3.2, 9000.0, 8000),
    ("05004", 4.5, 4.0, 1000.0, 1000),
    ("04001", 5.0, 4.8, 500.0, 500),
)


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def _lines(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


def _apl_2021(indicators: tuple[str, ...], values: dict[str, tuple[float, ...]]) -> bytes:
    """A DREES APL file of 2021 (the workbook's column labels)."""
    header = ",".join(
        ["Code commune", "Population totale", *indicators, "Population standardisée par âge"]
    )
    return _lines(
        header,
        *(
            ",".join([code, str(pop), *(str(v) for v in vals), str(std)])
            for code, (pop, std, *vals) in values.items()
        ),
    )


def tiny_files() -> dict[str, bytes]:
    """The content of every dataset the load reads, by manifest name."""
    communes = [
        {
            "code": code,
            "nom": name,
            "type": "commune-actuelle",
            "zone": "metro",
            "departement": dep,
            "region": "93",
            "population": population,
            "codesPostaux": postcodes,
            **({"anciensCodes": ["05004"]} if code == "05002" else {}),
        }
        for code, name, dep, population, postcodes, _ in TINY_COMMUNES
    ]
    communes.append(
        {"code": "05004", "nom": "Vieux", "type": "commune-deleguee", "chefLieu": "05002"}
    )
    contours = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": code, "mairie_lon": west + 0.05, "mairie_lat": 44.55},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [west, 44.5],
                            [west + 0.1, 44.5],
                            [west + 0.1, 44.6],
                            [west, 44.6],
                            [west, 44.5],
                        ]
                    ],
                },
            }
            for code, *_, west in TINY_COMMUNES
        ],
    }
    gp_2021 = {code: (pop, std, apl, le65, le65) for code, apl, le65, std, pop in TINY_APL}
    santescope = _lines(
        "code_commune,population,nb_medecins_generalistes_rpps,msp_presente,"
        "temps_acces_urgences_min,apl_mg_2015,apl_mg_2016,apl_mg_2017,apl_mg_2018,apl_mg_2019",
        "05001,1000,1,0,25.0,2.4,2.3,2.2,2.1,2.0",
        "05002,8000,9,1,0,3.0,3.1,3.2,3.3,3.4",
        "05004,1000,1,0,12.0,,,,,",
        "04001,500,0,0,40.5,5.0,5.0,5.0,5.0,5.0",
    )
    territories = ("05001,B05", "05002,B05", "05004,B05", "04001,B04")
    return {
        "communes-reference": _json(communes),
        "epci": _json(
            [{"code": "200000001", "nom": "CC du Bourg", "membres": [{"code": "05002"}]}]
        ),
        "departements": _json(
            [
                {"code": "04", "region": "93", "nom": "Alpes-de-Haute-Provence", "zone": "metro"},
                {"code": "05", "region": "93", "nom": "Hautes-Alpes", "zone": "metro"},
            ]
        ),
        "regions": _json([{"code": "93", "nom": "Provence-Alpes-Côte d'Azur", "zone": "metro"}]),
        "communes-contours": _json(contours),
        "bassins-de-vie": _lines(
            "CODGEO,BV2012,LIBBV2012", *(f"{t},Bassin {t[-3:]}" for t in territories)
        ),
        "bassins-de-vie-2022": _lines("CODGEO,BV2022", *territories),
        "apl-mg": _lines(
            "code_commune,apl_mg,apl_mg_moins65,pop_standardisee,pop_totale",
            *(f"{c},{apl},{le65},{std},{pop}" for c, apl, le65, std, pop in TINY_APL),
        ),
        "apl-mg-2022": _lines(
            "code_commune,apl_mg,apl_mg_moins65,pop_standardisee,pop_totale",
            *(f"{c},{apl - 0.5},{le65 - 0.5},{std},{pop}" for c, apl, le65, std, pop in TINY_APL),
        ),
        "apl-mg-2021": _apl_2021(
            (
                "APL aux médecins généralistes (sans borne d'âge)",
                "APL aux médecins généralistes de 65 ans et moins",
                "APL aux médecins généralistes de 62 ans et moins",
            ),
            gp_2021,
        ),
        **{
            name: _apl_2021(
                (f"APL 2021 aux {label}",),
                {code: (pop, std, 50.0) for code, _, _, std, pop in TINY_APL},
            )
            for name, label in (
                ("apl-inf", "infirmières de 65 ans et moins"),
                ("apl-mk", "masseuses-kinésithérapeutes de 65 ans et moins"),
                ("apl-sf", "sages-femmes"),
                ("apl-cd", "chirurgiens-dentistes de 65 ans et moins"),
            )
        },
        "apl-mg-historique": santescope,
        "rpps-communes-2026": santescope,
        "msp-finess-2026": santescope,
        "urgences-drees-2019": santescope,
        "zonage-mg": _lines(
            "code_insee,zonage,zrr",
            "05001,1_ZIP,C - Commune classée",
            "05002,2_ZAC,NC - Commune non classée",
            "04001,3_HZ,NC - Commune non classée",
        ),
        "hospitals": _lines(
            "id,hospital_name,site_name,lat,lon,postcode,city,facility_type,public_private",
            "50000001,CENTRE HOSPITALIER DE BOURG,,44.55,6.15,05200,BOURG,CH,public",
        ),
        "rpps-departements": _lines(
            "dpt,code_savoir_faire,libelle_savoir_faire,eff",
            "05,SM53,Spécialiste en Médecine Générale,60",
            "04,SM53,Spécialiste en Médecine Générale,40",
        ),
        "rpps-france": _lines("specialite,eff", "SM53 - Spécialiste en Médecine Générale,59939"),
        "population-age": _lines(
            "Code;Population municipale 2021.x;Homme_0_4;Femmes_0_4;Hommes_65_69;Femmes_65_69;"
            "Hommes_75_plus;Femmes_75_plus",
            "05002;9000;3000;3000;1000;1000;500;500",
        ),
        "cartosante-bv-2024": _lines(
            "CartoSanté; ;",
            "Référentiel géographique : France par bassin de vie; ;",
            "Code;Libellé;Part des bénéf. en ALD dans la pop 2024;"
            "Densité de généralistes lib. 2024",
            "B05;Bassin 05;21.5;9.8",
            "B04;Bassin 04;N/A - secret statistique;6.1",
        ),
        "insee-social-bv-2022": _lines(
            "Insee - Statistiques locales; ;",
            "Référentiel géographique : France par bassin de vie; ;",
            "Code;Libellé;Taux de pauvreté 2021;Médiane du niveau de vie 2021",
            "B05;Bassin 05;13.2;22140",
            "B04;Bassin 04;16.0;20510",
        ),
        "ban-05": ban_file(
            ("3", "Rue du Four", "05200", "05002", "Bourg", 6.151, 44.551),
            ("12", "Chemin des Prés", "05100", "05001", "Aval", 6.052, 44.548),
        ),
        "frr-communes": frr_list(
            ("05001", "FRR socle"), ("05002", "Non classée"), ("04001", "FRR+")
        ),
        # PACA's zonage of 5 January 2026 in the official table, which does not hold Cime: its
        # class comes from the unofficial copy, older than that arrêté
        TINY_OFFICIAL: official_table(
            official_row("05001", "1_ZIP", "05/01/2026", region=PACA),
            official_row("05002", "2_ZAC", "05/01/2026", region=PACA),
        ),
    }


TINY_OFFICIAL = "zonage-officiel-20260730"  # a vintage of the official table, pinned
PACA = "Provence-Alpes-Côte d'Azur"


def tiny_mirror(root: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Write the tiny files where the manifest's entries expect them under ``root`` (a
    mirror) and return those entries with the files' checksums (a pinned file fills its
    template)."""
    entries = {}
    for name, content in tiny_files().items():
        entry = manifest.get(name) or replace(
            manifest[name.rsplit("-", 1)[0]], name=name, role="load", path=f"pins/{name}.csv"
        )
        path = root / entry.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        entries[name] = replace(
            entry, sha256=hashlib.sha256(content).hexdigest(), vintage=f"{entry.vintage} (test)"
        )
    return entries


FRR_HEADER = "Code_insee;Departement;Commune;Classement FRR et FRR+ au 10 juillet 2025"


def frr_list(*rows: tuple[str, str], header: str = FRR_HEADER) -> bytes:
    """The DGCL's list of the communes of France Ruralités Revitalisation: rows of (INSEE code,
    classification label), semicolon-separated and CRLF-terminated as the DGCL writes it."""
    lines = [header] + [f"{code};{code[:2]};Commune {code};{label}" for code, label in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")
