"""Commune search and point location on tiny inputs with known answers."""

from __future__ import annotations

import pytest
from shapely.geometry import MultiPolygon, box

from app.zones.search import MAX_WORDS, Gazetteer, Locator, Place, normalise

PLACES = [
    Place("42218", "Saint-Étienne", "42", ("42000", "42100"), 173_000),
    Place("76575", "Saint-Étienne-du-Rouvray", "76", ("76800",), 29_000),
    Place("93066", "Saint-Denis", "93", ("93200",), 149_000),
    Place("97411", "Saint-Denis", "974", ("97400",), 153_000),
    Place("76351", "Le Havre", "76", ("76600",), 166_000),
    Place("75115", "Paris 15e Arrondissement", "75", ("75015",), 230_000),
    Place("15014", "Aurillac", "15", ("15000",), 25_000),
    Place("05061", "Gap", "05", ("05000",), 41_000),
    Place("05018", "La Bâtie-Vieille", "05", ("05000",), 340),
]
GAZETTEER = Gazetteer(PLACES)


def _codes(query: str) -> list[str]:
    return [p.insee for p in GAZETTEER.search(query)]


def test_normalise_folds_accents_case_hyphens_saint_and_articles() -> None:
    assert normalise("ST-ÉTIENNE") == normalise("Saint Etienne") == "saint etienne"
    assert normalise("L'Abergement-Clémenciat") == "abergement clemenciat"
    assert normalise("Le Havre") == normalise("havre") == "havre"
    assert normalise("Ste-Marie") == "sainte marie"
    assert normalise("  ") == ""


def test_exact_before_prefix_and_bigger_first() -> None:
    assert _codes("st etienne") == ["42218", "76575"]
    assert _codes("saint etienne du") == ["76575"]
    assert _codes("le havre") == ["76351"]
    assert _codes("zzz") == []


def test_homonyms_are_both_found_and_a_departement_picks_one() -> None:
    assert _codes("Saint-Denis") == ["97411", "93066"]
    assert _codes("saint denis 93") == ["93066"]
    assert _codes("saint denis 974") == ["97411"]


def test_paris_arrondissement_even_though_15_is_a_departement() -> None:
    assert _codes("paris 15") == ["75115"]


def test_codes_insee_then_postcodes_by_population() -> None:
    assert _codes("05000") == ["05061", "05018"]
    assert _codes("05061") == ["05061"]
    assert _codes("99999") == []


def test_locator_prefers_the_arrondissement_and_includes_boundaries() -> None:
    city = MultiPolygon([box(0, 0, 2, 1)])
    arrondissement = MultiPolygon([box(0, 0, 1, 1)])
    neighbour = MultiPolygon([box(2, 0, 3, 1)])
    locator = Locator(["75056", "75101", "94000"], [city, arrondissement, neighbour], {"75101"})
    assert locator.locate(0.5, 0.5) == "75101"
    assert locator.locate(1.5, 0.5) == "75056"
    assert locator.locate(2.5, 0.5) == "94000"
    assert locator.locate(3.0, 0.5) == "94000"  # on the outer boundary
    assert locator.locate(5, 5) is None


def test_a_point_just_off_the_contours_goes_to_the_nearest_commune_within_reach() -> None:
    west, east = MultiPolygon([box(-0.01, 45, 0, 45.01)]), MultiPolygon([box(0, 45, 0.01, 45.01)])
    locator = Locator(["33001", "33002"], [west, east], set())
    # 0.0005° of latitude north of the shared edge's east side: 55.6 m
    insee, metres = locator.nearest(0.005, 45.0105, 200)
    assert insee == "33002"
    assert metres == pytest.approx(55.6, abs=0.1)
    # 0.002° of longitude east at 45°N: 157.4 m; beyond a 100 m reach
    assert locator.nearest(0.012, 45.005, 200)[1] == pytest.approx(157.4, abs=0.2)
    assert locator.nearest(0.012, 45.005, 100) is None


def test_a_free_text_names_a_commune_by_code_or_by_its_name_at_the_end() -> None:
    def named(text: str) -> list[str]:
        return [p.insee for p in GAZETTEER.named(text)[0]]

    assert named("10 rue de la Paix Gap") == ["05061"]
    assert named("10 rue de la Paix 05000") == ["05061", "05018"]  # a shared postcode
    assert named("05061") == ["05061"]
    assert named("2 rue Haute Saint-Denis") == ["93066", "97411"]  # homonyms: both
    assert named("8 place du Havre") == []  # "du Havre" names a street, not Le Havre
    assert named("8 quai Southampton Le Havre") == ["76351"]
    assert named("havre") == []  # a name is named whole, article included
    assert named("3 avenue de Paris") == []
    assert named("10 rue de la Paix") == []
    assert named("Gap") == ["05061"] and GAZETTEER.named("12 rue Carnot Gap")[1] == "gap"


def test_repeated_words_are_searched_once_and_past_the_longest_name_not_at_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looked_up: list[str] = []
    original = Gazetteer._with_prefix

    def counting(self: Gazetteer, token: str) -> set[int]:
        looked_up.append(token)
        return original(self, token)

    monkeypatch.setattr(Gazetteer, "_with_prefix", counting)
    assert _codes("s " * 100) == _codes("s")
    assert looked_up == ["s", "s"]
    looked_up.clear()
    GAZETTEER.search(" ".join(f"w{i}" for i in range(50)))
    assert looked_up == [f"w{i}" for i in range(MAX_WORDS)]
