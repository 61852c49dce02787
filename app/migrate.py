"""Run Alembic migrations programmatically (used by the CLI, the server and the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from app.settings import migrations_dir

_LOCK_KEY = 0x7A6F6E61  # "zona"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config bound to ``engine``'s URL and our migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` inside one transaction."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Replicas starting together: one migrates, the others wait and find nothing to do.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
