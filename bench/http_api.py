"""The API over HTTP against a bare FastAPI JSON endpoint, in the same server set-up.

Each app runs alone in one uvicorn process on loopback. wrk drives 64 connections for 10 s at
the commune card (``GET /communes/31555``) and at an aid simulation (``POST /aids/simulations``),
each also as a browser asks for them (gzip), and at the bare endpoint; then one connection at
the installation what-if (``POST /zones/what-if``) for its latency alone. Needs ``wrk`` (Debian
package) and loaded data.

On a machine with two cores or more the server is kept on the first core and wrk on the
second: sharing both made the tail latencies vary threefold from run to run. The bare endpoint
is FastAPI's plain ``def`` returning a dict (the ratios' baseline) and, for information, the
same as ``async def`` (no worker-thread hop). Prints requests per second, p50 and p99 of each;
the ratios last.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

from app.aids.router import EXAMPLE as SIMULATION
from bench.common import free_port, on_cpus, ratio_line, serve

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


with tempfile.TemporaryDirectory() as tmp:
    scripts = Path(tmp)
    runs = {
        "bare FastAPI": ("bench.bare:create_app", "/constant", [], 64),
        "bare FastAPI, async def": ("bench.bare:create_app", "/constant-async", [], 64),
        "commune card": ("app.main:create_app", "/api/v1/communes/31555", [], 64),
        "commune card, gzip": ("app.main:create_app", "/api/v1/communes/31555", GZIP, 64),
        "aid simulation": (
            "app.main:create_app",
            "/api/v1/aids/simulations",
            post_script(scripts, SIMULATION),
            64,
        ),
        "aid simulation, gzip": (
            "app.main:create_app",
            "/api/v1/aids/simulations",
            [*post_script(scripts, SIMULATION), *GZIP],
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
for name in ("aid simulation", "aid simulation, gzip", "commune card", "commune card, gzip"):
    rps, _, p99 = results[name]
    print(f"{name}: {rps / bare_async:.2f}× the async def bare endpoint (information)")
    ratio_line(
        f"{name} req/s as a share of bare FastAPI (×), p99 {p99:.0f} ms",
        rps / bare,
        "≥ 0.5×, p99 < 50 ms",
    )
