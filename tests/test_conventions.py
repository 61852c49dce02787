"""What a portal's developer expects of the API on each backend: conditional requests keyed by
the snapshot, problem types with a stable code, pagination, files built once per snapshot. On
the tiny snapshot, but for paging through the national communes."""

from __future__ import annotations

import logging
import threading
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.bodies import Memo
from app.deps import etag_matches
from app.errors import KINDS, PROBLEMS_PATH
from app.main import create_app
from app.settings import Settings

REVALIDATED = [
    "/api/v1/communes/05001",
    "/api/v1/compare?insee=05001&insee=05002",
    "/api/v1/meta",
    "/api/v1/aids/catalog?as_of=2026-03-01",
    "/api/v1/exports/zones.meta.json?departement=05",
    "/api/v1/communes?q=bourg",
    "/ogc/collections/communes/items?departement=05&limit=2",
]


@pytest.mark.parametrize("url", REVALIDATED)
def test_an_answer_the_client_holds_is_a_304(tiny_client: TestClient, url: str) -> None:
    first = tiny_client.get(url)
    assert first.status_code == 200 and first.headers["cache-control"] == "public, max-age=60"
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and tiny_client.get(url).headers["etag"] == etag
    again = tiny_client.get(url, headers={"If-None-Match": f'"other", {etag}'})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert tiny_client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_the_etag_follows_the_snapshot_and_the_url(tiny_client: TestClient) -> None:
    aval = tiny_client.get("/api/v1/communes/05001").headers["etag"]
    bourg = tiny_client.get("/api/v1/communes/05002").headers["etag"]
    snapshot = tiny_client.get("/api/v1/meta").json()["snapshot_id"]
    assert aval != bourg and aval.startswith(f'W/"{snapshot}-')


def test_files_are_built_once_and_revalidated_by_their_content(tiny_client: TestClient) -> None:
    url = "/api/v1/exports/zones.csv?departement=05"
    first = tiny_client.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('"') and first.headers["content-disposition"].endswith('05.csv"')
    assert tiny_client.get(url, headers={"If-None-Match": etag}).status_code == 304
    gzipped = tiny_client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["content-encoding"] == "gzip" and gzipped.content == first.content
    plain = tiny_client.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in plain.headers and plain.content == first.content


def test_problems_have_a_type_per_kind_and_a_stable_code(tiny_client: TestClient) -> None:
    cases = {
        "/api/v1/communes/99999": "not-found",
        "/api/v1/communes?q=": "invalid-parameters",
        "/ogc/collections/communes/items?limit=zero": "bad-parameter",
        "/api/v1/exports/zones.csv?departement=05&region=93": "invalid-input",
    }
    for url, code in cases.items():
        body = tiny_client.get(url).json()
        assert body["code"] == code and body["type"] == f"{PROBLEMS_PATH}/{code}"
        assert body["status"] == KINDS[code][0]
        described = tiny_client.get(body["type"]).json()
        assert described["status"] == body["status"] and described["description"]
    assert tiny_client.delete("/api/v1/meta").json()["code"] == "method-not-allowed"
    assert tiny_client.get(f"{PROBLEMS_PATH}/nope").json()["code"] == "not-found"
    assert {k["code"] for k in tiny_client.get(PROBLEMS_PATH).json()} == set(KINDS)


@pytest.mark.realdata
def test_commune_search_pages_with_offset(client: TestClient) -> None:
    url = "/api/v1/communes"
    whole = [
        r["insee"] for r in client.get(url, params={"q": "saint", "limit": 20}).json()["results"]
    ]
    page = client.get(url, params={"q": "saint", "limit": 10, "offset": 10}).json()
    assert page["offset"] == 10 and [r["insee"] for r in page["results"]] == whole[10:]
    assert client.get(url, params={"q": "saint", "offset": -1}).status_code == 422


def test_the_catalog_is_today_s_without_a_date(tiny_client: TestClient) -> None:
    catalog = tiny_client.get("/api/v1/aids/catalog").json()
    assert catalog["as_of"] == date.today().isoformat()
    far = tiny_client.get("/api/v1/aids/catalog", params={"as_of": "9999-01-01"}).json()
    assert far["errors"][0]["message"] == "Valeur maximale : 2100-12-31."


def test_if_none_match_compares_weakly_and_takes_lists() -> None:
    assert etag_matches('W/"1-a"', '"1-a"') and etag_matches('"x", W/"1-a"', 'W/"1-a"')
    assert etag_matches("*", '"1-a"') and not etag_matches("*", '"1-a"', star=False)
    assert not etag_matches(None, '"1-a"') and not etag_matches('"1-b"', '"1-a"')


def test_a_value_is_built_once_however_many_ask_and_the_oldest_goes_past_the_budget() -> None:
    built: list[str] = []
    gate = threading.Event()

    def build() -> bytes:
        gate.wait(5)
        built.append("france")
        return b"x" * 60

    memo: Memo[bytes] = Memo(100, len)
    threads = [threading.Thread(target=memo.get, args=("france", build)) for _ in range(16)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join()
    assert built == ["france"]
    assert memo.get("france", lambda: b"") == b"x" * 60
    memo.get("05", lambda: b"y" * 60)  # 120 bytes held: France, the least recent, goes
    assert memo.get("france", lambda: b"rebuilt") == b"rebuilt"


def test_an_unexpected_error_is_one_problem_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'z.sqlite'}", _env_file=None))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as served, caplog.at_level(logging.ERROR):
        response = served.get("/boom")
    assert response.status_code == 500 and response.json()["code"] == "internal-error"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers.get("connection") != "close"
    logged = [r for r in caplog.records if r.exc_info]
    assert len(logged) == 1 and "boom" in str(logged[0].exc_info[1])


def test_if_none_match_star_matches_only_an_answer_that_exists(tiny_client: TestClient) -> None:
    """RFC 9110: « * » matches a current representation; a missing commune or a bad
    parameter keeps its 404 or 422 instead of a 304."""
    star = {"If-None-Match": "*"}
    assert tiny_client.get("/api/v1/communes/05002", headers=star).status_code == 304
    assert tiny_client.get("/api/v1/communes/99999", headers=star).status_code == 404
    assert tiny_client.get("/api/v1/aids/catalog?as_of=1999-01-01", headers=star).status_code == 422
    assert (
        tiny_client.get("/api/v1/communes/05002", headers={"If-None-Match": '"x"'}).status_code
        == 200
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/zones.geojson?region=\u0669\u0663",  # Arabic-Indic 9 and 3
        "/api/v1/exports/zones.csv?departement=\u0660\u0665",
        "/api/v1/regions/\u0667\u0666/classification",
    ],
)
def test_area_codes_are_ascii_digits(tiny_client: TestClient, url: str) -> None:
    assert tiny_client.get(url).status_code == 422


def test_an_export_refuses_a_parameter_it_does_not_read(tiny_client: TestClient) -> None:
    refused = tiny_client.get("/api/v1/exports/zones.csv?departement=05&x=%3Cevil%3E")
    assert refused.status_code == 400 and refused.json()["code"] == "bad-parameter"
    assert "Paramètre inconnu : x" in refused.json()["detail"]
    assert tiny_client.get("/api/v1/exports/zones.meta.json?region=93&y=1").status_code == 400
    link = tiny_client.get("/api/v1/exports/zones.csv?departement=05").headers["link"]
    assert link.endswith(
        'zones.meta.json?departement=05>; rel="describedby"; type="application/json"'
    )


def test_a_contract_cannot_end_before_it_was_signed(tiny_client: TestClient) -> None:
    response = tiny_client.post(
        "/api/v1/aids/simulations",
        json={
            "place": {"zone_class": "ZIP", "region": "93"},
            "as_of": "2025-12-01",
            "profile": {
                "age": 40,
                "sector": "1",
                "contracts": [{"code": "CAIM", "signed": "2024-01-01", "ended": "2023-01-01"}],
            },
        },
    )
    assert response.status_code == 422
    assert "un contrat ne peut finir avant sa signature" in response.json()["detail"]
