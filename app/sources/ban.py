"""Addresses of the BAN, one file per département (« csv » national format, `;`-separated).

The national BAN holds about 26 million addresses: they are parsed as they are written, one file
at a time, never held in memory together (``Streamed``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache

from app.geocoding.normalize import normalise
from app.sources.common import Build, Row, Streamed, Table

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


def _coordinate(text: str, bound: float) -> float | None:
    """A longitude or latitude within ``bound``; None where blank, not a number, or not finite."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and abs(value) <= bound else None


def parse_ban(
    contents: Iterable[bytes], communes: set[str] | None, skipped: Counter[str]
) -> Iterator[Row]:
    """Address rows, counting in ``skipped`` the records left out; the BAN's own commune code
    is kept (it wins over point-in-polygon). ``communes`` None: any code (a pin's check)."""
    for content in contents:
        for r in Table(content, "fichier BAN", ";"):
            if communes is not None and r["code_insee"] not in communes:
                skipped["commune de l'adresse absente du COG 2026"] += 1
                continue
            lon, lat = _coordinate(r["lon"], 180), _coordinate(r["lat"], 90)
            if lon is None or lat is None:
                skipped["adresse sans position valide"] += 1
                continue
            number = f"{r['numero']}{(' ' + r['rep']) if r['rep'] else ''}"
            label = f"{number} {r['nom_voie']} {r['code_postal']} {r['nom_commune']}".strip()
            # former commune and lieu-dit names are what people still type in rural areas
            extra = " ".join(
                n
                for n in (r.get("nom_ancienne_commune"), r.get("nom_ld"))
                if n and n != r["nom_commune"]
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
                "lon": lon,
                "lat": lat,
                "search": " ".join(part for part in folded if part),
            }
