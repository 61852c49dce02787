"""The data manifest: which files zonage loads, where they come from, and their checksums."""

from __future__ import annotations

import json
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
    role: str = "load"  # "check": read by a check command; "pin": a template filled locally
    family: bool = False  # a pin template filled by several local entries, "<name>-<code>"

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


def read_manifests(project: Path, local: Path) -> dict[str, DatasetEntry]:
    """The project's manifest, with the files the operator pinned locally.

    A local entry may only fill a ``pin`` template of the project's manifest (files whose
    upstream changes every day, such as the RPPS extract); it cannot replace a pinned file.
    """
    entries = read_manifest(project)
    if not local.is_file():
        return entries
    for name, entry in read_manifest(local).items():
        template = entries.get(name)
        if template is None:  # "ban-31" fills the family template "ban"
            family = entries.get(name.rsplit("-", 1)[0])
            template = family if family is not None and family.family else None
        if template is None or template.role != "pin":
            raise ManifestError(
                f"{local}: « {name} » n'est pas un jeu à épingler du manifeste du projet"
            )
        entries[name] = entry
    return entries


def loaded(entry: DatasetEntry) -> bool:
    """Whether a load reads the entry: a file to load, or a pin template that holds a default
    file (the FRR list of July 2025) until the operator pins a newer one."""
    return entry.role == "load" or (entry.role == "pin" and bool(entry.path))


def write_pinned(local: Path, entry: DatasetEntry) -> None:
    """Add or replace one entry of the local manifest, atomically."""
    entries = read_manifest(local) if local.is_file() else {}
    entries[entry.name] = entry
    lines = ["# Files pinned by `zonage data …`: read with the project's manifest.\n"]
    for item in entries.values():
        lines.append("\n[[dataset]]\n")
        for f in fields(DatasetEntry):
            value = getattr(item, f.name)
            if value is not None and value != f.default:
                lines.append(f"{f.name} = {_toml_value(value)}\n")
    local.parent.mkdir(parents=True, exist_ok=True)
    partial = local.with_suffix(".part")
    partial.write_text("".join(lines), encoding="utf-8")
    partial.replace(local)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


def address_departements(names: list[str]) -> list[str]:
    """The départements whose BAN file is among these datasets ("ban-05" → "05")."""
    return sorted(name.removeprefix("ban-") for name in names if name.startswith("ban-"))
