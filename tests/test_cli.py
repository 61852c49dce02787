"""The command line refuses bad input clearly and leaves served data alone."""

from __future__ import annotations

import gzip
import hashlib
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.datasets.manifest import ManifestError, read_manifests
from app.settings import REPO_ROOT, Settings
from tests.builders import rpps_extract, rpps_row

runner = CliRunner()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("ZONAGE_DATABASE_URL", f"sqlite:///{tmp_path / 'z.sqlite'}")
    return tmp_path


def test_db_upgrade_creates_the_database(env: Path) -> None:
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (env / "z.sqlite").stat().st_size > 0


def test_load_from_a_missing_directory_is_refused(env: Path) -> None:
    result = runner.invoke(cli, ["data", "load", "--from", str(env / "nowhere")])
    assert result.exit_code == 2
    assert "répertoire introuvable" in result.output


def test_load_from_an_empty_mirror_names_the_missing_file(env: Path, monkeypatch) -> None:
    (env / "mirror").mkdir()
    monkeypatch.setenv("ZONAGE_DATA_DIR", str(env / "data"))
    monkeypatch.setenv("ZONAGE_ALLOW_DOWNLOAD", "false")
    result = runner.invoke(cli, ["data", "load", "--from", str(env / "mirror")])
    assert result.exit_code == 2
    assert "Chargement refusé" in result.output and "restent en place" in result.output
    assert "communes-reference: fichier absent" in result.output
    assert runner.invoke(cli, ["data", "status"]).exit_code == 1


def test_rpps_extract_is_pinned_with_its_checksum_and_vintage(env: Path, monkeypatch) -> None:
    """The ANS archive holds the extract among other files; only its GP rows are kept."""
    monkeypatch.setenv("ZONAGE_DATA_DIR", str(env / "data"))
    archive = env / "PS_LibreAcces.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("PS_LibreAcces_Dipl_AutExerc_202611230900.txt", "autre fichier\n")
        z.writestr(
            "PS_LibreAcces_Personne_activite_202611230900.txt",
            rpps_extract(rpps_row("1", "05061"), rpps_row("2", "05061", profession="21")),
        )
    result = runner.invoke(cli, ["data", "rpps", str(archive)])
    assert result.exit_code == 0, result.output
    settings = Settings()
    entry = read_manifests(settings.manifest_path, settings.local_manifest_path)["rpps-activite"]
    assert (entry.role, entry.vintage, entry.optional) == ("load", "RPPS 2026-11-23", True)
    kept = gzip.decompress(Path(entry.path).read_bytes())
    assert hashlib.sha256(kept).hexdigest() == entry.sha256
    assert kept.count(b"\n") == 2 and b"|05061|" in kept  # the header and the one GP
    assert "1 lignes de médecins généralistes" in entry.note


def test_a_file_that_is_not_an_rpps_extract_is_refused(env: Path, monkeypatch) -> None:
    monkeypatch.setenv("ZONAGE_DATA_DIR", str(env / "data"))
    other = env / "PS_LibreAcces_Personne_activite_202611230900.txt"
    other.write_text("code;commune\n1;05061\n", encoding="utf-8")
    result = runner.invoke(cli, ["data", "rpps", str(other)])
    assert result.exit_code == 2 and "colonnes absentes" in result.output
    assert not Settings().local_manifest_path.exists()
    assert list((env / "data" / "pinned").iterdir()) == []  # no partial file left


def test_a_local_manifest_cannot_replace_a_project_file(tmp_path: Path) -> None:
    local = tmp_path / "manifest.local.toml"
    local.write_text(
        '[[dataset]]\nname = "apl-mg"\n'
        + "".join(
            f'{key} = "x"\n'
            for key in ("title", "holds", "path", "sha256", "url", "licence", "vintage")
        )
        + 'attribution = "x"\nsource = "x"\n',
        encoding="utf-8",
    )
    with pytest.raises(ManifestError, match="pas un jeu à épingler"):
        read_manifests(REPO_ROOT / "data" / "geo" / "manifest.toml", local)
