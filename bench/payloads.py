"""Bytes on the wire: the gzipped map layer of every département and of France, and the
simulator page's first load (HTML and the assets it references), as a browser receives them
(``Accept-Encoding: gzip``), from the loaded data, in-process. Prints the worst département
against its 100 KB goal last.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.datasets.snapshot import active_snapshot_id
from app.db import make_engine
from app.main import create_app
from app.zones.models import Departement
from bench.common import SETTINGS, ratio_line

DEPARTEMENT_GOAL, FRANCE_GOAL = 100_000, 1_500_000


def wire_size(client: TestClient, url: str) -> tuple[int, str]:
    """Bytes received for ``url`` before decompression, and their content encoding."""
    with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as response:
        response.raise_for_status()
        return len(b"".join(response.iter_raw())), response.headers.get(
            "content-encoding", "identity"
        )


engine = make_engine(SETTINGS.sqlalchemy_url)
with Session(engine) as session:
    snapshot = active_snapshot_id(session)
    codes = list(
        session.scalars(select(Departement.code).where(Departement.snapshot_id == snapshot))
    )
engine.dispose()

with TestClient(create_app()) as client:
    layers = {c: wire_size(client, f"/api/v1/zones.geojson?departement={c}")[0] for c in codes}
    france, _ = wire_size(client, "/api/v1/zones.geojson")
    page = client.get("/").text
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    first_load = {"/": wire_size(client, "/")} | {a: wire_size(client, a) for a in assets}

worst = max(layers, key=layers.__getitem__)
sizes = sorted(layers.values())
print(
    f"département layers (gzip): median {sizes[len(sizes) // 2] / 1000:.1f} KB, "
    f"worst {worst} {layers[worst] / 1000:.1f} KB (goal ≤ 100 KB: "
    f"{'✓' if layers[worst] <= DEPARTEMENT_GOAL else '✗'}); "
    f"{sum(s > DEPARTEMENT_GOAL for s in sizes)} of {len(sizes)} above"
)
print(
    f"France layer (gzip): {france / 1e6:.2f} MB "
    f"(goal ≤ 1.5 MB: {'✓' if france <= FRANCE_GOAL else '✗'})"
)
for url, (size, encoding) in first_load.items():
    print(f"  first load {url}: {size / 1000:.1f} KB ({encoding})")
print(f"page first load: {sum(s for s, _ in first_load.values()) / 1000:.1f} KB in all")
ratio_line(
    "worst département layer as a share of its 100 KB goal",
    layers[worst] / DEPARTEMENT_GOAL,
    "≤ 1×",
)
