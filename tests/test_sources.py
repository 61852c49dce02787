"""The source registry, and every source's tables and card figures on the tiny snapshot."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app import sources
from app.datasets.manifest import DatasetEntry
from app.datasets.snapshot import TABLES
from app.sources import ban
from app.zones.keyfigures import COMPARED


def test_every_loaded_dataset_belongs_to_one_source(manifest: dict[str, DatasetEntry]) -> None:
    claimed = [name for source in sources.SOURCES for name in source.DATASETS]
    assert len(claimed) == len(set(claimed))
    loaded = {
        name for name, e in manifest.items() if e.role == "load" and not name.startswith(ban.PREFIX)
    }
    pins = {name for name, e in manifest.items() if e.role == "pin"}
    assert loaded <= set(claimed) <= loaded | pins


def test_every_table_of_the_registry_has_a_model() -> None:
    assert list(TABLES) == list(sources.TABLES)
    assert len(TABLES) == len(set(sources.TABLES)) == 15


def _figures(client: TestClient, insee: str) -> dict[str, dict]:
    response = client.get(f"/api/v1/communes/{insee}")
    assert response.status_code == 200, response.text
    return {f["key"]: f for f in response.json()["figures"]}


def _values(figure: dict) -> tuple[object, ...]:
    refs = figure["references"]
    return figure["value"], refs["departement"], refs["region"], refs["france"]


def test_every_declared_figure_of_the_tiny_snapshot(tiny_client: TestClient) -> None:
    """Bourg (05002) absorbed 05004: its APL is the mean of both weighted by standardised
    population, its counts their sum, its emergency time their population-weighted mean."""
    figures = _figures(tiny_client, "05002")
    assert [k for k in figures if k not in COMPARED] == [
        "population",
        "share_65_plus",
        "share_75_plus",
        "gp_count",
        "msp_count",
        "cds_count",
        "cpts_count",
        "gp_rpps",
        "ald_share",
        "poverty_rate",
        "median_income",
        "patients_c2s_sans_medecin_traitant",
    ]
    assert _values(figures["apl_mg"]) == (3.6, 3.44, 3.514, 3.514)
    assert _values(figures["apl_mg_le65"]) == (3.28, 3.142, 3.221, 3.221)
    assert figures["apl_mg"]["provenance"]["dataset"] == "apl-mg"
    assert figures["apl_mg_le62"]["provenance"]["dataset"] == "apl-mg-2021"
    assert _values(figures["population"]) == (9000, 10000, 10500, 10500)
    assert figures["share_65_plus"]["value"] == 33.3
    assert figures["share_75_plus"]["value"] == 11.1
    assert _values(figures["gp_count"]) == (60, None, 100, 59939)
    assert figures["gp_density"]["value"] == 600.0
    # no FINESS+ feed: the presence of an MSP (FINESS) stands for the count
    assert figures["msp_count"]["unit"] == "présence (1 = oui)"
    assert _values(figures["msp_count"]) == (1, 1, 1, 1)
    assert figures["cds_count"]["status"] == "non disponible"
    assert "FINESS+" in figures["cds_count"]["reason"]
    assert "gp_practising" not in figures and "apl_rpps" not in figures  # no RPPS extract
    assert _values(figures["gp_rpps"]) == (10, 11, 11, 11)
    assert _values(figures["emergency_minutes"]) == (1.3, 3.7, 5.5, 5.5)
    assert figures["ald_share"]["scope"] == "bassin de vie"
    assert _values(figures["ald_share"]) == (21.5, 21.5, 21.5, 21.5)  # B04 is secret
    assert _values(figures["gp_density_liberal"]) == (9.8, 9.8, 9.6, 9.6)
    assert _values(figures["median_income"]) == (22140, 22140, 22062, 22062)
    assert figures["patients_c2s_sans_medecin_traitant"]["status"] == "non disponible"
    assert all(f["provenance"] for k, f in figures.items() if f["status"] == "disponible")


def test_the_tiny_card_zone_history_and_address(tiny_client: TestClient) -> None:
    card = tiny_client.get("/api/v1/communes/05002").json()
    assert (card["zone"]["zone_class"], card["zone"]["zrr"]) == ("ZAC", "non classée")
    assert [(p["year"], p["value"]) for p in card["apl"]["history"]] == [
        (2015, 3.0),
        (2016, 3.1),
        (2017, 3.2),
        (2018, 3.3),
        (2019, 3.4),
        (2021, 3.6),
        (2022, 3.1),
        (2023, 3.6),
    ]
    assert card["hospitals"][0]["city"] == "Bourg"
    aval = tiny_client.get("/api/v1/communes/05001").json()
    assert (aval["zone"]["zone_class"], aval["zone"]["zrr"]) == ("ZIP", "classée")
    frr = {c: tiny_client.get(f"/api/v1/communes/{c}").json()["zone"]["frr"]["status"]
           for c in ("05001", "05002", "04001")}  # fmt: skip
    assert frr == {"05001": "socle", "05002": "non classée", "04001": "plus"}
    found = tiny_client.get("/api/v1/zones/lookup", params={"address": "3 rue du Four Bourg"})
    assert found.json()["precision"] == "adresse"
    assert found.json()["commune"]["insee"] == "05002"


def test_the_comparison_derives_from_the_declarations(tiny_client: TestClient) -> None:
    extremes = tiny_client.get("/api/v1/compare", params=[("insee", "05001"), ("insee", "04001")])
    assert extremes.status_code == 200, extremes.text
    found = extremes.json()["extremes"]
    assert found["apl_mg"] == {"best": ["04001"], "worst": ["05001"]}
    assert found["emergency_minutes"] == {"best": ["05001"], "worst": ["04001"]}
    assert set(found) <= set(COMPARED)
