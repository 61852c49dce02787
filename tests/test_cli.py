"""The command line refuses bad input clearly and leaves served data alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli

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
