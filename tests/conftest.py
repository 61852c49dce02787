"""Fixtures: one migrated database per backend (SpatiaLite file, PostGIS database) and real data."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app import migrate
from app.datasets.manifest import DatasetEntry, read_manifest
from app.datasets.pin import pin_rpps
from app.datasets.snapshot import load
from app.db import make_engine
from app.main import create_app
from app.settings import REPO_ROOT, Settings
from tests.builders import finess_feed, finess_site, rpps_extract, rpps_row

SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
POSTGRES_ADMIN = os.environ.get("ZONAGE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ["spatialite", "postgis"]


def _postgis_database() -> Iterator[str]:
    """A fresh database with PostGIS on the local server, dropped afterwards."""
    name = f"zonage_test_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostGIS non testé : aucun serveur PostgreSQL joignable ({exc})")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        url = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except psycopg.Error as exc:
            admin.execute(f'DROP DATABASE "{name}"')
            pytest.skip(f"PostGIS non testé : extension postgis indisponible ({exc})")
        try:
            yield url
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of ``backend``."""
    if backend == "spatialite":
        yield f"sqlite:///{tmp_path / 'zonage.sqlite'}"
    else:
        yield from _postgis_database()


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database per test, on each backend."""
    yield from database_url(request.param, tmp_path)


@pytest.fixture(scope="session")
def manifest() -> dict[str, DatasetEntry]:
    return read_manifest(REPO_ROOT / "data" / "geo" / "manifest.toml")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED_DATA} manquant en CI")
        pytest.skip(f"données réelles absentes ({SHARED_DATA})")
    return SHARED_DATA


# An optional FINESS+ feed written from its schema: one MSP and one CPTS in Arboys en Bugey
FINESS_FIXTURE = finess_feed(
    finess_site("010000011", "603", "01015"), finess_site("010000013", "604", "01015")
)


# A national RPPS extract written from its documented columns: GPs in Gap and L'Argentière
RPPS_FIXTURE = rpps_extract(
    rpps_row("2001", "05061"),  # Gap and L'Argentière-la-Bessée: half a GP in each
    rpps_row("2001", "05006"),
    rpps_row("2002", "05061", mode="S", sector="Centre de santé"),
    rpps_row("2003", "75056", "75015"),  # Paris 15e
    rpps_row("2004", "05061", mode="S", sector="Etablissement public de santé"),
)


@pytest.fixture(scope="session")
def mirror_with_fixtures(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """The real mirror, plus the FINESS+ feed and the RPPS extract that no public mirror holds."""
    mirror = tmp_path_factory.mktemp("mirror")
    for folder in shared_data.iterdir():
        (mirror / folder.name).symlink_to(folder)
    (mirror / "finess-plus").mkdir()
    (mirror / "finess-plus" / "structures.json").write_bytes(FINESS_FIXTURE)
    return mirror


@pytest.fixture(scope="session")
def manifest_with_fixtures(
    manifest: dict[str, DatasetEntry], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, DatasetEntry]:
    """The project's manifest, the FINESS+ fixture, and the RPPS fixture pinned as an operator
    would (``zonage data rpps``)."""
    pinned = tmp_path_factory.mktemp("pinned")
    extract = pinned / "PS_LibreAcces_Personne_activite_202504040839.txt"
    extract.write_bytes(RPPS_FIXTURE)
    rpps = pin_rpps(extract, manifest["rpps-activite"], pinned)
    entry = DatasetEntry(
        name="finess-structures",
        title="FINESS+ Structures (jeu de test)",
        holds="MSP, CDS, CPTS",
        path="finess-plus/structures.json",
        sha256=hashlib.sha256(FINESS_FIXTURE).hexdigest(),
        url="https://www.data.gouv.fr/",
        licence="Licence Ouverte 2.0",
        vintage="test",
        attribution="test",
        source="tests/builders.py",
        optional=True,
    )
    return {**manifest, entry.name: entry, rpps.name: rpps}


@pytest.fixture(scope="session", params=BACKENDS)
def loaded(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    mirror_with_fixtures: Path,
    manifest_with_fixtures: dict[str, DatasetEntry],
) -> Iterator[tuple[str, Engine]]:
    """The real data and the fixtures, loaded once per backend for the whole session."""
    tmp = tmp_path_factory.mktemp(request.param)
    for url in database_url(request.param, tmp):
        engine = make_engine(url)
        migrate.upgrade(engine)
        load(engine, manifest_with_fixtures, mirror_with_fixtures, tmp / "downloads")
        yield url, engine
        engine.dispose()


@pytest.fixture(scope="session")
def client(loaded: tuple[str, Engine]) -> Iterator[TestClient]:
    """An API client on the real data, per backend."""
    url, _ = loaded
    with TestClient(create_app(Settings(database_url=url, _env_file=None))) as test_client:
        yield test_client
