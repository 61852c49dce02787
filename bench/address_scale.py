"""The offline gazetteer at national size (issue 21, item 4), against the same queries on BAN 05.

A bench fixture, never served: the real BAN 05 rows (78,777) are written again ``--copies``
times into files of their own, each copy under the communes of another département (real COG
codes, names and postcodes, so that typed queries name real communes) with a syllable tag added
to every street name ("Rue des Écrins Bakotu"). 330 copies give ≈ 26 million addresses, the
size of the national BAN. They are pinned as ``ban-*`` entries in a temporary directory and
loaded through the product's own load (``datasets.snapshot.load``) into a fresh database of the
chosen backend, after a baseline load of the real manifest (BAN 05 only) into another.

For each database it prints the load time, the database size, the peak memory of the load, and
the p50/p99 of the autocomplete (``GET /api/v1/geocode``, 200 typed prefixes of real 05
addresses) and the p50 of ``GET /api/v1/zones/lookup?address=`` (the full labels), then the
ratios national / 05. Goals: load < 15 min, autocomplete p50 < 20 ms and p99 < 100 ms.

    python -m bench.address_scale --backend spatialite --copies 330
    python -m bench.address_scale --backend postgis --copies 330
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import random
import resource
import shutil
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import text

from app import migrate
from app.datasets.fetch import fetch
from app.datasets.manifest import DatasetEntry, read_manifest
from app.datasets.snapshot import load
from app.db import make_engine
from app.main import create_app
from app.settings import Settings
from bench.common import SETTINGS, p50, ratio_line

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]  # 70


def tag(copy: int) -> str:
    """A pronounceable, unique word per copy: what makes its streets its own."""
    word = ""
    while True:
        copy, rest = divmod(copy, len(SYLLABLES))
        word += SYLLABLES[rest]
        if not copy:
            return word.capitalize() + "ko"


def synthetic_files(ban_05: bytes, communes_json: bytes, copies: int, into: Path) -> list[Path]:
    """``copies`` département files of BAN 05 rows moved to other départements' communes."""
    reader = csv.reader(io.StringIO(ban_05.decode("utf-8-sig")), delimiter=";")
    header = next(reader)
    at = {name: header.index(name) for name in header}
    rows = list(reader)
    ours = sorted({r[at["code_insee"]] for r in rows})
    by_departement: dict[str, list[dict]] = defaultdict(list)
    for commune in json.loads(communes_json):
        if commune["type"] == "commune-actuelle" and commune["departement"] != "05":
            if commune.get("codesPostaux"):
                by_departement[commune["departement"]].append(commune)
    departements = sorted(by_departement)
    paths = []
    for copy in range(copies):
        targets = by_departement[departements[copy % len(departements)]]
        offset = copy // len(departements) * len(ours)
        moved = {code: targets[(offset + i) % len(targets)] for i, code in enumerate(ours)}
        word = tag(copy)
        path = into / f"adresses-x{copy:03d}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle, delimiter=";", lineterminator="\n")
            out.writerow(header)
            for row in rows:
                target = moved[row[at["code_insee"]]]
                row = list(row)
                row[at["id"]] = f"x{copy:03d}_{row[at['id']]}"
                row[at["nom_voie"]] = f"{row[at['nom_voie']]} {word}"
                row[at["code_insee"]] = target["code"]
                row[at["nom_commune"]] = target["nom"]
                row[at["code_postal"]] = target["codesPostaux"][0]
                row[at["nom_ancienne_commune"]] = ""
                row[at["nom_ld"]] = ""
                out.writerow(row)
        paths.append(path)
    return paths


def pinned(paths: list[Path], template: DatasetEntry) -> dict[str, DatasetEntry]:
    entries = {}
    for path in paths:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
        name = f"ban-{path.stem.removeprefix('adresses-')}"
        entries[name] = replace(
            template,
            name=name,
            path=str(path),
            sha256=digest.hexdigest(),
            vintage="fixture de bench (BAN 05 répliquée), jamais servie",
            official=False,
        )
    return entries


def database(backend: str, tmp: Path, label: str) -> str:
    if backend == "spatialite":
        return f"sqlite:///{tmp / f'{label}.sqlite'}"
    name = f"zonage_scale_{label}_{random.randrange(1 << 30):x}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    return url


def drop(url: str) -> None:
    if url.startswith("postgresql"):
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def size(url: str, engine) -> int:  # noqa: ANN001
    if url.startswith("sqlite"):
        return Path(url.removeprefix("sqlite:///")).stat().st_size
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT pg_database_size(current_database())")))


def measure(url: str, entries: dict[str, DatasetEntry], tmp: Path, queries, labels) -> dict:  # noqa: ANN001
    """Load ``entries`` into ``url``, then time the typed queries."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    start = time.perf_counter()
    snapshot = load(engine, entries, SETTINGS.data_mirror, tmp / "downloads")
    seconds = time.perf_counter() - start
    addresses = snapshot.tables["address"]["rows"]
    result = {"load_s": seconds, "addresses": addresses, "bytes": size(url, engine)}
    engine.dispose()
    settings = Settings(database_url=url, geocoder="offline", _env_file=None)
    with TestClient(create_app(settings)) as client:
        for q in queries[:20]:  # warm: the snapshot's indexes in memory, the page cache
            client.get("/api/v1/geocode", params={"q": q})
        samples = []
        for q in queries:
            begin = time.perf_counter()
            response = client.get("/api/v1/geocode", params={"q": q})
            samples.append(time.perf_counter() - begin)
            assert response.status_code == 200, response.text
        lookups = []
        for label in labels:
            begin = time.perf_counter()
            response = client.get("/api/v1/zones/lookup", params={"address": label})
            lookups.append(time.perf_counter() - begin)
            assert response.status_code in (200, 404), response.text
    samples.sort()
    result |= {
        "p50": p50(samples),
        "p99": samples[int(len(samples) * 0.99) - 1],
        "lookup_p50": p50(lookups),
    }
    print(
        f"  {addresses:,} addresses: load {seconds / 60:.1f} min, "
        f"{result['bytes'] / 1e9:.2f} GB, autocomplete p50 {result['p50'] * 1e3:.1f} ms "
        f"p99 {result['p99'] * 1e3:.1f} ms, lookup p50 {result['lookup_p50'] * 1e3:.1f} ms",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("spatialite", "postgis"), default="spatialite")
    parser.add_argument("--copies", type=int, default=330)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    manifest = read_manifest(SETTINGS.manifest_path)
    real = {name: e for name, e in manifest.items() if e.role == "load"}
    ban_05 = fetch(manifest["ban-05"], SETTINGS.data_mirror, SETTINGS.download_dir)
    reader = csv.DictReader(io.StringIO(ban_05.decode("utf-8-sig")), delimiter=";")
    sample = random.Random(1).sample(list(reader), args.queries)
    labels = [
        f"{r['numero']} {r['nom_voie']} {r['code_postal']} {r['nom_commune']}" for r in sample
    ]
    queries = [f"{r['numero']} {r['nom_voie']} {r['nom_commune'][:3]}" for r in sample]

    tmp = Path(tempfile.mkdtemp(prefix="zonage-scale-"))
    urls = []
    try:
        print(f"baseline: the real manifest (BAN 05), {args.backend}", flush=True)
        urls.append(database(args.backend, tmp, "base"))
        base = measure(urls[-1], real, tmp, queries, labels)

        start = time.perf_counter()
        communes = fetch(
            manifest["communes-reference"], SETTINGS.data_mirror, SETTINGS.download_dir
        )
        files = synthetic_files(ban_05, communes, args.copies, tmp)
        print(
            f"national size: {args.copies} copies written in {time.perf_counter() - start:.0f} s",
            flush=True,
        )
        urls.append(database(args.backend, tmp, "national"))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        national = measure(urls[-1], real | pinned(files, manifest["ban-05"]), tmp, queries, labels)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"  peak RSS {peak / 1e6:.2f} GB (before the national load {before / 1e6:.2f} GB)")
    finally:
        for url in urls:
            drop(url)
        shutil.rmtree(tmp, ignore_errors=True)
    goals = "load < 15 min, p50 < 20 ms, p99 < 100 ms"
    ratio_line("autocomplete p50 national / 05", national["p50"] / base["p50"], goals)
    ratio_line("autocomplete p99 national / 05", national["p99"] / base["p99"], goals)
    ratio_line("lookup p50 national / 05", national["lookup_p50"] / base["lookup_p50"], goals)
    ratio_line("load time national / 05", national["load_s"] / base["load_s"], goals)


if __name__ == "__main__":
    main()
