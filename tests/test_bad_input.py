"""A catalogue of bad input across every endpoint: each gets a 4xx problem+json in French, never
a server error. On the tiny snapshot (tests/builders.py), but for what only the national data
holds."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

SIMULATION = {
    "place": {"insee": "05001"},
    "as_of": "2026-03-20",
    "profile": {"age": 34, "sector": "1", "first_installation": True},
}


def nested(depth: int) -> object:
    body: object = "05002"
    for _ in range(depth):
        body = [body]
    return body


def simulation(**changes: object) -> dict:
    profile = {**SIMULATION["profile"], **changes.pop("profile", {})}  # type: ignore[dict-item]
    return {**SIMULATION, **changes, "profile": profile}


GETS = [
    ("/api/v1/communes/99999", 404),  # well-formed, unknown
    ("/api/v1/communes/ABCDE", 422),
    ("/api/v1/communes/2C004", 422),  # Corsica is 2A / 2B only
    ("/api/v1/communes/0506", 422),
    ("/api/v1/communes/05002%27%20OR%201=1--", 422),  # SQL-ish
    ("/api/v1/communes/%E2%80%AE05002", 422),  # right-to-left override
    ("/api/v1/communes?q=", 422),
    ("/api/v1/communes?q=gap&limit=0", 422),
    ("/api/v1/communes?q=gap&limit=100000", 422),
    ("/api/v1/zones/lookup?lat=NaN&lon=6.07", 422),
    ("/api/v1/zones/lookup?lat=91&lon=6.07", 422),
    ("/api/v1/zones/lookup?lat=1e308&lon=6.07", 422),
    ("/api/v1/zones/lookup?lat=40.0&lon=-30.0", 404),  # the Atlantic
    ("/api/v1/zones/lookup?lat=51.5&lon=-0.12", 404),  # London
    ("/api/v1/zones/lookup?lon=6.07", 422),
    ("/api/v1/zones/lookup", 422),
    ("/api/v1/compare?insee=05002", 422),
    ("/api/v1/compare?" + "&".join(f"insee=0500{i}" for i in range(6)), 422),
    ("/api/v1/compare?" + "&".join(["insee=05001"] * 3 + ["insee=05002"] * 3), 422),  # 6 values
    ("/api/v1/zones.geojson?departement=05&region=93", 422),
    ("/api/v1/zones.geojson?departement=999", 422),
    ("/api/v1/zones.geojson?departement=98", 404),
    ("/api/v1/regions/99/classification?zip_cap=0.2&zac_cap=0.3", 404),
    ("/api/v1/regions/76/classification?zip_cap=-1&zac_cap=0.3", 422),
    ("/api/v1/regions/76/classification?zip_cap=0.9&zac_cap=0.9", 422),  # more than everyone
    ("/api/v1/geocode?q=", 422),
    ("/api/v1/geocode?q=" + "x" * 300, 422),
    ("/api/v1/aids/catalog?as_of=1990-01-01", 422),  # before every rule set
    ("/api/v1/aids/catalog?as_of=2031-01-01", 422),  # after every rule set
    ("/api/v1/aids/catalog?as_of=2026-02-30", 422),
    ("/api/v1/nowhere", 404),
]
POSTS = [
    ("/api/v1/zones/what-if", {}, 422),
    ("/api/v1/zones/what-if", {"insee": "05002", "fte": -1}, 422),
    ("/api/v1/zones/what-if", {"insee": "05002", "fte": 1e9}, 422),
    ("/api/v1/zones/what-if", {"insee": "05002", "consultations": 10**12}, 422),
    ("/api/v1/zones/what-if", {"insee": "05002", "consultations": True}, 422),
    ("/api/v1/zones/what-if", {"insee": "05002", "colour": "red"}, 422),
    ("/api/v1/zones/what-if", {"insee": nested(500)}, 422),  # deeply nested
    ("/api/v1/zones/what-if", {"insee": "05002", "pad": "x" * 200_000}, 413),  # huge
    ("/api/v1/zones/what-if", {"lat": 0.0, "lon": 0.0}, 404),  # Gulf of Guinea
    ("/api/v1/aids/simulations", simulation(as_of="1999-12-31"), 422),
    ("/api/v1/aids/simulations", simulation(as_of="2040-01-01"), 422),
    ("/api/v1/aids/simulations", simulation(as_of=20260320), 422),  # a number, not a date
    ("/api/v1/aids/simulations", simulation(profile={"age": -5}), 422),
    ("/api/v1/aids/simulations", simulation(profile={"age": 10**9}), 422),
    ("/api/v1/aids/simulations", simulation(profile={"annual_fees": "-1"}), 422),
    ("/api/v1/aids/simulations", simulation(profile={"days_per_week": "NaN"}), 422),
    ("/api/v1/aids/simulations", simulation(place={"insee": "🏥🏥🏥"}), 422),
    ("/api/v1/aids/simulations", simulation(place={}), 422),
    ("/api/v1/aids/simulations?format=xml", SIMULATION, 422),
]
FRENCH = re.compile(
    r"[éèàçùâêîôû]|\b(aucune?|invalide|attendue?|paramètres|introuvable|requête|indiquez)\b", re.I
)


def _is_french_problem(response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and FRENCH.search(body["detail"]), body["detail"]


@pytest.mark.parametrize(("path", "status"), GETS, ids=[p for p, _ in GETS])
def test_bad_queries(tiny_client: TestClient, path: str, status: int) -> None:
    _is_french_problem(tiny_client.get(path), status)


@pytest.mark.parametrize(("path", "body", "status"), POSTS, ids=range(len(POSTS)))
def test_bad_bodies(tiny_client: TestClient, path: str, body: object, status: int) -> None:
    _is_french_problem(tiny_client.post(path, json=body), status)


@pytest.mark.realdata
def test_a_city_of_arrondissements_is_no_place_for_a_what_if(client: TestClient) -> None:
    _is_french_problem(client.post("/api/v1/zones/what-if", json={"insee": "75056"}), 422)


def test_unreadable_bodies(tiny_client: TestClient) -> None:
    for content in (b"\xff\xfe", b"{not json", b""):
        response = tiny_client.post(
            "/api/v1/zones/what-if", content=content, headers={"Content-Type": "application/json"}
        )
        assert 400 <= response.status_code < 500
        assert response.headers["content-type"] == "application/problem+json"
        assert FRENCH.search(response.json()["detail"])


@pytest.mark.realdata
def test_corsican_codes_are_valid(client: TestClient) -> None:
    assert client.get("/api/v1/communes/2A004").json()["name"] == "Ajaccio"
    assert client.get("/api/v1/communes/2b033").json()["name"] == "Bastia"


def test_sql_in_a_search_finds_nothing_and_changes_nothing(tiny_client: TestClient) -> None:
    for path in ("/api/v1/geocode?q=", "/api/v1/communes?q="):
        found = tiny_client.get(path + "%27%3B%20DROP%20TABLE%20commune%3B--").json()
        assert found["results"] == []
    assert tiny_client.get("/api/v1/communes/05002").json()["name"] == "Bourg"
