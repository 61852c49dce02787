"""The simulator page in Debian's Chromium, driven by Playwright, on the real data of each backend:
the journey with a mouse, the same with the keyboard only, without JavaScript, embedded, at
360 px, and axe-core's accessibility rules. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app.main import create_app
from app.settings import REPO_ROOT, Settings
from tests.conftest import serving

pytestmark = pytest.mark.realdata
sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / "test-artifacts"
PORTAL = "https://portail.example.fr"
ADDRESS = "1 rue de la République L'Argentière"
COMMUNE = "L'Argentière-la-Bessée"
NNBSP = "\u202f"
# rules.md §7 vector 5: first installation in a ZIP on 15 March 2026, sector 1 → 10 000 €; the
# forfait médecin traitant majoration on a 20 000 € socle: +50 %, +30 %, +10 % → 18 000 €.
PRIMO_ZIP = f"10{NNBSP}000{NNBSP}€"
WITH_FMT = f"28{NNBSP}000{NNBSP}€"
ZIP_ORANGE = "rgb(242, 140, 40)"


@pytest.fixture(scope="module")
def live_url(loaded: tuple[str, Engine]) -> Iterator[str]:
    """The application on a free local port, in a thread, on the loaded database."""
    settings = Settings(database_url=loaded[0], embed_origins=[PORTAL], _env_file=None)
    with serving(create_app(settings)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("chromium manquant en CI (apt-get install chromium)")
        pytest.skip("navigateur absent : apt-get install chromium")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh French page that fails the test on any script error or failed request (but the
    document's own status, which the tests check)."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and message.location.get("url") != tab.url
            else None
        ),
    )
    yield tab
    context.close()
    assert not problems, problems


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def serious_violations(page) -> list[str]:
    """axe-core (the copy packaged by axe-playwright-python) on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def choose_address(page) -> None:
    """Type the address, pick the L'Argentière suggestion: the page shows its commune. The
    suggestions lie over the map and its zoom buttons, never under them."""
    page.get_by_label("Adresse ou commune").press_sequentially(ADDRESS, delay=20)
    option = page.get_by_role("option").filter(has_text=COMMUNE).first
    option.wait_for()
    covered = page.evaluate(
        "(() => { const list = document.getElementById('f-q-list').getBoundingClientRect();"
        " const zoom = document.querySelector('.leaflet-control-zoom').getBoundingClientRect();"
        " const x = zoom.left + zoom.width / 2, y = zoom.top + zoom.height / 2;"
        " const over = x >= list.left && x <= list.right && y >= list.top && y <= list.bottom;"
        " return !over || document.elementFromPoint(x, y).closest('#f-q-list') !== null; })()"
    )
    assert covered, "les boutons de zoom passent au-dessus des suggestions"
    option.click()
    page.wait_for_selector("#map[data-loaded]")


def check_place(page) -> None:
    """The commune and its published class, in the panel and on the map."""
    assert page.locator("#t-commune").inner_text().startswith(COMMUNE)
    assert page.locator("#zone-class").inner_text() == "ZIP — zone d'intervention prioritaire"
    assert "Hautes-Alpes" in page.locator("#t-carte").inner_text()
    assert int(page.locator("#map").get_attribute("data-loaded")) == 162  # communes of 05
    selected = page.locator("path.commune.selected")
    assert selected.count() == 1
    assert "zone-zip" in selected.get_attribute("class")
    assert selected.evaluate("p => getComputedStyle(p).fill") == ZIP_ORANGE
    assert page.locator("path.address").count() == 1  # the address itself
    # PACA re-zoned on 5/1/2026, after the copy the class comes from: said where it is shown
    doubt = page.locator("#zone-doubt")
    assert "arrêté un nouveau zonage le 05/01/2026" in doubt.inner_text()
    assert doubt.get_by_role("link").get_attribute("href").startswith("https://www.paca.")


def impose_zip(page) -> None:
    """What a doctor does once she has read her class on the ARS's page: she simulates it."""
    advanced = page.locator("#profile-form details").first
    if advanced.get_attribute("open") is None:
        page.get_by_text("Activité, honoraires et situations particulières").click()
    page.get_by_label("Classe de zone à simuler").select_option("ZIP")


def aid_amount(page, code: str) -> str:
    return page.locator(f"tr[data-code={code}] td.amount").inner_text()


def test_mouse_journey(page, live_url: str) -> None:
    page.goto(live_url)
    page.wait_for_selector("#map[data-loaded]")  # the whole of France
    shot(page, "01-accueil")
    choose_address(page)
    check_place(page)
    shot(page, "02-commune")
    page.get_by_label("Date de la simulation").fill("2026-03-20")
    page.get_by_label("Votre âge").fill("34")
    page.get_by_label("Secteur conventionnel").select_option("1")
    page.get_by_label("Date d'installation").fill("2026-03-15")
    page.get_by_label("Jours d'exercice par semaine").fill("4")
    page.get_by_label("Première installation en libéral").check()
    page.get_by_role("button", name="Simuler les aides").click()
    page.wait_for_selector("#aides")
    # the class may have changed since: the aid that reads it is to check, not counted
    assert aid_amount(page, "PRIMO_ZIP") == "non compté"
    assert "05/01/2026" in page.locator("#aids-zone-doubt").inner_text()
    impose_zip(page)
    page.get_by_role("button", name="Simuler les aides").click()
    page.wait_for_selector("#aides")
    assert aid_amount(page, "PRIMO_ZIP") == PRIMO_ZIP
    assert page.locator("#aids-total").inner_text() == PRIMO_ZIP
    # the 2016 contracts, closed on this date, are one collapsed line, not four red « Non »
    assert page.locator("tr[data-code=CAIM]").count() == 0
    closed = page.locator("#aides-closes summary").inner_text()
    assert closed.startswith("Contrats de 2016 : signature close") and "CAIM" in closed
    assert page.locator(".chart svg rect.bar").count() == 1  # one payment year
    shot(page, "03-aides")
    # the link keeps the whole state: reload it elsewhere and see the same answer
    page.goto(page.url)
    assert page.locator("#aids-total").inner_text() == PRIMO_ZIP
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger l'échéancier (CSV)").click()
    csv = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert csv.splitlines()[1].startswith("2026;2026-06-15;Aide à la première installation en ZIP;")
    assert csv.rstrip().endswith("Total général;10000,00")


def focus_on(page, selector: str, limit: int = 60) -> None:
    """Tab until ``selector`` has the focus, checking that every focused element shows it (a
    date field's own segments are highlighted by the browser)."""
    for _ in range(limit):
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
        page.keyboard.press("Tab")
        outline = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
        )
        focused = page.evaluate("document.activeElement.tagName + '#' + document.activeElement.id")
        if focused != "BODY#" and page.evaluate("document.activeElement.type") != "date":
            assert outline[0] != "none" and outline[1] >= 2, (focused, outline)
    raise AssertionError(f"{selector} jamais atteint au clavier")


def test_keyboard_journey(page, live_url: str) -> None:
    page.goto(live_url)
    focus_on(page, "#f-q")
    page.keyboard.type(ADDRESS, delay=20)
    page.wait_for_selector("#f-q-list [role=option]")
    for _ in range(8):
        page.keyboard.press("ArrowDown")
        active = page.locator("#f-q").get_attribute("aria-activedescendant")
        if COMMUNE in page.locator(f"#{active}").inner_text():
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("#map[data-loaded]")
    check_place(page)
    assert page.evaluate("document.activeElement.id") == "t-commune"  # the answer, not the top
    assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Zoom avant"
    assert page.locator(".leaflet-control-zoom-out").get_attribute("title") == "Zoom arrière"
    focus_on(page, "#f-as_of")
    page.keyboard.type("20032026")
    focus_on(page, "#f-age")
    page.keyboard.type("34")
    focus_on(page, "#f-installation_date")
    page.keyboard.type("15032026")
    focus_on(page, "#f-days_per_week")
    page.keyboard.type("4")
    focus_on(page, "#f-first_installation")
    page.keyboard.press("Space")
    focus_on(page, "#profile-form summary")
    page.keyboard.press("Enter")
    focus_on(page, "#f-fmt_socle")
    page.keyboard.type("20000")
    focus_on(page, "#f-zone_class")
    page.keyboard.type("ZIP")  # a closed list picks the option its letters begin
    assert page.locator("#f-zone_class").input_value() == "ZIP"
    shot(page, "04-clavier-profil")
    focus_on(page, "#profile-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "t-aides"
    assert aid_amount(page, "PRIMO_ZIP") == PRIMO_ZIP
    assert aid_amount(page, "FMT_MAJORATION") == f"18{NNBSP}000{NNBSP}€"
    assert page.locator("#aids-total").inner_text() == WITH_FMT
    assert page.locator(".chart svg rect.bar").count() == 3  # 2026, 2027, 2028


def test_compare_and_share(page, live_url: str) -> None:
    page.goto(f"{live_url}/?insee=05006")
    page.get_by_role("link", name="Ajouter à la comparaison").click()
    page.goto(page.url.replace("insee=05006", "insee=05061"))
    page.get_by_role("link", name="Ajouter à la comparaison").click()
    table = page.locator("table.compare")
    assert table.get_by_role("link", name=COMMUNE, exact=True).count() == 1
    assert table.get_by_role("link", name="Gap", exact=True).count() == 1
    assert re.search(r"cmp=05006&cmp=05061", page.url)
    shot(page, "05-comparaison")
    page.get_by_role("link", name="Retirer Gap de la comparaison").click()
    assert page.locator("table.compare").get_by_role("link", name="Gap", exact=True).count() == 0
    assert page.locator("table.compare").get_by_role("link", name=COMMUNE, exact=True).count() == 1


def test_installation_what_if(page, live_url: str) -> None:
    page.goto(f"{live_url}/?insee=05058")  # Freissinières, APL ≤ 65 = 1.345
    assert page.locator("#shortage li").count() == 2
    field = page.get_by_label("Médecins en plus, en équivalents temps plein")
    field.fill("2")
    page.get_by_role("button", name="Simuler l'installation").click()
    api = page.request.post(f"{live_url}/api/v1/zones/what-if", data={"insee": "05058", "fte": 2})
    here = api.json()["effects"][0]
    before, after = (f"{here[k]:.2f}".replace(".", ",") for k in ("le65_before", "le65_after"))
    text = page.locator("#whatif").inner_text().replace(NNBSP, " ")
    assert "10 800 actes par an" in text and f"{before} → {after}" in text
    assert field.input_value() == "2"
    shot(page, "07-installation")


def test_without_javascript(browser, live_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(live_url)
    page.get_by_label("Adresse ou commune").fill(ADDRESS)
    page.get_by_role("button", name="Rechercher").click()
    assert page.locator("#zone-class").inner_text().startswith("ZIP")
    page.get_by_label("Date de la simulation").fill("2026-03-20")
    page.get_by_label("Votre âge").fill("34")
    page.get_by_label("Date d'installation").fill("2026-03-15")
    page.get_by_label("Première installation en libéral").check()
    impose_zip(page)
    page.get_by_role("button", name="Simuler les aides").click()
    assert page.locator("#aids-total").inner_text() == PRIMO_ZIP
    shot(page, "06-sans-javascript")
    context.close()


def test_phone_width_and_embed(browser, live_url: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    page = context.new_page()
    response = page.goto(f"{live_url}/?insee=05006&embed=1&age=34&as_of=2026-03-20")
    assert f"frame-ancestors 'self' {PORTAL}" in response.headers["content-security-policy"]
    assert page.locator("header.site").count() == 0
    page.wait_for_selector("#map[data-loaded]")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"la page déborde à 360 px : {width}"
    shot(page, "07-mobile-integre")
    context.close()


PROFILE = "age=34&as_of=2026-03-20&installation_date=2026-03-15&first_installation=1"
STATES = {
    "commune": "/?insee=05006",
    "aides": f"/?insee=05006&{PROFILE}&days_per_week=4&fmt_socle=20000",
    "comparaison": "/?insee=05061&"
    + "&".join(f"cmp={c}" for c in ("05006", "05061", "05023", "05058", "31555")),
    "installation": "/?insee=05058&fte=2",
    "integre": f"/?insee=05006&embed=1&{PROFILE}&cmp=05006&cmp=05061",
    "lieux": "/?insee=23096&within=30&classes=ZIP&classes=ZAC",
    "changements": "/?insee=23096&changes=1",
}


@pytest.mark.parametrize("width", [320, 375, 768])
def test_no_state_overflows_a_phone_or_a_tablet(browser, live_url: str, width: int) -> None:
    """Every state of the page fits the screen's width: tables become stacked cards."""
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="fr-FR")
    page = context.new_page()
    for name, path in STATES.items():
        page.goto(live_url + path)
        page.wait_for_selector("#map[data-loaded]")
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{name} déborde à {width} px : {wide}"
        if width == 375:
            shot(page, f"11-{name}-375")
    context.close()


def test_the_map_orients_and_the_words_read_well(page, live_url: str) -> None:
    page.goto(f"{live_url}/?insee=05061")
    page.wait_for_selector("#map[data-loaded]")
    # the largest towns named on the map, Gap first among them
    assert page.locator(".town-label").count() == 8
    shown_towns = page.locator(".town-label:not([hidden])").all_inner_texts()
    assert {"Gap", "Briançon"} <= set(shown_towns)  # none hidden under a larger town's name
    shown = page.evaluate(
        "[...document.querySelectorAll('.legend li')]"
        ".filter(li => !li.hidden).map(li => li.dataset.zone)"
    )
    drawn = page.evaluate(
        "[...new Set([...document.querySelectorAll('path.commune')].map(p => "
        "[...p.classList].find(c => c.startsWith('zone-')).slice(5)))]"
    )
    assert sorted(shown) == sorted(drawn)  # the legend lists the classes present, only them
    text = page.locator("main").inner_text()
    assert "Chiffres clés de Gap face" in text
    assert not re.search(r"rules\.md|§|\[P\d", text)  # no internal references
    page.goto(f"{live_url}/?insee=23001")  # Ahun
    assert "Chiffres clés d'Ahun" in page.locator("#t-chiffres").inner_text()


def test_print_summary_and_copied_link(browser, live_url: str) -> None:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_url)
    page = context.new_page()
    page.goto(live_url + STATES["aides"])
    page.wait_for_selector("#map[data-loaded]")
    page.get_by_role("button", name="Copier le lien").click()
    sync_api.expect(page.locator("#copy-status")).to_contain_text("Lien copié")
    assert page.evaluate("navigator.clipboard.readText()") == page.url.split("#")[0]
    page.emulate_media(media="print")
    assert page.locator("#profile-form").is_hidden() and page.locator("#map").is_hidden()
    assert page.locator("#aids-total").is_visible() and page.locator("#zone-class").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = page.pdf(path=ARTIFACTS / "12-resume.pdf", format="A4")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 1 <= pages <= 2, f"résumé imprimé sur {pages} pages"
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?insee=05006&age=34&as_of=2026-03-20&installation_date=2026-03-15"
        "&first_installation=1&days_per_week=4&fmt_socle=20000&cmp=05006&cmp=05061",
        "/?age=abc&as_of=2030-01-01&insee=05006",
        "/?insee=23096&within=45&msp=1&age=31&installation_date=2026-06-01&first_installation=1",
    ],
    ids=["accueil", "resultats", "erreurs", "lieux"],
)
def test_accessibility(page, live_url: str, path: str) -> None:
    response = page.goto(live_url + path)
    assert response.status == (422 if "abc" in path else 200)
    page.wait_for_selector("#map[data-loaded]")
    assert serious_violations(page) == []


def test_api_docs_list_the_operations_and_try_one(page, live_url: str) -> None:
    """Swagger UI at /docs reads our OpenAPI 3.1 offline and under the page's CSP (any
    blocked script or style fails the test), and « Try it out » returns a card."""
    page.goto(f"{live_url}/docs")
    simulate = page.locator("#operations-aides-simulateAids")
    simulate.wait_for()
    assert "/api/v1/aids/simulations" in simulate.inner_text()
    assert page.locator(".opblock").count() >= 20
    card = page.locator("#operations-communes-getCommune")
    card.locator(".opblock-summary").click()
    card.get_by_role("button", name="Try it out").click()
    card.locator("input[placeholder='insee']").fill("05061")
    card.get_by_role("button", name="Execute").click()
    body = card.locator(".live-responses-table .microlight").first
    body.wait_for()
    assert '"insee": "05061"' in body.inner_text() and '"name": "Gap"' in body.inner_text()
    shot(page, "10-api-docs")
    page.goto(f"{live_url}/redoc")
    page.get_by_role("heading", name="Fiche d'une commune").first.wait_for()


def test_a_student_a_remplacant_and_an_installed_doctor(page, live_url: str) -> None:
    """The form asks what each situation needs, and each gets the aids its rules name."""
    page.goto(f"{live_url}/?insee=05006")
    page.get_by_label("Date de la simulation").fill("2026-03-20")
    page.get_by_label("Votre âge").fill("23")
    page.get_by_label("Votre situation").select_option("etudiant")
    assert page.get_by_label("Secteur conventionnel").is_hidden()
    assert page.get_by_label("Date d'installation").is_hidden()
    page.get_by_label("Mois d'études restants").fill("24")
    page.get_by_role("button", name="Simuler les aides").click()
    page.wait_for_selector("#aides")
    assert aid_amount(page, "CESP") == f"28{NNBSP}800{NNBSP}€"  # 24 × 1 200 €
    assert page.locator("#aides tr[data-code]").count() == 2  # CESP, local aids
    assert page.locator("#aides-closes").count() == 0  # no 2016 contract for a student
    shot(page, "13-etudiant")
    page.get_by_label("Votre situation").select_option("remplacant")
    assert page.get_by_label("Mois d'études restants").is_hidden()
    page.get_by_label("Votre âge").fill("29")
    page.get_by_label("Date de première inscription au tableau de l'Ordre").fill("2026-02-01")
    page.get_by_role("button", name="Simuler les aides").click()
    page.wait_for_selector("#aides")
    assert "cesp_months" not in page.url  # a hidden group sends nothing
    # the CDE's amounts are each ARS's: only Centre-Val de Loire's are held
    assert aid_amount(page, "CDE") == "non compté"
    locum = page.locator("tr[data-code=CDE]").inner_text().replace(NNBSP, " ")
    assert "À vérifier" in locum and "barème de l'ARS Provence-Alpes-Côte d'Azur" in locum
    assert "€ par trimestre" not in locum and "70 €" not in locum
    assert "aucune aide chiffrée n'est due" in page.locator("#aids-total-parts").inner_text()
    shot(page, "14-remplacant")
    page.get_by_label("Votre situation").select_option("installe")
    page.get_by_label("Date d'installation").fill("2026-03-15")
    page.get_by_label("Première installation en libéral").check()
    page.get_by_label("Participation à la permanence des soins").check()
    page.get_by_text("Activité, honoraires et situations particulières").click()
    page.get_by_label("Régime fiscal").select_option("1")
    page.get_by_label("Nombre de salariés").fill("0")
    page.get_by_label("Cabinet et toute l'activité dans la zone").select_option("1")
    page.get_by_label("Classe de zone à simuler").select_option("ZIP")
    page.get_by_role("button", name="Simuler les aides").click()
    page.wait_for_selector("#aides")
    # the DGCL list of July 2025 classes L'Argentière « FRR socle »
    assert (
        "commune classée en FRR (liste FRR, DGCL, classement au 10/07/2025)"
        in page.locator("#tax-zones").inner_text()
    )
    frr = page.locator("tr[data-code=FRR]").inner_text()
    assert "100 % du bénéfice exonéré du 15/03/2026 au 28/02/2031" in frr
    assert aid_amount(page, "PRIMO_ZIP") == PRIMO_ZIP
    assert aid_amount(page, "PDSA_151TER") == "exonération d'impôt"
    assert page.locator("#aids-total").inner_text() == PRIMO_ZIP  # exemptions are not money
    shot(page, "15-installe")


@pytest.mark.parametrize("width", [375, 1280])
def test_where_to_settle_around_gueret(browser, live_url: str, width: int) -> None:
    """Où m'installer : the places within 30 minutes of Guéret in a list (stacked cards on a
    phone) and on the map, coloured by class; the keyboard alone changes the time and opens a
    place's card."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_url}/?insee=23096")
    page.wait_for_selector("#map[data-loaded]")
    page.get_by_label("À moins de").focus()
    page.keyboard.press("ArrowDown")  # 30 → 45 minutes
    page.get_by_label("ZIP — zone d'intervention prioritaire").check()
    page.get_by_role("button", name="Chercher autour de Guéret").press("Enter")
    page.wait_for_selector("#map[data-loaded]")
    summary = page.locator(".places-summary").inner_text()
    assert re.match(r"\d+ communes à moins de 45 minutes de Guéret", summary), summary
    places = page.locator("li.place")
    assert places.count() == 20
    # Guéret's class comes from the copy, older than the ARS's arrêté of 30/12/2025: to check,
    # its aids not counted; an estimated ZIP with its aids comes first
    assert f"10{NNBSP}000{NNBSP}€" in places.first.inner_text()
    gueret = places.filter(has=page.locator("h3", has_text="Guéret"))
    assert "classe à vérifier" in gueret.first.inner_text()
    markers = page.locator("path.place")
    assert markers.count() == 20
    assert markers.first.evaluate("p => getComputedStyle(p).fill") == ZIP_ORANGE
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"la liste déborde à {width} px : {wide}"
    page.locator("li.place").nth(1).scroll_into_view_if_needed()
    shot(page, f"14-ou-m-installer-{width}")
    second = places.nth(1).locator("h3 a").inner_text()
    places.nth(1).get_by_role("link", name="Voir la fiche").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#map[data-loaded]")
    assert page.locator("#t-commune").inner_text().startswith(second)
    assert page.locator("li.place").count() == 20  # the search is kept in the link
    context.close()


def test_where_to_settle_without_javascript(browser, live_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_url}/?insee=23096")
    page.get_by_label("À moins de").select_option("20")
    page.get_by_role("button", name="Chercher autour de Guéret").click()
    assert page.locator("li.place").count() >= 2
    assert "?insee=23096" in page.url and "within=20" in page.url
    context.close()
