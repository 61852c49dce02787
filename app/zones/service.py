"""Read the active snapshot into the zones API's answers; takes a session, never commits."""

from __future__ import annotations

import re
import threading
from math import isfinite
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.datasets.snapshot import active_snapshot
from app.errors import DataUnavailable, InvalidInput, NotFound
from app.zones import classify
from app.zones.models import Accessibility, Commune, Departement, PublishedZone, Region
from app.zones.schemas import (
    Apl,
    AreaRef,
    CommuneCard,
    CommuneMatch,
    CommuneMatches,
    Comparison,
    Extremes,
    Lookup,
    Point,
    Provenance,
    Zone,
)
from app.zones.search import Gazetteer, Locator, Place

INSEE_PATTERN = r"^(?:\d{2}|2[ABab])\d{3}$"
_INSEE = re.compile(INSEE_PATTERN)
GP = "medecin_generaliste"
APL_UNIT = "consultations ou visites accessibles par habitant standardisé et par an"


def normalise_insee(code: str) -> str:
    """A 5-character INSEE code (Corsica's 2A/2B included), upper-cased, or a 422."""
    code = code.strip()
    if not _INSEE.match(code):
        raise InvalidInput(
            f"Code INSEE invalide : « {code[:20]} ». Un code commune compte 5 caractères "
            "(chiffres, ou 2A/2B suivis de 3 chiffres pour la Corse)."
        )
    return code.upper()


class Sources:
    """Provenance of each dataset of the active snapshot."""

    def __init__(self, datasets: list[dict[str, Any]]) -> None:
        self._by_name = {d["name"]: d for d in datasets}

    def __call__(self, name: str) -> Provenance:
        d = self._by_name[name]
        return Provenance(
            dataset=d["name"],
            title=d["title"],
            vintage=d["vintage"],
            attribution=d["attribution"],
            licence=d["licence"],
            official=d["official"],
        )


def _snapshot(session: Session) -> tuple[int, Sources]:
    snapshot = active_snapshot(session)
    if snapshot is None:
        raise DataUnavailable("Aucune donnée chargée : lancez « zonage data load ».")
    return snapshot.id, Sources(snapshot.datasets)


def commune_card(
    session: Session, insee: str, thresholds: classify.Thresholds, method: str
) -> CommuneCard:
    """The card of one commune, with the provenance of every figure."""
    insee = normalise_insee(insee)
    snapshot_id, sources = _snapshot(session)
    commune = session.get(Commune, (snapshot_id, insee))
    if commune is None:
        raise NotFound(f"Aucune commune de code INSEE {insee} dans le COG 2026.")
    departement = session.get_one(Departement, (snapshot_id, commune.departement))
    region = session.get_one(Region, (snapshot_id, commune.region))
    access = session.get(Accessibility, (snapshot_id, insee, GP))
    published = session.get(PublishedZone, (snapshot_id, insee, GP))
    if published is None and commune.parent_insee:
        # arrondissements are not zoned on their own: the city's class applies
        published = session.get(PublishedZone, (snapshot_id, commune.parent_insee, GP))
    apl = None
    if access is not None:
        apl = Apl(
            all_ages=access.value,
            le65=access.value_le65,
            le62=access.value_le62,
            unit=APL_UNIT,
            derivation=access.derivation,
            source_codes=access.source_codes,  # type: ignore[arg-type]
            provenance=sources("apl-mg"),
        )
    return CommuneCard(
        insee=commune.insee,
        name=commune.name,
        kind=commune.kind,  # type: ignore[arg-type]
        parent_insee=commune.parent_insee,
        departement=AreaRef(code=departement.code, name=departement.name),
        region=AreaRef(code=region.code, name=region.name),
        epci=AreaRef(code=commune.epci_siren, name=commune.epci_name)
        if commune.epci_siren
        else None,
        postcodes=commune.postcodes,
        population=commune.population,
        population_provenance=sources("communes-reference"),
        centroid=Point(lon=commune.lon, lat=commune.lat) if commune.lon is not None else None,
        townhall=(
            Point(lon=commune.townhall_lon, lat=commune.townhall_lat)
            if commune.townhall_lon is not None
            else None
        ),
        bbox=commune.bbox,
        area_km2=commune.area_km2,
        contour_provenance=sources("communes-contours"),
        apl=apl,
        zone=_zone(insee, published, access, sources, thresholds, method),
    )


def _zone(
    insee: str,
    published: PublishedZone | None,
    access: Accessibility | None,
    sources: Sources,
    thresholds: classify.Thresholds,
    method: str,
) -> Zone:
    """The published class wins; else the national method on the APL (≤ 65), labelled so."""
    if published is not None:
        return Zone(
            zone_class=classify.ZoneClass(published.zone_class),
            status="publié",
            published_for=published.insee if published.insee != insee else None,
            zrr=published.zrr,
            provenance=sources(published.dataset),
        )
    if access is not None and access.value_le65 is not None:
        return Zone(
            zone_class=classify.estimate(access.value_le65, thresholds),
            status="estimation",
            method="Estimation à la commune sur l'APL 2021 des médecins de 65 ans et moins ; "
            + method,
            provenance=sources("apl-mg"),
        )
    return Zone(zone_class=None, status="non disponible")


class Indexes:
    """In-memory gazetteer and point locator of one snapshot."""

    def __init__(self, session: Session, snapshot_id: int) -> None:
        rows = session.execute(
            select(
                Commune.insee,
                Commune.name,
                Commune.departement,
                Commune.postcodes,
                Commune.population,
                Commune.kind,
                Commune.geom,
            ).where(Commune.snapshot_id == snapshot_id)
        ).all()
        self.gazetteer = Gazetteer(
            [
                Place(r.insee, r.name, r.departement, tuple(r.postcodes), r.population or 0)
                for r in rows
            ]
        )
        located = [r for r in rows if r.geom is not None]
        self.locator = Locator(
            [r.insee for r in located],
            [to_shape(r.geom) for r in located],
            finer={r.insee for r in rows if r.kind == "ARM"},
        )
        self.departements = dict(
            session.execute(
                select(Departement.code, Departement.name).where(
                    Departement.snapshot_id == snapshot_id
                )
            ).all()
        )


class IndexCache:
    """Indexes of the active snapshot, rebuilt when another snapshot becomes active."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._indexes: tuple[int, Indexes] | None = None

    def get(self, session: Session, snapshot_id: int) -> Indexes:
        with self._lock:
            if self._indexes is None or self._indexes[0] != snapshot_id:
                self._indexes = (snapshot_id, Indexes(session, snapshot_id))
            return self._indexes[1]


def search_communes(session: Session, cache: IndexCache, query: str, limit: int) -> CommuneMatches:
    """Communes by name, postcode or INSEE code, best first."""
    snapshot_id, _ = _snapshot(session)
    indexes = cache.get(session, snapshot_id)
    results = [
        CommuneMatch(
            insee=p.insee,
            name=p.name,
            postcodes=list(p.postcodes),
            population=p.population,
            departement=AreaRef(code=p.departement, name=indexes.departements[p.departement]),
        )
        for p in indexes.gazetteer.search(query, limit)
    ]
    return CommuneMatches(query=query, results=results)


def lookup(
    session: Session,
    cache: IndexCache,
    lon: float,
    lat: float,
    thresholds: classify.Thresholds,
    method: str,
) -> Lookup:
    """The commune (an arrondissement in Paris, Lyon, Marseille) containing the point."""
    if not (isfinite(lon) and isfinite(lat)):
        raise InvalidInput(
            "Coordonnées invalides : longitude et latitude doivent être des nombres."
        )
    snapshot_id, _ = _snapshot(session)
    insee = cache.get(session, snapshot_id).locator.locate(lon, lat)
    if insee is None:
        raise NotFound(
            f"Le point ({lat:.5f}, {lon:.5f}) n'est dans aucune commune de France "
            "(métropole et départements d'outre-mer)."
        )
    return Lookup(lon=lon, lat=lat, commune=commune_card(session, insee, thresholds, method))


COMPARED = {
    "apl.all_ages": lambda card: card.apl.all_ages if card.apl else None,
    "apl.le65": lambda card: card.apl.le65 if card.apl else None,
    "apl.le62": lambda card: card.apl.le62 if card.apl else None,
}


def compare(
    session: Session, codes: list[str], thresholds: classify.Thresholds, method: str
) -> Comparison:
    """2 to 5 cards side by side; a higher APL is better."""
    unique = list(dict.fromkeys(normalise_insee(code) for code in codes))
    if not 2 <= len(unique) <= 5:
        raise InvalidInput("La comparaison porte sur 2 à 5 communes distinctes (paramètre insee).")
    cards = [commune_card(session, code, thresholds, method) for code in unique]
    extremes = {}
    for figure, value_of in COMPARED.items():
        values = {card.insee: value_of(card) for card in cards}
        known = {k: v for k, v in values.items() if v is not None}
        if len(known) >= 2 and len(set(known.values())) > 1:
            top, bottom = max(known.values()), min(known.values())
            extremes[figure] = Extremes(
                best=[k for k, v in known.items() if v == top],
                worst=[k for k, v in known.items() if v == bottom],
            )
    return Comparison(communes=cards, extremes=extremes)
