"""A commune's card: zone, APL and key figures with their references and sources, kept per
snapshot as JSON; takes a session, never commits."""

from __future__ import annotations

import re
from math import ceil, isfinite

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound
from app.zones import classify, figures
from app.zones.accessibility import Model
from app.zones.data import HeldCard, IndexCache, SnapshotData, Sources
from app.zones.models import (
    Accessibility,
    AgeStructure,
    Commune,
    PublishedZone,
    TerritoryApl,
)
from app.zones.network import GP, Network
from app.zones.schemas import (
    Ageing,
    AgeingShare,
    Apl,
    AreaRef,
    CardHead,
    CommuneCard,
    Figure,
    NearbyHospital,
    Point,
    References,
    Shortage,
    ShortageTarget,
    Territory,
    ThresholdDistance,
    Zone,
)

INSEE_PATTERN = r"^(?:\d{2}|2[ABab])\d{3}$"
_INSEE = re.compile(INSEE_PATTERN)

NEAREST_HOSPITALS = 3
# key, label, profession, attribute, dataset
APL_FIGURES = [
    ("apl_mg", "APL aux médecins généralistes (tous âges)", GP, "value", "apl-mg"),
    ("apl_mg_le65", "APL aux médecins généralistes de 65 ans et moins", GP, "value_le65", "apl-mg"),
    ("apl_mg_le62", "APL aux médecins généralistes de 62 ans et moins", GP, "value_le62", "apl-mg"),
    ("apl_inf", "APL aux infirmiers (65 ans et moins)", "infirmier", "value", "apl-inf"),
    (
        "apl_mk",
        "APL aux masseurs-kinésithérapeutes (65 ans et moins)",
        "masseur_kinesitherapeute",
        "value",
        "apl-mk",
    ),
    ("apl_sf", "APL aux sages-femmes", "sage_femme", "value", "apl-sf"),
    (
        "apl_cd",
        "APL aux chirurgiens-dentistes (65 ans et moins)",
        "chirurgien_dentiste",
        "value",
        "apl-cd",
    ),
]
NOT_HELD = [
    (
        "patients_ald",
        "Patients en affection de longue durée (ALD)",
        "donnée de l'Assurance Maladie non publiée en données ouvertes à la commune",
    ),
    (
        "patients_c2s",
        "Patients bénéficiaires de la complémentaire santé solidaire (C2S)",
        "donnée de l'Assurance Maladie non publiée en données ouvertes à la commune",
    ),
    (
        "patients_sans_medecin_traitant",
        "Patients sans médecin traitant",
        "donnée de l'Assurance Maladie non publiée en données ouvertes à la commune",
    ),
]
CARE_FIGURES = [
    ("msp_count", "Maisons de santé pluriprofessionnelles (MSP)", "MSP"),
    ("cds_count", "Centres de santé", "CDS"),
    ("cpts_count", "Communautés professionnelles territoriales de santé (CPTS), siège", "CPTS"),
]


def normalise_insee(code: str) -> str:
    """A 5-character INSEE code (Corsica's 2A/2B included), upper-cased, or a 422."""
    code = code.strip()
    if not _INSEE.match(code):
        raise InvalidInput(
            f"Code INSEE invalide : « {code[:20]} ». Un code commune compte 5 caractères "
            "(chiffres, ou 2A/2B suivis de 3 chiffres pour la Corse)."
        )
    return code.upper()


def commune_card(
    session: Session, cache: IndexCache, insee: str, thresholds: classify.Thresholds, method: str
) -> CommuneCard:
    """The card of one commune, with the provenance and reference values of every figure.

    Read back from the per-snapshot JSON cache: 0.1 ms against 2.5 ms to compute it, for the
    lookups, simulations and what-ifs that embed or read a card."""
    return CommuneCard.model_validate_json(
        commune_card_json(session, cache, insee, thresholds, method)
    )


def _build_card(
    session: Session, cache: IndexCache, insee: str, thresholds: classify.Thresholds, method: str
) -> CommuneCard:
    insee = normalise_insee(insee)
    data = cache.current(session)
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
                ),
            )
        )
    }
    published = session.get(PublishedZone, (snapshot_id, insee, GP))
    if published is None and commune.parent_insee:
        # arrondissements are not zoned on their own: the city's class applies
        published = session.get(PublishedZone, (snapshot_id, commune.parent_insee, GP))
    ages = session.get(AgeStructure, (snapshot_id, insee))
    gp = access.get(GP)
    origin = (commune.townhall_lon or commune.lon, commune.townhall_lat or commune.lat)
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
        apl=_apl(gp, sources, thresholds) if gp else None,
        zone=_zone(
            insee, published, gp, territories.get(("bv2012", GP)), sources, thresholds, method
        ),
        shortage=_shortage(data.network(session), insee, thresholds, sources),
        ageing=_ageing(gp, territories, sources) if gp else None,
        figures=[
            *_apl_figures(access, territories, sources),
            _population_figure(commune, data, sources),
            *_age_figures(ages, sources),
            *_gp_figures(commune, data, sources),
            *_care_figures(commune, data),
            *_rpps_figures(commune, data.network(session), sources),
            *(_not_available(k, label, "", reason) for k, label, reason in NOT_HELD),
        ],
        hospitals=_nearest_hospitals(data, *origin) if origin[0] is not None else [],
        hospitals_provenance=sources("hospitals"),
    )


CARD_CACHE_SIZE = 4096


def _card_key(insee: str, thresholds: classify.Thresholds, method: str) -> tuple[object, ...]:
    return (normalise_insee(insee), thresholds, method)


def _held(
    cache: IndexCache, insee: str, thresholds: classify.Thresholds, method: str
) -> HeldCard | None:
    data = cache.fresh()
    return None if data is None else data.cards.get(_card_key(insee, thresholds, method))


def cached_card_json(
    cache: IndexCache, insee: str, thresholds: classify.Thresholds, method: str
) -> bytes | None:
    """The card as JSON if this process holds it for a freshly checked snapshot: no database,
    so the API can answer it without a worker thread."""
    held = _held(cache, insee, thresholds, method)
    return None if held is None else held[0]


def cached_card_head(
    cache: IndexCache, insee: str, thresholds: classify.Thresholds, method: str
) -> CardHead | None:
    """The card's place and zone if this process holds the card (see above)."""
    held = _held(cache, insee, thresholds, method)
    return None if held is None else held[1]


def commune_card_json(
    session: Session, cache: IndexCache, insee: str, thresholds: classify.Thresholds, method: str
) -> bytes:
    """The card as JSON, kept per snapshot for the last communes computed."""
    return _card(session, cache, insee, thresholds, method)[0]


def card_head(
    session: Session, cache: IndexCache, insee: str, thresholds: classify.Thresholds, method: str
) -> CardHead:
    """The card's place and zone, kept with the card."""
    return _card(session, cache, insee, thresholds, method)[1]


def _card(
    session: Session, cache: IndexCache, insee: str, thresholds: classify.Thresholds, method: str
) -> HeldCard:
    data = cache.current(session)
    key = _card_key(insee, thresholds, method)
    held = data.cards.get(key)
    if held is None:
        card = _build_card(session, cache, insee, thresholds, method)
        head = CardHead.model_validate(card, from_attributes=True)
        held = data.cards[key] = (card.model_dump_json().encode(), head)
        if len(data.cards) > CARD_CACHE_SIZE:
            data.cards.popitem(last=False)
    return held


def _apl(gp: Accessibility, sources: Sources, thresholds: classify.Thresholds) -> Apl:
    distances = [
        ThresholdDistance(
            indicator=indicator,  # type: ignore[arg-type]
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
        derivation=gp.derivation,  # type: ignore[arg-type]
        source_codes=gp.source_codes,
        zip_max=thresholds.zip_max,
        vivier_max=thresholds.vivier_max,
        distances=distances,
        provenance=sources("apl-mg"),
    )


def activity_note(model: Model) -> str:
    return (
        f"1 médecin à temps plein = {model.activity.per_gp:,} actes par an ".replace(",", "\u202f")
        + "(ARS Bourgogne-Franche-Comté, rules.md §4.3 [P37])"
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
    """Share of the APL from GPs over 65 and over 62, for the commune and its references."""
    rows: list[tuple[str, Accessibility | TerritoryApl | None]] = [
        ("commune", gp),
        *((kind, territories.get((kind, GP))) for kind in ("departement", "region", "france")),
    ]
    return Ageing(
        shares=[
            AgeingShare(
                scope=scope,  # type: ignore[arg-type]
                over65=figures.share_beyond(row.value, row.value_le65) if row else None,
                over62=figures.share_beyond(row.value, row.value_le62) if row else None,
            )
            for scope, row in rows
        ],
        provenance=sources("apl-mg"),
    )


def _zone(
    insee: str,
    published: PublishedZone | None,
    gp: Accessibility | None,
    bassin: TerritoryApl | None,
    sources: Sources,
    thresholds: classify.Thresholds,
    method: str,
) -> Zone:
    """The published class wins; else the national method on the bassin de vie's APL (≤ 65)."""
    if published is not None:
        return Zone(
            zone_class=classify.ZoneClass(published.zone_class),
            status="publié",
            published_for=published.insee if published.insee != insee else None,
            zrr=published.zrr,
            provenance=sources(published.dataset),
        )
    if bassin is not None and bassin.value_le65 is not None:
        territory = Territory(
            kind="bv2012",
            code=bassin.code,
            name=bassin.name,
            apl_le65=bassin.value_le65,
            communes=bassin.communes,
            population=bassin.population,
        )
        unit = (
            "bassin de vie 2012 (moyenne des APL communales pondérée par la population), à "
            "défaut de la table des territoires de vie-santé"
        )
    elif gp is not None and gp.value_le65 is not None:
        territory = Territory(
            kind="commune",
            code=insee,
            name=insee,
            apl_le65=gp.value_le65,
            communes=1,
            population=gp.population or 0,
        )
        unit = "commune seule (commune sans bassin de vie connu)"
    else:
        return Zone(zone_class=None, status="non disponible")
    return Zone(
        zone_class=classify.estimate(territory.apl_le65, thresholds),
        status="estimation",
        method=f"Estimation sur l'APL 2021 des médecins de 65 ans et moins du {unit} ; {method}",
        territory=territory,
        provenance=sources("apl-mg"),
    )


def _apl_figures(
    access: dict[str, Accessibility],
    territories: dict[tuple[str, str], TerritoryApl],
    sources: Sources,
) -> list[Figure]:
    out = []
    for key, label, profession, attribute, dataset in APL_FIGURES:
        row = access.get(profession)
        value = getattr(row, attribute) if row else None

        def ref(
            kind: str, profession: str = profession, attribute: str = attribute
        ) -> float | None:
            territory = territories.get((kind, profession))
            return getattr(territory, attribute) if territory else None

        out.append(
            Figure(
                key=key,
                label=label,
                value=value,
                unit=sources.unit(dataset),
                scope="commune",
                status="disponible" if value is not None else "non disponible",
                reason=None
                if value is not None
                else "commune absente du fichier APL (créée depuis)",
                references=References(
                    departement=ref("departement"), region=ref("region"), france=ref("france")
                ),
                references_note="moyennes des communes pondérées par leur population",
                provenance=sources(dataset),
            )
        )
    return out


def _population_figure(commune: Commune, data: SnapshotData, sources: Sources) -> Figure:
    return Figure(
        key="population",
        label="Population municipale",
        value=commune.population,
        unit="habitants",
        scope="commune",
        status="disponible",
        references=References(
            departement=data.population[commune.departement],
            region=data.population[f"R{commune.region}"],
            france=data.population["FR"],
        ),
        references_note="population totale de chaque territoire (France : métropole et DROM)",
        provenance=sources("communes-reference"),
    )


def _age_figures(ages: AgeStructure | None, sources: Sources) -> list[Figure]:
    out = []
    for key, label, age in (
        ("share_65_plus", "Part des 65 ans ou plus", 65),
        ("share_75_plus", "Part des 75 ans ou plus", 75),
    ):
        value = figures.share_aged(ages.bands, age) if ages else None
        out.append(
            Figure(
                key=key,
                label=label,
                value=value,
                unit="%",
                scope="commune",
                status="disponible" if value is not None else "non disponible",
                reason=None
                if value is not None
                else "structure par âge connue des seules communes de 3 300 habitants ou plus",
                references_note="non disponibles : la source ne couvre que les communes de 3 300 "
                "habitants ou plus",
                provenance=sources("population-age"),
            )
        )
    return out


def _gp_figures(commune: Commune, data: SnapshotData, sources: Sources) -> list[Figure]:
    drom = "les DROM sont regroupés (« 97 ») dans la source RPPS"
    count = data.gp_count_of(commune.departement)
    region_count = data.gp_count_of_region(commune.region)
    france = data.gp_count["FR"]
    shown = figures.counted(count, drom)
    provenance = sources("rpps-departements")
    return [
        Figure(
            key="gp_count",
            label="Médecins généralistes du département (RPPS)",
            value=shown.value,
            unit="médecins",
            scope="département",
            status=shown.status,  # type: ignore[arg-type]
            reason=shown.reason,
            references=References(region=region_count, france=france),
            references_note="spécialistes et qualifiés en médecine générale (SM53, SM26), "
            "tous modes d'exercice, un lieu d'exercice par médecin",
            provenance=provenance,
        ),
        Figure(
            key="gp_density",
            label="Densité de médecins généralistes du département",
            value=figures.density(count, data.population[commune.departement]),
            unit="pour 100 000 habitants (population COG 2026)",
            scope="département",
            status=shown.status,
            reason=shown.reason,  # type: ignore[arg-type]
            references=References(
                region=figures.density(region_count, data.population[f"R{commune.region}"]),
                france=figures.density(france, data.population["FR"]),
            ),
            provenance=provenance,
        ),
    ]


def _not_available(key: str, label: str, unit: str, reason: str) -> Figure:
    """A figure the card names but cannot give, and why."""
    return Figure(
        key=key,
        label=label,
        value=None,
        unit=unit,
        scope="commune",
        status="non disponible",
        reason=reason,
    )


def _care_figures(commune: Commune, data: SnapshotData) -> list[Figure]:
    """Coordinated care structures counted in the commune, with the totals of its areas."""
    out = []
    for key, label, category in CARE_FIGURES:
        if not data.care_loaded:
            reason = (
                "flux FINESS+ (MSP, centres de santé, CPTS) non chargé : jeu optionnel du manifeste"
            )
            out.append(_not_available(key, label, "structures", reason))
            continue
        count = data.care_count
        out.append(
            Figure(
                key=key,
                label=label,
                value=count[(commune.insee, category)],
                unit="structures",
                scope="commune",
                status="disponible",
                references=References(
                    departement=count[(commune.departement, category)],
                    region=count[(f"R{commune.region}", category)],
                    france=count[("FR", category)],
                ),
                references_note="nombre total dans chaque territoire",
                provenance=data.sources("finess-structures"),
            )
        )
    return out


RPPS_FIGURES = (
    (
        "gp_practising",
        "Médecins généralistes exerçant dans la commune (RPPS)",
        "médecins",
        "libéraux et salariés de centre de santé ; un médecin exerçant dans k communes compte "
        "pour 1/k dans chacune ; totaux de chaque territoire",
    ),
    (
        "apl_rpps",
        "APL recalculée par zonage avec le RPPS (tous âges)",
        "C./an/hab.",
        "estimation zonage, à comparer à l'APL DREES 2021 tous âges (RPPS sans date de "
        "naissance : pas de borne d'âge) ; moyennes pondérées par la population",
    ),
)


def _rpps_figures(commune: Commune, network: Network, sources: Sources) -> list[Figure]:
    """GPs practising in the commune and the APL recomputed from them (national RPPS extract)."""
    i = network.index.get(commune.insee)
    gps, apl = network.gps, network.rpps_apl
    reason, provenance = None, None
    values: tuple[tuple[float | None, list[float | None]], ...] = ((None, [None] * 3),) * 2
    if gps is None or apl is None:
        reason = (
            "extraction RPPS nationale non chargée : « zonage data rpps FICHIER » puis "
            "« zonage data load »"
        )
    elif i is None:
        reason = (
            "commune sans population standardisée DREES (Paris, Lyon, Marseille : voir leurs "
            "arrondissements)"
        )
    else:
        scopes = (
            network.departements == commune.departement,
            network.regions == commune.region,
            np.ones(len(gps), dtype=bool),
        )
        values = (
            (round(float(gps[i]), 1), [round(float(gps[s].sum()), 1) for s in scopes]),
            (round(float(apl[i]), 3), [_rounded(network.mean_rpps_apl(s)) for s in scopes]),
        )
        provenance = sources("rpps-activite")
    method = f" ; {network.model.describe()} ; {activity_note(network.model)}"
    return [
        Figure(
            key=key,
            label=label,
            value=value,
            unit=unit,
            scope="commune",
            status="non disponible" if reason else "disponible",
            reason=reason,
            references=References(departement=dept, region=region, france=france),
            references_note=note + (method if key == "apl_rpps" else ""),
            provenance=provenance,
        )
        for (key, label, unit, note), (value, (dept, region, france)) in zip(
            RPPS_FIGURES, values, strict=True
        )
    ]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _nearest_hospitals(data: SnapshotData, lon: float, lat: float) -> list[NearbyHospital]:
    indices, distances = figures.nearest(
        lon, lat, data.hospital_lons, data.hospital_lats, NEAREST_HOSPITALS
    )
    return [
        NearbyHospital(
            finess=h.finess,
            name=h.site_name or h.name,
            category=h.category,
            public_private=h.public_private,
            city=h.city,
            lon=h.lon,
            lat=h.lat,
            distance_km=round(float(km), 1),
        )
        for h, km in ((data.hospitals[i], km) for i, km in zip(indices, distances, strict=True))
    ]
