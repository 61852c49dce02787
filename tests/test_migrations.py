"""The migrations build exactly the models' schema, on both backends."""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import app.datasets.models  # noqa: F401
import app.geocoding.models  # noqa: F401
import app.zones.models  # noqa: F401
from app import migrate
from app.datasets.snapshot import LoadInProgress, exclusive_load
from app.db import Base, make_engine


def _ours(obj, name, obj_type, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Ours: not the spatial extensions' tables nor the FTS5 shadow tables, not the raw-SQL
    full-text index."""
    if obj_type == "index" and name == "ix_address_search_tsv":
        return False
    return not (obj_type == "table" and reflected and compare_to is None)


def test_upgrade_matches_models_and_is_idempotent(empty_url: str) -> None:
    engine = make_engine(empty_url)
    migrate.upgrade(engine)
    migrate.upgrade(engine)  # a second run finds nothing to do
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _ours})
        assert compare_metadata(context, Base.metadata) == []
        assert {"commune", "snapshot", "accessibility"} <= set(inspect(conn).get_table_names())
    engine.dispose()


def test_a_running_load_delays_no_start_and_a_second_load_is_refused(empty_url: str) -> None:
    """A replica starting, `zonage data status` and a second load all migrate first: a schema at
    head is left at once, whatever a load holds (on PostgreSQL they waited for it)."""
    engine = make_engine(empty_url)
    migrate.upgrade(engine)
    with exclusive_load(engine):
        starting = threading.Thread(target=migrate.upgrade, args=(engine,), daemon=True)
        starting.start()
        starting.join(timeout=60)
        assert not starting.is_alive(), "la migration attend la fin du chargement"
        with pytest.raises(LoadInProgress), exclusive_load(engine):
            pass
    engine.dispose()


def test_a_database_without_postgis_is_refused_in_one_french_line(tmp_path) -> None:
    """A role that may not add PostGIS gets what to ask its administrator, not a traceback
    about an unknown ``geometry`` type."""
    import os
    import subprocess
    import sys
    import uuid

    import psycopg

    from tests.conftest import POSTGRES_ADMIN

    name = f"zonage_nopostgis_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL non joignable ({exc})")
    with admin:
        admin.execute(f'CREATE ROLE "{name}" LOGIN')
        admin.execute(f'CREATE DATABASE "{name}" OWNER "{name}"')
        try:
            server = POSTGRES_ADMIN.split("@", 1)[1].rsplit("/", 1)[0]
            upgrade = subprocess.run(
                [sys.executable, "-m", "app.cli", "db", "upgrade"],
                env={**os.environ, "ZONAGE_DATABASE_URL": f"postgresql://{name}@{server}/{name}"},
                capture_output=True,
                text=True,
                timeout=120,
            )
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            admin.execute(f'DROP ROLE "{name}"')
    assert upgrade.returncode == 2, upgrade.stderr
    assert "PostGIS manque" in upgrade.stderr and "CREATE EXTENSION postgis" in upgrade.stderr
    assert "Traceback" not in upgrade.stderr and "geometry" not in upgrade.stderr
