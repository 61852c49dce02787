"""Nobody changes anything without the token; bodies are bounded; origins are allow-listed. On
the tiny snapshot: none of it depends on the national data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.datasets.snapshot import exclusive_load
from app.main import create_app
from app.middleware import accepted, trusted
from app.settings import Settings

TOKEN = "un-jeton-assez-long"
PORTAL = "https://www.paps.sante.fr"


@pytest.fixture
def admin(tiny_loaded: tuple[str, Engine]) -> Iterator[TestClient]:
    settings = Settings(
        database_url=tiny_loaded[0],
        admin_token=TOKEN,
        cors_origins=[PORTAL],
        max_body_bytes=2048,
        _env_file=None,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_administration_is_closed_without_a_token_in_settings(tiny_client: TestClient) -> None:
    for path in ("/api/v1/admin/reload", "/api/v1/admin/cache/purge"):
        response = tiny_client.post(path, headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert "Administration fermée" in response.json()["detail"]


def test_administration_needs_the_right_token(admin: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer mauvais"}, {"Authorization": TOKEN}):
        response = admin.post("/api/v1/admin/cache/purge", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"] == "Bearer"
        assert "Jeton d'administration" in response.json()["detail"]
    purged = admin.post("/api/v1/admin/cache/purge", headers={"Authorization": f"Bearer {TOKEN}"})
    assert purged.status_code == 204
    assert admin.get("/api/v1/communes/05002").json()["name"] == "Bourg"  # rebuilt on demand


def test_a_second_concurrent_load_is_refused(admin: TestClient, tiny_loaded) -> None:
    with exclusive_load(tiny_loaded[1]):
        response = admin.post("/api/v1/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 409
    assert "déjà en cours" in response.json()["detail"]


def test_the_public_api_is_read_only(tiny_client: TestClient) -> None:
    schema = tiny_client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        writes = set(operations) - {"get", "parameters"}
        if path.startswith("/api/v1/admin/"):
            assert operations["post"]["security"] == [{"HTTPBearer": []}]
        else:  # POST only where a request body computes an answer, and nothing else
            assert writes <= {"post"}, path
            computed = {
                "/api/v1/aids/simulations",
                "/api/v1/zones/what-if",
                "/api/v1/places/search",
            }
            assert path in computed or not writes


def test_request_bodies_are_bounded(admin: TestClient) -> None:
    big = {"insee": "05002", "fte": 1, "pad": "x" * 4000}
    declared = admin.post("/api/v1/zones/what-if", json=big)
    assert declared.status_code == 413
    assert declared.json()["detail"] == "Requête trop volumineuse : au plus 2048 octets."

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams
        yield b'{"insee": "05002", "pad": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}'

    streamed = admin.post(
        "/api/v1/zones/what-if", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    assert streamed.headers["content-type"] == "application/problem+json"
    small = admin.post("/api/v1/zones/what-if", json={"insee": "05002"})
    assert small.status_code == 200


def test_cors_answers_only_the_allowed_origins(admin: TestClient) -> None:
    allowed = admin.get("/api/v1/communes/05002", headers={"Origin": PORTAL})
    assert allowed.headers["access-control-allow-origin"] == PORTAL
    other = admin.get("/api/v1/communes/05002", headers={"Origin": "https://ailleurs.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = admin.options(
        "/api/v1/zones/what-if",
        headers={"Origin": PORTAL, "Access-Control-Request-Method": "POST"},
    )
    assert (
        preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]
    )
    assert allowed.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("header", "kept"),
    [
        (b"gzip, deflate, br", b"gzip, deflate, br"),
        (b"gzip;q=0, identity", b"identity"),
        (b"gzip; q=0.0", b""),
        (b"br;q=1.0, gzip;q=0.5, *;q=0", b"br, gzip"),
        (b"gzip;q=x", b""),
    ],
)
def test_refused_codings_leave_the_accept_encoding(header: bytes, kept: bytes) -> None:
    assert accepted(header) == kept


def test_a_client_that_refuses_gzip_gets_none(tiny_client: TestClient) -> None:
    for path in ("/api/v1/communes/05002", "/api/v1/zones.geojson?departement=05"):
        plain = tiny_client.get(path, headers={"Accept-Encoding": "gzip;q=0, identity"})
        assert plain.status_code == 200 and "content-encoding" not in plain.headers
        packed = tiny_client.get(path, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["content-encoding"] == "gzip"


def test_head_answers_wherever_get_does(tiny_client: TestClient) -> None:
    for path in ("/api/v1/health", "/api/v1/communes/05002", "/", "/ogc/collections"):
        got, head = tiny_client.get(path), tiny_client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"]
    assert tiny_client.head("/api/v1/communes/00000").status_code == 404


def test_links_follow_the_public_url_not_the_host(tiny_loaded: tuple[str, Engine]) -> None:
    """OGC links and the export's Link header: the configured public address, whatever Host
    a client sends; a crafted query string cannot add a link of its own."""
    settings = Settings(
        database_url=tiny_loaded[0], public_url="https://zonage.example.fr", _env_file=None
    )
    with TestClient(create_app(settings)) as public:
        landing = public.get("/ogc", headers={"Host": "evil.example"}).json()
        assert all(
            link["href"].startswith("https://zonage.example.fr/") for link in landing["links"]
        )
        crafted = public.get(
            "/api/v1/exports/zones.csv?departement=05&x=a>,<https://evil.example/>;rel=x",
            headers={"Host": "evil.example"},
        )
        assert crafted.status_code == 400 and "link" not in crafted.headers  # x is not read
        export = public.get(
            "/api/v1/exports/zones.csv?departement=05", headers={"Host": "evil.example"}
        )
        link = export.headers["link"]
        assert link.startswith("<https://zonage.example.fr/api/v1/exports/zones.meta.json?")
        assert link.count("<") == 1 and link.count(">") == 1  # one link, ours
        slash = public.get(
            "/api/v1/communes/05001/?x=1", headers={"Host": "evil.example"}, follow_redirects=False
        )
        assert slash.status_code == 307
        assert slash.headers["location"] == "https://zonage.example.fr/api/v1/communes/05001?x=1"


def test_a_redirect_never_sends_a_client_to_the_host_it_chose(tiny_client: TestClient) -> None:
    """Without a public address, a trailing slash's redirect stays a path on this server."""
    slash = tiny_client.get(
        "/api/v1/communes/05001/", headers={"Host": "evil.example"}, follow_redirects=False
    )
    assert slash.status_code == 307 and slash.headers["location"] == "/api/v1/communes/05001"


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        (b"zonage.example.fr", True),
        (b"ZONAGE.example.fr:8443", True),
        (b"carte.paps.fr", True),
        (b"paps.fr", False),
        (b"evil.example", False),
        (b"zonage.example.fr.evil.example", False),
        (b"[::1]:8000", True),
        (b"", False),
    ],
)
def test_trusted_hosts_match_names_and_subdomains(host: bytes, allowed: bool) -> None:
    assert trusted(host, ["zonage.example.fr", "*.paps.fr", "[::1]"]) is allowed


def test_a_host_outside_the_trusted_ones_is_refused(tiny_loaded: tuple[str, Engine]) -> None:
    settings = Settings(
        database_url=tiny_loaded[0], trusted_hosts="zonage.example.fr, *.paps.fr", _env_file=None
    )
    with TestClient(create_app(settings), base_url="http://zonage.example.fr") as served:
        assert served.get("/api/v1/health").status_code == 200
        landing = served.get("/ogc").json()
        assert landing["links"][0]["href"].startswith("http://zonage.example.fr/")
        refused = served.get("/ogc", headers={"Host": "evil.example"})
        assert refused.status_code == 400 and refused.json()["code"] == "unknown-host"
        assert refused.headers["content-type"] == "application/problem+json"
        probe = served.get("/api/v1/health", headers={"Host": "10.0.0.7:8000"})
        assert probe.status_code == 200
    with pytest.raises(ValueError, match="nom d'hôte invalide"):
        Settings(trusted_hosts="evil/..", _env_file=None)
