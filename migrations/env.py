"""Alembic environment: one metadata for every domain, GeoAlchemy2 helpers for both backends."""

from __future__ import annotations

from alembic import context
from geoalchemy2 import alembic_helpers

import app.datasets.models  # noqa: F401  (registers tables)
import app.geocoding.models  # noqa: F401
import app.zones.models  # noqa: F401
from app.db import Base, make_engine
from app.settings import Settings

config = context.config


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        url = config.get_main_option("sqlalchemy.url") or Settings().sqlalchemy_url
        with make_engine(url).connect() as conn:
            _run(conn)
    else:
        _run(connection)


# Full-text structures created by raw SQL for one backend only (migrations 0003, 0005).
RAW_SQL_INDEXES = {"ix_address_search_tsv"}


def _include_object(obj, name, obj_type, reflected, compare_to):  # type: ignore[no-untyped-def]
    """Ignore tables the spatial extensions own (SpatiaLite's KNN, PostGIS's spatial_ref_sys…)
    and the full-text index made by raw SQL."""
    if obj_type == "table" and reflected and compare_to is None:
        return False
    if obj_type == "index" and name in RAW_SQL_INDEXES:
        return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=_include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
