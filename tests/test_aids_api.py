"""The aid simulation and catalog over HTTP: on the real communes, and what does not depend on
them (the catalog, refused requests) on the tiny snapshot."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PROBLEM = "application/problem+json"
PROFILE = {
    "age": 34,
    "sector": "1",
    "first_installation": True,
    "installation_date": "2025-09-01",
    "days_per_week": "4",
    "coordinated_practice": True,
    "pdsa": True,
}


def _simulate(client: TestClient, as_of: str, profile: dict | None = None, **place):
    body = {"place": place or {"insee": "05006"}, "as_of": as_of, "profile": profile or PROFILE}
    return client.post("/api/v1/aids/simulations", json=body)


def _line(result: dict, code: str) -> dict:
    return next(line for line in result["lines"] if line["code"] == code)


def test_caim_in_a_published_zip_before_the_switch(client: TestClient) -> None:
    result = _simulate(client, "2025-12-01").json()  # L'Argentière-la-Bessée, published ZIP
    assert result["place"] == {
        "insee": "05006",
        "name": "L'Argentière-la-Bessée",
        "zone_class": "ZIP",
        "zone_status": "publié",
        "region": "93",
        "zone_doubt": None,  # PACA's new zonage came on 5 January 2026
    }
    caim = _line(result, "CAIM")
    assert caim["eligible"] and caim["total"] == "50000.00"
    assert [(p["on"], p["amount"]) for p in caim["schedule"]] == [
        ("2025-12-01", "25000.00"),
        ("2026-12-01", "25000.00"),
    ]
    assert caim["source"]["url"].startswith("https://")
    assert not _line(result, "PRIMO_ZIP")["eligible"]
    assert result["cash_flow"] == [
        {"year": 2025, "amount": "25000.00"},
        {"year": 2026, "amount": "25000.00"},
    ]


def test_the_2026_regime_after_the_switch(client: TestClient) -> None:
    profile = dict(PROFILE, installation_date="2026-01-01")
    result = _simulate(client, "2026-01-01", profile).json()
    assert _line(result, "CAIM")["reasons"][0]["code"] == "signature_close"
    primo = _line(result, "PRIMO_ZIP")
    assert primo["eligible"] and primo["total"] == "10000.00"
    assert primo["schedule"][0]["on"] == "2026-04-01"
    assert result["total"] == "10000.00"


def test_what_if_zone_class_and_estimated_vivier(client: TestClient) -> None:
    result = _simulate(client, "2025-12-01", insee="05061", zone_class="ZAC").json()
    assert result["place"]["zone_status"] == "imposée" and result["place"]["name"] == "Gap"
    assert _line(result, "CAIM")["reasons"][0]["code"] == "zone"
    paris = _simulate(client, "2025-12-01", insee="75115").json()  # estimated: vivier
    assert _line(paris, "CAIM")["reasons"][0]["code"] == "zone_incertaine"


def test_answer_from_the_card_cache_equals_the_computed_one(client: TestClient) -> None:
    first = _simulate(client, "2025-12-01", insee="05023")  # Briançon: card computed
    again = _simulate(client, "2025-12-01", insee="05023")  # card read from the cache
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert again.json()["place"]["name"] == "Briançon"
    no_place = _simulate(client, "2026-03-01", zone_class="ZIP", region="93").json()
    assert no_place["place"]["insee"] is None and no_place["place"]["region"] == "93"
    assert _line(no_place, "PRIMO_ZIP")["eligible"] is False  # installed 2025-09-01


def test_cash_flow_csv_for_a_spreadsheet(client: TestClient) -> None:
    response = client.post(
        "/api/v1/aids/simulations",
        params={"format": "csv"},
        json={"place": {"insee": "05006"}, "as_of": "2025-12-01", "profile": PROFILE},
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Année", "Date", "Aide", "Libellé", "Montant (€)"]
    assert rows[1][:3] == [
        "2025",
        "2025-12-01",
        "Contrat d'aide à l'installation des médecins (CAIM)",
    ]
    assert rows[1][4] == "25000,00"
    assert rows[-1] == ["", "", "TOTAL", "Total général", "50000,00"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"as_of": "2010-01-01"}, "as_of"),
        ({"as_of": "2035-01-01"}, "as_of"),
        ({"profile": {k: v for k, v in PROFILE.items() if k != "sector"}}, "profile.sector"),
        ({"profile": dict(PROFILE, opposable_share="0.5")}, "profile"),
        ({"profile": dict(PROFILE, days_per_week="-1")}, "profile.days_per_week"),
        ({"profile": dict(PROFILE, colour="red")}, "profile.colour"),
        ({"place": {}}, "place"),
        ({"place": {"lat": 44.5}}, "place"),
        ({"place": {"insee": "ABCDE"}}, "Code INSEE"),
        # a far date was a 500 (year 10000 in the contract's end); the schema bounds dates
        ({"profile": dict(PROFILE, installation_date="9999-12-31")}, "profile.installation_date"),
        (
            {"profile": dict(PROFILE, contracts=[{"code": "CAIM", "signed": "9999-12-31"}])},
            "profile.contracts.0.signed",
        ),
    ],
)
def test_bad_input_is_a_french_422(tiny_client: TestClient, change: dict, field: str) -> None:
    body = {"place": {"insee": "05006"}, "as_of": "2025-12-01", "profile": PROFILE} | change
    response = tiny_client.post("/api/v1/aids/simulations", json=body)
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert field in response.json()["detail"]


def test_the_latest_date_the_schema_allows_is_answered(client: TestClient) -> None:
    late = dict(PROFILE, installation_date="2100-12-31", days_per_week=None)
    # the day before PACA's new zonage (5/1/2026), when the copy's class was still the one in force
    response = _simulate(client, "2026-01-04", {k: v for k, v in late.items() if v is not None})
    assert response.status_code == 200
    assert _line(response.json(), "PRIMO_ZIP")["eligible"] is True


@pytest.mark.parametrize(
    ("insee", "status"),
    [
        ("15187", "socle"),
        ("23096", "socle"),
        ("05006", "socle"),
        ("05061", "non classée"),
        ("31555", "non classée"),
        ("75115", "non classée"),
    ],  # fmt: skip
    ids=["Saint-Flour", "Guéret", "L'Argentière", "Gap", "Toulouse", "Paris 15e (sa ville)"],
)
def test_every_commune_has_its_frr_status_from_the_dgcl_list(
    client: TestClient, insee: str, status: str
) -> None:
    """The DGCL's list of 10 July 2025 is loaded by default (SOURCES.md gives these four)."""
    frr = client.get(f"/api/v1/communes/{insee}").json()["zone"]["frr"]
    assert frr["status"] == status
    assert frr["provenance"]["vintage"] == "DGCL, classement au 10/07/2025"


def test_the_frr_list_reaches_the_exemption(client: TestClient) -> None:
    frr = client.get("/api/v1/communes/05006").json()["zone"]["frr"]
    assert (frr["status"], frr["label"]) == ("socle", "commune classée en FRR")
    assert frr["provenance"]["dataset"] == "frr-communes"
    taxed = dict(
        PROFILE,
        installation_date="2026-03-01",
        regime_reel=True,
        employees=1,
        all_activity_in_zone=True,
    )
    line = _line(_simulate(client, "2026-03-01", taxed).json(), "FRR")
    assert line["eligible"] and line["kind"] == "exonération"
    assert [(e["start"], e["end"], e["share"]) for e in line["exemptions"]][::4] == [
        ("2026-03-01", "2031-02-28", "1")
    ]
    gap = _line(_simulate(client, "2026-03-01", taxed, insee="05061").json(), "FRR")
    assert gap["eligible"] is False
    assert [(r["code"], r["message"]) for r in gap["reasons"]] == [
        ("zone", "commune non classée en FRR")
    ]


def test_catalog_on_both_sides_of_the_switch(tiny_client: TestClient) -> None:
    before = tiny_client.get("/api/v1/aids/catalog", params={"as_of": "2025-12-31"}).json()
    state = ["CESP", "CDE", "FRR", "PDSA_151TER", "AIDES_LOCALES"]  # ZRR closed on 30/06/2024
    assert [a["code"] for a in before["aids"]] == ["CAIM", "COSCOM", "COTRAM", "CSTM", *state]
    after = tiny_client.get("/api/v1/aids/catalog", params={"as_of": "2026-01-01"}).json()
    assert [a["code"] for a in after["aids"]] == [
        "PRIMO_ZIP",
        "PRIMO_ZAC",
        "CABINET_SECONDAIRE",
        "FMT_MAJORATION",
        "CONSULTATIONS_AVANCEES",  # its amount not verified: none shown
        "CESP",
        "CDE",
        "FRANCE_SANTE",  # information: a structure's funding (LFSS 2026)
        "MISSION_SOLIDARITE",  # 200 € a day in a « zone rouge », never in a total
        "FRR",
        "PDSA_151TER",
        "AIDES_LOCALES",
    ]
    assert "fmt_percentages" in after["unverified"]
    assert (
        tiny_client.get("/api/v1/aids/catalog", params={"as_of": "2001-01-01"}).status_code == 422
    )


def test_cli_simulate(loaded, monkeypatch, tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from app.cli import cli

    monkeypatch.setenv("ZONAGE_DATABASE_URL", loaded[0])
    profile = tmp_path / "profil.json"
    profile.write_text(json.dumps(PROFILE), encoding="utf-8")
    out = tmp_path / "tresorerie.csv"
    result = CliRunner().invoke(
        cli,
        [
            "aids",
            "simulate",
            "--insee",
            "05006",
            "--as-of",
            "2025-12-01",
            "--profile",
            str(profile),
            "--csv",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (
        "CAIM" in result.output and "Total des aides dues : 50\u202f000,00\u202f€" in result.output
    )
    assert out.read_bytes().startswith("\ufeff".encode())


DATES = st.dates(date(1900, 1, 1), date(2100, 12, 31))  # the schema's bounds
MONEY = st.none() | st.decimals(0, 10_000_000, places=2)
PROFILES = st.fixed_dictionaries(
    {
        "age": st.integers(20, 100),
        "sector": st.sampled_from(["1", "2_optam", "2"]),
        "first_installation": st.booleans(),
        "installation_date": st.none() | DATES.map(date.isoformat),
        "practice": st.sampled_from(["principal", "secondaire"]),
        "days_per_week": st.sampled_from([str(d / 2) for d in range(15)]),
        "coordinated_practice": st.booleans(),
        "pdsa": st.booleans(),
        "hopital_proximite": st.booleans(),
        "intern_months": st.decimals(0, 60, places=2).map(str),
        "annual_fees": MONEY.map(lambda v: None if v is None else str(v)),
        "zip_days_per_year": st.integers(0, 366),
        "zip_fees": MONEY.map(lambda v: None if v is None else str(v)),
        "newcomer_age": st.none() | st.integers(20, 100),
        "fmt_socle": MONEY.map(lambda v: None if v is None else str(v)),
        "qpv": st.booleans(),
        "ars_majoration": st.booleans(),
        "situation": st.sampled_from(["etudiant", "docteur_junior", "remplacant", "installe"]),
        "cesp_months": st.none() | st.integers(1, 120),
        "ordre_registration": st.none() | DATES.map(date.isoformat),
        "acts_per_month": st.none() | st.integers(0, 5000),
        "regime_reel": st.none() | st.booleans(),
        "employees": st.none() | st.integers(0, 50),
        "all_activity_in_zone": st.none() | st.booleans(),
        "expected_profit": MONEY.map(lambda v: None if v is None else str(v)),
        "contracts": st.lists(
            st.fixed_dictionaries(
                {
                    "code": st.sampled_from(["CAIM", "COSCOM", "COTRAM", "CSTM", "PRIMO_ZIP"]),
                    "signed": DATES.map(date.isoformat),
                }
            ),
            max_size=3,
        ),
    }
)
PLACES = st.sampled_from(
    [
        {"insee": "05006"},  # ZIP
        {"insee": "75056"},  # Paris, Île-de-France: the ARS majoration's région
        {"insee": "31555"},  # ZAR
        {"zone_class": "ZIP", "region": "11"},
        {"zone_class": "ZAC", "region": "11"},
        {"zone_class": "hors zonage"},
        {"zone_class": "ZAR", "region": "76"},
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=PROFILES, place=PLACES, as_of=DATES, year=st.none() | st.integers(2016, 2100))
def test_no_valid_request_is_a_server_error(
    client: TestClient, profile: dict, place: dict, as_of: date, year: int | None
) -> None:
    """Random profiles, situations, places and dates within the schema, its extremes included:
    an answer or a French 422, never a 5xx (KeyError on the ZIP+ table, year 10000 before)."""
    body = {
        "place": place,
        "as_of": as_of.isoformat(),
        "profile": profile,
        "reference_year": year,
    }
    response = client.post("/api/v1/aids/simulations", json=body)
    assert response.status_code in (200, 422), response.text


def test_the_catalog_says_amounts_audience_and_confidence(tiny_client: TestClient) -> None:
    aids = {
        a["code"]: a
        for a in tiny_client.get("/api/v1/aids/catalog?as_of=2026-11-02").json()["aids"]
    }
    assert "10 000 €" in aids["PRIMO_ZIP"]["amount"] and aids["PRIMO_ZIP"]["audience"] == [
        "installe"
    ]
    assert "1 200 €" in aids["CESP"]["amount"]
    assert set(aids["CESP"]["audience"]) == {"etudiant", "docteur_junior"}
    assert aids["CDE"]["confidence"] == "moyenne" and aids["FRR"]["kind"] == "exonération"
    assert "DOCTEUR_JUNIOR" in aids and "CAIM" not in aids and "ZRR" not in aids
    assert "CAIM" in {
        a["code"] for a in tiny_client.get("/api/v1/aids/catalog?as_of=2025-06-01").json()["aids"]
    }


def test_a_reference_year_separates_the_contract_s_total_from_the_year_s_amount(
    client: TestClient,
) -> None:
    body = {
        "place": {"insee": "05006"},  # published ZIP
        "as_of": "2025-12-01",
        "profile": {**PROFILE, "annual_fees": "100000", "newcomer_age": 40},
        "reference_year": 2026,
    }
    result = client.post("/api/v1/aids/simulations", json=body).json()
    caim = _line(result, "CAIM")
    assert caim["total"] == "50000.00" and caim["by_year"] == {
        "2025": "25000.00",
        "2026": "25000.00",
    }
    assert result["reference_year"]["by_aid"]["CAIM"] == "25000.00"
    assert result["reference_year"]["amount"] == str(
        sum(D(v) for v in result["reference_year"]["by_aid"].values())
    )


def test_the_ars_majoration_outside_ile_de_france_is_refused(client: TestClient) -> None:
    response = _simulate(client, "2025-12-01", {**PROFILE, "ars_majoration": True})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "Île-de-France" in detail and "Provence-Alpes-Côte d'Azur" in detail
    paris = _simulate(client, "2025-12-01", {**PROFILE, "ars_majoration": True}, insee="75056")
    assert paris.status_code == 200


def test_a_student_and_a_remplacant_get_their_own_aids(client: TestClient) -> None:
    student = _simulate(
        client, "2026-03-01", {"age": 23, "sector": "1", "situation": "etudiant", "cesp_months": 24}
    ).json()
    assert {line["code"] for line in student["lines"]} == {"CESP", "AIDES_LOCALES"}
    assert _line(student, "CESP")["total"] == "28800.00"
    locum = _simulate(
        client,
        "2026-06-01",
        {"age": 29, "sector": "1", "situation": "remplacant", "ordre_registration": "2026-02-01"},
    ).json()
    # in Provence-Alpes-Côte d'Azur, whose ARS scale is not held: to check, nothing counted
    assert _line(locum, "CDE")["eligible"] is None and _line(locum, "CDE")["total"] is None


def test_unknown_is_never_no_and_the_total_counts_only_what_is_due(client: TestClient) -> None:
    """A remplaçant in Saint-Flour (ZIP, Auvergne-Rhône-Alpes): the CDE's scale is that ARS's,
    not held here, so the contract is « à vérifier » with the ARS named, never a « oui » with
    another région's amounts beside a total of 0 €."""
    locum = {
        "age": 30,
        "sector": "1",
        "situation": "remplacant",
        "ordre_registration": "2026-06-01",
    }
    result = _simulate(client, "2026-12-01", locum, insee="15187").json()
    cde = _line(result, "CDE")
    assert cde["eligible"] is None
    # first: ARA re-zoned on 1/1/2026, after the copy the class comes from
    assert cde["to_check"][0].startswith("L'ARS Auvergne-Rhône-Alpes a arrêté un nouveau zonage")
    assert "barème de l'ARS Auvergne-Rhône-Alpes" in cde["to_check"][1]
    assert not any("Centre-Val de Loire" in n for n in cde["notes"])
    assert result["total"] == "0.00" and "CDE" in result["to_check"]
    assert _line(result, "AIDES_LOCALES")["eligible"] is None


def test_a_student_is_not_asked_for_a_sector(client: TestClient) -> None:
    student = {"age": 23, "situation": "etudiant", "cesp_months": 24}
    assert _simulate(client, "2026-12-01", student).status_code == 200
    settled = _simulate(client, "2026-12-01", {"age": 34})
    assert settled.status_code == 422
    assert "secteur conventionnel" in settled.json()["detail"]
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["ProfileIn"]
    assert "sector" not in schema.get("required", [])
    assert "pas aux étudiants" in schema["properties"]["sector"]["description"]


def test_a_body_that_is_not_json_is_a_400_in_french(tiny_client: TestClient) -> None:
    response = tiny_client.post(
        "/api/v1/aids/simulations",
        content=b"place=05006",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.headers["content-type"] == PROBLEM
    body = response.json()
    assert (body["code"], body["title"]) == ("unreadable-body", "Requête incorrecte")
    invalid = _simulate(tiny_client, "2026-12-01", {"age": 34, "sector": "9"}).json()
    assert invalid["title"] == "Requête non traitable"
    assert "profile.sector : Choix non reconnu" in invalid["detail"]


def test_bills_are_dated_notices_never_rules(tiny_client: TestClient) -> None:
    """The Garot and Mouiller bills: in the catalog from their last step, and beside a
    simulation where they would matter (a well-served zone), never in its lines."""

    def simulate(insee: str) -> dict:
        body = {"place": {"insee": insee}, "as_of": "2026-03-01", "profile": PROFILE}
        return tiny_client.post("/api/v1/aids/simulations", json=body).json()

    well_served, under_served = simulate("04001"), simulate("05001")  # hors zonage, ZIP
    assert [n["notice"] for n in well_served["notices"]] == [
        "adoptée par l'Assemblée nationale en première lecture le 07/05/2025 ; pas en vigueur",
        "adoptée par le Sénat en première lecture le 13/05/2025 ; pas en vigueur",
    ]
    assert under_served["notices"] == []
    assert {line["code"] for line in well_served["lines"]} == {
        line["code"] for line in under_served["lines"]
    }
    catalog = tiny_client.get("/api/v1/aids/catalog", params={"as_of": "2025-05-10"}).json()
    assert [b["name"][:30] for b in catalog["bills"]] == ["Proposition de loi n° 682 « Ga"]
    before = tiny_client.get("/api/v1/aids/catalog", params={"as_of": "2025-01-01"}).json()
    assert before["bills"] == []
    page = tiny_client.get(
        "/", params={"insee": "04001", "age": "34", "sector": "1", "as_of": "2026-03-01"}
    ).text
    assert 'id="bills"' in page and "pas en vigueur" in page
