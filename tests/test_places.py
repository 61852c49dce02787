"""Où s'installer : places within reach ranked by what a profile would get there. On the tiny
snapshot, whose distances, classes and aids are known, every rank and total is asserted; on the
national data, Guéret's reach is checked against the travel model commune by commune."""

from __future__ import annotations

import html
import math
import re

import pytest
from fastapi.testclient import TestClient

from app.places.router import EXAMPLE

PROBLEM = "application/problem+json"
SEARCH = "/api/v1/places/search"
# first installation in 2026: PRIMO_ZIP (10 000 €) in a ZIP, PRIMO_ZAC (5 000 €) in a ZAC
SETTLING = EXAMPLE["profile"]
# The tiny snapshot's town halls lie on 44.55° N, 0.1° of longitude apart: 7.93 km, so
# 8.17 + 0.841 × 7.93 = 14.8 minutes between neighbours and 21.5 minutes from Aval to Cime.
NEIGHBOURS, ACROSS = 14.8, 21.5


def _search(client: TestClient, **body: object):
    request = {"as_of": "2026-03-01", "profile": SETTLING} | body
    return client.post(SEARCH, json=request)


def _items(client: TestClient, **body: object) -> list[dict]:
    response = _search(client, **body)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_places_within_reach_by_class_then_aids_then_minutes(tiny_client: TestClient) -> None:
    near = _search(tiny_client, origin={"insee": "05001"}, minutes=15).json()
    assert [(i["insee"], i["minutes"]) for i in near["items"]] == [
        ("05001", 0.0),
        ("05002", NEIGHBOURS),
    ]
    assert near["matched"] == 2 and near["origin"]["name"] == "Aval"
    assert "8,17 min + 0,841 min par km" in near["travel"]
    every = _items(tiny_client, origin={"insee": "05001"}, minutes=25)
    assert [(i["insee"], i["zone_class"], i["aid_total_eur"], i["minutes"]) for i in every] == [
        ("05001", "ZIP", "10000.00", 0.0),
        ("05002", "ZAC", "5000.00", NEIGHBOURS),
        ("04001", "hors zonage", "0.00", ACROSS),
    ]
    aval = every[0]
    assert aval["aids"] == ["PRIMO_ZIP"] and aval["zone_status"] == "publié"
    assert aval["why"] == (
        "ZIP publiée (arrêté du 05/01/2026) ; votre commune ; 10\u202f000 € d'aides pour "
        "votre profil (aide à la "
        "première installation en ZIP) ; 0,9 médecin à temps plein y manque pour sortir de la "
        "ZIP."
    )
    # Bourg 0 minutes, Vieux (absorbed) 12, weighted by population as the card weights them
    assert every[1]["msp"] is True and every[1]["emergency_minutes"] == 1.3
    assert every[2]["frr"] == "plus" and every[2]["territory"]["code"] == "B04"


def test_each_total_and_class_is_the_simulation_s_and_the_card_s(tiny_client: TestClient) -> None:
    for item in _items(tiny_client, origin={"insee": "05002"}, minutes=30):
        simulated = tiny_client.post(
            "/api/v1/aids/simulations",
            json={"place": {"insee": item["insee"]}, "as_of": "2026-03-01", "profile": SETTLING},
        ).json()
        assert item["aid_total_eur"] == simulated["total"]
        assert item["to_check"] == simulated["to_check"]
        card = tiny_client.get(f"/api/v1/communes/{item['insee']}").json()
        assert (item["zone_class"], item["zone_status"]) == (
            card["zone"]["zone_class"],
            card["zone"]["status"],
        )
        shortage = card["shortage"]["targets"][0]["full_time_gps"] if card["shortage"] else None
        assert item["shortage_gps"] == shortage
        assert item["apl"] == card["apl"]["all_ages"]
        figures = {f["key"]: f["value"] for f in card["figures"]}
        assert item["emergency_minutes"] == figures["emergency_minutes"]
        assert item["gps"] == figures["gp_rpps"]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("minutes", ["05001", "05002", "04001"]),
        ("aid_total", ["05001", "05002", "04001"]),
        ("apl", ["05001", "05002", "04001"]),  # 2.0, 3.5, 5.0: the least served first
        ("population", ["05002", "05001", "04001"]),
    ],
)
def test_declared_orders(tiny_client: TestClient, sort: str, order: list[str]) -> None:
    items = _items(tiny_client, origin={"insee": "05001"}, minutes=25, sort=sort)
    assert [i["insee"] for i in items] == order


@pytest.mark.parametrize(
    ("filters", "kept"),
    [
        ({"zone_classes": ["ZAC", "hors zonage"]}, ["05002", "04001"]),
        ({"min_aid_total": "5000"}, ["05001", "05002"]),
        ({"msp": True}, ["05002"]),
        ({"max_emergency_minutes": 30}, ["05001", "05002"]),  # Cime: 40.5 minutes
        ({"min_population": 1000, "max_population": 5000}, ["05001"]),
        ({"frr": ["socle", "plus"]}, ["05001", "04001"]),
        ({"apl_falling": True}, []),  # APL 2019 → 2023: 2.0 → 2.0, 3.4 → 3.5, 5.0 → 5.0
    ],
)
def test_filters(tiny_client: TestClient, filters: dict, kept: list[str]) -> None:
    items = _items(tiny_client, origin={"insee": "05001"}, minutes=25, filters=filters)
    assert [i["insee"] for i in items] == kept


def test_an_area_a_page_and_an_address(tiny_client: TestClient) -> None:
    hautes_alpes = _search(tiny_client, area={"departement": "05"}).json()
    assert [(i["insee"], i["minutes"]) for i in hautes_alpes["items"]] == [
        ("05001", None),
        ("05002", None),
    ]
    second = _search(tiny_client, origin={"insee": "05001"}, minutes=25, limit=1, offset=1).json()
    assert second["matched"] == 3 and [i["insee"] for i in second["items"]] == ["05002"]
    from_address = _search(
        tiny_client, origin={"address": "3 rue du Four Bourg"}, minutes=15
    ).json()
    assert from_address["origin"]["insee"] == "05002"
    assert from_address["origin"]["precision"] == "adresse"
    assert {i["insee"] for i in from_address["items"]} == {"05001", "05002", "04001"}


def test_the_same_search_for_a_gis(tiny_client: TestClient) -> None:
    by_query = tiny_client.post(
        SEARCH + "?f=geojson",
        json={
            "origin": {"insee": "05001"},
            "minutes": 25,
            "as_of": "2026-03-01",
            "profile": SETTLING,
        },
    )
    by_accept = tiny_client.post(
        SEARCH,
        json={
            "origin": {"insee": "05001"},
            "minutes": 25,
            "as_of": "2026-03-01",
            "profile": SETTLING,
        },
        headers={"Accept": "application/geo+json"},
    )
    assert by_query.headers["content-type"] == "application/geo+json"
    assert by_query.content == by_accept.content
    collection = by_query.json()
    assert collection["type"] == "FeatureCollection" and collection["matched"] == 3
    first = collection["features"][0]
    assert first["id"] == "05001" and first["geometry"] == {
        "type": "Point",
        "coordinates": [6.05, 44.55],
    }
    assert first["properties"]["aid_total_eur"] == "10000.00"


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"minutes": 30}, 422, "origine"),
        ({"origin": {"insee": "05001"}, "minutes": 30, "area": {"region": "93"}}, 422, "l'un des"),
        ({"origin": {"insee": "05001"}}, 422, "minutes"),
        ({"origin": {"insee": "05001", "lat": 44.5, "lon": 6.0}, "minutes": 9}, 422, "origine"),
        ({"origin": {"insee": "99999"}, "minutes": 30}, 404, "99999"),
        ({"area": {"departement": "06"}}, 404, "Département inconnu"),
        ({"origin": {"insee": "05001"}, "minutes": 500}, 422, "minutes"),
        ({"origin": {"insee": "05001"}, "minutes": 30, "sort": "price"}, 422, "sort"),
        ({"origin": {"insee": "05001"}, "minutes": 30, "as_of": "2010-01-01"}, 422, "as_of"),
        (
            {"area": {"region": "93"}, "filters": {"min_population": 9, "max_population": 1}},
            422,
            "Population",
        ),
    ],
)
def test_bad_searches_are_french_problems(
    tiny_client: TestClient, body: dict, status: int, words: str
) -> None:
    response = _search(tiny_client, **body)
    assert response.status_code == status and response.headers["content-type"] == PROBLEM
    assert words in response.json()["detail"]


@pytest.mark.realdata
def test_gueret_at_30_minutes_holds_every_zip_commune_within_reach_and_none_beyond(
    client: TestClient,
) -> None:
    found = _search(
        client,
        origin={"insee": "23096"},
        minutes=30,
        filters={"zone_classes": ["ZIP"]},
        sort="minutes",
        limit=200,
    ).json()
    items = found["items"]
    assert found["matched"] == len(items) and items[0]["insee"] == "23096"
    assert all(i["minutes"] <= 30 and i["zone_class"] == "ZIP" for i in items)
    # the travel model by hand, over the ZIP communes of the Creuse and the départements around
    gueret = found["origin"]
    zip_communes, reached = set(), set()
    for departement in ("23", "03", "18", "19", "36", "87"):
        layer = client.get("/api/v1/zones.geojson", params={"departement": departement}).json()
        for feature in layer["features"]:
            if feature["properties"]["zone_class"] != "ZIP":
                continue
            insee = feature["properties"]["insee"]
            zip_communes.add(insee)
            corner = _first_point(feature["geometry"]["coordinates"])
            if _great_circle(gueret["lon"], gueret["lat"], *corner) > 45:
                continue  # a commune is less than 20 km across: far beyond 30 minutes
            card = client.get(f"/api/v1/communes/{insee}").json()
            point = card["townhall"] or card["centroid"]  # as the travel model joins them
            km = _great_circle(gueret["lon"], gueret["lat"], point["lon"], point["lat"])
            if insee == "23096" or 8.17 + 0.841 * km <= 30 - 0.05:  # answers round to 0.1
                reached.add(insee)
    listed = {i["insee"] for i in items}
    assert reached <= listed and listed <= zip_communes
    for item in items[:8]:
        simulated = client.post(
            "/api/v1/aids/simulations",
            json={"place": {"insee": item["insee"]}, "as_of": "2026-03-01", "profile": SETTLING},
        ).json()
        assert item["aid_total_eur"] == simulated["total"]


def _first_point(coordinates: list) -> tuple[float, float]:
    while isinstance(coordinates[0], list):
        coordinates = coordinates[0]
    return coordinates[0], coordinates[1]


def _great_circle(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_a_territory_is_one_click_from_a_card_and_a_place(tiny_client: TestClient) -> None:
    card = tiny_client.get("/api/v1/communes/05001").json()
    assert card["territory"] == {
        "kind": "bv2012",
        "code": "B05",
        "name": "Bassin B05",
        "href": "/api/v1/territories/B05",
    }
    (aval,) = _items(tiny_client, origin={"insee": "05001"}, minutes=1)
    assert aval["territory"] == card["territory"]
    bassin = tiny_client.get(card["territory"]["href"]).json()
    assert (bassin["kind"], bassin["name"], bassin["population"]) == ("bv2012", "Bassin B05", 10000)
    assert "à défaut de la table officielle" in bassin["unit"]
    assert [(c["insee"], c["zone_class"], c["zone_status"]) for c in bassin["communes"]] == [
        ("05001", "ZIP", "publié"),
        ("05002", "ZAC", "publié"),
    ]
    assert bassin["classes"] == {"ZIP": 1, "ZAC": 1}
    figures = {f["key"]: f for f in bassin["figures"]}
    assert figures["population"]["value"] == 10000  # 1 000 + 9 000
    assert figures["population"]["references"] == {
        "departement": 10000,
        "region": 10500,
        "france": 10500,
    }
    assert figures["msp_count"]["value"] == 1  # Bourg's
    # Aval 2.0 (1 000 inhabitants), Bourg 3.6 (9 000; its APL merged with the absorbed Vieux's)
    assert figures["apl_mg"]["value"] == 3.44
    assert [p["year"] for p in bassin["apl_history"]][-1] == 2023
    missing = tiny_client.get("/api/v1/territories/B99")
    assert missing.status_code == 404 and "B99" in missing.json()["detail"]


def test_the_page_lists_the_places_without_javascript(tiny_client: TestClient) -> None:
    page = tiny_client.get(
        "/", params={"insee": "05001", "within": "25", "classes": ["ZIP", "ZAC"]}
    )
    assert page.status_code == 200
    listed = re.findall(r'<li class="place" data-insee="(\d+)">', page.text)
    assert listed == ["05001", "05002"]  # Cime, hors zonage, filtered out
    assert "2 communes à moins de 25 minutes d'Aval" in html.unescape(page.text)
    assert "première installation en secteur 1" in page.text  # no profile sent: said so
    assert "PRIMO_ZIP" not in page.text  # the aids by their French names
    # the links keep the search: the card of a place, the comparison, the simulation
    assert '/?insee=05002&amp;within=25&amp;classes=ZIP&amp;classes=ZAC#t-commune"' in page.text
    assert "cmp=05002&amp;within=25" in page.text
    with_profile = tiny_client.get(
        "/",
        params={
            "insee": "05001",
            "within": "25",
            "age": "40",
            "sector": "2",
            "as_of": "2026-03-01",
        },
    )
    # secteur 2 without OPTAM: no first-installation aid, in the list as in the simulation
    assert "Aides calculées pour votre profil" in with_profile.text
    assert '<strong class="amount">0\u202f€</strong>' in with_profile.text
    export = tiny_client.get(
        "/simulateur/lieux.csv", params={"insee": "05001", "within": "25", "order": "minutes"}
    )
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    rows = export.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("Code INSEE;Commune;Département;Minutes;Classe")
    assert [r.split(";")[:4] for r in rows[1:]] == [
        ["05001", "Aval", "05", "0,0"],
        ["05002", "Bourg", "05", "14,8"],
        ["04001", "Cime", "04", "21,5"],
    ]
    nothing = tiny_client.get("/simulateur/lieux.csv", params={"insee": "05001"})
    assert nothing.status_code == 422 and "Aucune recherche" in nothing.json()["detail"]
    wrong = tiny_client.get("/", params={"insee": "05001", "within": "500"})
    assert wrong.status_code == 422 and 'id="e-within"' in wrong.text


def test_the_page_opens_a_territory_from_the_card_and_the_list(tiny_client: TestClient) -> None:
    page = tiny_client.get("/", params={"insee": "05001", "within": "25"}).text
    link = "/?insee=05001&amp;within=25&amp;territory=B05#t-territoire"
    assert page.count(f'href="{link}"') == 3  # the card, and Aval's and Bourg's places
    bassin = tiny_client.get("/", params={"insee": "05001", "within": "25", "territory": "B05"})
    text = html.unescape(bassin.text)
    assert "Bassin de vie Bassin B05" in text and "2 communes, " in text
    assert re.findall(r'<tr><th scope="row"><a href="[^"]*">(\w+)</a>', bassin.text) == [
        "Aval",
        "Bourg",
    ]
    unknown = tiny_client.get("/", params={"insee": "05001", "territory": "B99"})
    assert unknown.status_code == 422 and 'id="f-territory"' in unknown.text
