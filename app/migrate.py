"""Run Alembic migrations programmatically (used by the CLI, the server and the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from app.errors import DataUnavailable
from app.settings import migrations_dir

# PostgreSQL advisory lock keys: one migration at a time; one data load at a time
MIGRATION_LOCK = 0x7A6F6E62  # "zonb"
LOAD_LOCK = 0x7A6F6E61  # "zona"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config bound to ``engine``'s URL and our migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` inside one transaction.

    On PostgreSQL, replicas starting together migrate one at a time, the others finding nothing
    to do; a schema already at ``head`` is left at once, so that a running data load delays no
    process's start; a change of schema waits for that load to end, and holds the next off."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            _postgis(connection)
            _lock(connection, MIGRATION_LOCK)
            if revision == "head" and _at_head(connection, config):
                return
            _lock(connection, LOAD_LOCK)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _postgis(connection: Connection) -> None:
    """PostGIS in the database, created when the role may, else a French refusal (the tables
    hold geometries: without it the first migration failed on an unknown type)."""
    present = text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
    if connection.execute(present).first() is not None:
        return
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    except DBAPIError as exc:
        raise DataUnavailable(
            "PostGIS manque dans la base PostgreSQL et ce rôle ne peut pas l'y ajouter : un "
            "administrateur doit y lancer « CREATE EXTENSION postgis; » (paquet "
            "postgresql-15-postgis-3 sous Debian)."
        ) from exc


def _lock(connection: Connection, key: int) -> None:
    """A transaction-level advisory lock, waited for."""
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _at_head(connection: Connection, config: Config) -> bool:
    current = MigrationContext.configure(connection).get_current_heads()
    return set(current) == set(ScriptDirectory.from_config(config).get_heads())
