"""The command line refuses bad input clearly and leaves served data alone."""

from __future__ import annotations

import gzip
import hashlib
import re
import subprocess
import sys
import zipfile
from dataclasses import replace
from itertools import takewhile
from pathlib import Path

import pytest
import respx
import typer
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.datasets.manifest import ManifestError, read_manifest, read_manifests, write_pinned
from app.main import create_app
from app.settings import REPO_ROOT, Settings
from tests.builders import (
    FRR_HEADER,
    ban_file,
    frr_list,
    official_row,
    official_table,
    rpps_extract,
    rpps_row,
)

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
        tuple(takewhile(lambda w: re.fullmatch(r"[a-z][a-z-]*", w), line.split()[1:]))
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


def test_official_zonage_table_is_pinned_from_a_file(env: Path, monkeypatch) -> None:
    monkeypatch.setenv("ZONAGE_DATA_DIR", str(env / "data"))
    table = env / "zonages_com.csv"
    table.write_bytes(official_table(official_row("05061", "2_ZAC", updated="12/08/2026")))
    result = runner.invoke(cli, ["data", "zonage", str(table)])
    assert result.exit_code == 0, result.output
    settings = Settings()
    entries = read_manifests(settings.manifest_path, settings.local_manifest_path)
    entry = entries["zonage-officiel-20260812"]
    assert (entry.role, entry.optional) == ("load", True)
    assert entry.vintage == "DataSanté, mise à jour du 12/08/2026"
    assert (
        hashlib.sha256(gzip.decompress(Path(entry.path).read_bytes())).hexdigest()
        == (entry.sha256)
        == hashlib.sha256(table.read_bytes()).hexdigest()
    )
    # an older vintage pinned afterwards is kept beside it, to say what the arrêtés changed
    table.write_bytes(official_table(official_row("05061", "1_ZIP", updated="15/07/2024")))
    assert runner.invoke(cli, ["data", "zonage", str(table)]).exit_code == 0
    entries = read_manifests(settings.manifest_path, settings.local_manifest_path)
    assert {"zonage-officiel-20260812", "zonage-officiel-20240715"} <= set(entries)
    assert entries["zonage-officiel-20260812"] == entry


def test_a_file_that_is_not_the_official_table_is_refused(env: Path, monkeypatch) -> None:
    monkeypatch.setenv("ZONAGE_DATA_DIR", str(env / "data"))
    other = env / "autre.csv"
    other.write_text("code;commune\n05061;Gap\n", encoding="utf-8")
    result = runner.invoke(cli, ["data", "zonage", str(other)])
    assert result.exit_code == 2 and "colonnes absentes" in result.output
    assert not Settings().local_manifest_path.exists()
    assert runner.invoke(cli, ["data", "zonage"]).exit_code == 2  # neither a file nor --telecharger


def test_the_frr_list_is_pinned_dated_by_its_classification_column(env: Path, monkeypatch) -> None:
    monkeypatch.setenv("ZONAGE_DATA_DIR", str(env / "data"))
    listing = env / "liste-communes-FRR-juillet2025.csv"
    listing.write_bytes(frr_list(("05006", "FRR socle"), ("05061", "Non classée"), ("05023", "?")))
    result = runner.invoke(cli, ["data", "frr", str(listing)])
    assert result.exit_code == 0, result.output
    settings = Settings()
    entry = read_manifests(settings.manifest_path, settings.local_manifest_path)["frr-communes"]
    assert (entry.role, entry.optional) == ("load", True)
    assert entry.vintage == "DGCL, classement au 10/07/2025"
    assert "2 communes" in entry.note and "1 lignes au classement inconnu" in entry.note
    assert entry.sha256 == hashlib.sha256(listing.read_bytes()).hexdigest()
    assert gzip.decompress(Path(entry.path).read_bytes()) == listing.read_bytes()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"code;commune\n05061;Gap\n", "Classement FRR"),
        (frr_list(("05061", "Zone blanche")), "aucune commune"),
        (frr_list(("05061", "FRR+"), header=FRR_HEADER.split(" au ")[0]), "date du classement"),
        (gzip.compress(frr_list(("05061", "FRR+")))[:-9], "Liste refusée"),
    ],
    ids=["autre table", "aucun classement", "sans date", "archive tronquée"],
)
def test_a_file_that_is_not_the_frr_list_is_refused(env: Path, monkeypatch, content, says) -> None:
    monkeypatch.setenv("ZONAGE_DATA_DIR", str(env / "data"))
    other = env / "liste.csv"
    other.write_bytes(content)
    result = runner.invoke(cli, ["data", "frr", str(other)])
    assert result.exit_code == 2 and says in result.output, result.output
    assert not Settings().local_manifest_path.exists()


@respx.mock
def test_official_zonage_table_is_downloaded_from_data_gouv(env: Path, monkeypatch) -> None:
    """The dataset's API lists several tables; the commune one is found by its URL."""
    monkeypatch.setenv("ZONAGE_DATA_DIR", str(env / "data"))
    template = read_manifest(REPO_ROOT / "data" / "geo" / "manifest.toml")["zonage-officiel"]
    table_url = "https://static.data.gouv.fr/resources/zonages/20260730/zonages_com.csv"
    respx.get(template.download).respond(
        json={
            "resources": [
                {"url": "https://static.data.gouv.fr/resources/zonages/20260730/zonages_qpv.csv"},
                {"url": table_url},
            ]
        }
    )
    respx.get(table_url).respond(content=official_table(official_row("11262", "4_ZAR")))
    result = runner.invoke(cli, ["data", "zonage", "--telecharger"])
    assert result.exit_code == 0, result.output
    settings = Settings()
    entries = read_manifests(settings.manifest_path, settings.local_manifest_path)
    entry = entries["zonage-officiel-20260730"]
    assert entry.vintage == "DataSanté, mise à jour du 30/07/2026"
    assert "zonages_com.csv" in entry.note
    respx.get(template.download).respond(status_code=503)
    failed = runner.invoke(cli, ["data", "zonage", "--telecharger"])
    assert failed.exit_code == 2 and "téléchargement impossible" in failed.output


TOULOUSE_BAN = ban_file(("10", "Rue de Metz", "31000", "31555", "Toulouse", 1.4469, 43.6003))


def test_ban_of_a_departement_is_pinned_from_the_mirror(env: Path, monkeypatch) -> None:
    monkeypatch.setenv("ZONAGE_DATA_DIR", str(env / "data"))
    mirror = env / "mirror" / "ban-31-haute-garonne"
    mirror.mkdir(parents=True)
    (mirror / "adresses-31.csv.gz").write_bytes(gzip.compress(TOULOUSE_BAN))
    result = runner.invoke(cli, ["data", "ban", "31", "05", "--from", str(env / "mirror")])
    assert result.exit_code == 0, result.output
    assert "ban-05 : déjà chargé par le manifeste du projet" in result.output
    settings = Settings()
    entries = read_manifests(settings.manifest_path, settings.local_manifest_path)
    entry = entries["ban-31"]
    assert (entry.role, entry.optional, entry.family) == ("load", True, False)
    assert entry.title == "Base Adresse Nationale, département 31"
    assert entry.sha256 == hashlib.sha256(TOULOUSE_BAN).hexdigest()
    assert gzip.decompress(Path(entry.path).read_bytes()) == TOULOUSE_BAN
    assert entries["ban"].role == "pin"  # the template itself is never loaded


@respx.mock
def test_ban_of_a_departement_is_downloaded_when_the_mirror_lacks_it(env, monkeypatch) -> None:
    monkeypatch.setenv("ZONAGE_DATA_DIR", str(env / "data"))
    url = "https://adresse.data.gouv.fr/data/ban/adresses/latest/csv/adresses-31.csv.gz"
    respx.get(url).respond(content=gzip.compress(TOULOUSE_BAN))
    result = runner.invoke(cli, ["data", "ban", "31", "--from", str(env)])
    assert result.exit_code == 0, result.output
    settings = Settings()
    entry = read_manifests(settings.manifest_path, settings.local_manifest_path)["ban-31"]
    assert url in entry.note
    respx.get(url.replace("31", "69")).respond(content=b"numero;voie\n1;rue\n")
    refused = runner.invoke(cli, ["data", "ban", "69", "--from", str(env)])
    assert refused.exit_code == 2 and "colonnes BAN absentes" in refused.output
    assert runner.invoke(cli, ["data", "ban", "999"]).exit_code == 2


def test_a_local_entry_fills_a_family_template_only(tmp_path: Path) -> None:
    project = REPO_ROOT / "data" / "geo" / "manifest.toml"
    template = read_manifest(project)["ban"]
    local = tmp_path / "manifest.local.toml"
    write_pinned(local, replace(template, name="ban-31", role="load", family=False, sha256="0"))
    assert read_manifests(project, local)["ban-31"].role == "load"
    write_pinned(local, replace(template, name="apl-31", role="load", family=False, sha256="0"))
    with pytest.raises(ManifestError, match="apl-31"):
        read_manifests(project, local)


def _mirror_with_a_truncated_archive(shared: Path, mirror: Path) -> str:
    """The real mirror, linked file by file, with one archive cut short; its dataset's name."""
    entry = next(
        e
        for e in read_manifest(REPO_ROOT / "data" / "geo" / "manifest.toml").values()
        if e.role == "load" and not e.optional and e.path.endswith(".gz")
    )
    for path in shared.rglob("*"):
        if path.is_file():
            (mirror / path.relative_to(shared)).parent.mkdir(parents=True, exist_ok=True)
            (mirror / path.relative_to(shared)).symlink_to(path)
    cut = mirror / entry.path
    whole = cut.read_bytes()
    cut.unlink()
    cut.write_bytes(whole[: len(whole) // 2])
    return entry.path


def test_a_corrupt_archive_is_a_refused_load_on_the_cli_and_the_api(
    env: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = _mirror_with_a_truncated_archive(shared_data, env / "mirror")
    monkeypatch.setenv("ZONAGE_ALLOW_DOWNLOAD", "false")
    monkeypatch.setenv("COLUMNS", "400")
    result = runner.invoke(cli, ["data", "load", "--from", str(env / "mirror")])
    output = " ".join(result.output.split())
    assert result.exit_code == 2, output
    assert "Chargement refusé" in output and "archive illisible ou tronquée" in output
    assert broken in output
    settings = Settings(
        database_url=f"sqlite:///{env / 'z.sqlite'}",
        data_mirror=env / "mirror",
        allow_download=False,
        admin_token="un-jeton-assez-long",
        _env_file=None,
    )
    with TestClient(create_app(settings)) as client:
        response = client.post(
            "/api/v1/admin/reload", headers={"Authorization": "Bearer un-jeton-assez-long"}
        )
    assert response.status_code == 422 and response.json()["code"] == "load-refused"
    assert "archive illisible ou tronquée" in response.json()["detail"]


def test_serve_runs_uvicorn_with_its_limits(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran: dict[str, object] = {}
    monkeypatch.setattr("app.cli._served", lambda engine: True)
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: ran.update(kwargs))
    monkeypatch.setenv("ZONAGE_LIMIT_CONCURRENCY", "300")
    result = runner.invoke(cli, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert ran["limit_concurrency"] == 300 and ran["timeout_keep_alive"] == 5
    assert ran["port"] == 8123


def _one_french_line(result) -> str:
    """A user's mistake: exit 2, one line, no traceback and no English from the libraries."""
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Erreur : "), result.output
    assert "Traceback" not in result.output and "pydantic" not in result.output
    return lines[0]


def test_serve_on_a_busy_port_says_so_before_loading(env: Path, monkeypatch) -> None:
    """uvicorn said it in English after the load, then the process died of a segmentation
    fault; the port is now tried first."""
    import socket

    monkeypatch.setenv("ZONAGE_DATA_DIR", str(env / "data"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(cli, ["serve", "--host", "127.0.0.1", "--port", str(port)])
    line = _one_french_line(result)
    assert f"le port {port} de 127.0.0.1 est déjà pris" in line
    assert not (env / "z.sqlite").exists()  # refused before the database is touched


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["export", "nulle-part/communes.csv"], "dossier introuvable : nulle-part"),
        (["export", "communes.txt"], "extension .geojson, .parquet ou .csv attendue"),
        (["db", "upgrade", "nope"], "Révision inconnue : « nope »"),
        (
            ["aids", "simulate", "--as-of", "01/12/2025", "--zone-class", "ZIP", "--profile"],
            "--as-of : Date attendue (aaaa-mm-jj)",
        ),
        (["aids", "simulate", "--as-of", "2025-12-01", "--profile"], "--insee"),
    ],
    ids=["dossier absent", "extension", "révision", "date", "lieu"],
)
def test_cli_mistakes_get_one_french_line(env: Path, args: list[str], says: str) -> None:
    if args[-1] == "--profile":
        profile = env / "profil.json"
        profile.write_text('{"age": 34, "sector": "1"}', encoding="utf-8")
        args = [*args, str(profile)]
    monkeypatch_cwd = Path.cwd()
    try:
        import os

        os.chdir(env)
        line = _one_french_line(runner.invoke(cli, args))
    finally:
        os.chdir(monkeypatch_cwd)
    assert says in line


def test_usage_errors_are_french() -> None:
    """Typer and the Click it vendors write these in English f-strings: they are translated
    where Typer prints them."""
    said = {
        ("exporte",): "Erreur : Commande inconnue : « exporte ». Vouliez-vous dire 'export' ?",
        ("export",): "Erreur : Argument manquant : « output ».",
        ("export", "a", "b"): "Erreur : Argument en trop : « b ».",
        ("serve", "--port", "huit"): "Valeur invalide pour « --port » : entier attendu.",
        ("serve", "--nope"): "Erreur : Option inconnue : « --nope ».",
        ("geocode", "check", "--sample", "0"): "« --sample » : valeur minimale : 1.",
    }
    for args, line in said.items():
        result = runner.invoke(cli, list(args), env={"COLUMNS": "300"})
        assert result.exit_code == 2 and line in result.output, result.output
        for english in ("No such", "Missing", "Invalid value", "Input should", "Got unexpected"):
            assert english not in result.output


def simulate_on_cli(folder: Path, profile: str, *place: str) -> object:
    """``zonage aids simulate`` on a profile written to ``folder``, wide enough not to wrap."""
    written = folder / "profil.json"
    written.write_text(profile, encoding="utf-8")
    return CliRunner().invoke(
        cli,
        ["aids", "simulate", *place, "--profile", str(written)],
        env={"COLUMNS": "240"},
    )


def test_the_simulation_prints_amounts_as_a_french_reader_writes_them(env: Path) -> None:
    result = simulate_on_cli(
        env,
        '{"age": 34, "sector": "1", "first_installation": true, "installation_date": '
        '"2025-09-01", "days_per_week": "4", "coordinated_practice": true, "pdsa": true}',
        *("--zone-class", "ZIP", "--as-of", "2025-12-01"),
    )
    assert result.exit_code == 0, result.output
    assert "50\u202f000,00\u202f€" in result.output and "Total des aides dues" in result.output
    assert not re.search(r"\b\d{4,}\.\d\d\b", result.output)  # no 50000.00
    assert "CAIM" in result.output and "AIDES_LOCALES" not in result.output
