"""Pin a file whose upstream changes every day: keep what zonage reads, record its checksum.

The ANS republishes the RPPS extract daily at one address (≈ 2 million rows, all professions),
so the project's manifest cannot hold its checksum. Pinning keeps the general practitioners'
rows of the file the operator downloaded, in the source's own format, and writes their sha256
and vintage to the local manifest; the load then verifies them like any other file.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import IO, cast

import httpx

from app.datasets.fetch import gunzipped, read_content
from app.datasets.manifest import DatasetEntry
from app.sources.ban import parse_ban
from app.sources.common import SourceFormatError
from app.sources.frr import read_frr
from app.sources.rpps import rpps_lines
from app.sources.zonage import french_date, official_rows
from app.sources.zones_rouges import LIST_SIZE, read_zones_rouges

RPPS_MEMBER = "PS_LibreAcces_Personne_activite"
STAMP = re.compile(r"(\d{4})(\d{2})(\d{2})\d{4}")


@contextmanager
def _open(source: Path) -> Iterator[tuple[str, IO[bytes]]]:
    """The extract's name and a binary stream of it: plain, gzip, or the ANS zip archive."""
    if zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            names = [n for n in archive.namelist() if Path(n).name.startswith(RPPS_MEMBER)]
            if not names:
                raise SourceFormatError(f"{source.name} : aucun {RPPS_MEMBER}* dans l'archive")
            with archive.open(names[0]) as stream:
                yield Path(names[0]).name, stream
    else:
        with source.open("rb") as raw:
            gzipped = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            with gzip.open(raw) if gzipped else raw as stream:
                yield source.name, cast(IO[bytes], stream)


def pin_rpps(
    source: Path, template: DatasetEntry, store: Path, vintage: str | None = None
) -> DatasetEntry:
    """Write the GP rows of ``source`` under ``store`` and return the entry that pins them."""
    upstream = hashlib.sha256()
    kept = hashlib.sha256()
    store.mkdir(parents=True, exist_ok=True)
    with _open(source) as (name, stream):
        stamp = STAMP.search(name)
        vintage = vintage or (f"RPPS {stamp[1]}-{stamp[2]}-{stamp[3]}" if stamp else None)
        if vintage is None:
            raise SourceFormatError(
                f"{name} : millésime introuvable dans le nom du fichier, précisez --millesime"
            )
        target = store / f"{template.name}-{vintage.split()[-1]}.txt.gz"
        partial = target.with_suffix(".part")
        rows = 0
        try:
            with gzip.open(partial, "wb") as out:
                for fields in rpps_lines(_hashed(stream, upstream.update)):
                    line = ("|".join(fields) + "\n").encode()
                    kept.update(line)
                    out.write(line)
                    rows += 1
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    partial.replace(target)
    return _pinned(
        template,
        target,
        kept.hexdigest(),
        vintage,
        f"{rows - 1} lignes de médecins généralistes extraites de {name} "
        f"(sha256 {upstream.hexdigest()}) par « zonage data rpps ».",
    )


def _kept(
    content: bytes, template: DatasetEntry, store: Path, stamp: str, vintage: str, note: str
) -> DatasetEntry:
    """``content`` gzipped under ``store`` (whole or not at all) as the file of ``template``
    dated ``stamp``, and the entry that pins it by the checksum of its content."""
    target = store / f"{template.name}-{stamp}.csv.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(gzip.compress(content))
    partial.replace(target)
    return _pinned(template, target, hashlib.sha256(content).hexdigest(), vintage, note)


def _pinned(
    template: DatasetEntry, target: Path, sha256: str, vintage: str, note: str
) -> DatasetEntry:
    """The local entry that fills ``template`` with the kept file (loaded when present)."""
    return replace(
        template,
        role="load",
        optional=True,
        path=str(target.resolve()),
        sha256=sha256,
        vintage=vintage,
        note=note,
    )


# what the extract holds: lines of a few hundred bytes, about a gigabyte (all professions)
RPPS_MAX_LINE = 1 << 16
RPPS_MAX_BYTES = 8 << 30
# the files the other pins read, decompressed: a bound far above the real ones (the official
# table ≈ 15 MB, the FRR list 2 MB, the zones rouges a few kB), far below what fills memory
PIN_MAX_BYTES = {"zonage-officiel": 256 << 20, "frr-communes": 64 << 20, "zones-rouges": 4 << 20}


def _hashed(stream: IO[bytes], update: Callable[[bytes], object]) -> Iterator[bytes]:
    """The stream's lines, each fed to a checksum on the way; a line or a file longer than an
    extract's is a refusal, read no further."""
    total = 0
    while line := stream.readline(RPPS_MAX_LINE + 1):
        total += len(line)
        if len(line) > RPPS_MAX_LINE:
            raise SourceFormatError(
                f"extraction RPPS : une ligne dépasse {RPPS_MAX_LINE} octets (format PS_LibreAcces "
                "attendu) ; rien n'a été épinglé"
            )
        if total > RPPS_MAX_BYTES:
            raise SourceFormatError(
                f"extraction RPPS : plus de {RPPS_MAX_BYTES >> 30} Go une fois décompressée ; "
                "rien n'a été épinglé"
            )
        update(line)
        yield line


def pin_official_zonage(
    content: bytes, origin: str, template: DatasetEntry, store: Path
) -> DatasetEntry:
    """Keep a copy of the official zonage table, its columns checked, dated by its own
    « date_maj », and return the entry that pins it: one per vintage (``zonage-officiel-
    20260730``), the older ones kept to say what each arrêté changed."""
    rows = list(official_rows(content))
    updated = {french_date(row["date_maj"]) for row in rows} - {None}
    if not rows or not updated:
        raise SourceFormatError(f"{origin} : table des zonages vide ou sans date de mise à jour")
    stamp = max(d for d in updated if d is not None)
    return _kept(
        content,
        replace(template, name=f"{template.name}-{stamp:%Y%m%d}", family=False),
        store,
        stamp.isoformat(),
        f"DataSanté, mise à jour du {stamp:%d/%m/%Y}",
        f"{len(rows)} lignes de {origin}, épinglées par « zonage data zonage ».",
    )


def pin_frr(content: bytes, origin: str, template: DatasetEntry, store: Path) -> DatasetEntry:
    """Keep a copy of the DGCL's FRR commune list, its columns checked, dated by the heading of
    its classification column, and return the entry that pins it."""
    statuses, stamp, skipped = read_frr(content)
    if not statuses:
        raise SourceFormatError(f"{origin} : aucune commune au classement FRR reconnu")
    if stamp is None:
        raise SourceFormatError(
            f"{origin} : date du classement introuvable (« Classement FRR et FRR+ au … »)"
        )
    unknown = f", {sum(skipped.values())} lignes au classement inconnu" if skipped else ""
    return _kept(
        content,
        template,
        store,
        stamp.isoformat(),
        f"DGCL, classement au {stamp:%d/%m/%Y}",
        f"{len(statuses)} communes de {origin}{unknown}, épinglées par « zonage data frr ».",
    )


def _left_out(skipped: Counter[str]) -> str:
    return f" ({sum(skipped.values())} lignes écartées)" if skipped else ""


def pin_zones_rouges(
    content: bytes, origin: str, template: DatasetEntry, store: Path, today: date
) -> DatasetEntry:
    """Keep a copy of the list of EPCI « zones rouges », read as the load reads it, and return
    the entry that pins it, saying whether it holds the whole list."""
    listed = read_zones_rouges(content)
    whole = (
        "" if len(listed) >= LIST_SIZE else f" : liste partielle ({len(listed)} sur {LIST_SIZE})"
    )
    return _kept(
        content,
        template,
        store,
        today.isoformat(),
        f"liste du ministère du 30/06/2025, copie du {today:%d/%m/%Y}{whole}",
        f"{len(listed)} EPCI de {origin}, épinglés par « zonage data zones-rouges ».",
    )


OFFICIAL_RESOURCE = re.compile(r"zonages[-_]com", re.IGNORECASE)


def download_official_zonage(template: DatasetEntry, client: httpx.Client) -> tuple[bytes, str]:
    """The commune table of the DataSanté dataset, found among its resources by its URL (the
    dataset also publishes other tables), and where it came from."""
    api = template.download or ""
    try:
        listing = client.get(api)
        listing.raise_for_status()
        resources = listing.json().get("resources", [])
    except (httpx.HTTPError, ValueError) as exc:
        raise SourceFormatError(f"téléchargement impossible ({api}) : {exc}") from exc
    urls = [r["url"] for r in resources if OFFICIAL_RESOURCE.search(r.get("url") or "")]
    if not urls:
        raise SourceFormatError(f"{api} : aucune ressource « zonages_com »")
    try:
        table = client.get(urls[0])
        table.raise_for_status()
    except httpx.HTTPError as exc:
        raise SourceFormatError(f"téléchargement impossible ({urls[0]}) : {exc}") from exc
    return gunzipped(table.content), urls[0]


BAN_COLUMNS = frozenset(
    {"id", "numero", "rep", "nom_voie", "code_postal", "code_insee", "nom_commune", "lon", "lat"}
)


def ban_file(
    departement: str, template: DatasetEntry, mirror: Path | None, client: httpx.Client
) -> tuple[bytes, str]:
    """A département's BAN file (its content, and where it came from): from the mirror when it
    holds one, else downloaded from the address the manifest gives."""
    name = f"adresses-{departement}.csv.gz"
    local = next(mirror.rglob(name), None) if mirror is not None and mirror.is_dir() else None
    if local is not None:
        return read_content(local), str(local)
    url = (template.download or "").format(departement=departement)
    try:
        response = client.get(url)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise SourceFormatError(
            f"{name} absent du miroir, téléchargement impossible ({url} : {exc})"
        ) from exc
    return gunzipped(response.content), url


def pin_ban(
    departement: str, content: bytes, origin: str, template: DatasetEntry, store: Path, today: date
) -> DatasetEntry:
    """Keep a département's BAN file, its columns checked, as the entry ``ban-<département>``."""
    header = content.split(b"\n", 1)[0].decode("utf-8-sig").strip().split(";")
    missing = BAN_COLUMNS - set(header)
    if missing:
        raise SourceFormatError(f"{origin} : colonnes BAN absentes {', '.join(sorted(missing))}")
    skipped: Counter[str] = Counter()
    rows = sum(1 for _ in parse_ban([content], None, skipped))  # as the load will read it
    return _kept(
        content,
        replace(
            template,
            name=f"{template.name}-{departement}",
            title=f"{template.title}, département {departement}",
            family=False,
        ),
        store,
        today.isoformat(),
        f"BAN, copie du {today:%d/%m/%Y}",
        f"{rows} adresses de {origin}{_left_out(skipped)}, épinglées par « zonage data ban ».",
    )
