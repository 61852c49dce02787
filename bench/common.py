"""Shared helpers of the benchmarks: real data from the mirror, timing, servers on loopback."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from app.datasets.fetch import fetch
from app.datasets.manifest import read_manifest
from app.settings import Settings

SETTINGS = Settings()


def files(*names: str) -> dict[str, bytes]:
    """Verified content of manifest files from the mirror."""
    entries = read_manifest(SETTINGS.manifest_path)
    return {n: fetch(entries[n], SETTINGS.data_mirror, SETTINGS.download_dir) for n in names}


def per_call(fn: Callable[[], object], repeat: int) -> list[float]:
    """Seconds per call, one sample per call."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def p50(samples: list[float]) -> float:
    return statistics.median(samples)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(target: str, port: int, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """A uvicorn server of ``target`` (an app factory) on loopback, waited for."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            target,
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env={**os.environ, **(env or {})},
        cwd=Path(__file__).resolve().parent.parent,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server {target} did not start")


def ratio_line(label: str, value: float, goal: str) -> None:
    print(f"RATIO {label}: {value:.1f}× (goal {goal})")
