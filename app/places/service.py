"""Where to settle: the places within reach of an origin, or in an area, ranked by what a
profile would get there; reads through a reader, never commits.

Every commune's figures are gathered once per snapshot and thresholds (``place_table``); a
search then reads arrays, and simulates the aids once per distinct place as the rules see it
(class, région, ZRR, FRR), not once per commune."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import numpy as np

from app.aids import service as aids
from app.aids.lines import LABELS, Line
from app.bodies import Memo
from app.errors import InvalidInput, NotFound
from app.geo import feature_collection, feature_json
from app.geocoding.service import Geoplateforme
from app.places import core
from app.places.schemas import (
    Hospital,
    OriginOut,
    PlaceItem,
    PlaceSearch,
    PlaceSearchResult,
)
from app.sources import zonage
from app.zones import arretes, classify, layers
from app.zones import service as zones
from app.zones.card import normalise_insee, territory_link
from app.zones.data import Reader, SnapshotData
from app.zones.network import GP, Network

TABLES = 4  # place tables kept per snapshot, one per set of thresholds
SOURCES = (  # after the official table's vintages
    "zonage-mg",
    "apl-mg",
    "apl-mg-historique",
    "frr-communes",
    "finess-structures",
    "msp-finess-2026",
    "rpps-activite",
    "rpps-communes-2026",
    "urgences-drees-2019",
    "hospitals",
    "communes-reference",
)


def place_table(reader: Reader) -> core.PlaceTable:
    """Every commune's figures in arrays, built once per snapshot and thresholds."""
    tables = reader.data.kept("places", lambda: Memo[core.PlaceTable](TABLES, lambda _: 1))
    return tables.get(reader.thresholds, lambda: _build(reader))


def _build(reader: Reader) -> core.PlaceTable:
    """The card's own rules, for every commune at once: the published class (the city's for an
    arrondissement), else the estimate on the territory's APL ≤ 65, else the commune's."""
    data, thresholds = reader.data, reader.thresholds
    book = data.book
    network = data.network(reader.session)
    communes = [book.communes[code] for code in network.codes]
    frr_loaded = "frr-communes" in data.sources
    classes: list[str | None] = []
    statuses: list[core.ZoneStatus] = []
    datasets: list[str | None] = []
    decided: list[date | None] = []
    known: list[date | None] = []
    zrr: list[str | None] = []
    for i, commune in enumerate(communes):
        row = book.published_of(commune)
        if row is not None and row.zone_class is not None:
            classes.append(row.zone_class)
            statuses.append("publié")
            datasets.append(row.dataset)
            decided.append(row.decided_on)
            known.append(row.known_on)
            zrr.append(row.zrr)
            continue
        unit = classify.estimate_unit(commune.tvs, commune.bv2012)
        territory = book.territories.get(unit, {}).get(GP) if unit else None
        if territory is not None and territory.value_le65 is not None:
            value: float | None = territory.value_le65
        else:
            value = None if np.isnan(network.apl_le65[i]) else float(network.apl_le65[i])
        classes.append(None if value is None else classify.estimate(value, thresholds).value)
        statuses.append("non disponible" if value is None else "estimation")
        datasets.append(None if value is None else "apl-mg")
        decided.append(None)
        known.append(None)
        zrr.append(None)

    def fact(key: str) -> np.ndarray:
        return _column(book.facts.get(("commune", c), {}).get(key) for c in network.codes)

    year_2019 = book.history_years.index(2019) if 2019 in book.history_years else None
    return core.PlaceTable(
        codes=network.codes,
        names=network.names,
        departements=network.departements,
        regions=network.regions,
        lon=network.lon,
        lat=network.lat,
        population=_column(c.population for c in communes),
        zone_class=classes,
        zone_status=statuses,
        zone_dataset=datasets,
        decided_on=decided,
        known_on=known,
        zrr=zrr,
        frr=[c.frr if frr_loaded else None for c in communes],
        zone_rouge=[c.zone_rouge for c in communes],
        apl=network.apl,
        apl_2019=np.full(len(communes), np.nan)
        if year_2019 is None
        else book.history[[book.index[c] for c in network.codes], year_2019],
        shortage=_shortage(network, thresholds.zip_max),
        gps=network.gps if network.gps is not None else fact("gp_rpps"),
        msp=_msp(reader, network.codes, fact("msp_count")),
        emergency=fact("emergency_minutes"),
        territory=[territory_link(c.tvs, c.tvs_name, c.bv2012, c.bv2012_name) for c in communes],
    )


def _column(values: Any) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _shortage(network: Network, target: float) -> np.ndarray:
    """Full-time GPs one installation needs to lift each commune's APL ≤ 65 to ``target``, as
    the card counts them: NaN where nobody reaches it."""
    actes = network.actes_to_reach(target)
    return np.round(np.where(np.isinf(actes), np.nan, actes) / network.model.activity.per_gp, 1)


def _msp(reader: Reader, codes: list[str], facts: np.ndarray) -> np.ndarray:
    """1 where an MSP practises in the commune: the FINESS+ feed when loaded, as the card."""
    data = reader.data
    if data.care_loaded:
        return np.array([float(data.care_count.get((c, "MSP"), 0) > 0) for c in codes])
    if "msp-finess-2026" not in data.sources:
        return np.full(len(codes), np.nan)
    return np.array([float(present > 0) for present in np.nan_to_num(facts)])


def _origin(
    reader: Reader, table: core.PlaceTable, request: PlaceSearch, online: Geoplateforme | None
) -> tuple[OriginOut, int | None]:
    """The origin's point and its commune's row (None: a city searched through its
    arrondissements)."""
    origin = request.origin
    assert origin is not None
    if origin.insee is not None:
        code = normalise_insee(origin.insee)
        own = table.index.get(code)
        if own is not None:
            point = (float(table.lon[own]), float(table.lat[own]), table.names[own])
        else:  # a city searched through its arrondissements, or a commune without APL
            commune = reader.data.book.communes.get(code)
            if commune is None:
                raise NotFound(f"Aucune commune de code INSEE {code} dans le COG 2026.")
            lon = commune.townhall_lon or commune.lon
            lat = commune.townhall_lat or commune.lat
            if lon is None or lat is None:
                raise NotFound(f"La commune {commune.name} n'a pas de position connue.")
            point = (lon, lat, commune.name)
        lon, lat, name = point
        return OriginOut(insee=code, name=name, lon=lon, lat=lat, precision="commune"), own
    if origin.address is not None:
        found = zones.lookup_address(reader, origin.address, online)
        if found.commune is None:
            named = " ; ".join(f"{m.label} ({m.insee})" for m in found.candidates[:5])
            raise InvalidInput(f"Adresse ambiguë : précisez-la. Candidates : {named}.", "origin")
        precision: Literal["commune", "adresse", "point"] = (
            "adresse" if found.precision == "adresse" else "commune"
        )
    else:
        assert origin.lon is not None and origin.lat is not None
        found = zones.lookup(reader, origin.lon, origin.lat)
        precision = "point"
    card = found.commune
    assert card is not None
    own = table.index.get(card.insee)
    if found.lon is not None and found.lat is not None:
        lon, lat = found.lon, found.lat
    elif own is not None:  # a commune matched by name: its town hall
        lon, lat = float(table.lon[own]), float(table.lat[own])
    else:
        raise NotFound(f"La commune {card.name} n'a pas de position connue.")
    out = OriginOut(insee=card.insee, name=card.name, lon=lon, lat=lat, precision=precision)
    return out, own


def _candidates(
    reader: Reader,
    table: core.PlaceTable,
    request: PlaceSearch,
    origin: OriginOut | None,
    own: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The rows searched and their minutes from the origin (NaN without one)."""
    travel = reader.model.travel
    if request.minutes is not None:
        assert origin is not None
        return table.reach(origin.lon, origin.lat, own, request.minutes, travel)
    area = request.area
    assert area is not None
    departement = layers.check_area(reader.data, area.departement, area.region)
    if departement is not None:
        rows = np.flatnonzero(table.departements == departement)
    else:
        rows = np.flatnonzero(table.regions == area.region)
    if origin is None:
        return rows, np.full(len(rows), np.nan)
    minutes = travel.minutes(table.km(origin.lon, origin.lat, rows))
    minutes[rows == own] = 0.0
    return rows, minutes


def _travel(reader: Reader) -> str:
    """The travel model the search reads: the APL's crow-fly estimate, even where a distancier
    replaces it for the APL (its times stop at the catchment's 20 minutes)."""
    words = f"Modèle de temps de l'APL : {reader.model.travel.describe()}"
    if reader.model.travel_times:
        words += " (le distancier fourni s'arrête aux 20 minutes de l'APL : non lu ici)"
    return words


class Answered:
    """What the aids give one place as the rules see it."""

    __slots__ = ("aids", "doubt", "exemptions", "to_check", "total")

    def __init__(self, lines: list[Line], doubt: str | None) -> None:
        self.total = aids.total_of(lines)
        self.aids = [x.code for x in lines if x.eligible and x.schedule]
        self.exemptions = [x.code for x in lines if x.eligible and x.exemptions]
        self.to_check = [x.code for x in lines if x.eligible is None]
        self.doubt = doubt


def _answers(
    reader: Reader, table: core.PlaceTable, rows: np.ndarray, request: PlaceSearch
) -> list[Answered]:
    """Each row's aids, simulated once per distinct place (class and whether a newer arrêté
    may have changed it, région, ZRR, FRR, zone rouge)."""
    profile = aids.rules_profile(request.profile)
    regions = reader.data.regions
    on = request.as_of
    doubts: dict[tuple[Any, ...], str | None] = {}
    answered: dict[tuple[Any, ...], Answered] = {}
    out = []
    for i in rows:
        region = table.regions[i]
        dated = (region, table.decided_on[i], table.known_on[i])
        if dated not in doubts:
            found = arretes.doubt(*dated, on) if table.zone_status[i] == "publié" else None
            doubts[dated] = found.words if found else None
        key = (
            table.zone_class[i],
            region,
            table.zrr[i],
            table.frr[i],
            doubts[dated],
            table.zone_rouge[i],
        )
        if key not in answered:
            zone_class, _, zrr, frr, doubt, rouge = key
            place = aids.rules_place(
                zone_class, region, regions[region].name, zrr, frr, doubt, rouge
            )
            aids.check_majoration(profile, place)
            answered[key] = Answered(list(aids.answers(profile, place, on)), doubt)
        out.append(answered[key])
    return out


def search(
    reader: Reader, request: PlaceSearch, online: Geoplateforme | None = None
) -> PlaceSearchResult:
    """The places within reach (or in the area) that meet the filters, in the asked order, each
    with the total its simulation gives."""
    aids.check_date(request.as_of)
    f = request.filters
    if (
        f.min_population is not None
        and f.max_population is not None
        and f.min_population > f.max_population
    ):
        raise InvalidInput("Population : le minimum dépasse le maximum.", "filters")
    table = place_table(reader)
    origin, own = _origin(reader, table, request, online) if request.origin else (None, None)
    rows, minutes = _candidates(reader, table, request, origin, own)
    answers = _answers(reader, table, rows, request)
    totals = np.array([float(a.total) for a in answers])
    keep = core.kept(
        table,
        rows,
        totals,
        core.Filters(
            zone_classes=frozenset(f.zone_classes) if f.zone_classes is not None else None,
            min_aid_total=f.min_aid_total,
            msp=f.msp,
            max_emergency_minutes=f.max_emergency_minutes,
            min_population=f.min_population,
            max_population=f.max_population,
            frr=frozenset(f.frr) if f.frr is not None else None,
            apl_falling=f.apl_falling,
        ),
    )
    rows, minutes, totals = rows[keep], minutes[keep], totals[keep]
    answers = [a for a, k in zip(answers, keep, strict=True) if k]
    order = core.ordered(table, rows, totals, np.nan_to_num(minutes, nan=0.0), request.sort)
    page = order[request.offset : request.offset + request.limit]
    sources = reader.data.sources
    return PlaceSearchResult(
        as_of=request.as_of,
        origin=origin,
        minutes=request.minutes,
        area=request.area,
        travel=_travel(reader),
        matched=len(rows),
        offset=request.offset,
        limit=request.limit,
        sort=request.sort,
        items=[_item(reader, table, int(rows[n]), minutes[n], answers[n]) for n in page],
        sources=[
            sources(name)
            for name in (*zonage.official_vintages(sources.names), *SOURCES)
            if name in sources
        ],
    )


def _item(
    reader: Reader, table: core.PlaceTable, i: int, minutes: float, answer: Answered
) -> PlaceItem:
    data = reader.data
    sources = data.sources
    apl, before = core.number(table.apl[i]), core.number(table.apl_2019[i])
    dataset = table.zone_dataset[i]
    msp = core.number(table.msp[i])
    population = core.number(table.population[i])
    lon, lat = float(table.lon[i]), float(table.lat[i])
    return PlaceItem(
        insee=table.codes[i],
        name=table.names[i],
        departement=str(table.departements[i]),
        region=str(table.regions[i]),
        lon=lon,
        lat=lat,
        minutes=None if np.isnan(minutes) else round(float(minutes), 1),
        zone_class=table.zone_class[i],
        zone_status=table.zone_status[i],
        zone_source=f"{sources(dataset).title} ({sources(dataset).vintage})" if dataset else None,
        decided_on=table.decided_on[i],
        zone_doubt=answer.doubt,
        aid_total_eur=answer.total,
        aids=answer.aids,
        exemptions=answer.exemptions,
        to_check=answer.to_check,
        shortage_gps=core.number(table.shortage[i]),
        apl=apl,
        apl_2019=before,
        apl_change=None if apl is None or before is None else round(apl - before, 3),
        gps=core.number(table.gps[i], 1),
        msp=None if msp is None else msp > 0,
        emergency_minutes=core.number(table.emergency[i], 1),
        hospital=_hospital(data, table.codes[i]),
        population=None if population is None else int(population),
        frr=table.frr[i],
        territory=table.territory[i],
        why=core.why(
            table,
            i,
            None if np.isnan(minutes) else float(minutes),
            answer.total,
            answer.aids,
            answer.doubt,
        ),
    )


def _hospital(data: SnapshotData, insee: str) -> Hospital | None:
    """The nearest general hospital (CH, CHU, CHI): the card's first."""
    for h in data.nearby_hospitals.of(insee):
        if h["general"]:
            return Hospital(name=h["name"], city=h["city"], distance_km=h["distance_km"])
    return None


def geojson(result: PlaceSearchResult) -> bytes:
    """The same answer for a GIS: each place a point (its town hall, where the travel model
    starts), its figures as properties; the search's own figures as foreign members."""
    features = []
    for item in result.items:
        properties = item.model_dump(mode="json", exclude={"lon", "lat"})
        point = json.dumps({"type": "Point", "coordinates": [item.lon, item.lat]})
        features.append(feature_json(properties, point, item.insee))
    head = result.model_dump(mode="json", exclude={"items"})
    return feature_collection(features, **head)


CSV_COLUMNS = (
    "Code INSEE",
    "Commune",
    "Département",
    "Minutes",
    "Classe",
    "Statut de la classe",
    "Total des aides (€)",
    "Aides comptées",
    "Exonérations",
    "À vérifier",
    "Médecins manquants pour sortir de la ZIP",
    "APL 2023",
    "APL 2019",
    "Médecins généralistes",
    "Maison de santé",
    "Urgences (minutes)",
    "Territoire",
    "Pourquoi",
)


def csv_of(result: PlaceSearchResult) -> bytes:
    """The places for a spreadsheet: ``;``, UTF-8 with BOM, decimal comma, French words."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)

    def cell(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "oui" if value else "non"
        if isinstance(value, float | Decimal):
            return f"{value}".replace(".", ",")
        return str(value)

    def named(codes: list[str]) -> str:
        return ", ".join(LABELS.get(code, code) for code in codes)

    for i in result.items:
        writer.writerow(
            [
                cell(v)
                for v in (
                    i.insee,
                    i.name,
                    i.departement,
                    i.minutes,
                    i.zone_class,
                    i.zone_status,
                    i.aid_total_eur,
                    named(i.aids),
                    named(i.exemptions),
                    named(i.to_check),
                    i.shortage_gps,
                    i.apl,
                    i.apl_2019,
                    i.gps,
                    i.msp,
                    i.emergency_minutes,
                    i.territory.name if i.territory else None,
                    i.why,
                )
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
