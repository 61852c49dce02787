"""OGC API – Features read by GDAL from a live server, and the exports, on the real data of
each backend (the parameters' checks on the tiny snapshot). Hautes-Alpes (05) has 162 communes;
L'Argentière-la-Bessée (05006) is a published ZIP; Briançon's hospital sites lie in the box
around it."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess

import geopandas as gpd
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.main import create_app
from app.ogc.features import DEFAULT_LIMIT, MAX_LIMIT, STANDARD
from app.ogc.router import FILTERS
from app.ogc.service import COLLECTIONS
from app.settings import Settings

BRIANCON_BOX = "6.6,44.87,6.68,44.93"


def _ogrinfo(*args: str) -> str:
    if shutil.which("ogrinfo") is None:
        if os.environ.get("CI"):
            pytest.fail("ogrinfo manquant en CI (apt-get install gdal-bin)")
        pytest.skip("ogrinfo (gdal-bin) absent")
    done = subprocess.run(
        ["ogrinfo", "-ro", "-q", *args], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout


@pytest.mark.realdata
def test_gdal_reads_the_collections(live_url: str) -> None:
    source = f"OAPIF:{live_url}/ogc"
    layers = _ogrinfo(source)
    assert "communes" in layers and "hospitals" in layers
    briancon = _ogrinfo(source, "communes", "-spat", *BRIANCON_BOX.split(","))
    assert "insee (String) = 05023" in briancon and "name (String) = Briançon" in briancon
    assert "MULTIPOLYGON" in briancon
    hospitals = _ogrinfo(source, "hospitals", "-spat", *BRIANCON_BOX.split(","))
    assert "Briançon" in hospitals and "POINT (6.6" in hospitals


@pytest.mark.realdata
def test_items_page_filter_and_links(client: TestClient) -> None:
    url = "/ogc/collections/communes/items"
    page = client.get(url, params={"departement": "05", "limit": 100}).json()
    assert page["numberMatched"] == 162 and page["numberReturned"] == 100
    following = next(link["href"] for link in page["links"] if link["rel"] == "next")
    rest = client.get(following).json()
    assert rest["numberReturned"] == 62
    assert not any(link["rel"] == "next" for link in rest["links"])
    codes = [f["id"] for f in page["features"] + rest["features"]]
    assert len(set(codes)) == 162 and all(code.startswith("05") for code in codes)
    argentiere = client.get(f"{url}/05006").json()
    assert argentiere["properties"]["zone_class"] == "ZIP"
    assert argentiere["properties"]["status"] == "publié"
    zip05 = client.get(url, params={"departement": "05", "zone_class": "ZIP"}).json()
    assert 0 < zip05["numberMatched"] < 162
    collection = client.get("/ogc/collections/communes").json()
    assert {"apl-mg", "communes-contours"} <= {s["dataset"] for s in collection["sources"]}


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"bbox": "1,2"}, 400),
        ({"bbox": "7,44,6,45"}, 400),
        ({"crs": "http://www.opengis.net/def/crs/EPSG/0/2154"}, 400),
        ({"bbox": "6_6,44,7,45"}, 400),
        ({"bbox": "nan,44,7,45"}, 400),
        ({"limit": 0}, 400),
        ({"limit": "dix"}, 400),
        ({"offset": -1}, 400),
        ({"limit": [1, 2]}, 400),
        ({"departement": "05", "filter": "zone_class='ZIP'"}, 400),
        ({"f": "html"}, 400),
    ],
    ids=[
        "bbox-short",
        "bbox-reversed",
        "crs-lambert93",
        "bbox-underscore",
        "bbox-nan",
        "limit-zero",
        "limit-word",
        "offset-negative",
        "limit-twice",
        "unknown-parameter",
        "format-html",
    ],
)
def test_bad_ogc_parameters(tiny_client: TestClient, query: dict, status: int) -> None:
    response = tiny_client.get("/ogc/collections/communes/items", params=query)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert tiny_client.get("/ogc/collections/nope/items").status_code == 404
    assert tiny_client.get("/ogc/collections/communes/items/99999").status_code == 404
    foreign = tiny_client.get("/ogc/collections/hospitals/items", params={"departement": "05"})
    assert foreign.status_code == 400 and "departement" in foreign.json()["detail"]


@pytest.mark.realdata
def test_limit_above_the_maximum_is_the_maximum_and_enum_case_is_ignored(
    client: TestClient,
) -> None:
    url = "/ogc/collections/communes/items"
    capped = client.get(url, params={"limit": 5000}).json()
    assert capped["numberReturned"] == MAX_LIMIT < capped["numberMatched"]
    upper = client.get(url, params={"departement": "05", "zone_class": "ZIP"}).json()
    lower = client.get(url, params={"departement": "05", "zone_class": "zip", "f": "json"}).json()
    assert upper["numberMatched"] == lower["numberMatched"] > 0


@pytest.mark.realdata
def test_csv_export_opens_in_a_french_spreadsheet(client: TestClient) -> None:
    response = client.get("/api/v1/exports/zones.csv", params={"departement": "05"})
    assert response.content.startswith("\ufeff".encode())
    assert 'filename="zonage-mg-05.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Code INSEE" and len(rows) == 1 + 162
    argentiere = next(r for r in rows if r[0] == "05006")
    assert argentiere[5:7] == ["ZIP", "publié"] and "," in argentiere[7]
    meta_url = response.headers["link"].split(">")[0].removeprefix("<")
    meta = client.get(meta_url).json()
    assert meta["count"] == 162 and meta["scope"] == "département 05"
    assert all(source["vintage"] for source in meta["sources"])


@pytest.mark.realdata
def test_geojson_and_geoparquet_carry_their_sources(client: TestClient) -> None:
    geojson = client.get("/api/v1/exports/zones.geojson", params={"departement": "05"}).json()
    assert len(geojson["features"]) == 162
    assert "apl-mg" in {s["dataset"] for s in geojson["meta"]["sources"]}
    body = client.get("/api/v1/exports/zones.parquet", params={"region": "93"}).content
    frame = gpd.read_parquet(io.BytesIO(body))
    assert frame.crs.to_epsg() == 4326 and set(frame["region"]) == {"93"}
    assert frame.set_index("insee").loc["05006", "zone_class"] == "ZIP"
    meta = json.loads(pq.read_schema(io.BytesIO(body)).metadata[b"zonage"])
    assert meta["count"] == len(frame) and meta["scope"] == "région 93"


@pytest.mark.realdata
def test_cli_export_writes_the_file_and_its_sidecar(loaded, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ZONAGE_DATABASE_URL", loaded[0])
    out = tmp_path / "hautes-alpes.csv"
    result = CliRunner().invoke(cli, ["export", str(out), "--departement", "05"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith("\ufeff".encode())
    assert json.loads(out.with_suffix(".meta.json").read_text())["count"] == 162
    bad = CliRunner().invoke(cli, ["export", str(tmp_path / "x.csv"), "--departement", "99"])
    assert bad.exit_code == 1


def test_every_collection_filter_is_documented() -> None:
    assert set(FILTERS) == {name for c in COLLECTIONS.values() for name in c.filters}


def test_the_items_parameters_the_api_accepts_are_the_ones_it_documents() -> None:
    spec = create_app(Settings(_env_file=None)).openapi()
    items = spec["paths"]["/ogc/collections/{collection_id}/items"]["get"]
    documented = [p["name"] for p in items["parameters"] if p["in"] == "query"]
    assert documented == [*STANDARD, *FILTERS]


def test_each_collection_documents_its_own_filters_and_the_limit_bounds() -> None:
    spec = create_app(Settings(_env_file=None)).openapi()
    for name, collection in COLLECTIONS.items():
        items = spec["paths"][f"/ogc/collections/{name}/items"]["get"]
        documented = {p["name"]: p for p in items["parameters"] if p["in"] == "query"}
        assert list(documented) == [*STANDARD, *collection.filters]
        limit = documented["limit"]["schema"]
        assert (limit["default"], limit["maximum"]) == (DEFAULT_LIMIT, MAX_LIMIT)


@pytest.mark.realdata
def test_ogr2ogr_sends_the_filter_to_the_server(live_url: str, tmp_path) -> None:
    """With default options GDAL pages as it will (10 features a request in GDAL 3.6) but
    asks the server for département 05 only: 162 communes in a score of requests, where it
    read France's 34,900 communes ten by ten (3,490 requests, 84 s) to filter them itself."""
    if shutil.which("ogr2ogr") is None:
        if os.environ.get("CI"):
            pytest.fail("ogr2ogr manquant en CI (apt-get install gdal-bin)")
        pytest.skip("ogr2ogr (gdal-bin) absent")
    out = tmp_path / "hautes-alpes.gpkg"
    done = subprocess.run(
        ["ogr2ogr", "-f", "GPKG", str(out), f"OAPIF:{live_url}/ogc", "communes"]
        + ["-where", "departement='05'", "--config", "CPL_DEBUG", "ON"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    fetched = [
        line
        for line in done.stderr.splitlines()
        if "Fetch(" in line and "/collections/communes/items" in line
    ]
    pages = [line for line in fetched if "offset=" in line]
    assert pages and all("departement=05" in line for line in pages)
    assert len(fetched) <= 25
    assert len(gpd.read_file(out)) == 162


def test_the_ogc_service_description_is_relative_to_the_ogc_root(tiny_client: TestClient) -> None:
    landing = tiny_client.get("/ogc").json()
    (desc,) = [link for link in landing["links"] if link["rel"] == "service-desc"]
    api = tiny_client.get(desc["href"])
    assert api.headers["content-type"].startswith("application/vnd.oai.openapi+json")
    document = api.json()
    assert document["servers"][0]["url"].endswith("/ogc")
    assert "/collections/communes/items" in document["paths"]
    assert not any(path.startswith("/api/") for path in document["paths"])


@pytest.mark.realdata
def test_the_excel_export_keeps_codes_as_text_and_numbers_as_numbers(client: TestClient) -> None:
    """A CSV opened in Excel turns 05001 into 5001; the workbook types each cell."""
    import zipfile

    response = client.get("/api/v1/exports/zones.xlsx", params={"departement": "05"})
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="zonage-mg-05.xlsx"' in response.headers["content-disposition"]
    book = zipfile.ZipFile(io.BytesIO(response.content))
    strings = book.read("xl/sharedStrings.xml").decode()
    assert "<t>05006</t>" in strings and "<t>L'Argentière-la-Bessée</t>" in strings
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row ") == 1 + 162
    assert re.search(r'<c r="E2"(?: s="\d+")?><v>\d+</v></c>', sheet)  # a number, not text
    sources = book.read("xl/worksheets/sheet2.xml").decode()
    assert sources  # the sources sheet, its texts in the shared strings
    for source in client.get(
        "/api/v1/exports/zones.meta.json", params={"departement": "05"}
    ).json()["sources"]:
        assert source["vintage"].replace("&", "&amp;").replace("'", "&apos;") in strings or (
            source["vintage"] in strings
        )
