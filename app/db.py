"""Database engine and sessions: SpatiaLite file by default, PostgreSQL + PostGIS by URL."""

from __future__ import annotations

import os
import sqlite3
from functools import partial
from pathlib import Path
from typing import Any

from geoalchemy2.admin.dialects.sqlite import load_spatialite
from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base shared by every domain's models."""

    metadata = MetaData(naming_convention=NAMING)


def _sqlite_dbapi() -> Any:
    """The stdlib sqlite3 when it can load extensions, else pysqlite3 (which can)."""
    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    import pysqlite3.dbapi2

    return pysqlite3.dbapi2


def _prepare_sqlite(dbapi_conn: Any, record: Any) -> None:
    """Load SpatiaLite and set the pragmas that let readers run during a data load."""
    dbapi_conn.execute("PRAGMA journal_mode=WAL")
    dbapi_conn.execute("PRAGMA busy_timeout=30000")
    dbapi_conn.execute("PRAGMA foreign_keys=ON")
    load_spatialite(dbapi_conn, record, init_mode="WGS84", transaction=True)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets SpatiaLite, PostgreSQL the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed.set(drivername="sqlite+pysqlite"),
            module=_sqlite_dbapi(),
            connect_args={"check_same_thread": False},
            **kwargs,
        )
        event.listen(engine, "connect", _prepare_sqlite)
        # pysqlite's default BEGIN is deferred; make it explicit so SQLAlchemy owns transactions.
        event.listen(engine, "connect", partial(_set_isolation, None))
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        return engine
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


def _set_isolation(level: str | None, dbapi_conn: Any, record: Any) -> None:
    dbapi_conn.isolation_level = level


def is_sqlite(engine_or_session: Engine | Session) -> bool:
    """True on the embedded SpatiaLite backend."""
    bind = (
        engine_or_session.get_bind()
        if isinstance(engine_or_session, Session)
        else engine_or_session
    )
    return bind.dialect.name == "sqlite"
