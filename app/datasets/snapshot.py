"""Atomic data loads: build a new snapshot beside the served one, then switch in one transaction.

A failed or killed load leaves a ``building`` snapshot that is never served and is removed by the
next load; the previously active snapshot stays served throughout. The snapshot replaced by a
switch is kept until the next load so that requests already reading it finish on whole data.
"""

from __future__ import annotations

import fcntl
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import partial
from itertools import islice
from pathlib import Path

import httpx
import numpy as np
import shapely
from geoalchemy2 import Geometry
from sqlalchemy import Engine, Float, Integer, String, Table, delete, insert, select, text, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from app import __version__, sources
from app.datasets.fetch import DataFileError, MissingFile, MissingFiles, fetch
from app.datasets.manifest import DatasetEntry, loaded
from app.datasets.models import Snapshot, SnapshotStatus
from app.db import Base, is_sqlite
from app.geocoding import models as _geocoding_models  # noqa: F401 (mappers of TABLES)
from app.migrate import LOAD_LOCK
from app.sources import parse_all
from app.sources.common import Parsed, Row, SourceFormatError, Streamed
from app.zones import models as _zones_models  # noqa: F401 (mappers of TABLES)

Progress = Callable[[str, int, int], None]
# every table a source fills, by name, in load order (the models are imported for their mappers)
TABLES: dict[str, type[Base]] = {
    name: model
    for name in sources.TABLES
    for model in (m.class_ for m in Base.registry.mappers)
    if model.__tablename__ == name
}
CHUNK = 2000
# SQLite's full-text index of a snapshot's addresses, filled once they are written: 9 µs an
# address, against 36 µs for a trigger row by row (migration 0009)
FILL_ADDRESS_INDEX = text(
    "INSERT INTO address_fts(rowid, search) "
    "SELECT rowid, search FROM address WHERE snapshot_id = :snapshot"
)


class NoActiveSnapshot(LookupError):
    """No data has been loaded yet."""


class LoadInProgress(RuntimeError):
    """Another process is loading data into this database."""


@contextmanager
def exclusive_load(engine: Engine) -> Iterator[None]:
    """One load at a time per database, across processes and replicas.

    PostgreSQL: a session advisory lock; SQLite: an flock beside the database file. Both are
    released by the operating system or the server when the loading process dies."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            if not conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOAD_LOCK}):
                raise LoadInProgress
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOAD_LOCK})
                conn.commit()
        return
    with open(f"{engine.url.database}.load-lock", "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise LoadInProgress from exc
        yield


def active_snapshot_id(session: Session) -> int:
    """The snapshot every read must filter on."""
    found = session.scalar(select(Snapshot.id).where(Snapshot.status == SnapshotStatus.active))
    if found is None:
        raise NoActiveSnapshot
    return found


def active_snapshot(session: Session) -> Snapshot | None:
    """The served snapshot's record, with its datasets, vintages and checksums."""
    return session.scalar(select(Snapshot).where(Snapshot.status == SnapshotStatus.active))


def _noop(label: str, done: int, total: int) -> None:
    """Default progress reporter."""


def load(
    engine: Engine,
    entries: dict[str, DatasetEntry],
    mirror: Path | None,
    download_dir: Path,
    progress: Progress = _noop,
    client: httpx.Client | None = None,
    allow_download: bool = True,
) -> Snapshot:
    """Verify every file, parse it, write a new snapshot and make it the active one; refused
    with ``LoadInProgress`` while another load runs on the same database."""
    with exclusive_load(engine):
        return _load(engine, entries, mirror, download_dir, progress, client, allow_download)


def _load(
    engine: Engine,
    entries: dict[str, DatasetEntry],
    mirror: Path | None,
    download_dir: Path,
    progress: Progress,
    client: httpx.Client | None,
    allow_download: bool,
) -> Snapshot:
    entries = {name: e for name, e in entries.items() if loaded(e)}
    files, missing = Verified(), []
    for i, entry in enumerate(entries.values()):
        progress("vérification des fichiers", i, len(entries))
        try:
            content = fetch(entry, mirror, download_dir, client, allow_download)
        except MissingFile as exc:
            if not entry.optional:
                missing.append(str(exc))
            continue
        if sources.streamed(entry.name):
            files.again[entry.name] = partial(fetch, entry, mirror, download_dir, client, False)
        else:
            files.held[entry.name] = content
    if missing:
        raise MissingFiles(mirror, missing)
    progress("vérification des fichiers", len(entries), len(entries))
    professions = {e.name: e.profession for e in entries.values() if e.profession}

    try:  # a verified file that is not in its documented format: refused, nothing served
        parsed = parse_all(files, professions, date.today().isoformat())
        with Session(engine) as session, session.begin():
            _discard_unserved(session)
            snapshot = Snapshot(
                status=SnapshotStatus.building,
                datasets=[e.public() for e in entries.values() if e.name in files],
                tables={},
                loader_version=__version__,
            )
            session.add(snapshot)
            session.flush()
            snapshot_id = snapshot.id
        with Session(engine) as session, session.begin():
            if not is_sqlite(session):  # GIN takes the addresses in larger batches (flushed below)
                session.execute(text("SET LOCAL gin_pending_list_limit = '64MB'"))
            written = {  # streamed tables are parsed here, as they are written
                name: _insert(session, TABLES[name], snapshot_id, table.rows, progress)
                for name, table in parsed.items()
            }
            if is_sqlite(session):
                session.execute(FILL_ADDRESS_INDEX, {"snapshot": snapshot_id})
            session.execute(
                update(Snapshot)
                .where(Snapshot.id == snapshot_id)
                .values(tables={name: _summary(p, written[name]) for name, p in parsed.items()})
            )
    except SourceFormatError as exc:
        raise DataFileError(str(exc)) from exc
    except (IntegrityError, DataError) as exc:  # what a parser let through, the base refuses
        raise DataFileError(
            "une ligne d'un fichier a été refusée par la base (doublon ou valeur impossible, "
            f"table {_table_of(exc)}) ; rien n'a été chargé"
        ) from exc
    with engine.connect() as conn:  # fresh statistics, or PostgreSQL plans joins badly
        if conn.dialect.name == "postgresql":  # the addresses GIN holds back, indexed now
            conn.execute(text("SELECT gin_clean_pending_list('ix_address_search_tsv'::regclass)"))
        for name in TABLES:
            conn.execute(text(f"ANALYZE {name}"))
        conn.commit()

    with Session(engine) as session, session.begin():
        session.execute(
            update(Snapshot)
            .where(Snapshot.status == SnapshotStatus.active)
            .values(status=SnapshotStatus.retired)
        )
        session.execute(
            update(Snapshot)
            .where(Snapshot.id == snapshot_id)
            .values(status=SnapshotStatus.active, activated_at=datetime.now(UTC))
        )
    with Session(engine) as session, session.begin():
        _discard_unserved(session)
    with Session(engine) as session:
        return session.get_one(Snapshot, snapshot_id)


def _table_of(exc: IntegrityError | DataError) -> str:
    """The table a refused statement wrote to, from its SQL."""
    found = re.search(r"INSERT INTO (\w+)", str(exc.statement or ""))
    return found[1] if found else "inconnue"


def _discard_unserved(session: Session) -> None:
    """Remove interrupted builds and all retired snapshots but the most recent one."""
    keep = session.scalar(
        select(Snapshot.id)
        .where(Snapshot.status == SnapshotStatus.retired)
        .order_by(Snapshot.id.desc())
        .limit(1)
    )
    stale = select(Snapshot.id).where(
        (Snapshot.status == SnapshotStatus.building)
        | ((Snapshot.status == SnapshotStatus.retired) & (Snapshot.id != keep))
    )
    ids = list(session.scalars(stale))
    for model in TABLES.values():  # explicit: SQLite's cascade would go row by row
        table = Base.metadata.tables[model.__tablename__]
        session.execute(delete(table).where(table.c.snapshot_id.in_(ids)))
    session.execute(delete(Snapshot).where(Snapshot.id.in_(ids)))


def _summary(parsed: Parsed | Streamed, written: int) -> dict[str, object]:
    return {
        "rows": written,
        "skipped": dict(parsed.skipped),
        "incomplete": dict(parsed.incomplete),
    }


def _insert(
    session: Session, model: type[Base], snapshot_id: int, rows: Iterable[Row], progress: Progress
) -> int:
    """Core inserts, chunk by chunk as the rows come (the ORM's bulk path cost twice as much for
    the same rows); the number of rows written. A streamed table's total is not known ahead: its
    progress counts up to what is written so far."""
    label = f"écriture de {model.__tablename__}"
    table = Base.metadata.tables[model.__tablename__]
    geometries = {c.name: c.type.srid for c in table.columns if isinstance(c.type, Geometry)}
    spatialite = is_sqlite(session)
    # PostgreSQL's COPY for the tables of plain columns (the addresses above all): about three
    # times the rows per second of INSERT … VALUES (bench/address_scale.py)
    copy = not spatialite and all(isinstance(c.type, PLAIN) for c in table.columns)
    total = len(rows) if isinstance(rows, list) else None
    written = 0
    rows = iter(rows)
    while chunk := [row | {"snapshot_id": snapshot_id} for row in islice(rows, CHUNK)]:
        progress(label, written, total or written)
        for name, srid in geometries.items():
            texts = _geometry_texts([row[name] for row in chunk], srid, spatialite)
            for row, value in zip(chunk, texts, strict=True):
                row[name] = value
        if copy:
            _copy(session, table, chunk)
        else:
            session.execute(insert(table), chunk)
        written += len(chunk)
    progress(label, written, written)
    return written


PLAIN = (String, Integer, Float)


def _copy(session: Session, table: Table, chunk: list[Row]) -> None:
    columns = [c.name for c in table.columns]
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]  # psycopg's live connection (PostgreSQL only)
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in chunk:
            copy.write_row([row.get(name) for name in columns])


class Verified(Mapping[str, bytes]):
    """The verified files of a load by dataset name. A streamed dataset's file (the BAN's: a
    hundred files) is verified with the others, then read and verified again when its parser asks
    for it, so that its files are never held in memory together."""

    def __init__(self) -> None:
        self.held: dict[str, bytes] = {}
        self.again: dict[str, Callable[[], bytes]] = {}

    def __getitem__(self, name: str) -> bytes:
        return self.held[name] if name in self.held else self.again[name]()

    def __contains__(self, name: object) -> bool:  # without reading the file again
        return name in self.held or name in self.again

    def __iter__(self) -> Iterator[str]:
        return iter([*self.held, *self.again])

    def __len__(self) -> int:
        return len(self.held) + len(self.again)


def _geometry_texts(
    geoms: list[shapely.Geometry | None], srid: int, spatialite: bool
) -> list[str | None]:
    """Geometries as the text GeoAlchemy2 hands to ST_GeomFromEWKT, converted in one vectorised
    call: hex EWKB for PostGIS, WKT for SpatiaLite (whose EWKT reader takes no WKB)."""
    array = shapely.set_srid(np.array(geoms, dtype=object), srid)
    if spatialite:
        return shapely.to_wkt(array, rounding_precision=-1, trim=True).tolist()
    return shapely.to_wkb(array, hex=True, include_srid=True).tolist()
