"""Addresses of the BAN, one file per département (« csv » national format, `;`-separated).

The national BAN holds about 26 million addresses: they are parsed as they are written, one file
at a time, never held in memory together (``Streamed``).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache

from app.geocoding.normalize import normalise
from app.sources.common import Build, Row, Streamed

PREFIX = "ban-"  # one pinned dataset per département: ban-05, ban-31…
DATASETS = ()  # the pins are local entries (``zonage data ban``), named with PREFIX
TABLES = ("address",)


def parse(build: Build) -> dict[str, Streamed]:
    files = (content for name, content in build.files.items() if name.startswith(PREFIX))
    skipped: Counter[str] = Counter()
    return {"address": Streamed(parse_ban(files, set(build.cog.communes), skipped), skipped)}


# a street or commune name recurs in every address of it: folded once (tokens() is per word, so
# the folded parts joined are the folded whole)
_folded = lru_cache(maxsize=1 << 16)(normalise)


def parse_ban(
    contents: Iterable[bytes], communes: set[str], skipped: Counter[str]
) -> Iterator[Row]:
    """Address rows, counting in ``skipped`` the records left out; the BAN's own commune code
    is kept (it wins over point-in-polygon)."""
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
            folded = (
                normalise(number),
                _folded(r["nom_voie"]),
                r["code_postal"],
                _folded(r["nom_commune"]),
                _folded(extra),
            )
            yield {
                "ban_id": r["id"],
                "label": label,
                "postcode": r["code_postal"],
                "insee": r["code_insee"],
                "lon": float(r["lon"]),
                "lat": float(r["lat"]),
                "search": " ".join(part for part in folded if part),
            }
