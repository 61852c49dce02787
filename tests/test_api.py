"""API contract: problem+json errors, health, OpenAPI and its pages on the tiny snapshot; the
meta of the real data."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.datasets.manifest import loaded as loads

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/communes/3155", 422),
        ("/api/v1/communes/315555", 422),
        ("/api/v1/communes/2C004", 422),
        ("/api/v1/communes/ABCDE", 422),
        ("/api/v1/communes/'%20OR%201=1", 422),
        ("/api/v1/communes/99999", 404),
        ("/api/v1/communes/2A999", 404),
        ("/api/v1/nowhere", 404),
    ],
)
def test_errors_are_french_problems(tiny_client: TestClient, path: str, status: int) -> None:
    response = tiny_client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"]
    assert any(word in body["detail"] for word in ("Code INSEE", "Aucune commune", "introuvable"))


def test_meta_names_every_dataset(client: TestClient, manifest_with_fixtures) -> None:
    manifest = manifest_with_fixtures
    meta = client.get("/api/v1/meta").json()
    loaded = {name for name, entry in manifest.items() if loads(entry)}
    assert {d["name"] for d in meta["datasets"]} == loaded
    assert "ps-liberaux-normandie" not in loaded  # read by `zonage apl check` only
    apl = next(d for d in meta["datasets"] if d["name"] == "apl-mg")
    assert apl["vintage"] == "APL 2023" and apl["sha256"] == manifest["apl-mg"].sha256
    assert meta["address_departements"] == ["05"]  # the BAN held offline
    assert meta["tables"]["commune"]["rows"] == 34_920
    # the four Cantal communes re-created in 2025 have no contour yet
    assert meta["tables"]["commune"]["incomplete"] == {
        "commune sans contour dans la source": 4,
        # the same four + three communes split after 2022 (60694, 85165, 85212)
        "commune sans bassin de vie (créée ou rétablie depuis le COG 2022)": 7,
        # town-hall points more than 1 km outside their commune (Gex's lies in Vénissieux)
        "position de mairie hors de la commune (ignorée)": 1578,
    }
    assert meta["loaded_at"]


def test_health(tiny_client: TestClient) -> None:
    assert tiny_client.get("/api/v1/health").json() == {
        "status": "ok",
        "database": "ok",
        "data_loaded": True,
        "version": "0.1.0",
    }


def test_openapi_has_explicit_operation_ids_and_examples(tiny_client: TestClient) -> None:
    spec = tiny_client.get("/api/v1/openapi.json").json()
    operations = [op for path in spec["paths"].values() for op in path.values()]
    assert {op["operationId"] for op in operations} >= {"getHealth", "getMeta", "getCommune"}
    commune = spec["paths"]["/api/v1/communes/{insee}"]["get"]
    assert commune["parameters"][0]["examples"]["Toulouse"]["value"] == "31555"
    assert PROBLEM in commune["responses"]["404"]["content"]


def _has_example(node: object, spec: dict) -> bool:
    """An ``example``/``examples`` anywhere in ``node``, following $refs into components."""
    if isinstance(node, dict):
        if "example" in node or "examples" in node:
            return True
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = spec
            for part in ref.removeprefix("#/").split("/"):
                target = target[part]
            if _has_example(target, spec):
                return True
        return any(_has_example(v, spec) for k, v in node.items() if k != "$ref")
    if isinstance(node, list):
        return any(_has_example(v, spec) for v in node)
    return False


def test_every_operation_documents_an_example(tiny_client: TestClient) -> None:
    spec = tiny_client.get("/api/v1/openapi.json").json()
    missing = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            success = {k: v for k, v in op["responses"].items() if k.startswith("2")}
            if set(success) == {"204"} and not op.get("parameters"):
                continue  # nothing in, nothing out
            parts = [op.get("parameters", []), op.get("requestBody", {}), success]
            if not any(_has_example(part, spec) for part in parts):
                missing.append(f"{method.upper()} {path}")
    assert not missing, missing
    assert {
        "/ogc",
        "/ogc/collections/{collection_id}/items",
        "/api/v1/exports/zones.{format}",
    } <= set(spec["paths"])


@pytest.mark.parametrize(
    ("path", "assets"),
    [
        ("/docs", ["vendor/swagger-ui-bundle.js", "vendor/swagger-ui.css", "init/swagger.js"]),
        ("/redoc", ["vendor/redoc.standalone.js", "init/redoc.js"]),
    ],
)
def test_docs_work_without_a_cdn_under_the_pages_csp(
    tiny_client: TestClient, path: str, assets: list[str]
) -> None:
    page = tiny_client.get(path)
    assert page.status_code == 200 and "cdn" not in page.text.lower()
    assert "<script>" not in page.text and " style=" not in page.text  # nothing inline
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert 'data-openapi="/api/v1/openapi.json"' in page.text
    for asset in assets:
        assert f"/static/apidocs/{asset}" in page.text
        assert tiny_client.get(f"/static/apidocs/{asset}").status_code == 200
    # Swagger UI 5 reads OpenAPI 3.1 (4.x showed "Unable to render this definition")
    bundle = tiny_client.get("/static/apidocs/vendor/swagger-ui-bundle.js").text
    assert re.search(r'"5\.\d+\.\d+"', bundle)
    assert tiny_client.get("/api/v1/openapi.json").json()["openapi"].startswith("3.1")
    # no stock petstore page beside the bundle
    assert tiny_client.get("/static/apidocs/vendor/index.html").status_code == 404
