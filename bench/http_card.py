"""The commune card over HTTP against a bare FastAPI JSON endpoint, same server set-up.

Each app runs alone in one uvicorn process on loopback; wrk drives 64 connections for 10 s.
Needs ``wrk`` (Debian package) and loaded data (``zonage data load``). Prints requests per second
and p99 latency of each, the ratio last.
"""

from __future__ import annotations

import re
import subprocess

from bench.common import free_port, ratio_line, serve

SECONDS = 10


def run_wrk(url: str) -> tuple[float, str]:
    subprocess.run(["wrk", "-t1", "-c8", "-d2s", url], capture_output=True, check=True)  # warm up
    out = subprocess.run(
        ["wrk", "-t2", "-c64", f"-d{SECONDS}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert errors is None, f"{url}: {errors.group(0)}"
    return rps, p99


results = {}
for name, target, path in (
    ("bare FastAPI", "bench.bare:create_app", "/constant"),
    ("commune card", "app.main:create_app", "/api/v1/communes/31555"),
):
    port = free_port()
    server = serve(target, port)
    try:
        results[name] = run_wrk(f"http://127.0.0.1:{port}{path}")
    finally:
        server.terminate()
        server.wait()
    print(f"{name}: {results[name][0]:.0f} req/s, p99 {results[name][1]}")
ratio_line(
    "commune card req/s as a share of bare FastAPI (×)",
    results["commune card"][0] / results["bare FastAPI"][0],
    "≥ 0.5×",
)
