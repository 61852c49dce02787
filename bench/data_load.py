"""Loading all France into a fresh SpatiaLite file and a fresh PostGIS database: wall time and
peak resident memory of ``zonage data load`` (checksums, parsing, the E2SFCA inputs, the
simplified map layers, the BAN addresses and their full-text index, the switch).

The baseline is what any load must at least do: read the commune contours (the largest file)
into a GeoDataFrame with pyogrio. PostGIS is skipped, and says so, when no server answers at
``ZONAGE_BENCH_POSTGRES`` (default: the local server's ``postgres`` database, where a scratch
database is created and dropped). Prints the ratio last.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyogrio
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bench.common import files, ratio_line

ZONAGE = str(Path(sys.executable).with_name("zonage"))
SERVER = os.environ.get("ZONAGE_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
GOALS = {"SpatiaLite": 30.0, "PostGIS": 45.0}
PEAK_GOAL_MIB = 1536


def load(database_url: str, data_dir: Path) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one ``zonage data load`` process."""
    env = {**os.environ, "ZONAGE_DATABASE_URL": database_url, "ZONAGE_DATA_DIR": str(data_dir)}
    start = time.perf_counter()
    process = subprocess.Popen([ZONAGE, "data", "load"], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"zonage data load failed ({process.returncode}) on {database_url}")
    return seconds, usage.ru_maxrss / 1024


def scratch_postgis() -> str | None:
    """A new database with PostGIS on the server, or None when none answers."""
    name = f"zonage_bench_{os.getpid()}"
    try:
        with create_engine(
            make_url(SERVER).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
        ).connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
    except OperationalError:
        return None
    url = make_url(SERVER).set(drivername="postgresql+psycopg", database=name)
    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text("CREATE EXTENSION postgis"))
    return url.render_as_string(hide_password=False)


def drop(url: str) -> None:
    name = make_url(url).database
    with create_engine(
        make_url(SERVER).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    ).connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))


contours = files("communes-contours")["communes-contours"]
start = time.perf_counter()
frame = pyogrio.read_dataframe(io.BytesIO(contours))
baseline = time.perf_counter() - start
print(f"baseline: pyogrio reads {len(frame)} commune contours in {baseline:.2f} s")

results: dict[str, tuple[float, float]] = {}
with tempfile.TemporaryDirectory() as tmp:
    results["SpatiaLite"] = load(f"sqlite:///{tmp}/zonage.sqlite", Path(tmp))
    postgis = scratch_postgis()
    if postgis is None:
        print(f"PostGIS: skipped, no server at {SERVER}")
    else:
        try:
            results["PostGIS"] = load(postgis, Path(tmp))
        finally:
            drop(postgis)
for backend, (seconds, peak) in results.items():
    ok = seconds < GOALS[backend] and peak < PEAK_GOAL_MIB
    print(
        f"{backend}: {seconds:.1f} s, peak {peak:.0f} MiB "
        f"(goal < {GOALS[backend]:.0f} s, < {PEAK_GOAL_MIB} MiB: {'✓' if ok else '✗'})"
    )
ratio_line(
    "slowest full load over reading the contours alone",
    max(s for s, _ in results.values()) / baseline,
    "SpatiaLite < 30 s, PostGIS < 45 s, peak < 1.5 GB",
)
