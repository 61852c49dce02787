"""Find a manifest file in the mirror or download it, and prove its content by checksum."""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

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


# a gzip bomb is refused here, before it fills memory: the largest file of the mirror holds
# 30 MB once decompressed, a national BAN département file about 120 MB
MAX_CONTENT_BYTES = 1 << 30
_CHUNK = 1 << 20


def _chunks(raw: BinaryIO, origin: str, limit: int | None = None) -> Iterator[bytes]:
    """The content of ``raw``, gunzipped when gzip-compressed, a chunk at a time; a corrupt or
    truncated archive, or content past ``limit`` (default MAX_CONTENT_BYTES), is a refusal."""
    limit = MAX_CONTENT_BYTES if limit is None else limit
    gzipped = raw.read(2) == b"\x1f\x8b"
    raw.seek(0)
    stream: BinaryIO = gzip.GzipFile(fileobj=raw) if gzipped else raw  # type: ignore[assignment]  # GzipFile reads as a BinaryIO
    total = 0
    try:
        while chunk := stream.read(_CHUNK):
            total += len(chunk)
            if total > limit:
                raise DataFileError(
                    f"{origin} : plus de {limit >> 20} Mo une fois décompressé "
                    "(archive piégée ?) ; rien n'a été chargé"
                )
            yield chunk
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
        raise DataFileError(
            f"{origin} : archive illisible ou tronquée ({exc}) ; rien n'a été chargé"
        ) from exc


def read_content(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes, decompressed when gzip-compressed (checksums are of the content), read
    no further than ``limit``."""
    with path.open("rb") as raw:
        return b"".join(_chunks(raw, str(path), limit))


def gunzipped(data: bytes, origin: str = "téléchargement") -> bytes:
    """``data`` decompressed when gzip-compressed, else as it is."""
    return b"".join(_chunks(io.BytesIO(data), origin))


def _verified(entry: DatasetEntry, source: Path | bytes, origin: str) -> bytes:
    """The content of ``source`` (a file, or bytes downloaded) if its sha256 is the
    manifest's, else a refusal naming both.

    Hashed as it streams, then read again only when it matched: a file that is not the one
    the manifest names is never held in memory."""
    digest = hashlib.sha256()
    with _opened(source) as raw:
        for chunk in _chunks(raw, origin):
            digest.update(chunk)
    if digest.hexdigest() != entry.sha256:
        raise DataFileError(
            f"{entry.name}: somme de contrôle différente du manifeste pour {origin} "
            f"(attendu {entry.sha256}, obtenu {digest.hexdigest()}); rien n'a été chargé"
        )
    with _opened(source) as raw:
        return b"".join(_chunks(raw, origin))


def _opened(source: Path | bytes) -> BinaryIO:
    return source.open("rb") if isinstance(source, Path) else io.BytesIO(source)


def fetch(
    entry: DatasetEntry,
    mirror: Path | None,
    download_dir: Path,
    client: httpx.Client | None = None,
    allow_download: bool = True,
) -> bytes:
    """Verified content of ``entry``: from the mirror, a previous download, or its URL."""
    local: Path | None = Path(entry.path)
    if not Path(entry.path).is_absolute():  # a mirror's file; a pinned file's path is absolute
        local = mirror / entry.path if mirror is not None else None
    if local is not None and local.is_file():
        return _verified(entry, local, str(local))
    cached = download_dir / f"{entry.name}-{entry.sha256[:12]}"
    if cached.is_file():
        return _verified(entry, cached, str(cached))
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
    content = _verified(entry, response.content, entry.download)
    download_dir.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".part")
    partial.write_bytes(content)
    partial.replace(cached)
    return content
