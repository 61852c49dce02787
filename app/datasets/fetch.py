"""Find a manifest file in the mirror or download it, and prove its content by checksum."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import httpx

from app.datasets.manifest import DatasetEntry


class DataFileError(RuntimeError):
    """A file is missing, cannot be downloaded, or does not match its checksum."""


class MissingFile(DataFileError):
    """Neither the mirror nor a download can provide the file."""


class MissingFiles(DataFileError):
    """Required files that neither the mirror nor a download provides, all named at once so
    that an operator fixes them in one go."""

    def __init__(self, mirror: Path | None, reasons: list[str]) -> None:
        self.mirror = mirror
        self.reasons = reasons
        where = f"miroir {mirror}" if mirror else "aucun miroir local"
        super().__init__(
            f"{len(reasons)} fichier(s) requis introuvable(s) ({where}) :\n"
            + "\n".join(f"  - {reason}" for reason in reasons)
        )


def read_content(path: Path) -> bytes:
    """The file's bytes, decompressed when gzip-compressed (checksums are of the content)."""
    return gunzipped(path.read_bytes())


def gunzipped(data: bytes) -> bytes:
    """``data`` decompressed when gzip-compressed, else as it is."""
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def verify(entry: DatasetEntry, content: bytes, origin: str) -> bytes:
    """``content`` if its sha256 is the manifest's, else a refusal naming both."""
    digest = hashlib.sha256(content).hexdigest()
    if digest != entry.sha256:
        raise DataFileError(
            f"{entry.name}: somme de contrôle différente du manifeste pour {origin} "
            f"(attendu {entry.sha256}, obtenu {digest}); rien n'a été chargé"
        )
    return content


def fetch(
    entry: DatasetEntry,
    mirror: Path | None,
    download_dir: Path,
    client: httpx.Client | None = None,
    allow_download: bool = True,
) -> bytes:
    """Verified content of ``entry``: from the mirror, a previous download, or its URL."""
    local: Path | None = Path(entry.path)
    if not local.is_absolute():  # a mirror's file; a pinned file has an absolute path
        local = mirror / entry.path if mirror is not None else None
    if local is not None and local.is_file():
        return verify(entry, read_content(local), str(local))
    cached = download_dir / f"{entry.name}-{entry.sha256[:12]}"
    if cached.is_file():
        return verify(entry, read_content(cached), str(cached))
    where = f"{mirror / entry.path}" if mirror else entry.path
    if not entry.download:
        raise MissingFile(
            f"{entry.name}: fichier absent ({where}) et aucun téléchargement identique n'existe"
            f" — {entry.note or 'placez le fichier dans le miroir'}"
        )
    if not allow_download:
        raise MissingFile(f"{entry.name}: fichier absent ({where}) et téléchargements désactivés")
    own_client = client is None
    client = client or httpx.Client(timeout=60.0, follow_redirects=True)
    try:
        response = client.get(entry.download)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise MissingFile(
            f"{entry.name}: fichier absent ({where}) et téléchargement impossible "
            f"({entry.download} : {exc})"
        ) from exc
    finally:
        if own_client:
            client.close()
    content = gunzipped(response.content)
    verify(entry, content, entry.download)
    download_dir.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".part")
    partial.write_bytes(content)
    partial.replace(cached)
    return content
