"""What people read holds no internal word: no aid code, dataset or manifest name, request
field or developer's aside, on the page, in the command line's output or in a problem."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from app.aids import rules
from app.aids.schemas import PlaceIn, ProfileIn, SimulationRequest
from app.datasets.manifest import read_manifest
from app.settings import Settings
from tests.test_cli import simulate_on_cli

pytestmark = pytest.mark.realdata
FIELDS = {
    name
    for model in (ProfileIn, PlaceIn, SimulationRequest)
    for name in model.model_fields
    if "_" in name
}
CODES = {code for code in rules.AIDS if "_" in code}  # CAIM, CESP…: acronyms of the texts
DATASETS = {name for name in read_manifest(Settings(_env_file=None).manifest_path) if "-" in name}
ASIDES = ("manifeste", "jeu optionnel", "FRR non chargée", "n'a pas été lu", "a_completer", "None")
JOURNEYS = {
    "Guéret, une commune": {"insee": "23096"},
    "une adresse dont seule la commune est connue": {"q": "10 rue de Metz Toulouse"},
    "un remplaçant à Saint-Flour": {
        "insee": "15187",
        "age": "30",
        "situation": "remplacant",
        "ordre_registration": "2026-06-01",
        "as_of": "2026-12-01",
    },
    "une installation à L'Argentière en 2025": {
        "insee": "05006",
        "age": "34",
        "first_installation": "1",
        "installation_date": "2025-09-01",
        "days_per_week": "4",
        "pdsa": "1",
        "as_of": "2025-12-01",
    },
    "une étudiante": {
        "insee": "05061",
        "age": "23",
        "situation": "etudiant",
        "as_of": "2026-12-01",
    },
    "une ZIP+ hors d'Île-de-France": {
        "insee": "05006",
        "age": "34",
        "ars_majoration": "1",
        "as_of": "2025-12-01",
    },
}


def visible(page: str) -> str:
    """The text a reader sees: no script, style, tag or attribute."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def internal_words(text: str) -> list[str]:
    found = [w for w in CODES | FIELDS | DATASETS if re.search(rf"(?<![\w/.-]){w}(?![\w-])", text)]
    return found + [aside for aside in ASIDES if aside in text]


@pytest.mark.parametrize("query", list(JOURNEYS.values()), ids=list(JOURNEYS))
def test_the_page_speaks_to_a_doctor(client: TestClient, query: dict[str, str]) -> None:
    page = client.get("/", params=query)
    assert page.status_code == (422 if "ars_majoration" in query else 200)
    text = visible(page.text)
    assert internal_words(text) == []
    assert text.count("source non officielle") + text.count("Source non officielle") <= 1
    assert "art. 151 ter, art. 151 ter" not in " ".join(text.replace(" ,", ",").split())


def test_an_address_found_only_as_its_commune_says_so(client: TestClient) -> None:
    text = " ".join(visible(client.get("/", params={"q": "10 rue de Metz Toulouse"}).text).split())
    assert "Commune trouvée : Toulouse (31) — l'adresse elle-même n'a pas été localisée" in text
    assert "Adresse trouvée" not in text
    gap = " ".join(visible(client.get("/", params={"q": "12 avenue Jean Jaurès Gap"}).text).split())
    assert "Adresse trouvée : 12 Avenue Jean Jaurès 05000 Gap" in gap


def test_the_total_never_contradicts_its_lines(client: TestClient) -> None:
    text = " ".join(
        visible(client.get("/", params=JOURNEYS["un remplaçant à Saint-Flour"]).text).split()
    )
    assert "aucune aide chiffrée n'est due avec ce profil" in text
    assert "À vérifier, non comptées dans ce total : Contrat de début d'exercice" in text
    assert "Centre-Val de Loire" not in text and "barème de l'ARS Auvergne-Rhône-Alpes" in text


def test_problems_speak_to_a_reader(client: TestClient) -> None:
    refused = client.post(
        "/api/v1/aids/simulations",
        json={
            "place": {"insee": "05006"},
            "as_of": "2025-12-01",
            "profile": {"age": 34, "sector": "1", "ars_majoration": True},
        },
    ).json()
    assert refused["status"] == 422 and internal_words(refused["detail"]) == []
    assert "Île-de-France" in refused["detail"]


def test_the_command_line_speaks_to_a_doctor(loaded, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ZONAGE_DATABASE_URL", loaded[0])
    result = simulate_on_cli(
        tmp_path,
        '{"age": 30, "sector": "1", "situation": "remplacant", "ordre_registration": "2026-06-01"}',
        *("--insee", "15187", "--as-of", "2026-12-01"),
    )
    assert result.exit_code == 0, result.output
    assert internal_words(result.output) == []
    assert "à vérifier" in result.output and "Total des aides dues : 0,00" in result.output
