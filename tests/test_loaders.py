"""Parsing the manifest's files, on tiny inputs written here with known answers."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from app.geo import LAMBERT93, WGS84, reproject
from app.zones.loaders import (
    SourceFormatError,
    attach_contours,
    parse_apl,
    parse_cog,
    parse_finess_structures,
    parse_rpps_activity,
    parse_zonage,
)
from tests.builders import finess_feed, finess_site, rpps_extract, rpps_row

COMMUNES = [
    # 01015 absorbed 01340 (former code) and has a delegated commune of its own code
    {
        "code": "01015",
        "nom": "Arboys en Bugey",
        "type": "commune-actuelle",
        "zone": "metro",
        "departement": "01",
        "region": "84",
        "population": 700,
        "codesPostaux": ["01300"],
        "anciensCodes": ["01340"],
    },
    {
        "code": "01015",
        "nom": "Arbignieu",
        "type": "commune-deleguee",
        "chefLieu": "01015",
        "departement": "01",
        "region": "84",
    },
    {
        "code": "01340",
        "nom": "Saint-Bois",
        "type": "commune-deleguee",
        "chefLieu": "01015",
        "departement": "01",
        "region": "84",
    },
    {
        "code": "13055",
        "nom": "Marseille",
        "type": "commune-actuelle",
        "zone": "metro",
        "departement": "13",
        "region": "93",
        "population": 870000,
    },
    {
        "code": "13201",
        "nom": "Marseille 1er",
        "type": "arrondissement-municipal",
        "codesPostaux": ["13001"],
        "zone": "metro",
        "commune": "13055",
        "departement": "13",
        "region": "93",
    },
    {
        "code": "13202",
        "nom": "Marseille 2e",
        "type": "arrondissement-municipal",
        "codesPostaux": ["13002"],
        "zone": "metro",
        "commune": "13055",
        "departement": "13",
        "region": "93",
    },
    {
        "code": "97501",
        "nom": "Miquelon-Langlade",
        "type": "commune-actuelle",
        "zone": "com",
        "departement": "975",
        "region": "975",
    },
]
EPCI = [{"code": "200040350", "nom": "CC Bugey Sud", "membres": [{"code": "01015"}]}]
HEADER = (
    "Code commune,Libellé de la commune,Population totale,"
    "APL aux médecins généralistes (sans borne d'âge),"
    "APL aux médecins généralistes de 65 ans et moins,"
    "APL aux médecins généralistes de 62 ans et moins,"
    "Population standardisée par la consommation de soins par tranche d'âge\n"
)


@pytest.fixture
def cog():
    cog, skipped = parse_cog(json.dumps(COMMUNES).encode(), json.dumps(EPCI).encode())
    assert skipped["collectivité d'outre-mer (hors champ de la convention médicale)"] == 1
    return cog


def test_cog_keeps_communes_and_arrondissements(cog) -> None:
    assert sorted(cog.communes) == ["01015", "13055", "13201", "13202"]
    assert cog.communes["01015"]["epci_name"] == "CC Bugey Sud"
    assert cog.communes["13201"]["kind"] == "ARM"
    assert cog.current("01340") == "01015" and cog.current("99999") is None


def test_apl_of_a_merged_commune_is_the_std_population_weighted_mean(cog) -> None:
    csv = HEADER + "01015,A,100,2.0,1.0,1.0,100\n01340,B,300,4.0,3.0,,300\n99999,Gone,1,1,1,1,1\n"
    parsed = parse_apl(csv.encode(), cog, "medecin_generaliste")
    (row,) = parsed.rows
    # (2.0 × 100 + 4.0 × 300) / 400 = 3.5 ; ≤ 65: (1 × 100 + 3 × 300) / 400 = 2.5 ; ≤ 62: B unknown
    assert row["value"] == 3.5 and row["value_le65"] == 2.5 and row["value_le62"] == 1.0
    assert row["population"] == 400 and row["derivation"] == "fusion"
    assert row["source_codes"] == ["01015", "01340"]
    assert parsed.skipped == {"code APL absent du COG 2026, même par les anciens codes": 1}
    assert sum(parsed.incomplete.values()) == 3  # Marseille and its arrondissements


def test_apl_of_marseille_from_its_arrondissements(cog) -> None:
    csv = HEADER + "13201,,10,6.0,5.0,4.0,10\n13202,,30,2.0,1.0,1.0,30\n"
    rows = {r["insee"]: r for r in parse_apl(csv.encode(), cog, "medecin_generaliste").rows}
    assert rows["13201"]["derivation"] == "source" and rows["13201"]["value"] == 6.0
    assert rows["13055"]["derivation"] == "arrondissements"
    assert rows["13055"]["value"] == 3.0  # (6 × 10 + 2 × 30) / 40


def test_zonage_classes_and_zrr(cog) -> None:
    csv = (
        "code_insee,nom_commune,zonage,zrr,codes_postaux\n"
        "01015,A,1_ZIP,C - Classée en ZRR|NC - Commune non classée,01300\n"
        "13201,M,N/A - résultat non disponible,,13001\n"
        "13202,M,3_HZ,NC - Commune non classée,13002\n"
    )
    parsed = parse_zonage(csv.encode(), cog, "zonage-mg")
    rows = {r["insee"]: r for r in parsed.rows}
    assert rows["01015"]["zone_class"] == "ZIP" and rows["01015"]["zrr"] == "partiellement classée"
    assert rows["13202"]["zone_class"] == "hors zonage" and rows["13202"]["zrr"] == "non classée"
    assert "13201" not in rows
    assert parsed.skipped == {"classe de zonage non disponible dans la source": 1}


def test_contours_give_area_centroid_and_bbox(cog) -> None:
    # a 2 km × 1 km rectangle drawn in Lambert-93 near Toulouse, then taken to WGS 84
    square = reproject(np.array([box(572_000, 6_279_000, 574_000, 6_280_000)]), LAMBERT93, WGS84)[0]
    feature = {
        "type": "Feature",
        "properties": {"code": "01015", "mairie_lon": 1.0, "mairie_lat": 43.0},
        "geometry": json.loads(shapely.to_geojson(square)),
    }
    inside = shapely.centroid(square)
    feature["properties"].update(mairie_lon=inside.x, mairie_lat=inside.y)
    # the same contour for 13201, whose town-hall point lies 60 km away: dropped
    offside = dict(feature, properties={"code": "13201", "mairie_lon": 1.0, "mairie_lat": 43.0})
    ghost = dict(feature, properties={"code": "00000"})
    collection = {"type": "FeatureCollection", "features": [feature, offside, ghost]}
    parsed = attach_contours(cog, json.dumps(collection).encode())
    rows = {r["insee"]: r for r in parsed.rows}
    row = rows["01015"]
    assert rows["13201"]["townhall_lon"] is None and rows["13201"]["lon"] is not None
    assert parsed.incomplete["position de mairie hors de la commune (ignorée)"] == 1
    assert row["area_km2"] == pytest.approx(2.0, abs=1e-3)
    west, south, east, north = row["bbox"]
    assert west < row["lon"] < east and south < row["lat"] < north
    assert row["geom"].geom_type == "MultiPolygon" and row["townhall_lon"] == inside.x
    assert parsed.skipped["contour sans commune dans le COG 2026"] == 1
    assert parsed.incomplete["commune sans contour dans la source"] == 2


def test_finess_plus_structures_keep_open_msp_cds_cpts(cog) -> None:
    feed = finess_feed(
        finess_site("010000011", "603", "01015"),  # MSP
        finess_site("010000012", "124", "01340"),  # centre de santé, at a former code
        finess_site("010000013", "604", "01015", key="categorieentiteGeographiqueExercice"),
        finess_site("010000014", "603", "01015", closed="2025-06-30"),
        finess_site("010000015", "355", "01015"),  # a hospital: not kept
        finess_site("010000016", "603", "99999"),
    )
    parsed = parse_finess_structures(feed, cog, "2026-11-23")
    assert [(r["finess"], r["category"], r["insee"]) for r in parsed.rows] == [
        ("010000011", "MSP", "01015"),
        ("010000012", "CDS", "01015"),
        ("010000013", "CPTS", "01015"),
    ]
    assert parsed.rows[0]["lon"] == 5.68 and parsed.rows[0]["lat"] == 45.75
    assert parsed.skipped == {
        "structure fermée": 1,
        "structure sans commune ou sans coordonnées": 1,
    }


def test_rpps_extract_counts_each_gp_once_over_the_communes_of_practice(cog) -> None:
    extract = rpps_extract(
        rpps_row("1001", "01015"),  # two libéral sites: half a GP in each
        rpps_row("1001", "13055", "13001"),  # Marseille: its arrondissement, by postcode
        rpps_row("1001", "01015", skill="SM26"),  # the same site again: counted once
        rpps_row("1002", "01340", mode="S", sector="Centre de santé"),  # former code
        rpps_row("1003", "01015", mode="S", sector="Etablissement public de santé"),
        rpps_row("1004", "01015", profession="21", skill=""),  # a pharmacist
        rpps_row("1005", "01015", skill="SM04"),  # a cardiologist
        rpps_row("1006", "", "01300"),  # no commune of practice
        rpps_row("1007", "13055", "13099"),  # Marseille, postcode of no arrondissement
        rpps_row("1008", "13202"),
        encoding="cp1252",  # older extractions
    )
    parsed = parse_rpps_activity(extract, cog)
    assert parsed.rows == [
        {"insee": "01015", "gps": 1.5, "persons": 2},
        {"insee": "13201", "gps": 0.5, "persons": 1},
        {"insee": "13202", "gps": 1.0, "persons": 1},
    ]
    assert parsed.skipped == {"activité sans commune d'exercice reconnue": 2}


def test_rpps_extract_without_its_columns_is_refused(cog) -> None:
    with pytest.raises(SourceFormatError, match="Code commune"):
        parse_rpps_activity(b"Identifiant PP|Code profession|Code savoir-faire\n1|10|SM53\n", cog)
