"""The mission de solidarité territoriale: the list of EPCI « zones rouges » pinned, matched by
name or SIREN, and the aid's line — « non vérifié » until the whole list is held."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.datasets.manifest import DatasetEntry, read_manifest, read_manifests
from app.datasets.pin import pin_zones_rouges
from app.settings import REPO_ROOT, Settings
from app.sources import zones_rouges
from app.sources.common import Build, Parsed, SourceFormatError
from app.sources.zones_rouges import Epci, Listed, match, read_zones_rouges, words
from tests.conftest import BACKENDS, SHARED_DATA, tiny_with

FIXTURE = SHARED_DATA / "zones-rouges-partial-2025" / "zones-rouges-partial.csv"
HEADER = "region;departement;epci_name;epci_siren_if_given"
runner = CliRunner()
TODAY = date(2026, 12, 3)


def test_a_press_name_matches_the_cogs_epci_on_its_words() -> None:
    assert words("Pays de l'Aigle") == words("CC des Pays de L'Aigle") - {"cc"}
    assert words("Cœur et coteaux du Comminges") == {"coeur", "coteaux", "comminge"}
    epcis = [
        Epci("200000001", "CC du Sud", frozenset({"la reunion"}), frozenset({"la reunion"})),
        Epci("200000002", "CA du Sud", frozenset({"la reunion"}), frozenset({"la reunion"})),
        Epci("200000003", "CC des Pays de L'Aigle", frozenset({"normandie"}), frozenset({"orne"})),
        Epci("200000004", "CA du Grand Nord de Mayotte", frozenset({"mayotte"}), frozenset()),
        Epci("200000005", "CC de la Montagne Noire", frozenset({"occitanie"}), frozenset()),
        Epci("200000006", "CC de la Montagne Noire", frozenset({"grand est"}), frozenset()),
    ]
    found, unmatched = match(
        [
            Listed("CC du Sud", None, "La Réunion", None),  # its legal form tells it apart
            Listed("Pays de l'Aigle", None, "Normandie", "Orne"),
            Listed("Grand nord", None, "Mayotte", None),  # a part of its name
            Listed("Montagne noire", None, "Occitanie", None),  # the région tells them apart
            Listed("Nulle part", None, None, None),
            Listed("Sans nom", "200000002", None, None),  # a SIREN wins
        ],
        epcis,
    )
    assert found == {"200000001", "200000002", "200000003", "200000004", "200000005"}
    assert unmatched == ["Nulle part"]


def test_a_list_without_a_name_or_siren_column_or_without_rows_is_refused() -> None:
    with pytest.raises(SourceFormatError, match="ni colonne de nom"):
        read_zones_rouges(b"code;libelle\n1;x\n")
    with pytest.raises(SourceFormatError, match="aucun EPCI"):
        read_zones_rouges(f"{HEADER}\n".encode())


def test_the_partial_list_matches_the_cog_2026() -> None:
    """The 38 EPCI of the fixture against the real COG: 37 by their words; the last named,
    never guessed."""
    if not FIXTURE.is_file():
        pytest.skip("données partagées absentes")
    listed = read_zones_rouges(FIXTURE.read_bytes())
    entries = read_manifest(REPO_ROOT / "data" / "geo" / "manifest.toml")
    raw = json.loads(gzip.decompress((SHARED_DATA / entries["epci"].path).read_bytes()))
    epcis = [Epci(e["code"], e["nom"], frozenset(), frozenset()) for e in raw]
    found, unmatched = match([Listed(i.name, i.siren, None, None) for i in listed], epcis)
    assert len(listed) == 38 and len(found) + len(unmatched) == 38
    assert len(found) == 37
    assert "Communauté de communes des sept Vallées" in unmatched  # « des 7 Vallées »


def test_the_cli_pins_the_list_and_says_it_is_partial(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ZONAGE_DATA_DIR", str(tmp_path / "data"))
    source = tmp_path / "zones.csv"
    source.write_text(f"{HEADER}\nProvence-Alpes-Côte d'Azur;;CC du Bourg;\n", encoding="utf-8")
    result = runner.invoke(cli, ["data", "zones-rouges", str(source)])
    assert result.exit_code == 0, result.output
    settings = Settings()
    entry = read_manifests(settings.manifest_path, settings.local_manifest_path)["zones-rouges"]
    assert entry.role == "load" and "liste partielle (1 sur 151)" in entry.vintage
    source.write_text("code;libelle\n1;x\n", encoding="utf-8")
    refused = runner.invoke(cli, ["data", "zones-rouges", str(source)])
    assert refused.exit_code == 2 and "ni colonne de nom" in refused.output


@pytest.fixture(scope="module", params=BACKENDS)
def client(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    manifest: dict[str, DatasetEntry],
) -> Iterator[TestClient]:
    """The tiny snapshot with a list naming the EPCI of Bourg (its only EPCI)."""
    listed = f"{HEADER}\nProvence-Alpes-Côte d'Azur;Hautes-Alpes;Bourg;\n".encode()
    store = tmp_path_factory.mktemp("pins")
    pin = pin_zones_rouges(listed, "liste.csv", manifest["zones-rouges"], store, TODAY)
    yield from tiny_with(request, tmp_path_factory, manifest, [pin])


def _mission(client: TestClient, insee: str, situation: str = "installe") -> dict:
    answer = client.post(
        "/api/v1/aids/simulations",
        json={
            "place": {"insee": insee},
            "as_of": "2026-03-01",
            "profile": {"age": 45, "situation": situation, "sector": "1"},
        },
    ).json()
    return next((x for x in answer["lines"] if x["code"] == "MISSION_SOLIDARITE"), {})


def test_the_mission_is_due_in_a_listed_epci_and_to_check_elsewhere(client: TestClient) -> None:
    assert client.get("/api/v1/communes/05002").json()["zone"]["zone_rouge"] is True
    assert client.get("/api/v1/communes/05001").json()["zone"]["zone_rouge"] is None
    due = _mission(client, "05002")
    assert due["eligible"] is True and due["total"] is None  # never in the total
    assert due["confidence"] == "moyenne" and any("aucun texte" in n for n in due["notes"])
    partial = _mission(client, "05001")  # a partial list: not known to be outside
    assert partial["eligible"] is None and "non vérifié" in partial["to_check"][0]
    assert _mission(client, "05002", "etudiant") == {}  # for installed doctors


def test_once_the_whole_list_is_held_an_epci_it_does_not_name_is_outside(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(zones_rouges, "LIST_SIZE", 1)
    build = Build({"zones-rouges": f"{HEADER}\n;;CC du Bourg;\n".encode()}, {}, "2026-12-03")
    build.tables["region"] = Parsed([{"code": "93", "name": "PACA"}])
    build.tables["departement"] = Parsed([{"code": "05", "name": "Hautes-Alpes"}])
    row = {"region": "93", "departement": "05", "parent_insee": None}
    build.communes = Parsed(
        [
            {**row, "insee": "05002", "epci_siren": "200000001", "epci_name": "CC du Bourg"},
            {**row, "insee": "05001", "epci_siren": "200000009", "epci_name": "CC d'Aval"},
            {
                **row,
                "insee": "05100",
                "epci_siren": None,
                "epci_name": None,
                "parent_insee": "05002",
            },
        ]
    )
    zones_rouges.parse(build)
    assert [r["zone_rouge"] for r in build.communes.rows] == [True, False, True]
