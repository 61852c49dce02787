"""Is the class still current, and what did the last arrêté change: the declared arrêtés, the
official table's vintages, the card, the simulation and the région's changes."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from app.datasets.manifest import DatasetEntry
from app.datasets.pin import pin_official_zonage
from app.zones import arretes
from tests.builders import official_row, official_table
from tests.conftest import BACKENDS, tiny_with

PACA = "Provence-Alpes-Côte d'Azur"
TVS = ("05061", "Gap")
# two vintages of the official table for the tiny snapshot's communes (PACA): the arrêté of
# 5 January 2026 moved Aval from ZAC to ZIP and Bourg from ZAC out of the zonage, kept Cime
VINTAGES = (
    official_table(
        official_row("05001", "2_ZAC", "12/03/2022", TVS, PACA, updated="15/07/2024"),
        official_row("05002", "2_ZAC", "12/03/2022", TVS, PACA, updated="15/07/2024"),
        official_row("04001", "3_HZ", "12/03/2022", ("04070", "Digne"), PACA, updated="15/07/2024"),
    ),
    official_table(
        official_row("05001", "1_ZIP", "05/01/2026", TVS, PACA),
        official_row("05002", "3_HZ", "05/01/2026", TVS, PACA),
        official_row("04001", "3_HZ", "05/01/2026", ("04070", "Digne"), PACA),
    ),
)


@pytest.fixture(scope="module", params=BACKENDS)
def vintaged(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    manifest: dict[str, DatasetEntry],
) -> Iterator[TestClient]:
    """The tiny snapshot with both vintages pinned, as an operator pins each one."""
    store = tmp_path_factory.mktemp("pins")
    pins = [
        pin_official_zonage(content, f"v{n}.csv", manifest["zonage-officiel"], store)
        for n, content in enumerate(VINTAGES)
    ]
    yield from tiny_with(request, tmp_path_factory, manifest, pins)


def test_the_declared_arretes_flag_an_older_class_and_only_it() -> None:
    copy, on = date(2025, 6, 9), date(2026, 12, 3)
    # Occitanie: the official rows of 30/10/2025 are its latest arrêté
    assert arretes.doubt("76", date(2025, 10, 30), date(2026, 7, 30), on) is None
    # Nouvelle-Aquitaine: a class from the copy of June 2025 predates the arrêté of 30/12/2025
    found = arretes.doubt("75", None, copy, on)
    assert found is not None and found.arrete is arretes.ARRETES["75"]
    assert found.reason.startswith(
        "L'ARS Nouvelle-Aquitaine a arrêté un nouveau zonage le 30/12/2025 ; la classe "
        "affichée vient d'une source antérieure : vérifiez-la sur sa page"
    )
    assert found.words.endswith(": " + arretes.ARRETES["75"].page)
    # …but not on a day before that arrêté
    assert arretes.doubt("75", None, copy, date(2025, 12, 1)) is None
    # a région without a known newer arrêté, or one without a date, flags nothing
    assert arretes.doubt("53", None, copy, on) is None
    assert arretes.doubt("11", None, copy, on) is None
    # Martinique's zonage of 17/10/2023 was valid two years at most
    expired = arretes.doubt("02", date(2023, 10, 17), date(2026, 7, 30), on)
    assert expired is not None and "valable que jusqu'au 17/10/2025" in expired.reason
    assert arretes.doubt("02", date(2023, 10, 17), date(2026, 7, 30), date(2025, 1, 1)) is None
    # a class decided after the day simulated was not in force that day
    later = arretes.doubt("76", date(2025, 10, 30), date(2026, 7, 30), date(2025, 6, 1))
    assert later is not None and "postérieur au 01/06/2025" in later.reason


def test_every_region_of_the_declared_table_exists_and_dates_what_it_says() -> None:
    for code, arrete in arretes.ARRETES.items():
        assert code == arrete.region and arrete.page.startswith("https://")
        assert arrete.confidence in ("élevée", "moyenne", "faible")
        for day in (arrete.decided_on, arrete.in_force):
            assert day is None or day == arrete.dated


def test_the_card_says_since_when_and_the_class_before(vintaged: TestClient) -> None:
    zone = vintaged.get("/api/v1/communes/05001").json()["zone"]
    assert (zone["zone_class"], zone["decided_on"], zone["since"]) == (
        "ZIP",
        "2026-01-05",
        "2026-01-05",
    )
    assert zone["previous"] == {"zone_class": "ZAC", "decided_on": "2022-03-12"}
    assert zone["known_on"] == "2026-07-30" and zone["doubt"] is None  # PACA's latest arrêté
    assert zone["provenance"]["dataset"] == "zonage-officiel-20260730"
    cime = vintaged.get("/api/v1/communes/04001").json()["zone"]
    assert (cime["since"], cime["previous"]) == ("2022-03-12", None)  # hors zonage in both


def test_the_page_shows_since_when_and_the_class_before(vintaged: TestClient) -> None:
    page = vintaged.get("/?insee=05001").text
    assert 'id="zone-since">ZIP depuis le 5 janvier 2026 (avant : ZAC, arrêté du 12 mars 2022)' in (
        page
    )
    assert 'id="zone-doubt"' not in page


def test_a_regions_changes_at_its_last_arrete(vintaged: TestClient) -> None:
    answer = vintaged.get("/api/v1/regions/93/zonage-changes?as_of=2026-03-01")
    assert answer.status_code == 200, answer.text
    changes = answer.json()
    assert changes["last_arrete"] == "2026-01-05" and changes["compared"] is True
    assert [v["dataset"] for v in changes["vintages"]] == [
        "zonage-officiel-20260730",
        "zonage-officiel-20240715",
    ]
    assert [
        (c["insee"], c["before"], c["after"], c["population"]) for c in changes["communes"]
    ] == [
        ("05002", "ZAC", "hors zonage", 9000),
        ("05001", "ZAC", "ZIP", 1000),
    ]
    assert [
        (t["tvs"]["code"], t["before"], t["after"], t["communes"]) for t in changes["territories"]
    ] == [
        ("05061", "ZAC", "hors zonage", 1),
        ("05061", "ZAC", "ZIP", 1),
    ]
    stakes = {(s["before"], s["after"]): s for s in changes["aids"]}
    left = stakes[("ZAC", "hors zonage")]
    assert "PRIMO_ZAC" in [a["code"] for a in left["lost"]] and left["gained"] == []
    assert "n'est pas repris" in left["kept"] or "ne reprend pas" in left["kept"]
    entered = stakes[("ZAC", "ZIP")]
    assert "PRIMO_ZIP" in [a["code"] for a in entered["gained"]]
    assert changes["latest_known"]["authority"] == "ARS Provence-Alpes-Côte d'Azur"


def test_changes_need_two_vintages_and_a_region(tiny_client: TestClient) -> None:
    changes = tiny_client.get("/api/v1/regions/93/zonage-changes").json()
    assert changes["compared"] is False and changes["communes"] == []
    assert changes["note"].startswith("Un seul millésime de la table officielle est épinglé")
    missing = tiny_client.get("/api/v1/regions/99/zonage-changes")
    assert missing.status_code == 404 and "Aucune région" in missing.json()["detail"]
    assert tiny_client.get("/api/v1/regions/9a/zonage-changes").status_code == 422


def test_a_class_from_the_older_copy_is_to_check_from_the_new_arrete(
    tiny_client: TestClient,
) -> None:
    """The tiny snapshot's official table does not hold Cime, whose class comes from the
    unofficial copy (June 2025); PACA re-zoned on 5 January 2026: the card says so, and the
    aids that read the class are to check."""
    zone = tiny_client.get("/api/v1/communes/04001").json()["zone"]
    assert zone["doubt"]["arrete"]["decided_on"] == "2026-01-05"
    assert zone["known_on"] == "2025-06-09"

    def simulate(as_of: str) -> dict:
        return tiny_client.post(
            "/api/v1/aids/simulations",
            json={
                "place": {"insee": "04001"},
                "as_of": as_of,
                "profile": {
                    "age": 32,
                    "sector": "1",
                    "first_installation": True,
                    "installation_date": as_of,
                    "days_per_week": "4",
                    "pdsa": True,
                },
            },
        ).json()

    before, after = simulate("2025-12-01"), simulate("2026-03-01")
    assert before["place"]["zone_doubt"] is None
    assert after["place"]["zone_doubt"].startswith("L'ARS Provence-Alpes-Côte d'Azur a arrêté")
    primo = next(line for line in after["lines"] if line["code"] == "PRIMO_ZIP")
    assert primo["eligible"] is None and after["place"]["zone_doubt"] in primo["to_check"]
    page = html.unescape(tiny_client.get("/?insee=04001").text)
    assert 'id="zone-doubt"' in page and "arrêté un nouveau zonage le 05/01/2026" in page


def test_the_page_has_a_panel_of_the_regions_changes(vintaged: TestClient) -> None:
    page = vintaged.get("/?insee=05001&changes=1&as_of=2026-03-01")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert 'id="t-changements"' in text and "Ce qui a changé : Provence-Alpes-Côte d'Azur" in text
    assert "<strong>2</strong> communes entrées en ZIP ou en ZAC, ou sorties" in text
    assert "De ZAC en ZIP : " in text and "garde ce qu'il a signé ou reçu" in text
    assert 'href="/?insee=05002' in text  # Bourg, to its card
    assert "changes=1" in vintaged.get("/?insee=05001").text  # the link to the panel


def test_on_the_real_data_occitanies_official_rows_are_current_the_copy_is_not(
    client: TestClient,
) -> None:
    """Fabrezan: the official row of 30/10/2025, Occitanie's latest arrêté; Guéret: the
    unofficial copy of June 2025, older than Nouvelle-Aquitaine's arrêté of 30/12/2025."""
    fabrezan = client.get("/api/v1/communes/11132").json()["zone"]
    assert fabrezan["decided_on"] == "2025-10-30" and fabrezan["doubt"] is None
    gueret = client.get("/api/v1/communes/23096").json()["zone"]
    assert gueret["provenance"]["official"] is False
    assert gueret["doubt"]["reason"] == (
        "L'ARS Nouvelle-Aquitaine a arrêté un nouveau zonage le 30/12/2025 ; la classe "
        "affichée vient d'une source antérieure : vérifiez-la sur sa page"
    )
