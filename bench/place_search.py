"""Où m'installer over HTTP against the naive way, in the same run (issue 32, item 5).

One uvicorn process serves the application on loopback (on the first core; this client on the
second). The search: Guéret within 30, 45 and 60 minutes for a doctor's first installation, and
the whole Nouvelle-Aquitaine filtered to ZIP communes with an MSP; each asked ``REPEAT`` times
on one keep-alive connection, after a first call that builds the snapshot's place table. The
naive way: what a portal would do without it, one ``/aids/simulations`` per candidate commune
(every commune the search read before its filters), timed once. Needs loaded data.

Prints p50 and p99 of each search and the speed-up over the naive way; goals: p50 < 50 ms and
p99 < 150 ms at 60 minutes, ≥ 50× the naive way.
"""

from __future__ import annotations

import os
import time

import httpx

from app.aids.schemas import FIRST_INSTALLATION
from bench.common import free_port, p50, ratio_line, serve

REPEAT = 60
SERVER_CPUS, CLIENT_CPUS = ({0}, {1}) if (os.cpu_count() or 1) >= 2 else (None, None)
AS_OF = "2026-06-01"
PROFILE = FIRST_INSTALLATION | {"installation_date": AS_OF}
GUERET = {"origin": {"insee": "23096"}}
SEARCHES = {
    "Guéret, 30 min": GUERET | {"minutes": 30},
    "Guéret, 45 min": GUERET | {"minutes": 45},
    "Guéret, 60 min": GUERET | {"minutes": 60},
    "Nouvelle-Aquitaine, ZIP with an MSP": {
        "area": {"region": "75"},
        "filters": {"zone_classes": ["ZIP"], "msp": True},
    },
}


def p99(samples: list[float]) -> float:
    return sorted(samples)[min(len(samples) - 1, round(0.99 * (len(samples) - 1)))]


def body(search: dict[str, object], **more: object) -> dict[str, object]:
    return {"as_of": AS_OF, "profile": PROFILE, **search, **more}


def candidates(client: httpx.Client, search: dict[str, object]) -> list[str]:
    """Every commune the search reads before its filters: what the naive way must simulate."""
    unfiltered = {k: v for k, v in search.items() if k != "filters"}
    codes: list[str] = []
    while True:
        page = client.post(
            "/api/v1/places/search", json=body(unfiltered, limit=200, offset=len(codes))
        ).json()
        codes += [item["insee"] for item in page["items"]]
        if len(codes) >= page["matched"]:
            return codes


if CLIENT_CPUS:
    os.sched_setaffinity(0, CLIENT_CPUS)
port = free_port()
server = serve("app.main:create_app", port, cpus=SERVER_CPUS)
try:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
        start = time.perf_counter()
        client.post(
            "/api/v1/places/search", json=body(SEARCHES["Guéret, 30 min"])
        ).raise_for_status()
        print(f"first search (builds the place table): {time.perf_counter() - start:.2f} s")
        for name, search in SEARCHES.items():
            samples = []
            for _ in range(REPEAT):
                start = time.perf_counter()
                answer = client.post("/api/v1/places/search", json=body(search))
                samples.append(time.perf_counter() - start)
                answer.raise_for_status()
            matched = answer.json()["matched"]
            codes = candidates(client, search)
            start = time.perf_counter()
            for code in codes:
                client.post(
                    "/api/v1/aids/simulations",
                    json={"place": {"insee": code}, "as_of": AS_OF, "profile": PROFILE},
                ).raise_for_status()
            naive = time.perf_counter() - start
            print(
                f"{name}: {matched} places of {len(codes)} read; p50 {p50(samples) * 1e3:.1f} ms, "
                f"p99 {p99(samples) * 1e3:.1f} ms; naive way {naive:.2f} s "
                f"({len(codes)} simulations)"
            )
            ratio_line(
                f"{name}: the search against one simulation per commune (×), "
                f"p50 {p50(samples) * 1e3:.0f} ms, p99 {p99(samples) * 1e3:.0f} ms",
                naive / p50(samples),
                "≥ 50×; at 60 min p50 < 50 ms, p99 < 150 ms",
            )
finally:
    server.terminate()
    server.wait()
