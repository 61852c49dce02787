"""A card's zone from in-memory rows: which class is shown, on which territory, and why."""

from __future__ import annotations

from datetime import date

from app.zones import card
from app.zones.classify import Thresholds
from app.zones.data import Sources
from app.zones.models import Accessibility, Commune, PublishedZone, TerritoryApl
from app.zones.network import GP
from app.zones.schemas import Zone

SOURCES = Sources(
    [
        {
            "name": name,
            "title": name,
            "vintage": vintage,
            "attribution": "a",
            "licence": "l",
            "official": official,
            "url": None,
        }
        for name, vintage, official in (
            ("apl-mg", "APL 2023", True),
            ("zonage-officiel", "DataSanté, mise à jour du 30/07/2026", True),
        )
    ]
)
THRESHOLDS = Thresholds(2.5, True, 4.0, True)


def _commune(tvs: str | None = None, bv: str | None = "05061") -> Commune:
    return Commune(insee="05061", name="Gap", tvs=tvs, tvs_name=tvs and "TVS de Gap", bv2012=bv)


def _territory(kind: str, code: str, le65: float) -> TerritoryApl:
    return TerritoryApl(
        kind=kind,
        code=code,
        profession=GP,
        name=f"{kind} {code}",
        value_le65=le65,
        communes=3,
        population=50_000,
    )


def _zone(commune: Commune, published=None, own: float | None = 4.8, *territories):
    gp = Accessibility(insee="05061", profession=GP, value_le65=own, population=40_000)
    held = {(t.kind, GP): t for t in territories}  # the commune's own territories, by kind
    zone = card._zone(commune, published, gp, held, SOURCES, THRESHOLDS, date(2026, 12, 3))
    return Zone.model_validate(zone)  # the JSON the card holds, as its schema declares it


def test_the_estimate_takes_the_tvs_before_the_bassin_de_vie() -> None:
    zone = _zone(
        _commune("05T01"),
        None,
        4.8,
        _territory("tvs", "05T01", 2.4),
        _territory("bv2012", "05061", 3.0),
    )
    assert (zone.zone_class, zone.status) == ("ZIP", "estimation")
    assert (zone.territory.kind, zone.territory.code) == ("tvs", "05T01")
    assert "territoire de vie-santé" in zone.method and "à défaut" not in zone.method
    assert zone.tvs.code == "05T01"
    bassin = _zone(_commune(None), None, 4.8, _territory("bv2012", "05061", 3.0))
    assert (bassin.zone_class, bassin.territory.kind) == ("vivier", "bv2012")
    assert "à défaut de la table des territoires de vie-santé" in bassin.method
    alone = _zone(_commune(None, None), None, 4.8)
    assert (alone.zone_class, alone.territory.kind) == ("hors zonage", "commune")
    assert _zone(_commune(None, None), None, None).status == "non disponible"


def test_a_published_class_says_its_arrete_and_why_it_differs() -> None:
    published = PublishedZone(
        insee="05061",
        profession=GP,
        zone_class="ZAC",
        zrr=None,
        dataset="zonage-officiel",
        decided_on=date(2025, 10, 30),
        authority="ARS Provence-Alpes-Côte d'Azur",
    )
    zone = _zone(_commune("05T01"), published, 4.8, _territory("tvs", "05T01", 3.2))
    assert (zone.zone_class, zone.status, zone.decided_on) == ("ZAC", "publié", date(2025, 10, 30))
    assert zone.authority == "ARS Provence-Alpes-Côte d'Azur" and zone.tvs.code == "05T01"
    assert "L'APL de la commune seule (4,80" in zone.explanation
    agreeing = _zone(_commune(), published, 3.1)  # in the vivier: a ZAC is one of its outcomes
    assert agreeing.explanation.startswith("Zone d'action complémentaire : l'accès y est")
    assert "seule" not in agreeing.explanation


def test_every_card_is_the_json_its_schema_declares(tiny_loaded, tiny_client) -> None:
    """A card is written as JSON without pydantic: every commune's, read back through
    ``CommuneCard``, gives the same JSON (no field missing, none left over, none of another
    type); the national cards are checked the same way in test_realdata.py."""
    import json

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from app.zones.models import Commune
    from app.zones.schemas import CommuneCard

    _, engine = tiny_loaded
    with Session(engine) as session:
        codes = session.scalars(select(Commune.insee)).all()
    assert codes
    for insee in codes:
        answer = tiny_client.get(f"/api/v1/communes/{insee}")
        assert answer.status_code == 200, insee
        shown = json.loads(answer.content)
        assert CommuneCard.model_validate(shown).model_dump(mode="json") == shown, insee


def test_a_simulation_reads_the_zone_its_card_shows(tiny_loaded, tiny_client) -> None:
    """The simulations read a commune's zone without building its card: the same class and
    status as the card, before the card is built and kept and after."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from app.aids.router import EXAMPLE
    from app.zones.models import Commune

    _, engine = tiny_loaded
    with Session(engine) as session:
        codes = session.scalars(select(Commune.insee).where(Commune.kind == "COM")).all()

    def place(insee: str) -> dict:
        body = {**EXAMPLE, "place": {"insee": insee}, "as_of": "2026-11-01"}
        simulated = tiny_client.post("/api/v1/aids/simulations", json=body)
        assert simulated.status_code == 200, simulated.text
        return simulated.json()["place"]

    for insee in codes:
        before = place(insee)
        zone = tiny_client.get(f"/api/v1/communes/{insee}").json()["zone"]
        assert place(insee) == before, insee
        assert (before["zone_class"], before["zone_status"]) == (
            zone["zone_class"],
            zone["status"],
        ), insee
