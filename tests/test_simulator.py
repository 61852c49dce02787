"""The simulator page rendered on the server (the no-JavaScript path) on both backends, and its
pure parts: French formats, drawing geometry, the query-string state."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from fastapi.testclient import TestClient

from app.simulator import display, forms

NNBSP = "\u202f"


def test_french_formats() -> None:
    assert display.euros(Decimal("12500.00")) == f"12{NNBSP}500{NNBSP}€"
    assert display.euros(Decimal("312.5")) == f"312,50{NNBSP}€"
    assert display.number(3.4567, 2) == "3,46"
    assert display.number(None) == "–"
    assert display.figure(68350798) == f"68{NNBSP}350{NNBSP}798"
    assert display.long_date(date(2026, 6, 1)) == "1er juin 2026"
    assert display.long_date(date(2027, 11, 30)) == "30 novembre 2027"


def test_gauge_keeps_both_thresholds_and_the_value_on_the_scale() -> None:
    g = display.gauge(3.4, 2.5, 4.0)
    assert (g.scale_max, g.zip_at, g.vivier_at, g.value_at) == (6.0, 41.67, 66.67, 56.67)
    wide = display.gauge(7.2, 2.5, 4.0)
    assert wide.scale_max == 8 and wide.value_at == 90.0
    assert display.gauge(None, 2.5, 4.0).value_at is None


def test_gauge_scale_holds_the_what_if() -> None:
    g = display.gauge(3.4, 2.5, 4.0, after=6.8)
    assert g.scale_max == 8 and (g.value_at, g.after_at) == (42.5, 85.0)


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("Ahun", "d'Ahun"),
        ("Le Havre", "du Havre"),
        ("Les Mureaux", "des Mureaux"),
        ("La Rochelle", "de La Rochelle"),
        ("L'Argentière-la-Bessée", "de L'Argentière-la-Bessée"),
        ("Yvetot", "d'Yvetot"),
        ("Hautefort", "de Hautefort"),
        ("Gap", "de Gap"),
        ("Évreux", "d'Évreux"),
    ],
)
def test_of_a_place_name_elides_and_contracts(name: str, written: str) -> None:
    assert display.of(name) == written


def test_trend_spaces_points_by_year_and_scales_to_the_series() -> None:
    t = display.trend([(2015, 4.0), (2019, 3.0), (2021, 3.5), (2023, 2.0)], width=340, height=110)
    xs = [p.x for p in t.points]
    assert xs[0] == 18 and xs[-1] == 322  # the first and last years at the margins
    assert xs[1] - xs[0] == 2 * (xs[2] - xs[1])  # by year: 2015 → 2019 is twice 2019 → 2021
    ys = [p.y for p in t.points]
    assert ys[0] == 26 and ys[3] == 84  # the maximum at the top, the minimum at the bottom
    assert t.polyline.startswith("18.0,26.0 ")


def test_bars_on_round_ticks() -> None:
    assert display.nice_step(Decimal(20000)) == 5000
    assert display.nice_step(Decimal(18000)) == 5000
    assert display.nice_step(Decimal(0)) == 1
    chart = display.bars([("2026", Decimal(20000)), ("2027", Decimal(6000)), ("2028", Decimal(0))])
    assert [amount for _, amount in chart.ticks] == [0, 5000, 10000, 15000, 20000]
    top, middle, empty = chart.bars
    assert top.y == 28 and top.height == chart.height - 2 * 28  # the tallest fills the plot
    assert middle.height == pytest.approx(top.height * 0.3, abs=0.1)
    assert empty.height == 0 and empty.y == chart.baseline
    assert top.x < middle.x < empty.x <= chart.width - chart.bar_width


def test_state_reads_forms_as_people_fill_them() -> None:
    state, errors = forms.parse(
        {
            "q": ["  Gap "],
            "days_per_week": ["4,5"],
            "annual_fees": ["150 000"],
            "pdsa": ["1"],
            "age": [""],
            "cmp": ["05061", "2a004", "05061"],
        }
    )
    assert errors == {}
    assert state.q == "Gap" and state.age is None and not state.has_profile
    assert state.days_per_week == Decimal("4.5") and state.annual_fees == 150000
    assert state.pdsa is True and state.coordinated_practice is False
    assert state.cmp == ["05061", "2A004"]


def test_state_round_trips_through_its_link() -> None:
    state, _ = forms.parse({"insee": ["05006"], "age": ["34"], "pdsa": ["1"], "cmp": ["05061"]})
    assert state.query() == "insee=05006&cmp=05061&age=34&pdsa=1"
    assert forms.parse(parse_qs(state.query()))[0] == state
    assert ("insee", "05006") in state.place_pairs()
    assert all(name not in forms.PROFILE_FORM for name, _ in state.place_pairs())


def test_invalid_fields_get_french_messages_and_are_dropped() -> None:
    state, errors = forms.parse(
        {"age": ["abc"], "days_per_week": ["9"], "insee": ["123"], "as_of": ["31/02/2026"]}
    )
    assert errors == {
        "age": "Nombre entier attendu.",
        "days_per_week": "Valeur maximale : 7.",
        "insee": "Format non reconnu.",
        "as_of": "Date attendue (aaaa-mm-jj).",
    }
    assert state == forms.PageState()
    _, too_many = forms.parse({"cmp": ["05001", "05003", "05006", "05007", "05008", "05010"]})
    assert too_many == {"cmp": "Au plus 5 éléments."}


# The page on real data, through the forms a browser without JavaScript would send.
ARGENTIERE = "1 rue de la République L'Argentière"
PRIMO = {
    "q": ARGENTIERE,
    "as_of": "2026-03-20",
    "age": "34",
    "installation_date": "2026-03-15",
    "first_installation": "1",
    "days_per_week": "4",
}
# rules.md §7 vector 1: S1 in a ZIP, coordinated practice, PDSA, 4 days a week → CAIM 50 000 €.
CAIM = {
    "insee": "05006",
    "as_of": "2025-12-01",
    "age": "34",
    "installation_date": "2025-09-01",
    "first_installation": "1",
    "days_per_week": "4",
    "coordinated_practice": "1",
    "pdsa": "1",
}


def amount(html: str, code: str) -> str:
    row = re.search(rf'<tr class="[\w -]+" data-code="{code}">(.*?)</tr>', html, re.S)
    assert row, f"pas de ligne {code}"
    cell = re.search(r'<td class="amount"[^>]*>(.*?)</td>', row.group(1), re.S)
    return cell.group(1).strip() if cell else ""


@pytest.mark.realdata
def test_page_without_javascript_finds_the_address_and_simulates(client: TestClient) -> None:
    response = client.get("/", params=PRIMO)
    assert response.status_code == 200
    html = response.text
    assert '<html lang="fr">' in html
    assert "L&#39;Argentière-la-Bessée" in html
    assert re.search(r'id="zone-class">ZIP — zone d&#39;intervention prioritaire<', html)
    assert 'data-departement="05"' in html and 'data-insee="05006"' in html
    # PACA re-zoned on 5/1/2026, after the copy the class comes from: to check, not counted
    assert 'id="zone-doubt"' in html and "arrêté un nouveau zonage le 05/01/2026" in html
    assert amount(html, "PRIMO_ZIP") == "non compté"
    # the doctor checked the ARS's page: the class she imposes is counted
    imposed = client.get("/", params=PRIMO | {"zone_class": "ZIP"}).text
    assert amount(imposed, "PRIMO_ZIP") == f"10{NNBSP}000{NNBSP}€"
    assert re.search(rf'id="aids-total">10{NNBSP}000{NNBSP}€<', imposed)
    # the profile form carries the resolved commune, so that a new simulation keeps it
    assert '<input type="hidden" name="insee" value="05006">' in html


@pytest.mark.realdata
def test_page_simulates_the_2016_contracts_and_exports_them(client: TestClient) -> None:
    html = client.get("/", params=CAIM).text
    assert amount(html, "CAIM") == f"50{NNBSP}000{NNBSP}€"
    csv = client.get("/simulateur/tresorerie.csv", params=CAIM)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "2025-12-01;Contrat d'aide à l'installation des médecins (CAIM);" in text
    assert text.rstrip().endswith("TOTAL;Total général;50000,00")


@pytest.mark.realdata
def test_page_shows_french_errors_and_keeps_the_rest(client: TestClient) -> None:
    response = client.get(
        "/", params={"insee": "05006", "age": "abc", "days_per_week": "9", "annual_fees": "-1"}
    )
    assert response.status_code == 422
    html = response.text
    assert 'id="e-age">Nombre entier attendu.<' in html
    assert 'id="e-days_per_week">Valeur maximale : 7.<' in html
    assert 'id="e-annual_fees">Valeur minimale : 0.<' in html
    assert 'aria-invalid="true"' in html and "error-summary" in html
    assert 'id="zone-class"' in html  # the commune is still shown

    sector = client.get("/", params={**CAIM, "opposable_pct": "50"})
    assert sector.status_code == 422
    assert "secteur 1 : toute l&#39;activité est à tarifs opposables" in sector.text
    late = client.get("/", params={**CAIM, "as_of": "2030-01-01"})
    assert late.status_code == 422 and "Aucune règle connue le 01/01/2030" in late.text
    nowhere = client.get("/", params={"age": "34"})
    assert nowhere.status_code == 422 and "Choisissez d&#39;abord un lieu" in nowhere.text


@pytest.mark.realdata
def test_page_answers_unknown_and_ambiguous_places(client: TestClient) -> None:
    unknown = client.get("/", params={"q": "zzqxw"})
    assert unknown.status_code == 404 and "Aucune adresse ni commune" in unknown.text
    ambiguous = client.get("/", params={"q": "saint"})
    assert ambiguous.status_code == 200
    assert "Plusieurs lieux correspondent" in ambiguous.text
    assert 'href="/?q=Saint-%C3%89tienne+%2842%29&amp;insee=42218' in ambiguous.text
    missing = client.get("/", params={"insee": "99999"})
    assert missing.status_code == 404


@pytest.mark.realdata
def test_comparison_from_the_link(client: TestClient) -> None:
    html = client.get("/", params=[("cmp", "05006"), ("cmp", "05061")]).text
    assert '<table class="compare stack">' in html
    assert ">Gap</a>" in html and ">L&#39;Argentière-la-Bessée</a>" in html
    # removing Gap keeps L'Argentière
    assert 'href="/?cmp=05006#t-comparaison">Retirer<span class="visually-hidden"> Gap' in html
    unknown = client.get("/", params=[("cmp", "05006"), ("cmp", "99999")])
    assert unknown.status_code == 422 and 'id="e-cmp"' in unknown.text


@pytest.mark.realdata
def test_page_shows_the_shortage_the_ageing_and_the_installation_what_if(
    client: TestClient,
) -> None:
    api = client.post("/api/v1/zones/what-if", json={"insee": "05058", "fte": 1.5}).json()
    here = api["effects"][0]
    html = client.get("/", params={"insee": "05058", "fte": "1,5"}).text
    card = client.get("/api/v1/communes/05058").json()
    to_zip = card["shortage"]["targets"][0]
    actes = f"{to_zip['actes_per_year']:,}".replace(",", NNBSP)
    assert f"<strong>2,5</strong> : <strong>{actes}</strong> actes par an" in html
    before, after = (f"{here[k]:.2f}".replace(".", ",") for k in ("le65_before", "le65_after"))
    assert f"<strong>{before} → {after}</strong>" in html
    assert api["actes_per_year"] == 8100
    assert f"1,5 médecin à temps plein en plus, soit 8{NNBSP}100 actes par an." in html
    assert html.count(f"5{NNBSP}400 actes par an") == 1  # said once, in the field's hint
    assert 'class="mark-after"' in html  # the gauge shows the APL after the installation
    over65 = next(s for s in card["ageing"]["shares"] if s["scope"] == "commune")["over65"]
    assert f"<strong>{round(over65 * 100)}{NNBSP}%</strong>" in html
    paris = client.get("/", params={"insee": "75056", "fte": "1"})
    assert paris.status_code == 422 and "choisissez un arrondissement" in paris.text
    assert 'id="e-fte"' in paris.text


def test_csv_without_a_simulation_is_a_problem(tiny_client: TestClient) -> None:
    response = tiny_client.get("/simulateur/tresorerie.csv", params={"insee": "05001"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith("Aucune simulation")


def test_security_headers_and_embed_mode(tiny_client: TestClient) -> None:
    page = tiny_client.get("/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert "<script>" not in page.text and " style=" not in page.text  # nothing inline
    embedded = tiny_client.get("/", params={"embed": "1"})
    assert "frame-ancestors 'self'" in embedded.headers["content-security-policy"]
    assert "x-frame-options" not in embedded.headers
    assert '<header class="site">' not in embedded.text
    assert '<input type="hidden" name="embed" value="1">' in embedded.text  # kept by the forms


def test_static_files_come_from_packages(tiny_client: TestClient) -> None:
    leaflet = tiny_client.get("/static/leaflet/leaflet.js")
    assert leaflet.status_code == 200 and "Leaflet" in leaflet.text[:300]
    assert tiny_client.get("/static/simulateur/simulateur.js").status_code == 200
    assert (
        "unpkg" not in tiny_client.get("/").text and "cdn" not in tiny_client.get("/").text.lower()
    )


@pytest.mark.realdata
def test_page_shows_the_apl_series(client: TestClient) -> None:
    """Guéret: the DREES series 2015-2019 then the files 2021, 2022, 2023, with their values."""
    html = client.get("/", params={"insee": "23096"}).text
    trend = html.split('<figure class="trend">', 1)[1].split("</figure>", 1)[0]
    years = [int(y) for y in re.findall(r'class="trend-year">(\d{4})<', trend)]
    assert years == [2015, 2016, 2017, 2018, 2019, 2021, 2022, 2023]
    values = re.findall(r'class="trend-value">([\d,]+)<', trend)
    assert values == ["3,93", "3,92", "4,00", "3,71", "3,54", "3,38", "3,20", "2,95"]
    assert "APL 2015 à 2019" in trend and "APL 2023" in trend and "pas publié 2020" in trend


@pytest.mark.realdata
def test_page_says_where_addresses_are_known_offline(client: TestClient) -> None:
    html = client.get("/").text
    assert "Adresses connues hors ligne : département 05 ; ailleurs, la commune." in html
    toulouse = client.get("/", params={"q": "10 rue de Metz Toulouse"})
    assert toulouse.status_code == 200
    assert '<h2 id="t-commune" tabindex="-1">Toulouse' in toulouse.text


def test_query_strings_are_grouped_in_one_pass_and_unknown_names_dropped() -> None:
    items = [("cmp", "05006"), ("x1", "a"), ("cmp", "05061"), ("age", "34")]
    items += [(f"junk{i}", "v") for i in range(16_000)]
    assert forms.grouped(items) == {"cmp": ["05006", "05061"], "age": ["34"]}
