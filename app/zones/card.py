"""A commune's card: zone, APL and key figures with their references and sources, kept per
snapshot as JSON; takes a session, never commits."""

from __future__ import annotations

import re
from collections import OrderedDict
from datetime import date
from math import ceil, isfinite

import numpy as np
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from app.bodies import gzipped
from app.errors import InvalidInput, NotFound
from app.zones import arretes, classify, figures
from app.zones.data import Reader, SnapshotData, Sources
from app.zones.keyfigures import CardInputs, activity_note, key_figures
from app.zones.models import (
    Accessibility,
    AgeStructure,
    AplHistory,
    Commune,
    Fact,
    PublishedZone,
    TerritoryApl,
)
from app.zones.network import GP, GP_2021, GP_2022, Network
from app.zones.schemas import (
    Ageing,
    AgeingShare,
    Apl,
    AplPoint,
    AreaRef,
    CardHead,
    ClassDoubt,
    CommuneCard,
    Frr,
    LatestArrete,
    NearbyHospital,
    Point,
    PreviousClass,
    Shortage,
    ShortageTarget,
    Territory,
    TerritoryLink,
    ThresholdDistance,
    Zone,
)
from app.zones.statuses import FRR

INSEE_PATTERN = r"^(?:[0-9]{2}|2[ABab])[0-9]{3}$"
_INSEE = re.compile(INSEE_PATTERN)

NEAREST_GENERAL_HOSPITALS = 3
NEAREST_OTHER_HOSPITALS = 2


def normalise_insee(code: str) -> str:
    """A 5-character INSEE code (Corsica's 2A/2B included), upper-cased, or a 422."""
    code = code.strip()
    if not _INSEE.match(code):
        raise InvalidInput(
            f"Code INSEE invalide : « {code[:20]} ». Un code commune compte 5 caractères "
            "(chiffres, ou 2A/2B suivis de 3 chiffres pour la Corse)."
        )
    return code.upper()


def commune_card(reader: Reader, insee: str) -> CommuneCard:
    """The card of one commune, with the provenance and reference values of every figure.

    Read back from the per-snapshot JSON cache: 0.1 ms against 2.5 ms to compute it, for the
    lookups, simulations and what-ifs that embed or read a card."""
    return CommuneCard.model_validate_json(_card(reader, insee).body)


def _build_card(reader: Reader, insee: str, today: date) -> CommuneCard:
    insee = normalise_insee(insee)
    session, data, thresholds = reader.session, reader.data, reader.thresholds
    snapshot_id, sources = data.id, data.sources
    commune = session.get(Commune, (snapshot_id, insee))
    if commune is None:
        raise NotFound(f"Aucune commune de code INSEE {insee} dans le COG 2026.")
    departement = data.departements[commune.departement]
    region = data.regions[commune.region]
    access = {
        a.profession: a
        for a in session.scalars(
            select(Accessibility).where(
                Accessibility.snapshot_id == snapshot_id, Accessibility.insee == insee
            )
        )
    }
    territories = {
        (t.kind, t.profession): t
        for t in session.scalars(
            select(TerritoryApl).where(
                TerritoryApl.snapshot_id == snapshot_id,
                (
                    (
                        (TerritoryApl.kind == "departement")
                        & (TerritoryApl.code == commune.departement)
                    )
                    | ((TerritoryApl.kind == "region") & (TerritoryApl.code == commune.region))
                    | (TerritoryApl.kind == "france")
                    | ((TerritoryApl.kind == "bv2012") & (TerritoryApl.code == commune.bv2012))
                    | ((TerritoryApl.kind == "tvs") & (TerritoryApl.code == commune.tvs))
                ),
            )
        )
    }
    published = session.get(PublishedZone, (snapshot_id, insee, GP))
    if published is None and commune.parent_insee:
        # arrondissements are not zoned on their own: the city's class applies
        published = session.get(PublishedZone, (snapshot_id, commune.parent_insee, GP))
    ages = session.get(AgeStructure, (snapshot_id, insee))
    facts = {
        (f.kind, f.key): f.value
        for f in session.scalars(
            select(Fact).where(
                Fact.snapshot_id == snapshot_id,
                tuple_(Fact.kind, Fact.code).in_(
                    [
                        ("commune", insee),
                        ("bv2022", commune.bv2022 or ""),
                        ("departement", commune.departement),
                        ("region", commune.region),
                        ("france", "FR"),
                    ]
                ),
            )
        )
    }
    gp = access.get(GP)
    network = data.network(session)
    lon, lat = commune.townhall_lon or commune.lon, commune.townhall_lat or commune.lat
    return CommuneCard(
        insee=commune.insee,
        name=commune.name,
        kind=commune.kind,  # type: ignore[arg-type]  # a value the load writes from the same Literal
        parent_insee=commune.parent_insee,
        departement=AreaRef(code=departement.code, name=departement.name),
        region=AreaRef(code=region.code, name=region.name),
        epci=AreaRef(code=commune.epci_siren, name=commune.epci_name or commune.epci_siren)
        if commune.epci_siren
        else None,
        postcodes=commune.postcodes,
        population=commune.population,
        population_provenance=sources("communes-reference"),
        centroid=_point(commune.lon, commune.lat),
        townhall=_point(commune.townhall_lon, commune.townhall_lat),
        bbox=commune.bbox,
        area_km2=commune.area_km2,
        contour_provenance=sources("communes-contours"),
        apl=_apl(gp, _history(session, snapshot_id, insee, access), sources, thresholds)
        if gp
        else None,
        zone=_zone(commune, published, gp, territories, sources, thresholds, today),
        territory=territory_link(
            commune.tvs, commune.tvs_name, commune.bv2012, commune.bv2012_name
        ),
        shortage=_shortage(network, insee, thresholds, sources),
        ageing=_ageing(access[GP_2021], territories, sources) if GP_2021 in access else None,
        figures=key_figures(CardInputs(commune, data, network, access, territories, ages, facts)),
        hospitals=_nearest_hospitals(data, lon, lat) if lon is not None and lat is not None else [],
        hospitals_provenance=sources("hospitals"),
    )


TERRITORIES = "/api/v1/territories/"


def territory_link(
    tvs: str | None, tvs_name: str | None, bv2012: str | None, bv2012_name: str | None
) -> TerritoryLink | None:
    """The territory an estimate reads (the TVS, else the bassin de vie 2012) and its card."""
    if tvs:
        return TerritoryLink(kind="tvs", code=tvs, name=tvs_name or tvs, href=TERRITORIES + tvs)
    if bv2012:
        name = bv2012_name or bv2012
        return TerritoryLink(kind="bv2012", code=bv2012, name=name, href=TERRITORIES + bv2012)
    return None


CARD_CACHE_SIZE = 4096


class HeldCard:
    """A card's JSON, gzipped once for the clients that take it (compressing it per request
    cost more than answering it), and its place and zone for the simulations."""

    __slots__ = ("_gzipped", "body", "head")

    def __init__(self, body: bytes, head: CardHead) -> None:
        self.body, self.head = body, head
        self._gzipped: bytes | None = None

    @property
    def gzipped(self) -> bytes:
        """Compressed when first asked (the cards that lookups and comparisons build for
        themselves are never sent); two threads may both compress it, to the same bytes."""
        if self._gzipped is None:
            self._gzipped = gzipped(self.body)
        return self._gzipped


Cards = OrderedDict[tuple[object, ...], HeldCard]


def _cards(data: SnapshotData) -> Cards:
    """The snapshot's cards, the last ``CARD_CACHE_SIZE`` computed."""
    return data.kept("cards", Cards)


def _card_key(reader: Reader, insee: str) -> tuple[str, classify.Thresholds, date]:
    """A card says whether its class is still current today: it is kept for the day."""
    return (normalise_insee(insee), reader.thresholds, date.today())


def cached_card(reader: Reader, insee: str) -> HeldCard | None:
    """The card if this process holds it for a freshly checked snapshot: no database, so the
    API can answer it without a worker thread."""
    data = reader.held()
    return None if data is None else _cards(data).get(_card_key(reader, insee))


def cached_card_head(reader: Reader, insee: str) -> CardHead | None:
    """The card's place and zone if this process holds the card (see above)."""
    held = cached_card(reader, insee)
    return None if held is None else held.head


def held_card(reader: Reader, insee: str) -> HeldCard:
    """The card as JSON, kept per snapshot for the last communes computed."""
    return _card(reader, insee)


def card_head(reader: Reader, insee: str) -> CardHead:
    """The card's place and zone, kept with the card."""
    return _card(reader, insee).head


def _card(reader: Reader, insee: str) -> HeldCard:
    cards = _cards(reader.data)
    key = _card_key(reader, insee)
    held = cards.get(key)
    if held is None:
        card = _build_card(reader, insee, key[-1])
        head = CardHead.model_validate(card, from_attributes=True)
        held = cards[key] = HeldCard(card.model_dump_json().encode(), head)
        if len(cards) > CARD_CACHE_SIZE:
            cards.popitem(last=False)
    return held


# the DREES files loaded as Accessibility rows, by year, for the series
SERIES_FILES = {
    2021: (GP_2021, "apl-mg-2021"),
    2022: (GP_2022, "apl-mg-2022"),
    2023: (GP, "apl-mg"),
}
HISTORY = "apl-mg-historique"


def _history(
    session: Session, snapshot_id: int, insee: str, access: dict[str, Accessibility]
) -> list[AplPoint]:
    """The commune's GP APL (all ages) year by year: the DREES series before 2021, then the
    DREES files."""
    earlier = session.scalars(
        select(AplHistory)
        .where(AplHistory.snapshot_id == snapshot_id, AplHistory.insee == insee)
        .order_by(AplHistory.year)
    )
    return [
        *(AplPoint(year=row.year, value=row.value, dataset=HISTORY) for row in earlier),
        *(
            AplPoint(year=year, value=value, dataset=dataset)
            for year, (profession, dataset) in SERIES_FILES.items()
            if profession in access and (value := access[profession].value) is not None
        ),
    ]


def _apl(
    gp: Accessibility,
    history: list[AplPoint],
    sources: Sources,
    thresholds: classify.Thresholds,
) -> Apl:
    distances = [
        ThresholdDistance(
            indicator=indicator,  # type: ignore[arg-type]  # a value the load writes from the same Literal
            to_zip_max=round(value - thresholds.zip_max, 3),
            to_vivier_max=round(value - thresholds.vivier_max, 3),
        )
        for indicator, value in (("all_ages", gp.value), ("le65", gp.value_le65))
        if value is not None
    ]
    return Apl(
        all_ages=gp.value,
        le65=gp.value_le65,
        le62=gp.value_le62,
        unit=sources.unit("apl-mg"),
        derivation=gp.derivation,  # type: ignore[arg-type]  # a value the load writes from the same Literal
        source_codes=gp.source_codes,
        zip_max=thresholds.zip_max,
        vivier_max=thresholds.vivier_max,
        distances=distances,
        provenance=sources("apl-mg"),
        history=history,
        history_provenance=[
            sources(dataset) for dataset in dict.fromkeys(point.dataset for point in history)
        ],
    )


def _shortage(
    network: Network, insee: str, thresholds: classify.Thresholds, sources: Sources
) -> Shortage | None:
    """Actes (and full-time GPs) one installation here needs to lift the APL ≤ 65 to each
    threshold: ``(threshold − APL) × D_i`` since the commune's own weight is 1."""
    i = network.index.get(insee)
    if i is None or np.isnan(network.apl_le65[i]):
        return None
    model = network.model
    method = f"{model.describe()} ; {activity_note(model)}"
    targets = []
    for threshold in (thresholds.zip_max, thresholds.vivier_max):
        actes = network.catchment.actes_to_reach(i, float(network.apl_le65[i]), threshold)
        if not isfinite(actes):
            return Shortage(
                targets=[],
                status="non disponible",
                reason="aucune population standardisée dans la zone de desserte de la commune",
                method=method,
                provenance=sources("apl-mg"),
            )
        targets.append(
            ShortageTarget(
                threshold=threshold,
                actes_per_year=ceil(actes),
                full_time_gps=round(actes / model.activity.per_gp, 1),
            )
        )
    return Shortage(targets=targets, method=method, provenance=sources("apl-mg"))


def _ageing(
    gp: Accessibility, territories: dict[tuple[str, str], TerritoryApl], sources: Sources
) -> Ageing:
    """Share of the APL from GPs over 65 and over 62, for the commune and its references, on
    the APL 2021 (``gp``): later vintages have no ≤ 62 variant."""
    rows: list[tuple[str, Accessibility | TerritoryApl | None]] = [
        ("commune", gp),
        *((kind, territories.get((kind, GP_2021))) for kind in ("departement", "region", "france")),
    ]
    return Ageing(
        shares=[
            AgeingShare(
                scope=scope,  # type: ignore[arg-type]  # a value the load writes from the same Literal
                over65=figures.share_beyond(row.value, row.value_le65) if row else None,
                over62=figures.share_beyond(row.value, row.value_le62) if row else None,
            )
            for scope, row in rows
        ],
        provenance=sources("apl-mg-2021"),
    )


def _explanation(zone_class: str, gp: Accessibility | None, thresholds: classify.Thresholds) -> str:
    """What the class means and, where the commune's own APL points elsewhere, why."""
    text = classify.meaning(zone_class)
    if gp is None or gp.value_le65 is None:
        return text
    own = classify.estimate(gp.value_le65, thresholds).value
    vivier = own == "vivier" and zone_class in ("ZIP", "ZAC", "ZAR", "hors zonage")
    if own == zone_class or vivier or (own == "hors zonage" and zone_class == "ZAR"):
        return text
    apl = f"{gp.value_le65:.2f}".replace(".", ",")
    return (
        f"{text} L'APL de la commune seule ({apl}, médecins de 65 ans et moins) la placerait en "
        f"{own} : l'ARS classe tout un territoire de vie-santé sur la moyenne "
        "des APL de ses communes pondérée par leur population, sous des plafonds régionaux de "
        "population et avec des adaptations locales (arrêté du 13 novembre 2017 modifié) ; une "
        "commune mieux ou moins bien dotée que son territoire prend la classe du territoire."
    )


def _point(lon: float | None, lat: float | None) -> Point | None:
    return Point(lon=lon, lat=lat) if lon is not None and lat is not None else None


def _zone(
    commune: Commune,
    published: PublishedZone | None,
    gp: Accessibility | None,
    territories: dict[tuple[str, str], TerritoryApl],
    sources: Sources,
    thresholds: classify.Thresholds,
    today: date,
) -> Zone:
    """The published class wins, said to be in doubt when a newer arrêté may have changed it;
    else the national method on the APL (≤ 65) of the commune's territoire de vie-santé, else
    of its bassin de vie, else of the commune alone."""
    tvs = AreaRef(code=commune.tvs, name=commune.tvs_name or commune.tvs) if commune.tvs else None
    frr = (
        Frr(
            status=commune.frr,  # type: ignore[arg-type]  # a value the load writes from the same Literal
            label=FRR[commune.frr].card,
            provenance=sources("frr-communes"),
        )
        if commune.frr and "frr-communes" in sources
        else None
    )
    if published is not None and published.zone_class is not None:
        return Zone(
            zone_class=classify.ZoneClass(published.zone_class),
            status="publié",
            published_for=published.insee if published.insee != commune.insee else None,
            zrr=published.zrr,
            frr=frr,
            zone_rouge=commune.zone_rouge,
            decided_on=published.decided_on,
            authority=published.authority,
            known_on=published.known_on,
            since=published.since,
            previous=PreviousClass(
                zone_class=classify.ZoneClass(published.previous_class),
                decided_on=published.previous_decided_on,
            )
            if published.previous_class
            else None,
            doubt=_class_doubt(commune.region, published.decided_on, published.known_on, today),
            tvs=tvs,
            explanation=_explanation(published.zone_class, gp, thresholds),
            provenance=sources(published.dataset),
        )
    unit = classify.estimate_unit(commune.tvs, commune.bv2012)
    # ``territories`` are the commune's own, by kind
    territory_apl = territories.get((unit[0], GP)) if unit else None
    if territory_apl is not None and territory_apl.value_le65 is not None:
        kind = territory_apl.kind
        territory = Territory(
            kind=kind,  # type: ignore[arg-type]  # a value the load writes from the same Literal
            code=territory_apl.code,
            name=territory_apl.name,
            apl_le65=territory_apl.value_le65,
            communes=territory_apl.communes,
            population=territory_apl.population,
        )
        where = (
            f"{classify.UNIT_NAMES[kind]} (moyenne des APL communales pondérée par la population)"
            + (", à défaut de la table des territoires de vie-santé" if kind == "bv2012" else "")
        )
    elif gp is not None and gp.value_le65 is not None:
        territory = Territory(
            kind="commune",
            code=commune.insee,
            name=commune.name,
            apl_le65=gp.value_le65,
            communes=1,
            population=gp.population or 0,
        )
        where = "de la commune seule (commune sans territoire connu)"
    else:
        return Zone(
            zone_class=None,
            status="non disponible",
            tvs=tvs,
            frr=frr,
            zone_rouge=commune.zone_rouge,
        )
    zone_class = classify.estimate(territory.apl_le65, thresholds)
    return Zone(
        zone_class=zone_class,
        status="estimation",
        tvs=tvs,
        frr=frr,
        zone_rouge=commune.zone_rouge,
        explanation=classify.meaning(zone_class.value),
        method=f"Estimation sur l'{sources('apl-mg').vintage} des médecins de 65 ans et moins "
        f"du {where} ; {thresholds.describe()}",
        territory=territory,
        provenance=sources("apl-mg"),
    )


def _class_doubt(
    region: str | None, decided_on: date | None, known_on: date | None, on: date
) -> ClassDoubt | None:
    """Why a published class may not be the one in force on ``on`` (see ``arretes``)."""
    found = arretes.doubt(region, decided_on, known_on, on)
    if found is None:
        return None
    arrete = found.arrete
    return ClassDoubt(
        reason=found.reason,
        arrete=LatestArrete.model_validate(arrete, from_attributes=True) if arrete else None,
    )


def _nearest_hospitals(data: SnapshotData, lon: float, lat: float) -> list[NearbyHospital]:
    """The nearest general hospitals (CH, CHU, CHI), then the nearest other sites."""
    order, distances = figures.nearest(
        lon, lat, data.hospital_lons, data.hospital_lats, len(data.hospitals)
    )
    general = data.hospital_general[order]
    chosen: list[int] = []
    for wanted, count in (
        (general, NEAREST_GENERAL_HOSPITALS),
        (~general, NEAREST_OTHER_HOSPITALS),
    ):
        seen: set[tuple[str, float, float]] = set()
        for n in np.flatnonzero(wanted):
            h = data.hospitals[order[n]]
            site = (h.site_name or h.name, h.lon, h.lat)  # FINESS lists some sites twice
            if site not in seen:
                seen.add(site)
                chosen.append(int(n))
            if len(seen) == count:
                break
    return [
        NearbyHospital(
            finess=h.finess,
            name=h.site_name or h.name,
            category=h.category,
            general=bool(general[n]),
            public_private=h.public_private,
            city=h.city,
            lon=h.lon,
            lat=h.lat,
            distance_km=round(float(distances[n]), 1),
        )
        for n, h in ((n, data.hospitals[order[n]]) for n in chosen)
    ]
