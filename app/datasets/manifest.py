"""The data manifest: which files zonage loads, where they come from, and their checksums."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path


@dataclass(frozen=True)
class DatasetEntry:
    """One file of real open data, as described in ``data/geo/manifest.toml``."""

    name: str
    title: str
    holds: str
    path: str
    sha256: str
    url: str
    licence: str
    vintage: str
    attribution: str
    source: str
    download: str | None = None
    note: str | None = None
    unit: str | None = None
    profession: str | None = None
    official: bool = True
    optional: bool = False  # loaded when present; its absence is reported, not an error
    role: str = "load"  # "check": read by a command that checks our estimates, never loaded

    def public(self) -> dict[str, object]:
        """What the API and the snapshot record say about this dataset."""
        return {
            "name": self.name,
            "title": self.title,
            "url": self.url,
            "licence": self.licence,
            "vintage": self.vintage,
            "attribution": self.attribution,
            "sha256": self.sha256,
            "official": self.official,
            "unit": self.unit,
        }


class ManifestError(ValueError):
    """The manifest file is missing, malformed or names a dataset twice."""


def read_manifest(path: Path) -> dict[str, DatasetEntry]:
    """Entries by name, in file order."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"manifeste illisible ({path}): {exc}") from exc
    known = {f.name for f in fields(DatasetEntry)}
    entries: dict[str, DatasetEntry] = {}
    for item in raw.get("dataset", []):
        unknown = set(item) - known
        if unknown:
            raise ManifestError(f"champs inconnus dans le manifeste: {sorted(unknown)}")
        entry = DatasetEntry(**item)
        if entry.name in entries:
            raise ManifestError(f"jeu de données en double dans le manifeste: {entry.name}")
        entries[entry.name] = entry
    return entries
