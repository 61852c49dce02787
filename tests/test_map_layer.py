"""The map layer: every commune, valid polygons, shared borders, light payloads, ETag."""

from __future__ import annotations

import json

import shapely
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.datasets.snapshot import active_snapshot_id
from app.zones.models import Commune


def _layer(client: TestClient, **params: str) -> tuple[dict, int]:
    response = client.get(
        "/api/v1/zones.geojson", params=params, headers={"Accept-Encoding": "gzip"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    return response.json(), response.num_bytes_downloaded


def _communes_of(engine: Engine, departement: str) -> dict[str, shapely.Geometry]:
    from geoalchemy2.shape import to_shape

    with Session(engine) as session:
        sid = active_snapshot_id(session)
        rows = session.execute(
            select(Commune.insee, Commune.geom).where(
                Commune.snapshot_id == sid,
                Commune.departement == departement,
                Commune.kind == "COM",
                Commune.geom.is_not(None),
            )
        ).all()
    return {insee: to_shape(geom) for insee, geom in rows}


def test_hautes_alpes_layer_is_complete_valid_and_keeps_borders(
    client: TestClient, loaded: tuple[str, Engine]
) -> None:
    layer, _ = _layer(client, departement="05")
    originals = _communes_of(loaded[1], "05")
    features = {f["properties"]["insee"]: f for f in layer["features"]}
    assert set(features) == set(originals) and len(features) == 162
    simplified = {k: shapely.from_geojson(json.dumps(f["geometry"])) for k, f in features.items()}
    assert all(g.is_valid and not g.is_empty for g in simplified.values())
    tree = shapely.STRtree(list(originals.values()))
    codes = list(originals)
    shared = 0
    for code, geom in originals.items():
        for j in tree.query(geom, predicate="touches"):
            other = codes[j]
            if shapely.intersection(geom, originals[other]).length > 0.001:  # a real border
                shared += 1
                assert shapely.intersection(simplified[code], simplified[other]).length > 0, (
                    code,
                    other,
                )
                assert shapely.intersection(simplified[code], simplified[other]).area < 1e-9
    assert shared > 300
    gap = features["05061"]["properties"]
    # APL 2023 ≤ 65 of the DREES file
    assert gap["name"] == "Gap" and gap["apl"] == 4.848 and gap["status"] == "publié"
    # the 8 most populous communes are named on the map (no tile server gives place names)
    towns = {
        f["properties"]["town"]: f["properties"]["name"]
        for f in features.values()
        if "town" in f["properties"]
    }
    assert sorted(towns) == list(range(1, 9)) and (towns[1], towns[2]) == ("Gap", "Briançon")


def test_payload_sizes(client: TestClient) -> None:
    _, pas_de_calais = _layer(client, departement="62")
    assert pas_de_calais <= 100_000
    france, size = _layer(client)
    assert size <= 1_500_000
    assert len(france["features"]) == 34_871  # every commune with a contour, cities whole


def test_region_layer_and_errors(client: TestClient) -> None:
    layer, _ = _layer(client, region="93")
    assert {f["properties"]["insee"][:2] for f in layer["features"]} == {
        "04",
        "05",
        "06",
        "13",
        "83",
        "84",
    }
    for params, status in (
        ({"departement": "99"}, 404),
        ({"departement": "1"}, 422),
        ({"region": "76", "departement": "31"}, 422),
        ({"region": "00"}, 404),
    ):
        response = client.get("/api/v1/zones.geojson", params=params)
        assert response.status_code == status, params
        assert response.headers["content-type"] == "application/problem+json"


def test_etag_and_cache_headers(client: TestClient) -> None:
    first = client.get("/api/v1/zones.geojson", params={"departement": "2A"})
    assert first.headers["cache-control"].startswith("public")
    again = client.get(
        "/api/v1/zones.geojson",
        params={"departement": "2A"},
        headers={"If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304 and again.content == b""
    plain = client.get(
        "/api/v1/zones.geojson",
        params={"departement": "2A"},
        headers={"Accept-Encoding": "identity"},
    )
    assert "content-encoding" not in plain.headers
    zipped = client.get(
        "/api/v1/zones.geojson", params={"departement": "2A"}, headers={"Accept-Encoding": "gzip"}
    )
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.num_bytes_downloaded < len(plain.content) / 3
    assert zipped.content == plain.content  # the client inflates it
