"""Bounded load test on loopback: a realistic request mix against one or two app processes.

The mix is what the simulator page and a regional portal send: autocomplete while typing,
commune search, point and address lookups, commune cards, département map layers (gzip), aid
simulations and installation what-ifs, on communes drawn uniformly across France from the
served data (a card of another commune at almost every request) and real BAN addresses. Every distinct request is sent once before the run and must answer
200, so that any error during the run is the load's. wrk then drives the connections (split
evenly over the processes) for a warm-up and for the measured run.

    python -m bench.load                      # 200 connections, 60 s, one process
    ZONAGE_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python -m bench.load --processes 2

Prints requests per second, p50/p99/max latency over the merged distribution, errors by kind
and each process's resident memory after the warm-up and at the end; the verdict line comes
last, and the exit status is 1 when there are errors or memory grew by 10 % or more.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import httpx
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.datasets.snapshot import active_snapshot_id
from app.db import make_engine
from app.geocoding.models import Address
from app.zones.models import Commune
from bench.common import SETTINGS, free_port, serve

LUA = Path(__file__).with_name("load.lua")
# share of each kind of request in the mix (per 100)
MIX = {
    "autocomplete": 30,
    "search": 5,
    "lookup_point": 15,
    "lookup_address": 3,
    "card": 25,
    "layer": 10,
    "simulation": 10,
    "what_if": 2,
}
MAX_GROWTH = 0.10


def request_pool(communes: int, seed: int) -> dict[str, list[tuple[str, str, str]]]:
    """Distinct requests of each kind, ``(method, path, json body or "")``, from the served data."""
    rng = random.Random(seed)
    engine = make_engine(SETTINGS.sqlalchemy_url)
    with Session(engine) as session:
        snapshot = active_snapshot_id(session)
        rows = session.execute(
            select(
                Commune.insee,
                Commune.name,
                Commune.departement,
                Commune.population,
                Commune.townhall_lon,
                Commune.townhall_lat,
            ).where(
                Commune.snapshot_id == snapshot,
                Commune.kind == "COM",
                Commune.population > 0,
                Commune.townhall_lon.is_not(None),
                Commune.geom.is_not(None),
            )
        ).all()
        labels = list(session.scalars(select(Address.label).where(Address.snapshot_id == snapshot)))
    engine.dispose()
    # drawn uniformly: each request another commune of France, not a popular few
    picks = np.random.default_rng(seed).choice(len(rows), size=communes, replace=False)
    chosen = [rows[i] for i in picks]
    addresses = rng.sample(labels, min(300, len(labels)))

    def get(path: str, **query: object) -> tuple[str, str, str]:
        return ("GET", f"/api/v1{path}?{urlencode(query)}" if query else f"/api/v1{path}", "")

    def post(path: str, body: dict[str, object]) -> tuple[str, str, str]:
        return ("POST", f"/api/v1{path}", json.dumps(body, ensure_ascii=False))

    def simulation(insee: str) -> dict[str, object]:
        sector = rng.choice(["1", "2_optam"])
        first = rng.random() < 0.7
        return {
            "place": {"insee": insee},
            "as_of": rng.choice(["2025-06-01", "2025-12-01", "2026-03-01", "2026-11-01"]),
            "profile": {
                "age": rng.randint(28, 62),
                "sector": sector,
                "first_installation": first,
                "installation_date": rng.choice(["2025-04-01", "2025-09-01", "2026-02-01"]),
                "days_per_week": str(rng.choice([3, 4, 5])),
                "coordinated_practice": rng.random() < 0.6,
                "pdsa": rng.random() < 0.4,
            },
        }

    departements = sorted({r.departement for r in chosen})
    typed = [r.name[: rng.randint(3, max(3, len(r.name)))] for r in chosen]
    typed += [" ".join(a.split(" ")[:-1]) + " " + a.split(" ")[-1][:3] for a in addresses]
    return {
        "autocomplete": [get("/geocode/autocomplete", q=q) for q in typed],
        "search": [get("/communes", q=r.name, limit=10) for r in chosen],
        "lookup_point": [
            get("/zones/lookup", lat=round(r.townhall_lat, 6), lon=round(r.townhall_lon, 6))
            for r in chosen
        ],
        "lookup_address": [get("/zones/lookup", address=a) for a in addresses],
        "card": [get(f"/communes/{r.insee}") for r in chosen],
        "layer": [get("/zones.geojson", departement=d) for d in departements],
        "simulation": [post("/aids/simulations", simulation(r.insee)) for r in chosen],
        "what_if": [
            post("/zones/what-if", {"insee": r.insee, "fte": rng.choice([0.5, 1, 2])})
            for r in chosen[:300]
            # the 2021 APL is per arrondissement in these cities, and Mayotte has none
            if r.insee not in ("75056", "69123", "13055") and r.departement != "976"
        ],
    }


def validate(base: str, pool: dict[str, list[tuple[str, str, str]]]) -> None:
    """Every distinct request answers 200 once (this also warms the process's caches)."""

    def send(item: tuple[str, str, str]) -> tuple[tuple[str, str, str], int]:
        method, path, body = item
        response = client.request(
            method,
            path,
            content=body.encode() or None,
            headers={"Content-Type": "application/json", "Accept-Encoding": "gzip"},
        )
        return item, response.status_code

    with (
        httpx.Client(base_url=base, timeout=60) as client,
        ThreadPoolExecutor(8) as threads,
    ):
        for kind, items in pool.items():
            failed = [(i, s) for i, s in threads.map(send, items) if s != 200]
            if failed:
                raise SystemExit(
                    f"{kind}: {len(failed)} requests fail before the run: {failed[:3]}"
                )
            print(f"  {kind}: {len(items)} distinct requests, all 200")


def mix(pool: dict[str, list[tuple[str, str, str]]], size: int, seed: int) -> list[str]:
    """``size`` requests drawn by the weights of ``MIX``, as lines for the Lua script."""
    rng = random.Random(seed)
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=size)
    return ["\t".join(rng.choice(pool[kind])) for kind in kinds]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def drive(
    urls: list[str], connections: int, seconds: int, requests_file: Path, workdir: Path
) -> list[dict]:
    """One wrk per process, all at once, connections split evenly; their JSON reports."""
    runs = []
    for n, url in enumerate(urls):
        report = workdir / f"report-{n}.json"
        env = {
            **os.environ,
            "ZONAGE_LOAD_REQUESTS": str(requests_file),
            "ZONAGE_LOAD_REPORT": str(report),
        }
        share = connections // len(urls)
        command = ["wrk", "-t2", f"-c{share}", f"-d{seconds}s", "--timeout", "5s", "-s", str(LUA)]
        runs.append((subprocess.Popen([*command, url], env=env, stdout=subprocess.DEVNULL), report))
    for process, _ in runs:
        if process.wait() != 0:
            raise SystemExit("wrk failed")
    return [json.loads(report.read_text()) for _, report in runs]


def percentile(histogram: dict[int, int], share: float) -> int:
    """The smallest latency (µs) at or below which ``share`` of the requests completed."""
    total, seen = sum(histogram.values()), 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= share * total:
            return value
    return max(histogram)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=15)
    parser.add_argument("--processes", type=int, default=1, help="app processes, one database")
    parser.add_argument("--communes", type=int, default=1500)
    args = parser.parse_args()

    backend = SETTINGS.sqlalchemy_url.split(":", 1)[0]
    print(f"backend {backend}; {args.processes} app process(es); building the request mix…")
    pool = request_pool(args.communes, seed=2026)
    ports = [free_port() for _ in range(args.processes)]
    servers = [serve("app.main:create_app", port) for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url in urls:
            print(f"checking every distinct request against {url}:")
            validate(url, pool)
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            requests_file = workdir / "requests.tsv"
            requests_file.write_text("\n".join(mix(pool, 50_000, seed=1)) + "\n")
            drive(urls, args.connections, args.warmup, requests_file, workdir)
            before = [rss_kib(s.pid) for s in servers]
            peak = list(before)
            stop = threading.Event()

            def sample() -> None:
                while not stop.wait(1):
                    for i, s in enumerate(servers):
                        peak[i] = max(peak[i], rss_kib(s.pid))

            sampler = threading.Thread(target=sample)
            sampler.start()
            reports = drive(urls, args.connections, args.seconds, requests_file, workdir)
            stop.set()
            sampler.join()
            after = [rss_kib(s.pid) for s in servers]
    finally:
        for server in servers:
            server.terminate()
            server.wait()

    histogram: dict[int, int] = {}
    for report in reports:
        for value, count in report["latency_us"]:
            histogram[value] = histogram.get(value, 0) + count
    requests = sum(r["requests"] for r in reports)
    seconds = max(r["duration_us"] for r in reports) / 1e6
    errors = {k: sum(r["errors"][k] for r in reports) for k in reports[0]["errors"]}
    print(
        f"{requests} requests in {seconds:.1f} s over {args.connections} connections: "
        f"{requests / seconds:.0f} req/s; latency p50 {percentile(histogram, 0.5) / 1e3:.1f} ms, "
        f"p99 {percentile(histogram, 0.99) / 1e3:.1f} ms, max {max(histogram) / 1e3:.1f} ms"
    )
    print("errors: " + ", ".join(f"{k} {v}" for k, v in errors.items()))
    growth = max(a / b - 1 for a, b in zip(after, before, strict=True))
    for n, (b, a, p) in enumerate(zip(before, after, peak, strict=True)):
        print(
            f"process {n}: resident memory {b / 1024:.0f} MiB after warm-up, "
            f"{a / 1024:.0f} MiB at the end ({a / b - 1:+.1%}), peak {p / 1024:.0f} MiB"
        )
    ok = sum(errors.values()) == 0 and growth < MAX_GROWTH
    print(
        f"RESULT {'PASS' if ok else 'FAIL'}: {sum(errors.values())} errors, "
        f"memory growth {growth:+.1%} (goal 0 errors, < {MAX_GROWTH:.0%})"
    )
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
