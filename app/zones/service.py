"""Read the active snapshot into the zones API's answers; takes a session, never commits."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from app.datasets.snapshot import active_snapshot
from app.errors import DataUnavailable, InvalidInput, NotFound
from app.zones import classify
from app.zones.models import Accessibility, Commune, Departement, PublishedZone, Region
from app.zones.schemas import Apl, AreaRef, CommuneCard, Point, Provenance, Zone

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
        zone=_zone(published, access, sources, thresholds, method),
    )


def _zone(
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
