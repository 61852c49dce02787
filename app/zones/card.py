"""A commune's card: zone, APL and key figures with their references and sources.

Built from the snapshot's card book (every commune's rows, in memory) as the JSON that
``schemas.CommuneCard`` declares, without a query: ≈ 0.5 ms where seven queries and pydantic
models took 8 ms (the 22 KB are mostly the same sources and notes, shared dicts here). The last
cards built are kept."""

from __future__ import annotations

import functools
import re
from collections import OrderedDict
from datetime import date
from math import ceil, isfinite
from typing import Any

import orjson

from app.bodies import gzipped
from app.errors import InvalidInput, NotFound
from app.zones import arretes, classify, figures
from app.zones.book import AplRow
from app.zones.data import Reader, SnapshotData, Sources
from app.zones.keyfigures import CardInputs, Json, activity_note, key_figures
from app.zones.network import GP, GP_2021, GP_2022, Network
from app.zones.schemas import CardHead, CommuneCard, LatestArrete, TerritoryLink
from app.zones.statuses import FRR

INSEE_PATTERN = r"^(?:[0-9]{2}|2[ABab])[0-9]{3}$"
_INSEE = re.compile(INSEE_PATTERN)


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
    """The card of one commune, with the provenance and reference values of every figure, for
    the lookups, comparisons, territories and what-ifs that embed or read it."""
    return CommuneCard.model_validate_json(_card(reader, insee).body)


def _commune(data: SnapshotData, insee: str) -> Any:
    insee = normalise_insee(insee)
    commune = data.book.communes.get(insee)
    if commune is None:
        raise NotFound(f"Aucune commune de code INSEE {insee} dans le COG 2026.")
    return commune


def _build_card(
    data: SnapshotData, network: Network, thresholds: classify.Thresholds, insee: str, on: date
) -> Json:
    book, sources = data.book, data.sources
    commune = _commune(data, insee)
    insee = commune.insee
    departement = data.departements[commune.departement]
    region = data.regions[commune.region]
    access = book.access(insee)
    territories = book.territories_of(commune)
    gp = access.get(GP)
    return {
        "insee": insee,
        "name": commune.name,
        "kind": commune.kind,
        "parent_insee": commune.parent_insee,
        "departement": _area(departement.code, departement.name),
        "region": _area(region.code, region.name),
        "epci": _area(commune.epci_siren, commune.epci_name or commune.epci_siren)
        if commune.epci_siren
        else None,
        "postcodes": commune.postcodes,
        "population": commune.population,
        "population_provenance": sources.as_json("communes-reference"),
        "centroid": _point(commune.lon, commune.lat),
        "townhall": _point(commune.townhall_lon, commune.townhall_lat),
        "bbox": commune.bbox,
        "area_km2": commune.area_km2,
        "contour_provenance": sources.as_json("communes-contours"),
        "apl": _apl(gp, _history(data, insee, access), book.gp_origin[insee], sources, thresholds)
        if gp
        else None,
        "zone": _zone(
            commune, book.published_of(commune), gp, territories, sources, thresholds, on
        ),
        "territory": link.model_dump()
        if (
            link := territory_link(
                commune.tvs, commune.tvs_name, commune.bv2012, commune.bv2012_name
            )
        )
        else None,
        "shortage": _shortage(network, insee, thresholds, sources),
        "ageing": _ageing(access[GP_2021], territories, sources) if GP_2021 in access else None,
        "figures": key_figures(
            CardInputs(
                commune,
                data,
                network,
                access,
                territories,
                book.ages.get(insee),
                book.facts_of(commune),
            )
        ),
        "hospitals": data.nearby_hospitals.of(insee),
        "hospitals_provenance": sources.as_json("hospitals"),
    }


def _area(code: str, name: str) -> Json:
    return {"code": code, "name": name}


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


# each kept card holds ≈ 30 KB (JSON, gzipped JSON, head); a card is built in ≈ 0.5 ms
CARD_CACHE_SIZE = 1024
# a card is mostly compressed once, for one client: level 1 (nginx's default) took 0.17 ms for
# 5.9 KB, level 5 0.45 ms for 5.2 KB
CARD_GZIP_LEVEL = 1


class HeldCard:
    """A card's JSON, gzipped once for the clients that take it (compressing it per request
    cost more than answering it), and its place and zone for the simulations."""

    __slots__ = ("_gzipped", "_head", "body")

    def __init__(self, body: bytes) -> None:
        self.body = body
        self._gzipped: bytes | None = None
        self._head: CardHead | None = None

    @property
    def head(self) -> CardHead:
        """Read from the JSON when first asked (as ``gzipped``)."""
        if self._head is None:
            self._head = CardHead.model_validate_json(self.body)
        return self._head

    @property
    def gzipped(self) -> bytes:
        """Compressed when first asked (the cards that lookups and comparisons build for
        themselves are never sent); two threads may both compress it, to the same bytes."""
        if self._gzipped is None:
            self._gzipped = gzipped(self.body, CARD_GZIP_LEVEL)
        return self._gzipped


Cards = OrderedDict[tuple[object, ...], HeldCard]
Heads = OrderedDict[tuple[object, ...], CardHead]
HEAD_CACHE_SIZE = 4096  # ≈ 2 KB each


def _in_memory(reader: Reader) -> tuple[SnapshotData, Network] | None:
    """The snapshot's data and network if this process holds them for a freshly checked
    snapshot: a card is then built without the database, on the event loop."""
    data = reader.held()
    network = None if data is None else data.built_network
    return None if data is None or network is None else (data, network)


def card_in_memory(reader: Reader, insee: str) -> HeldCard | None:
    """The card when it needs no database (see ``_in_memory``); None otherwise."""
    held = _in_memory(reader)
    return None if held is None else _held(*held, reader.thresholds, insee)


def held_card(reader: Reader, insee: str) -> HeldCard:
    """The card as JSON, kept per snapshot for the last communes built."""
    return _card(reader, insee)


def head_in_memory(reader: Reader, insee: str) -> CardHead | None:
    """The card's place and zone when they need no database; None otherwise."""
    held = _in_memory(reader)
    return None if held is None else _head(held[0], reader.thresholds, insee)


def card_head(reader: Reader, insee: str) -> CardHead:
    """The card's place and zone: what an aid simulation reads."""
    data = reader.data
    data.network(reader.session)  # as a card needs it: built once
    return _head(data, reader.thresholds, insee)


def _card(reader: Reader, insee: str) -> HeldCard:
    data = reader.data
    return _held(data, data.network(reader.session), reader.thresholds, insee)


def _held(
    data: SnapshotData, network: Network, thresholds: classify.Thresholds, insee: str
) -> HeldCard:
    """The card kept for the day (it says whether its class is still current today), else
    built and kept."""
    cards = data.kept("cards", Cards)
    today = date.today()
    key = (normalise_insee(insee), thresholds, today)
    held = cards.get(key)
    if held is None:
        card = _build_card(data, network, thresholds, insee, today)
        held = cards[key] = HeldCard(orjson.dumps(card, option=orjson.OPT_SERIALIZE_NUMPY))
        if len(cards) > CARD_CACHE_SIZE:
            cards.popitem(last=False)
    return held


def _head(data: SnapshotData, thresholds: classify.Thresholds, insee: str) -> CardHead:
    """A kept card's head, else the place and zone alone, kept too: a simulation needs no
    more (≈ 0.1 ms to build, as much as the rules' kept answer and the JSON out)."""
    today = date.today()
    key = (normalise_insee(insee), thresholds, today)
    held = data.kept("cards", Cards).get(key)
    if held is not None:
        return held.head
    heads = data.kept("heads", Heads)
    head = heads.get(key)
    if head is None:
        book = data.book
        commune = _commune(data, insee)
        region = data.regions[commune.region]
        zone = _zone(
            commune,
            book.published_of(commune),
            book.apl_of(commune.insee, GP),
            book.territories_of(commune),
            data.sources,
            thresholds,
            today,
        )
        head = heads[key] = CardHead.model_validate(
            {
                "insee": commune.insee,
                "name": commune.name,
                "region": _area(region.code, region.name),
                "zone": zone,
            }
        )
        if len(heads) > HEAD_CACHE_SIZE:
            heads.popitem(last=False)
    return head


# the DREES files loaded as Accessibility rows, by year, for the series
SERIES_FILES = {
    2021: (GP_2021, "apl-mg-2021"),
    2022: (GP_2022, "apl-mg-2022"),
    2023: (GP, "apl-mg"),
}
HISTORY = "apl-mg-historique"


def _history(data: SnapshotData, insee: str, access: dict[str, AplRow]) -> list[Json]:
    """The commune's GP APL (all ages) year by year: the DREES series before 2021, then the
    DREES files."""
    return [
        *(
            {"year": year, "value": value, "dataset": HISTORY}
            for year, value in data.book.history_of(insee)
        ),
        *(
            {"year": year, "value": value, "dataset": dataset}
            for year, (profession, dataset) in SERIES_FILES.items()
            if profession in access and (value := access[profession].value) is not None
        ),
    ]


def _apl(
    gp: AplRow,
    history: list[Json],
    origin: tuple[str, tuple[str, ...]],
    sources: Sources,
    thresholds: classify.Thresholds,
) -> Json:
    distances = [
        {
            "indicator": indicator,
            "to_zip_max": round(value - thresholds.zip_max, 3),
            "to_vivier_max": round(value - thresholds.vivier_max, 3),
        }
        for indicator, value in (("all_ages", gp.value), ("le65", gp.value_le65))
        if value is not None
    ]
    derivation, source_codes = origin
    return {
        "all_ages": gp.value,
        "le65": gp.value_le65,
        "le62": gp.value_le62,
        "unit": sources.unit("apl-mg"),
        "derivation": derivation,
        "source_codes": source_codes,
        "zip_max": thresholds.zip_max,
        "vivier_max": thresholds.vivier_max,
        "distances": distances,
        "provenance": sources.as_json("apl-mg"),
        "history": history,
        "history_provenance": [
            sources.as_json(dataset) for dataset in dict.fromkeys(p["dataset"] for p in history)
        ],
    }


def _shortage(
    network: Network, insee: str, thresholds: classify.Thresholds, sources: Sources
) -> Json | None:
    """Actes (and full-time GPs) one installation here needs to lift the APL ≤ 65 to each
    threshold: ``(threshold − APL) × D_i`` since the commune's own weight is 1."""
    i = network.index.get(insee)
    if i is None or network.apl_le65[i] != network.apl_le65[i]:
        return None
    model = network.model
    shortage = {
        "indicator": "le65",
        "targets": [],
        "status": "estimation",
        "reason": None,
        "method": f"{model.describe()} ; {activity_note(model)}",
        "provenance": sources.as_json("apl-mg"),
    }
    for threshold in (thresholds.zip_max, thresholds.vivier_max):
        actes = float(network.actes_to_reach(threshold)[i])
        if not isfinite(actes):
            return shortage | {
                "targets": [],
                "status": "non disponible",
                "reason": "aucune population standardisée dans la zone de desserte de la commune",
            }
        shortage["targets"].append(
            {
                "threshold": threshold,
                "actes_per_year": ceil(actes),
                "full_time_gps": round(actes / model.activity.per_gp, 1),
            }
        )
    return shortage


AGEING_METHOD = (
    "1 − APL des médecins de 65 (ou 62) ans et moins ÷ APL sans borne d'âge, sur l'APL "
    "2021 : le dernier millésime que la DREES publie avec la variante 62 ans et moins"
)


def _ageing(gp: AplRow, territories: dict[tuple[str, str], Any], sources: Sources) -> Json:
    """Share of the APL from GPs over 65 and over 62, for the commune and its references, on
    the APL 2021 (``gp``): later vintages have no ≤ 62 variant."""
    rows: list[tuple[str, Any]] = [
        ("commune", gp),
        *((kind, territories.get((kind, GP_2021))) for kind in ("departement", "region", "france")),
    ]
    return {
        "shares": [
            {
                "scope": scope,
                "over65": figures.share_beyond(row.value, row.value_le65) if row else None,
                "over62": figures.share_beyond(row.value, row.value_le62) if row else None,
            }
            for scope, row in rows
        ],
        "method": AGEING_METHOD,
        "provenance": sources.as_json("apl-mg-2021"),
    }


def _explanation(zone_class: str, gp: AplRow | None, thresholds: classify.Thresholds) -> str:
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


def _point(lon: float | None, lat: float | None) -> Json | None:
    return {"lon": lon, "lat": lat} if lon is not None and lat is not None else None


def _zone(
    commune: Any,
    published: Any,
    gp: AplRow | None,
    territories: dict[tuple[str, str], Any],
    sources: Sources,
    thresholds: classify.Thresholds,
    today: date,
) -> Json:
    """The published class wins, said to be in doubt when a newer arrêté may have changed it;
    else the national method on the APL (≤ 65) of the commune's territoire de vie-santé, else
    of its bassin de vie, else of the commune alone."""
    zone: Json = {
        "zone_class": None,
        "status": "non disponible",
        "published_for": None,
        "zrr": None,
        "frr": {
            "status": commune.frr,
            "label": FRR[commune.frr].card,
            "provenance": sources.as_json("frr-communes"),
        }
        if commune.frr and "frr-communes" in sources
        else None,
        "zone_rouge": commune.zone_rouge,
        "decided_on": None,
        "authority": None,
        "known_on": None,
        "since": None,
        "previous": None,
        "doubt": None,
        "tvs": _area(commune.tvs, commune.tvs_name or commune.tvs) if commune.tvs else None,
        "explanation": None,
        "method": None,
        "territory": None,
        "provenance": None,
    }
    if published is not None and published.zone_class is not None:
        return zone | {
            "zone_class": published.zone_class,
            "status": "publié",
            "published_for": published.insee if published.insee != commune.insee else None,
            "zrr": published.zrr,
            "decided_on": published.decided_on,
            "authority": published.authority,
            "known_on": published.known_on,
            "since": published.since,
            "previous": {
                "zone_class": published.previous_class,
                "decided_on": published.previous_decided_on,
            }
            if published.previous_class
            else None,
            "doubt": _class_doubt(commune.region, published.decided_on, published.known_on, today),
            "explanation": _explanation(published.zone_class, gp, thresholds),
            "provenance": sources.as_json(published.dataset),
        }
    unit = classify.estimate_unit(commune.tvs, commune.bv2012)
    # ``territories`` are the commune's own, by kind
    territory_apl = territories.get((unit[0], GP)) if unit else None
    if territory_apl is not None and territory_apl.value_le65 is not None:
        kind = territory_apl.kind
        territory = {
            "kind": kind,
            "code": territory_apl.code,
            "name": territory_apl.name,
            "apl_le65": territory_apl.value_le65,
            "communes": territory_apl.communes,
            "population": territory_apl.population,
        }
        where = (
            f"{classify.UNIT_NAMES[kind]} (moyenne des APL communales pondérée par la population)"
            + (", à défaut de la table des territoires de vie-santé" if kind == "bv2012" else "")
        )
    elif gp is not None and gp.value_le65 is not None:
        territory = {
            "kind": "commune",
            "code": commune.insee,
            "name": commune.name,
            "apl_le65": gp.value_le65,
            "communes": 1,
            "population": gp.population or 0,
        }
        where = "de la commune seule (commune sans territoire connu)"
    else:
        return zone
    zone_class = classify.estimate(territory["apl_le65"], thresholds).value
    return zone | {
        "zone_class": zone_class,
        "status": "estimation",
        "explanation": classify.meaning(zone_class),
        "method": f"Estimation sur l'{sources.as_json('apl-mg')['vintage']} des médecins de 65 "
        f"ans et moins du {where} ; {thresholds.describe()}",
        "territory": territory,
        "provenance": sources.as_json("apl-mg"),
    }


def _class_doubt(
    region: str | None, decided_on: date | None, known_on: date | None, on: date
) -> Json | None:
    """Why a published class may not be the one in force on ``on`` (see ``arretes``)."""
    found = arretes.doubt(region, decided_on, known_on, on)
    if found is None:
        return None
    return {"reason": found.reason, "arrete": _arrete(found.arrete) if found.arrete else None}


@functools.cache
def _arrete(arrete: arretes.Arrete) -> Json:
    """An arrêté as cards show it: one per région, made once."""
    return LatestArrete.model_validate(arrete, from_attributes=True).model_dump()
