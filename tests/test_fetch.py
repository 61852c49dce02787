"""Files are proven by checksum, from the mirror or a download, before anything is written."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from app.datasets import fetch as fetch_module
from app.datasets.fetch import DataFileError, fetch
from app.datasets.manifest import DatasetEntry, ManifestError, loaded, read_manifest
from app.settings import REPO_ROOT

CONTENT = b"code,nom\n31555,Toulouse\n"
ENTRY = DatasetEntry(
    name="demo",
    title="t",
    holds="h",
    path="demo/file.csv.gz",
    sha256=hashlib.sha256(CONTENT).hexdigest(),
    url="https://example.org",
    licence="LO 2.0",
    vintage="2026",
    attribution="a",
    source="demo/SOURCES.md",
    download="https://files.example.org/file.csv",
)


def _mirror(tmp_path: Path, content: bytes) -> Path:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "file.csv.gz").write_bytes(gzip.compress(content))
    return tmp_path


def _client(payload: bytes, status: int = 200) -> httpx.Client:
    return httpx.Client(
        transport=httpx.MockTransport(lambda request: httpx.Response(status, content=payload))
    )


def test_mirror_content_is_checked_after_gunzip(tmp_path: Path) -> None:
    assert fetch(ENTRY, _mirror(tmp_path, CONTENT), tmp_path / "dl") == CONTENT


def test_a_changed_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="somme de contrôle différente"):
        fetch(ENTRY, _mirror(tmp_path, CONTENT + b"x"), tmp_path / "dl")


def test_download_when_the_mirror_lacks_the_file(tmp_path: Path) -> None:
    downloads = tmp_path / "dl"
    assert fetch(ENTRY, tmp_path, downloads, _client(CONTENT)) == CONTENT
    # kept for the next load, which needs no network
    assert fetch(ENTRY, None, downloads, _client(b"", 500)) == CONTENT


def test_a_download_with_other_content_is_refused_and_not_kept(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="somme de contrôle"):
        fetch(ENTRY, None, tmp_path / "dl", _client(b"tampered"))
    assert not any((tmp_path / "dl").glob("*")) if (tmp_path / "dl").exists() else True


def test_http_errors_and_missing_downloads_are_explained(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="téléchargement impossible"):
        fetch(ENTRY, None, tmp_path, _client(b"", 503))
    with pytest.raises(DataFileError, match="aucun téléchargement identique"):
        fetch(replace(ENTRY, download=None), None, tmp_path)


def test_manifest_entries_are_complete() -> None:
    entries = read_manifest(REPO_ROOT / "data" / "geo" / "manifest.toml")
    assert len(entries) == 34
    assert {n: e.role for n, e in entries.items() if e.role != "load"} == {
        "ps-liberaux-normandie": "check",
        "metric-calibration-gironde": "check",  # fits the travel-time defaults
        "rpps-activite": "pin",  # filled by `zonage data rpps`
        "finess-structures": "pin",
        "zonage-officiel": "pin",  # filled by `zonage data zonage`, one entry per vintage
        "ban": "pin",  # filled by `zonage data ban`, one entry per département
        "frr-communes": "pin",  # the list of July 2025 by default, a newer one pinned
        "zones-rouges": "pin",  # filled by `zonage data zones-rouges`: no list by default
    }
    assert not loaded(entries["zones-rouges"])  # the partial list is a fixture, never loaded
    assert entries["frr-communes"].path and loaded(entries["frr-communes"])
    assert not loaded(entries["rpps-activite"])  # a template without a default file
    for entry in (e for e in entries.values() if loaded(e)):
        assert len(entry.sha256) == 64 and entry.url.startswith("https://")
        assert entry.download or entry.note, f"{entry.name}: say why it cannot be downloaded"
    assert entries["zonage-mg"].official is False


def test_manifest_rejects_unknown_fields(tmp_path: Path) -> None:
    bad = tmp_path / "m.toml"
    bad.write_text('[[dataset]]\nname = "x"\ncolour = "red"\n', encoding="utf-8")
    with pytest.raises(ManifestError, match="champs inconnus"):
        read_manifest(bad)


def test_optional_entries_may_be_absent_but_not_altered(tmp_path: Path) -> None:
    from app.datasets.fetch import MissingFile

    optional = replace(ENTRY, download=None, optional=True)
    with pytest.raises(MissingFile):
        fetch(optional, tmp_path, tmp_path / "dl")
    with pytest.raises(DataFileError, match="somme de contrôle"):
        fetch(optional, _mirror(tmp_path, b"altered"), tmp_path / "dl")


def _gz_mirror(tmp_path: Path, archive: bytes) -> Path:
    (tmp_path / "demo").mkdir(parents=True)
    (tmp_path / "demo" / "file.csv.gz").write_bytes(archive)
    return tmp_path


@pytest.mark.parametrize(
    "archive",
    [
        gzip.compress(CONTENT)[:-6],  # truncated
        gzip.compress(CONTENT)[:-8] + b"\0\0\0\0" + gzip.compress(CONTENT)[-4:],  # bad CRC
        b"\x1f\x8b" + b"not a deflate stream",
    ],
    ids=["truncated", "bad-crc", "not-deflate"],
)
def test_a_corrupt_archive_is_a_refusal_not_a_crash(tmp_path: Path, archive: bytes) -> None:
    with pytest.raises(DataFileError, match="archive illisible ou tronquée"):
        fetch(ENTRY, _gz_mirror(tmp_path, archive), tmp_path / "dl")


def test_a_gzip_bomb_stops_at_the_cap_without_filling_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetch_module, "MAX_CONTENT_BYTES", 4 << 20)
    bomb = gzip.compress(bytes(64 << 20))  # 64 MiB of zeros in 64 KiB
    held: list[int] = []
    original = fetch_module._chunks

    def watched(raw, origin):  # noqa: ANN001, ANN202
        for chunk in original(raw, origin):
            held.append(len(chunk))
            yield chunk

    monkeypatch.setattr(fetch_module, "_chunks", watched)
    with pytest.raises(DataFileError, match="plus de 4 Mo"):
        fetch(ENTRY, _gz_mirror(tmp_path, bomb), tmp_path / "dl")
    assert sum(held) <= 4 << 20  # streamed and hashed, never read whole


def test_a_file_is_read_whole_only_once_its_checksum_matched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[object] = []
    original = fetch_module._opened
    monkeypatch.setattr(fetch_module, "_opened", lambda s: opened.append(s) or original(s))
    with pytest.raises(DataFileError, match="somme de contrôle"):
        fetch(ENTRY, _gz_mirror(tmp_path / "bad", CONTENT + b"x"), tmp_path / "dl")
    assert len(opened) == 1  # the hashing pass only
    opened.clear()
    assert fetch(ENTRY, _gz_mirror(tmp_path / "good", CONTENT), tmp_path / "dl") == CONTENT
    assert len(opened) == 2
