"""Addresses of the BAN, one file per département (« csv » national format, `;`-separated)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable

from app.geocoding.normalize import normalise
from app.sources.common import Build, Parsed


def parse_ban(contents: Iterable[bytes], communes: set[str]) -> tuple[list[dict], Counter[str]]:
    """Address rows; the BAN's own commune code is kept (it wins over point-in-polygon)."""
    rows, skipped = [], Counter[str]()
    for content in contents:
        for r in csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"):
            if r["code_insee"] not in communes:
                skipped["commune de l'adresse absente du COG 2026"] += 1
                continue
            if not r["lon"] or not r["lat"]:
                skipped["adresse sans position"] += 1
                continue
            number = f"{r['numero']}{(' ' + r['rep']) if r['rep'] else ''}"
            label = f"{number} {r['nom_voie']} {r['code_postal']} {r['nom_commune']}".strip()
            # former commune and lieu-dit names are what people still type in rural areas
            extra = " ".join(
                n for n in (r["nom_ancienne_commune"], r["nom_ld"]) if n and n != r["nom_commune"]
            )
            rows.append(
                {
                    "ban_id": r["id"],
                    "label": label,
                    "postcode": r["code_postal"],
                    "insee": r["code_insee"],
                    "lon": float(r["lon"]),
                    "lat": float(r["lat"]),
                    "search": normalise(f"{label} {extra}"),
                }
            )
    return rows, skipped


PREFIX = "ban-"  # one pinned dataset per département: ban-05, ban-31…
DATASETS = ()  # the pins are local entries (``zonage data ban``), named with PREFIX
TABLES = ("address",)


def parse(build: Build) -> dict[str, Parsed]:
    rows, skipped = parse_ban(
        (content for name, content in build.files.items() if name.startswith(PREFIX)),
        set(build.cog.communes),
    )
    return {"address": Parsed(rows, skipped)}
