"""Fixtures: one migrated database per backend (SpatiaLite file, PostGIS database) and real data."""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app import migrate
from app.datasets.manifest import DatasetEntry, read_manifest, read_manifests, write_pinned
from app.datasets.pin import pin_official_zonage, pin_rpps
from app.datasets.snapshot import load
from app.db import make_engine
from app.main import create_app
from app.settings import REPO_ROOT, Settings
from tests.builders import (
    finess_feed,
    finess_site,
    rpps_extract,
    rpps_row,
    tiny_mirror,
)

SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
# The national geocoder is tested with recorded answers (test_geoplateforme.py); every other
# test keeps to this machine: the default "auto" mode would try data.geopf.fr.
os.environ["ZONAGE_GEOCODER"] = "offline"
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


MANIFEST = REPO_ROOT / "data" / "geo" / "manifest.toml"


@pytest.fixture(scope="session")
def manifest() -> dict[str, DatasetEntry]:
    return read_manifest(MANIFEST)


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
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory whose local manifest pins the FINESS+ feed and the RPPS extract that no
    public mirror holds, as an operator would (``zonage data rpps`` for the latter)."""
    data_dir = tmp_path_factory.mktemp("data")
    pinned = data_dir / "fixtures"
    pinned.mkdir()
    finess = pinned / "finess-structures.json"
    finess.write_bytes(FINESS_FIXTURE)
    extract = pinned / "PS_LibreAcces_Personne_activite_202504040839.txt"
    extract.write_bytes(RPPS_FIXTURE)
    project = read_manifest(MANIFEST)
    settings = Settings(data_dir=data_dir, _env_file=None)
    write_pinned(
        settings.local_manifest_path,
        replace(
            project["finess-structures"],
            role="load",
            optional=True,
            path=str(finess),
            sha256=hashlib.sha256(FINESS_FIXTURE).hexdigest(),
            vintage="FINESS+ (jeu de test)",
        ),
    )
    write_pinned(
        settings.local_manifest_path,
        pin_rpps(extract, project["rpps-activite"], settings.pinned_dir),
    )
    # the official zonage table: its four real rows held by the mirror, pinned as an operator
    # would pin the whole table (``zonage data zonage``)
    sample = SHARED_DATA / "zonage-officiel-datasante-sample" / "zonages_com_sample_4rows.csv"
    if sample.is_file():
        write_pinned(
            settings.local_manifest_path,
            pin_official_zonage(
                sample.read_bytes(), sample.name, project["zonage-officiel"], settings.pinned_dir
            ),
        )
    return data_dir


@pytest.fixture(scope="session")
def manifest_with_fixtures(data_dir: Path) -> dict[str, DatasetEntry]:
    """The project's manifest with the fixtures pinned in the local one."""
    return read_manifests(MANIFEST, Settings(data_dir=data_dir, _env_file=None).local_manifest_path)


@pytest.fixture(scope="session", params=BACKENDS)
def loaded(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    shared_data: Path,
    manifest_with_fixtures: dict[str, DatasetEntry],
) -> Iterator[tuple[str, Engine]]:
    """The real data and the fixtures, loaded once per backend for the whole session."""
    tmp = tmp_path_factory.mktemp(request.param)
    for url in database_url(request.param, tmp):
        engine = make_engine(url)
        migrate.upgrade(engine)
        load(engine, manifest_with_fixtures, shared_data, tmp / "downloads")
        yield url, engine
        engine.dispose()


@pytest.fixture(scope="session")
def client(loaded: tuple[str, Engine]) -> Iterator[TestClient]:
    """An API client on the real data, per backend."""
    url, _ = loaded
    with TestClient(create_app(Settings(database_url=url, _env_file=None))) as test_client:
        yield test_client


@pytest.fixture(scope="session", params=BACKENDS)
def tiny_loaded(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    manifest: dict[str, DatasetEntry],
) -> Iterator[tuple[str, Engine]]:
    """The tiny synthetic snapshot (tests/builders.py) loaded through the real load, per
    backend: runs anywhere, without the national data, in seconds."""
    tmp = tmp_path_factory.mktemp(f"tiny-{request.param}")
    yield from loaded_into(request.param, tmp, tiny_mirror(tmp / "mirror", manifest))


def loaded_into(
    backend: str, tmp: Path, entries: dict[str, DatasetEntry]
) -> Iterator[tuple[str, Engine]]:
    """A database of ``backend`` migrated and loaded with ``entries`` (a mirror under
    ``tmp``), disposed of afterwards."""
    for url in database_url(backend, tmp):
        engine = make_engine(url)
        migrate.upgrade(engine)
        load(engine, entries, tmp / "mirror", tmp / "downloads")
        yield url, engine
        engine.dispose()


def client_of(url: str) -> TestClient:
    return TestClient(create_app(Settings(database_url=url, _env_file=None)))


def tiny_with(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    manifest: dict[str, DatasetEntry],
    pins: Iterable[DatasetEntry],
) -> Iterator[TestClient]:
    """A client on the tiny snapshot and the files an operator pinned (``pins``), on the
    backend of ``request``: for a module's fixture."""
    tmp = tmp_path_factory.mktemp(f"tiny-{request.param}")
    entries = tiny_mirror(tmp / "mirror", manifest) | {pin.name: pin for pin in pins}
    for url, _ in loaded_into(request.param, tmp, entries):
        with client_of(url) as test_client:
            yield test_client


@pytest.fixture(scope="session")
def tiny_client(tiny_loaded: tuple[str, Engine]) -> Iterator[TestClient]:
    """An API client on the tiny synthetic snapshot, per backend."""
    url, _ = tiny_loaded
    with TestClient(create_app(Settings(database_url=url, _env_file=None))) as test_client:
        yield test_client


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn on a free local port in a thread, for real clients."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def live_url(loaded: tuple[str, Engine]) -> Iterator[str]:
    """The application on the loaded data, served for clients outside the process (GDAL,
    curl); the browser tests serve their own, with embedding origins."""
    with serving(create_app(Settings(database_url=loaded[0], _env_file=None))) as url:
        yield url
