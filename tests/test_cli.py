"""The command line refuses bad input clearly and leaves served data alone."""

from __future__ import annotations

import re
import subprocess
import sys
from itertools import takewhile
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from app.cli import cli
from app.datasets.manifest import read_manifest
from app.settings import REPO_ROOT

runner = CliRunner()
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


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


def test_load_from_an_empty_mirror_names_every_missing_file(env: Path, monkeypatch) -> None:
    """A first load without the data says which files, where it looked, how to point at
    them, and does not pretend that earlier data stays served."""
    (env / "mirror").mkdir()
    monkeypatch.setenv("ZONAGE_DATA_DIR", str(env / "data"))
    monkeypatch.setenv("ZONAGE_ALLOW_DOWNLOAD", "false")
    monkeypatch.setenv("COLUMNS", "400")  # paths unbroken
    result = runner.invoke(cli, ["data", "load", "--from", str(env / "mirror")])
    assert result.exit_code == 2
    output = " ".join(result.output.split())  # rich wraps long lines
    assert "Chargement refusé" in output and f"miroir {env / 'mirror'}" in output
    required = [
        e.name
        for e in read_manifest(REPO_ROOT / "data" / "geo" / "manifest.toml").values()
        if e.role == "load" and not e.optional
    ]
    assert len(required) > 5
    for name in required:
        assert f"{name}: fichier absent" in output, name
    assert f"{env / 'mirror' / 'decoupage-administratif'}" in output  # where it looked
    assert "--from DOSSIER" in output and "ZONAGE_DATA_MIRROR" in output
    assert "restent en place" not in output and "Aucune donnée n'est chargée" in output
    assert runner.invoke(cli, ["data", "status"]).exit_code == 1


def test_serve_on_an_empty_database_without_data_says_what_is_missing(
    env: Path, monkeypatch
) -> None:
    monkeypatch.setenv("ZONAGE_DATA_DIR", str(env / "data"))
    monkeypatch.setenv("ZONAGE_DATA_MIRROR", str(env / "nowhere"))
    monkeypatch.setenv("ZONAGE_ALLOW_DOWNLOAD", "false")
    result = runner.invoke(cli, ["serve", "--port", "1"])
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "Chargement impossible" in output and "communes-reference: fichier absent" in output
    assert "ZONAGE_DATA_MIRROR" in output and "restent en place" not in output


def test_help_is_in_french_and_loads_no_data_library() -> None:
    """``zonage --help`` answers without importing the numeric core or the data stack."""
    probe = (
        "import sys, app.cli; "
        "print(sorted({'scipy', 'numpy', 'geopandas', 'sqlalchemy', 'fastapi'} & "
        "set(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"
    for command in _commands(typer.main.get_command(cli)):
        result = runner.invoke(cli, [*command, "--help"])
        assert result.exit_code == 0, command
        assert "Affiche cette aide et quitte." in result.output
        assert "Show this message" not in result.output and "<bool>" not in result.output
    serve = " ".join(runner.invoke(cli, ["serve", "--help"]).output.replace("│", " ").split())
    assert "[défaut : ZONAGE_HOST, sinon 127.0.0.1]" in serve
    assert "[défaut : ZONAGE_PORT, sinon 8000]" in serve


def _commands(group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path of the CLI: the groups (with sub-commands) and the commands."""
    paths = [prefix]
    for name, command in getattr(group, "commands", {}).items():
        paths += _commands(command, (*prefix, name))
    return paths


def test_readme_lists_every_command_and_every_listed_command_exists() -> None:
    block = README.split("## Command line", 1)[1].split("```")[1]
    listed = {
        tuple(takewhile(lambda w: re.fullmatch(r"[a-z]+", w), line.split()[1:]))
        for line in block.splitlines()
        if line.startswith("zonage ")
    }
    root = typer.main.get_command(cli)
    commands = {path for path in _commands(root) if path and not _is_group(root, path)}
    assert listed == commands


def _is_group(root, path: tuple[str, ...]) -> bool:
    for name in path:
        root = root.commands[name]
    return hasattr(root, "commands")
