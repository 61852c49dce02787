"""Parsing the manifest's files, on tiny inputs written here with known answers."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from app.geo import LAMBERT93, WGS84, reproject
from app.sources.apl import parse_apl, parse_apl_history
from app.sources.common import Parsed, SourceFormatError
from app.sources.communes import attach_contours, parse_cog
from app.sources.facts import FactColumn, parse_bassin_facts, parse_commune_facts, territory_facts
from app.sources.finess import parse_finess_structures
from app.sources.frr import attach_frr, read_frr
from app.sources.rpps import parse_rpps_activity
from app.sources.zonage import (
    official_level,
    parse_official_zonage,
    parse_zonage,
    published_zones,
    with_history,
)
from app.zones.figures import display_name, fold_upper
from tests.builders import (
    finess_feed,
    finess_site,
    frr_list,
    official_row,
    official_table,
    rpps_extract,
    rpps_row,
)

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


def test_frr_statuses_of_the_dgcl_list_on_current_communes(cog) -> None:
    content = frr_list(
        ("1015", "FRR socle"),  # a spreadsheet dropped the leading zero
        ("01340", "Non classée"),  # merged into 01015 since: classed by address
        ("13055", "Non classée"),
        ("99999", "FRR+"),
        ("13202", "Zone blanche"),
    )
    statuses, stamp, skipped = read_frr(content)
    assert stamp == date(2025, 7, 10)
    assert statuses == {
        "01015": "socle",
        "01340": "non classée",
        "13055": "non classée",
        "99999": "plus",
    }
    assert skipped == {"classement FRR inconnu : Zone blanche": 1}
    communes = Parsed(
        [{"insee": c, "parent_insee": r["parent_insee"]} for c, r in cog.communes.items()]
    )
    attach_frr(communes, content, cog)
    frr = {row["insee"]: row["frr"] for row in communes.rows}
    assert frr == {
        "01015": "partielle",
        "13055": "non classée",
        "13201": "non classée",
        "13202": "non classée",
    }
    assert communes.skipped == {
        "frr-communes : classement FRR inconnu : Zone blanche": 1,
        "frr-communes : code de la liste FRR absent du COG 2026, même par les anciens codes": 1,
    }
    labels = ("FRR bénéficiaire", "FRR BENEFICIAIRE PARTIELLEMENT", "Classée FRR partiellement")
    latin1 = frr_list(*(("05061", label) for label in labels[:1])).decode().encode("cp1252")
    assert read_frr(latin1)[0] == {"05061": "bénéficiaire"}
    assert read_frr(frr_list(("05061", labels[1]), ("05006", labels[2])))[0] == {
        "05061": "partielle",
        "05006": "partielle",
    }
    with pytest.raises(SourceFormatError, match="Code_insee"):
        read_frr(b"code;commune\n05061;Gap\n")


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


def test_official_zonage_levels_dates_and_tvs(cog) -> None:
    """Levels keep the authority's numbering; NC and unknown levels are counted, not guessed;
    a former code lands on its commune; arrondissements are read too."""
    content = official_table(
        official_row("01340", "1_ZIP", tvs=("01053", "Belley")),  # former code of 01015
        official_row("13201", "2_ZAC", "05/06/2023", ("13055", "Marseille"), "Provence"),
        official_row("13202", "5b_Non_prioritaire", tvs=("13055", "Marseille")),
        official_row("13055", "NC", tvs=("13055", "Marseille")),
        official_row("99999", "1_ZIP"),
        official_row("01015", "9_Inconnu", kind="EPCI"),  # not a commune row: ignored
        delimiter=";",
    )
    parsed, tvs = parse_official_zonage(content, cog)
    rows = {r["insee"]: r for r in parsed.rows}
    assert rows["01015"]["zone_class"] == "ZIP" and rows["01015"]["dataset"] == "zonage-officiel"
    assert rows["01015"]["decided_on"] == date(2025, 10, 30)
    assert rows["01015"]["known_on"] == date(2026, 7, 30)  # the table's date_maj
    assert rows["13201"] | {"authority": "ARS Provence"} == rows["13201"]
    assert (rows["13201"]["zone_class"], rows["13201"]["decided_on"]) == ("ZAC", date(2023, 6, 5))
    assert rows["13202"]["zone_class"] == "hors zonage"
    assert "13055" not in rows
    assert parsed.skipped == {
        "niveau de zonage sans classe de médecin généraliste : NC": 1,
        "code de la table absent du COG 2026, même par les anciens codes": 1,
    }
    assert tvs == {
        "01015": ("01053", "Belley"),
        **dict.fromkeys(["13201", "13202", "13055"], ("13055", "Marseille")),
    }
    assert [official_level(x) for x in ("4_ZAR", "3_HZ", "Hors_zonage", "NC", "")] == [
        "ZAR",
        "hors zonage",
        "hors zonage",
        None,
        None,
    ]


def test_each_class_says_since_when_and_the_class_before(cog) -> None:
    """Three vintages of the table, newest first: a class changed at the last arrêté, one
    changed at the one before and kept since, one never changed, one new to the table."""
    newest, middle, oldest = (
        parse_official_zonage(official_table(*rows), cog, name)[0]
        for name, rows in (
            (
                "zonage-officiel-20260730",
                [
                    official_row("01015", "1_ZIP", "05/01/2026"),
                    official_row("13202", "2_ZAC", "05/01/2026"),
                    official_row("13055", "1_ZIP", "05/01/2026"),
                    official_row("13201", "3_HZ", "05/01/2026"),
                ],
            ),
            (
                "zonage-officiel-20240715",
                [
                    official_row("01015", "2_ZAC", "12/03/2022"),
                    official_row("13202", "1_ZIP", "12/03/2022"),
                    official_row("13055", "1_ZIP", "12/03/2022"),
                ],
            ),
            (
                "zonage-officiel-20210101",
                [
                    official_row("01015", "2_ZAC", "01/06/2018"),
                    official_row("13202", "2_ZAC", "01/06/2018"),
                    official_row("13055", "1_ZIP", "01/06/2018"),
                ],
            ),
        )
    )
    rows = {r["insee"]: r for r in with_history([newest, middle, oldest]).rows}

    def history(code: str) -> tuple[object, ...]:
        row = rows[code]
        return row["since"], row["previous_class"], row["previous_decided_on"]

    assert history("01015") == (date(2026, 1, 5), "ZAC", date(2022, 3, 12))
    assert history("13202") == (date(2026, 1, 5), "ZIP", date(2022, 3, 12))
    assert history("13055") == (date(2018, 6, 1), None, None)  # ZIP in every vintage
    assert history("13201") == (date(2026, 1, 5), None, None)  # not in the older vintages
    assert rows["01015"]["dataset"] == "zonage-officiel-20260730"


def test_official_zonage_without_its_columns_is_refused(cog) -> None:
    with pytest.raises(SourceFormatError, match="colonnes absentes .*zmed_niveau"):
        parse_official_zonage(b"code,niveau\n01015,COM\n", cog)


def test_the_official_class_wins_and_the_unofficial_fills_the_rest() -> None:
    unofficial = Parsed(
        [
            {"insee": "01015", "zone_class": "ZAC", "zrr": "classée", "dataset": "zonage-mg"},
            {"insee": "13055", "zone_class": "ZIP", "zrr": None, "dataset": "zonage-mg"},
        ]
    )
    official = Parsed(
        [{"insee": "01015", "zone_class": "ZIP", "zrr": None, "dataset": "zonage-officiel"}]
    )
    rows = {r["insee"]: r for r in published_zones(official, unofficial).rows}
    assert rows["01015"] == {
        "insee": "01015",
        "zone_class": "ZIP",
        "zrr": "classée",  # the official table holds no ZRR status
        "dataset": "zonage-officiel",
    }
    assert rows["13055"]["dataset"] == "zonage-mg"
    assert published_zones(None, unofficial) is unofficial


def test_apl_2022_2023_files_and_the_series(cog) -> None:
    """The DREES 2022-2023 CSVs name their columns otherwise and have no ≤ 62 variant."""
    content = (
        b"code_commune,commune,apl_mg,apl_mg_moins65,pop_standardisee,pop_totale\n"
        b"01015,Arboys,2.5,2.0,600.5,700\n01340,Saint-Bois,4.0,3.0,199.5,100\n"
    )
    row = parse_apl(content, cog, "medecin_generaliste").rows[0]
    assert row["insee"] == "01015" and row["derivation"] == "fusion"
    assert row["value"] == round((2.5 * 600.5 + 4.0 * 199.5) / 800, 3)
    assert row["value_le62"] is None and row["population"] == 800
    history = (
        b"code_commune,population,apl_mg_2015,apl_mg_2016,apl_mg_2017,apl_mg_2018,apl_mg_2019\n"
        b"01015,300,2.0,2.1,,2.3,2.4\n01340,100,4.0,4.1,4.2,4.3,4.4\n13201,10,1,1,1,1,1\n"
    )
    series = {(r["insee"], r["year"]): r["value"] for r in parse_apl_history(history, cog).rows}
    assert series[("01015", 2015)] == 2.5  # (2.0 × 300 + 4.0 × 100) / 400
    assert series[("01015", 2017)] == 4.2  # the former commune alone has 2017
    assert series[("13201", 2019)] == 1.0 and len(series) == 10


def test_key_figures_per_commune_bassin_and_territory(cog) -> None:
    """Counts add up, presences count communes, rates and minutes weigh by population; a
    bassin's value stands for each of its communes; N/A values are counted, not zero."""
    santescope = (
        b"code_commune,population,nb_medecins_generalistes_rpps,msp_presente,"
        b"temps_acces_urgences_min\n"
        b"01015,300,2,0,30.0\n01340,100,1,1,10.0\n13055,600,50,1,0.0\n"
    )
    columns = [
        FactColumn("gp_rpps", "nb_medecins_generalistes_rpps", "sum"),
        FactColumn("msp_count", "msp_presente", "any"),
        FactColumn("emergency_minutes", "temps_acces_urgences_min"),
    ]
    communes = parse_commune_facts(santescope, cog, columns)
    values = {(r["code"], r["key"]): r["value"] for r in communes.rows}
    assert values[("01015", "gp_rpps")] == 3 and values[("01015", "msp_count")] == 1
    assert values[("01015", "emergency_minutes")] == 25.0  # (30 × 300 + 10 × 100) / 400
    cartosante = (
        "CartoSanté; ;\nRéférentiel géographique : France par bassin de vie; ;\n"
        "Code;Libellé;Part des bénéf. en ALD dans la pop 2024\n"
        "01053;Belley;20.5\n13055;Marseille;N/A - secret statistique\n"
    ).encode("utf-8-sig")
    bassins = parse_bassin_facts(
        cartosante, [FactColumn("ald_share", "Part des bénéf. en ALD dans la pop 2024")]
    )
    assert [(r["code"], r["value"]) for r in bassins.rows] == [("01053", 20.5)]
    assert bassins.skipped == {"ald_share : N/A - secret statistique": 1}
    rows = [
        {
            "insee": "01015",
            "kind": "COM",
            "population": 400,
            "departement": "01",
            "region": "84",
            "bv2022": "01053",
        },
        {
            "insee": "13055",
            "kind": "COM",
            "population": 600,
            "departement": "13",
            "region": "93",
            "bv2022": "13055",
        },
    ]
    totals = {
        (r["kind"], r["code"], r["key"]): r["value"]
        for r in territory_facts(
            rows,
            communes.rows + bassins.rows,
            {
                "gp_rpps": "sum",
                "msp_count": "any",
                "emergency_minutes": "mean",
                "ald_share": "mean",
            },
        )
    }
    assert totals[("france", "FR", "gp_rpps")] == 53 and totals[("france", "FR", "msp_count")] == 2
    assert totals[("france", "FR", "emergency_minutes")] == 10.0  # (25 × 400 + 0 × 600) / 1000
    assert totals[("departement", "01", "ald_share")] == 20.5
    assert ("departement", "13", "ald_share") not in totals  # secret: no mean from nothing


def test_hospital_names_in_normal_case() -> None:
    places = {
        fold_upper(n).replace(" ", "-"): n
        for n in ("Gap", "Guéret", "Limoges", "Lézignan-Corbières")
    }
    assert display_name("CHI DES ALPES DU SUD SITE DE GAP", places) == (
        "CHI des Alpes du Sud — site de Gap"
    )
    assert display_name("CHU LIMOGES - SITE CH GUERET", places) == "CHU Limoges — site CH Guéret"
    assert display_name("CENTRE HOSPITALIER DE LEZIGNAN CORBIERES", places) == (
        "Centre Hospitalier de Lézignan-Corbières"
    )
    assert display_name("CENTRE D'ACCUEIL DE BOURG-EN-BRESSE", places) == (
        "Centre d'Accueil de Bourg-en-Bresse"
    )
