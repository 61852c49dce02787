"""Files an operator might pin, or an attacker hand to one: each is refused whole with one French
line (exit 2), in bounded memory, or pins as the load will read it — never a traceback, never a
file that pins and then breaks every load."""

from __future__ import annotations

import gzip
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app import migrate
from app.cli import cli, shown
from app.datasets.fetch import DataFileError
from app.datasets.pin import PIN_MAX_BYTES, RPPS_MAX_LINE, pin_ban
from app.datasets.snapshot import load
from app.db import make_engine
from app.settings import Settings
from app.sources.ban import parse_ban
from app.sources.common import MAX_FIELD
from tests.builders import (
    BAN_HEADER,
    FRR_HEADER,
    ban_file,
    frr_list,
    official_row,
    official_table,
    rpps_extract,
    rpps_row,
    tiny_mirror,
)

runner = CliRunner()
TODAY = date(2026, 12, 3)
TABLE = official_table(official_row("05061", "2_ZAC"), official_row("05006", "1_ZIP"))


@pytest.fixture
def pin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """``zonage data <command> FILE`` on ``content``: its exit code and what it printed."""
    monkeypatch.setenv("ZONAGE_DATA_DIR", str(tmp_path / "data"))

    def run(command: str, content: bytes, name: str = "fichier.csv") -> tuple[int, str]:
        source = tmp_path / name
        source.write_bytes(content)
        result = runner.invoke(cli, ["data", command, str(source)])
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        assert "Traceback" not in result.output
        return result.exit_code, result.output

    return run


def _refused(outcome: tuple[int, str], words: str) -> None:
    code, output = outcome
    assert code == 2 and words in " ".join(output.split()), output
    assert not Settings().local_manifest_path.exists()  # nothing pinned


def test_a_bomb_is_refused_past_the_pin_s_bound(pin) -> None:
    """An FRR list of 1 GiB of zeros once unpacked (1 MB packed): read up to 64 MB, no more."""
    bomb = gzip.compress(FRR_HEADER.encode() + b"\r\n" + b"0" * (PIN_MAX_BYTES["frr-communes"] + 1))
    _refused(pin("frr", bomb, "liste.csv.gz"), "plus de 64 Mo une fois décompressé")


def test_an_rpps_line_longer_than_an_extract_s_is_refused(pin) -> None:
    extract = rpps_extract(rpps_row("2001", "05061")) + b"x" * (RPPS_MAX_LINE + 10)
    _refused(
        pin("rpps", extract, "PS_LibreAcces_Personne_activite_202504040839.txt"),
        f"une ligne dépasse {RPPS_MAX_LINE} octets",
    )


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (TABLE.replace(b"Commune 05061", b"Commune \x81"), "pas en UTF-8 (octet 0x81"),
        ("é".encode("cp1252").join(TABLE.split(b"Commune")), "pas en UTF-8 (octet 0xe9"),
        (TABLE.replace(b"Commune 05061", b"C" * (MAX_FIELD + 1)), "un champ dépasse"),
    ],
    ids=["byte 0x81", "cp1252", "131 k field"],
)
def test_a_table_that_is_not_the_official_format_is_refused(pin, content, words) -> None:
    _refused(pin("zonage", content), words)


def test_a_short_row_and_cr_only_lines_pin_and_read_as_the_load_reads_them(pin) -> None:
    lines = TABLE.decode().splitlines()
    short = ",".join(lines[1].split(",")[:20])  # ends before zmed_niveau
    content = "\r".join([lines[0], lines[2], short, ""]).encode()
    code, output = pin("zonage", content)
    assert code == 0, output
    assert "3 lignes" not in output and "2 lignes" in " ".join(output.split())


def test_an_impossible_date_in_the_frr_heading_is_refused(pin) -> None:
    wrong = frr_list(("05001", "FRR socle"), header=FRR_HEADER.replace("10 juillet", "31 février"))
    _refused(pin("frr", wrong), "date du classement introuvable")


def test_markup_and_terminal_escapes_in_a_column_are_written_out_never_run(pin) -> None:
    """The FRR list's refusal names the columns it read: as they are, inert."""
    _refused(pin("frr", b"Code_insee;[/red]Statut[red]\n05001;x\n"), "[/red]Statut[red]")
    code, output = pin("frr", b"Code_insee;\x1b[31mStatut\x1b]0;pwned\x07\n05001;x\n")
    assert code == 2 and "\x1b" not in output and "\x07" not in output
    assert "\\x1b[31mStatut" in output
    assert shown("[/red]\x07") == "\\[/red]\\x07"


def test_a_ban_row_without_a_finite_position_is_left_out_not_loaded() -> None:
    rows = (("1", "Rue A", "05200", "05002", "Bourg", 6.1, 44.5),)
    content = ban_file(*rows).replace(b"6.1;44.5", b"nan;44.5") + ban_file(*rows).split(b"\n", 1)[1]
    content += b"2;;;Rue B;05200;05002;Bourg;;;;;inf;1e999;;;;;;;;;;\n"
    skipped: Counter[str] = Counter()
    kept = list(parse_ban([content], None, skipped))
    assert [(r["lon"], r["lat"]) for r in kept] == [(6.1, 44.5)]
    assert skipped == {"adresse sans position valide": 2}
    assert BAN_HEADER.startswith("id;")


def test_a_file_the_base_refuses_is_a_refused_load(tmp_path: Path, manifest) -> None:
    """Two addresses with one identifier pass the parser; the base refuses the second: the load
    is refused in French and the served data stays."""
    entries = tiny_mirror(tmp_path / "mirror", manifest)
    twice = ban_file(("3", "Rue du Four", "05200", "05002", "Bourg", 6.151, 44.551))
    twice += twice.split(b"\n", 1)[1]
    from datetime import date

    entries["ban-05"] = pin_ban(
        "05", twice, "x.csv", manifest["ban"], tmp_path / "pins", date(2026, 12, 3)
    )
    engine = make_engine(f"sqlite:///{tmp_path / 'z.sqlite'}")
    migrate.upgrade(engine)
    with pytest.raises(DataFileError, match="refusée par la base .*table address"):
        load(engine, entries, tmp_path / "mirror", tmp_path / "downloads")
