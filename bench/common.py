"""Shared helpers of the benchmarks: real data from the mirror, timing, servers on loopback."""

from __future__ import annotations

import os
import re
import socket
import statistics
import string
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from app.cli import EVENT_LOOP
from app.datasets.fetch import fetch
from app.datasets.manifest import read_manifest
from app.settings import REPO_ROOT, Settings
from app.zones.accessibility import Pairs

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


def on_cpus(cpus: set[int] | None) -> Callable[[], None] | None:
    """A ``preexec_fn`` that keeps a child process on ``cpus`` (None: anywhere)."""
    return None if cpus is None else lambda: os.sched_setaffinity(0, cpus)


def serve(
    target: str, port: int, env: dict[str, str] | None = None, cpus: set[int] | None = None
) -> subprocess.Popen[bytes]:
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
            "--loop",
            EVENT_LOOP,  # the set-up `zonage serve` runs, for ours and for the baselines
        ],
        env={**os.environ, **(env or {})},
        cwd=Path(__file__).resolve().parent.parent,
        preexec_fn=on_cpus(cpus),
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


def pysal_e2sfca(
    codes: Sequence[str],
    demand: np.ndarray,
    supply: np.ndarray,
    pairs: Pairs,
    bands: Mapping[float, float],
    reach: float,
) -> np.ndarray:
    """pysal ``access``'s enhanced 2SFCA on our inputs: the reference that the engine's test and
    the national bench compare against (its cost table built from our travel-time pairs)."""
    import pandas as pd
    from access import Access, weights

    ids = np.asarray(codes)
    access = Access(
        demand_df=pd.DataFrame({"geoid": ids, "pop": demand}),
        demand_index="geoid",
        demand_value="pop",
        supply_df=pd.DataFrame({"geoid": ids, "doc": supply}),
        supply_index="geoid",
        supply_value="doc",
        cost_df=pd.DataFrame(
            {"origin": ids[pairs.origins], "dest": ids[pairs.destinations], "cost": pairs.minutes}
        ),
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    result = access.enhanced_two_stage_fca(
        name="e2sfca", max_cost=reach, weight_fn=weights.step_fn(dict(bands))
    )
    return result["e2sfca_doc"].reindex(ids).fillna(0.0).to_numpy()


def ratio_line(label: str, value: float, goal: str) -> None:
    print(f"RATIO {label}: {value:.3g}× (goal {goal})")


NGINX = REPO_ROOT / "deploy" / "nginx"
LIMITS = ("worker_rlimit_nofile", "worker_connections")


def nginx_conf(tmp: Path, upstream: str, port: int) -> Path:
    """The shipped proxy (the template and its main context's limits, deploy/nginx) rendered
    under ``tmp`` for nginx on loopback, in front of ``upstream``: the main file to run."""
    shipped = (NGINX / "nginx.conf").read_text(encoding="utf-8")
    limits = {n: re.search(rf"^\s*{n} (\d+);", shipped, re.MULTILINE) for n in LIMITS}
    rlimit, connections = (m[1] if m else "" for m in limits.values())
    (tmp / "zonage.conf").write_text(
        string.Template(
            (NGINX / "zonage.conf.template").read_text(encoding="utf-8")
        ).safe_substitute(
            ZONAGE_UPSTREAM=upstream, NGINX_PORT=str(port), ZONAGE_CACHE_DIR=str(tmp / "cache")
        ),
        encoding="utf-8",
    )
    user = "user root;" if os.geteuid() == 0 else ""  # workers that can write under tmp
    main = tmp / "nginx.conf"
    main.write_text(
        f"worker_processes 1;\nworker_rlimit_nofile {rlimit};\npid {tmp}/nginx.pid;\n{user}\n"
        f"events {{ worker_connections {connections}; }}\n"
        f"http {{\n    access_log off;\n    client_body_temp_path {tmp}/body;\n"
        f"    proxy_temp_path {tmp}/proxy;\n    fastcgi_temp_path {tmp}/fastcgi;\n"
        f"    uwsgi_temp_path {tmp}/uwsgi;\n    scgi_temp_path {tmp}/scgi;\n"
        f"    include {tmp}/zonage.conf;\n}}\n",
        encoding="utf-8",
    )
    return main
