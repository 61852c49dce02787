"""Search, point and address lookup, comparison and regional classification over the active
snapshot; reads through a reader, never commits."""

from __future__ import annotations

from collections import defaultdict
from math import isfinite
from typing import Any

from sqlalchemy import select

from app.errors import InvalidInput, NotFound
from app.geocoding import service as geocoding
from app.geocoding.geoplateforme import Geoplateforme
from app.zones import classify
from app.zones.card import commune_card, normalise_insee
from app.zones.classify import ZoneClass
from app.zones.data import Reader
from app.zones.keyfigures import COMPARED
from app.zones.layers import gp_row_of
from app.zones.models import (
    Accessibility,
    Commune,
    PublishedZone,
)
from app.zones.schemas import (
    AreaRef,
    ClassifiedUnit,
    CommuneMatch,
    CommuneMatches,
    Comparison,
    Extremes,
    Lookup,
    RegionClassification,
)


def search_communes(reader: Reader, query: str, limit: int, offset: int = 0) -> CommuneMatches:
    """Communes by name, postcode or INSEE code, best first; ``offset`` pages through them."""
    data = reader.data
    results = [
        CommuneMatch(
            insee=p.insee,
            name=p.name,
            postcodes=list(p.postcodes),
            population=p.population,
            departement=AreaRef(code=p.departement, name=data.departements[p.departement].name),
        )
        for p in data.gazetteer.search(query, offset + limit)[offset:]
    ]
    return CommuneMatches(query=query, offset=offset, results=results)


# The contours are ADMIN EXPRESS's generalised ones: Saint-Malo's town hall lies 3 m outside
# its commune. A point this close to a single contour is taken to be in that commune.
SHORE_TOLERANCE_M = 200


def lookup(reader: Reader, lon: float, lat: float) -> Lookup:
    """The commune (an arrondissement in Paris, Lyon, Marseille) containing the point, else the
    nearest one within ``SHORE_TOLERANCE_M``."""
    if not (isfinite(lon) and isfinite(lat)):
        raise InvalidInput(
            "Coordonnées invalides : longitude et latitude doivent être des nombres."
        )
    locator = reader.data.locator
    insee, outside_m = locator.locate(lon, lat), None
    if insee is None:
        near = locator.nearest(lon, lat, SHORE_TOLERANCE_M)
        if near is None:
            raise NotFound(
                f"Le point ({lat:.5f}, {lon:.5f}) n'est dans aucune commune de France "
                "(métropole et départements d'outre-mer)."
            )
        insee, outside_m = near[0], round(near[1])
    card = commune_card(reader, insee)
    return Lookup(precision="point", lon=lon, lat=lat, outside_m=outside_m, commune=card)


AMBIGUITY = 0.02  # two best matches this close, in different communes: let the user choose


def lookup_address(reader: Reader, address: str, online: Geoplateforme | None = None) -> Lookup:
    """The best match's commune (the BAN's own code) and its card, or the candidates when the
    query is ambiguous; 404 when nothing matches."""
    results = geocoding.geocode(reader, address, 5, online).results
    if not results:
        raise NotFound(f"Aucune adresse ni commune ne correspond à « {address[:80]} ».")
    best = results[0]
    rivals = [m for m in results[1:] if m.score >= best.score - AMBIGUITY and m.insee != best.insee]
    if rivals:
        return Lookup(status="ambigu", lon=None, lat=None, candidates=results, commune=None)
    return Lookup(
        precision=best.kind,
        lon=best.lon,
        lat=best.lat,
        address=best,
        candidates=results,
        commune=commune_card(reader, best.insee),
    )


def compare(reader: Reader, codes: list[str]) -> Comparison:
    """2 to 5 cards side by side; for each accessibility figure, the best and worst communes."""
    unique = list(dict.fromkeys(normalise_insee(code) for code in codes))
    if not 2 <= len(unique) <= 5 or len(codes) > 5:  # as declared: 5 values at most
        raise InvalidInput("La comparaison porte sur 2 à 5 communes distinctes (paramètre insee).")
    cards = [commune_card(reader, code) for code in unique]
    extremes = {}
    for key, more_is_better in COMPARED.items():
        known = {
            card.insee: figure.value
            for card in cards
            for figure in card.figures
            if figure.key == key and figure.value is not None
        }
        if len(set(known.values())) > 1:
            top, bottom = max(known.values()), min(known.values())
            if not more_is_better:
                top, bottom = bottom, top
            extremes[key] = Extremes(
                best=[k for k, v in known.items() if v == top],
                worst=[k for k, v in known.items() if v == bottom],
            )
    return Comparison(communes=cards, extremes=extremes)


def classify_region(reader: Reader, region: str, caps: classify.Caps) -> RegionClassification:
    """Fill ZIP then ZAC from the vivier of a région's territoires (TVS when the official table
    gives them, else bassins de vie), by ascending APL (≤ 65), under population caps, and count
    agreement with the published classes per commune."""
    if caps.zip_share + caps.zac_share > 1:
        raise InvalidInput("Les plafonds ZIP et ZAC cumulés dépassent 100 % de la population.")
    data = reader.data
    snapshot_id, sources = data.id, data.sources
    if region not in data.regions:
        raise NotFound(f"Région inconnue : « {region[:10]} ».")
    rows = reader.session.execute(
        select(
            Commune.insee,
            Commune.tvs,
            Commune.tvs_name,
            Commune.bv2012,
            Commune.bv2012_name,
            Accessibility.value_le65,
            Accessibility.population,
            PublishedZone.zone_class,
        )
        .join(Accessibility, gp_row_of(Accessibility, Commune))
        .outerjoin(PublishedZone, gp_row_of(PublishedZone, Commune))
        .where(
            Commune.snapshot_id == snapshot_id,
            Commune.region == region,
            Commune.kind == "COM",
            Accessibility.value_le65.is_not(None),
        )
    ).all()
    members: dict[str, list[Any]] = defaultdict(list)
    names: dict[str, str] = {}
    for row in rows:
        # the estimate's unit (TVS, else bassin de vie); a commune with neither stands alone
        kind, code = classify.estimate_unit(row.tvs, row.bv2012) or ("commune", row.insee)
        members[code].append(row)
        names[code] = {"tvs": row.tvs_name, "bv2012": row.bv2012_name}.get(kind) or row.insee
    units = []
    for code, group in members.items():
        population = sum(r.population or 0 for r in group)
        apl = (
            sum(r.value_le65 * (r.population or 0) for r in group) / population
            if population
            else 0.0
        )
        units.append(classify.Unit(code, names[code], round(apl, 3), population))
    classes = classify.classify_region(units, reader.thresholds, caps)
    total = sum(u.population for u in units) or 1
    estimated = [ZoneClass.ZIP, ZoneClass.ZAC, ZoneClass.hors_zonage]
    published = ["ZIP", "ZAC", "ZAR", "hors zonage", "non publié"]
    communes = {e.value: dict.fromkeys(published, 0) for e in estimated}
    people = {e.value: dict.fromkeys(published, 0) for e in estimated}
    agree = [0, 0, 0, 0]  # communes agreeing, communes published, people agreeing, people published
    for code, group in members.items():
        zone = classes[code].value
        for row in group:
            column = row.zone_class or "non publié"
            communes[zone][column] += 1
            people[zone][column] += row.population or 0
            if row.zone_class:
                same = row.zone_class == zone
                agree[0] += same
                agree[1] += 1
                agree[2] += (row.population or 0) * same
                agree[3] += row.population or 0
    return RegionClassification(
        region=AreaRef(code=region, name=data.regions[region].name),
        zip_cap=caps.zip_share,
        zac_cap=caps.zac_share,
        method="Territoires de vie-santé de la région, à défaut bassins de vie 2012 (moyenne "
        "des APL ≤ 65 ans de leurs communes, pondérée par la population) ; "
        f"{data.sources('apl-mg').vintage}.",
        units=[
            ClassifiedUnit(
                code=u.code,
                name=u.name,
                apl_le65=u.apl,
                population=u.population,
                communes=len(members[u.code]),
                zone_class=classes[u.code],
            )
            for u in sorted(units, key=lambda u: (u.apl, u.code))
        ],
        population_shares={
            zone.value: round(
                sum(u.population for u in units if classes[u.code] == zone) / total, 4
            )
            for zone in estimated
        },
        confusion_communes=communes,
        confusion_population=people,
        agreement_communes=round(agree[0] / agree[1], 4) if agree[1] else None,
        agreement_population=round(agree[2] / agree[3], 4) if agree[3] else None,
        published_provenance=sources("zonage-mg"),
    )
