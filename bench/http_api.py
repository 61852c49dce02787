"""The API over HTTP against a bare FastAPI JSON endpoint, in the same server set-up.

Each app runs alone in one uvicorn process on loopback. wrk drives 64 connections for 10 s at
the commune card (``GET /communes/{insee}``) and at an aid simulation (``POST
/aids/simulations``), each also as a browser asks for them (gzip), and at the bare endpoint;
then one connection at the installation what-if (``POST /zones/what-if``) for its latency alone.
The card and the simulation are asked twice: for communes drawn uniformly across France (each
request another commune of 5,000, as doctors and portals ask), and for one commune again and
again (a kept card: the figures of earlier sessions). Needs ``wrk`` (Debian package) and loaded
data.

On a machine with two cores or more the server is kept on the first core and wrk on the
second: sharing both made the tail latencies vary threefold from run to run. The bare endpoint
is FastAPI's plain ``def`` returning a dict (the ratios' baseline) and, for information, the
same as ``async def`` (no worker-thread hop). Prints requests per second, p50 and p99 of each;
the ratios last.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.aids.router import EXAMPLE as SIMULATION
from app.datasets.snapshot import active_snapshot_id
from app.db import make_engine
from app.zones.models import Commune
from bench.common import SETTINGS, free_port, on_cpus, ratio_line, serve

SECONDS = 10
SERVER_CPUS, CLIENT_CPUS = ({0}, {1}) if (os.cpu_count() or 1) >= 2 else (None, None)
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}
GZIP = ["-H", "Accept-Encoding: gzip"]  # as every browser asks; wrk alone asks for nothing


def post_script(directory: Path, body: dict[str, object]) -> list[str]:
    """wrk arguments that POST ``body`` as JSON."""
    script = directory / f"post-{len(list(directory.iterdir()))}.lua"
    script.write_text(
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = [==[{json.dumps(body)}]==]\n"
    )
    return ["-s", str(script)]


def each_script(directory: Path, requests: list[tuple[str, str, str]]) -> list[str]:
    """wrk arguments that send ``requests`` (method, path, JSON body or "") one after another,
    each thread from its own place in the list."""
    script = directory / f"each-{len(list(directory.iterdir()))}.lua"
    lines = ",\n".join(
        f"{{[==[{method}]==], [==[{path}]==], [==[{body}]==]}}" for method, path, body in requests
    )
    script.write_text(
        f"local requests = {{\n{lines}\n}}\nlocal n = 0\n"
        "function request()\n  n = n % #requests + 1\n  local r = requests[n]\n"
        '  local headers = r[3] ~= "" and {["Content-Type"] = "application/json"} or nil\n'
        '  return wrk.format(r[1], r[2], headers, r[3] ~= "" and r[3] or nil)\nend\n'
    )
    return ["-s", str(script)]


def communes_across_france(count: int, seed: int = 2026) -> list[str]:
    """``count`` communes (not arrondissements) of the served snapshot, drawn uniformly."""
    engine = make_engine(SETTINGS.sqlalchemy_url)
    with Session(engine) as session:
        codes = list(
            session.scalars(
                select(Commune.insee).where(
                    Commune.snapshot_id == active_snapshot_id(session), Commune.kind == "COM"
                )
            )
        )
    engine.dispose()
    return random.Random(seed).sample(sorted(codes), min(count, len(codes)))


def run_wrk(url: str, extra: list[str], connections: int) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 (ms), after a short warm-up; no non-2xx allowed."""
    pinned = on_cpus(CLIENT_CPUS)
    subprocess.run(
        ["wrk", "-t1", "-c8", "-d2s", *extra, url],
        capture_output=True,
        check=True,
        preexec_fn=pinned,
    )
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{SECONDS}s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=pinned,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert errors is None, f"{url}: {errors.group(0)}"

    def ms(share: str) -> float:
        value, unit = re.search(rf"{share}%\s+([\d.]+)(us|ms|s)\b", out).groups()
        return float(value) * UNITS[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rps, ms("50"), ms("99")


ACROSS = communes_across_france(5000)
CARDS = [("GET", f"/api/v1/communes/{insee}", "") for insee in ACROSS]
SIMULATIONS = [
    ("POST", "/api/v1/aids/simulations", json.dumps({**SIMULATION, "place": {"insee": insee}}))
    for insee in ACROSS
]
ONE = "one commune again and again"
FRANCE = "communes across France"

with tempfile.TemporaryDirectory() as tmp:
    scripts = Path(tmp)
    runs = {
        "bare FastAPI": ("bench.bare:create_app", "/constant", [], 64),
        "bare FastAPI, async def": ("bench.bare:create_app", "/constant-async", [], 64),
        f"commune card, {FRANCE}": ("app.main:create_app", "/", each_script(scripts, CARDS), 64),
        f"commune card, gzip, {FRANCE}": (
            "app.main:create_app",
            "/",
            [*each_script(scripts, CARDS), *GZIP],
            64,
        ),
        f"aid simulation, {FRANCE}": (
            "app.main:create_app",
            "/",
            each_script(scripts, SIMULATIONS),
            64,
        ),
        f"aid simulation, gzip, {FRANCE}": (
            "app.main:create_app",
            "/",
            [*each_script(scripts, SIMULATIONS), *GZIP],
            64,
        ),
        f"commune card, {ONE}": ("app.main:create_app", "/api/v1/communes/31555", [], 64),
        f"commune card, gzip, {ONE}": (
            "app.main:create_app",
            "/api/v1/communes/31555",
            GZIP,
            64,
        ),
        f"aid simulation, {ONE}": (
            "app.main:create_app",
            "/api/v1/aids/simulations",
            post_script(scripts, SIMULATION),
            64,
        ),
        "what-if, one connection": (
            "app.main:create_app",
            "/api/v1/zones/what-if",
            post_script(scripts, {"insee": "05061", "fte": 1}),
            1,
        ),
    }
    results = {}
    for name, (target, path, extra, connections) in runs.items():
        port = free_port()
        server = serve(target, port, cpus=SERVER_CPUS)
        try:
            results[name] = run_wrk(f"http://127.0.0.1:{port}{path}", extra, connections)
        finally:
            server.terminate()
            server.wait()
        rps, p50, p99 = results[name]
        print(f"{name}: {rps:.0f} req/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms")

bare, bare_async = results["bare FastAPI"][0], results["bare FastAPI, async def"][0]
print(f"what-if over HTTP: p50 {results['what-if, one connection'][1]:.2f} ms (goal < 10 ms)")
for name, (rps, _, p99) in results.items():
    if name.startswith(("commune card", "aid simulation")):
        print(f"{name}: {rps / bare_async:.2f}× the async def bare endpoint (information)")
for name, (rps, _, p99) in results.items():
    if name.startswith(("commune card", "aid simulation")):
        ratio_line(
            f"{name} req/s as a share of bare FastAPI (×), p99 {p99:.0f} ms",
            rps / bare,
            "≥ 0.5×, p99 < 50 ms",
        )
