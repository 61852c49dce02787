"""Simulate the aids for a place and a profile; reads through a reader, never commits."""

from __future__ import annotations

import csv
import functools
import io
from datetime import date
from decimal import Decimal

from app.aids import bills, catalog, convention2016, lines, rules
from app.aids.schemas import (
    FIRST_INSTALLATION,
    BillNotice,
    Catalog,
    CatalogEntry,
    PlaceIn,
    PlaceOut,
    ProfileIn,
    SimulationRequest,
    SimulationResult,
)
from app.errors import InvalidInput
from app.zones import arretes, changes, classify
from app.zones import card as cards
from app.zones import service as zones
from app.zones.data import Reader
from app.zones.schemas import AidAtStake, AidsAtStake, CardHead, ZonageChanges


def check_date(on: date) -> None:
    if on < catalog.CONVENTION_2016_START:
        raise InvalidInput(
            f"Aucune règle connue le {lines.fr_date(on)} : les contrats simulés commencent avec la "
            f"convention médicale du {lines.fr_date(catalog.CONVENTION_2016_START)} (champ as_of).",
            "as_of",
        )
    if on > catalog.RULES_KNOWN_UNTIL:
        raise InvalidInput(
            f"Aucune règle connue le {lines.fr_date(on)} : la convention 2024-2029 court jusqu'au "
            f"{lines.fr_date(catalog.RULES_KNOWN_UNTIL)} (champ as_of).",
            "as_of",
        )


def _card(reader: Reader, place: PlaceIn) -> CardHead | None:
    if place.insee is not None:
        return cards.card_head(reader, place.insee)
    if place.lat is not None and place.lon is not None:
        card = zones.lookup(reader, place.lon, place.lat).commune
        return CardHead.model_validate(card, from_attributes=True)
    return None


VIVIER = (
    "classe non publiée : l'estimation place la commune dans le vivier (ZIP ou ZAC au choix de "
    "l'ARS) ; vérifiez la classe sur la page de zonage de l'ARS, ou simulez-en une (« et si »)"
)


def rules_place(
    zone_class: str | None,
    region: str | None,
    region_name: str | None = None,
    zrr: str | None = None,
    frr: str | None = None,
    doubt: str | None = None,
    zone_rouge: bool | None = None,
) -> lines.Place:
    """The place as the rules read it: an estimate in the vivier is no class yet (the ARS picks
    ZIP or ZAC), nor is a published class a newer arrêté may have changed; the lines say why."""
    if doubt is None and zone_class == classify.ZoneClass.vivier:
        zone_class, doubt = None, VIVIER
    return lines.Place(
        None if doubt else zone_class, region, doubt, region_name, zrr, frr, zone_rouge
    )


def _place(card: CardHead | None, place: PlaceIn, on: date) -> tuple[lines.Place, PlaceOut]:
    region = card.region.code if card else place.region
    # what the card says of the place beside its class
    region_name = card.region.name if card else None
    zrr = card.zone.zrr if card else None
    frr = card.zone.frr.status if card and card.zone.frr else None
    rouge = card.zone.zone_rouge if card else None
    if place.zone_class is not None:
        out = PlaceOut(
            insee=card.insee if card else None,
            name=card.name if card else None,
            zone_class=place.zone_class,
            zone_status="imposée",
            region=region,
        )
        imposed = lines.Place(place.zone_class, region, None, region_name, zrr, frr, rouge)
        return imposed, out
    assert card is not None
    zone = card.zone
    zone_class = zone.zone_class.value if zone.zone_class else None
    doubt = (
        arretes.doubt(region, zone.decided_on, zone.known_on, on)
        if zone.status == "publié"
        else None
    )
    out = PlaceOut(
        insee=card.insee,
        name=card.name,
        zone_class=zone_class,
        zone_status=zone.status,
        region=region,
        zone_doubt=doubt.words if doubt else None,
    )
    return rules_place(zone_class, region, region_name, zrr, frr, out.zone_doubt, rouge), out


# answers kept, each ≈ 40 KB: a doctor or a portal asks one profile of many places, and
# places across France share a few hundred (class, région, ZRR, FRR, …)
ANSWERS_KEPT = 512


@functools.lru_cache(maxsize=ANSWERS_KEPT)
def answers(profile: lines.Profile, place: lines.Place, on: date) -> tuple[lines.Line, ...]:
    """The rules' lines for a profile, a place and a day (``rules.simulate``), kept: read them,
    never change them."""
    return tuple(rules.simulate(profile, place, on))


def rules_profile(p: ProfileIn) -> lines.Profile:
    values = dict(p)
    held = tuple(lines.Contract(k.code, k.signed, k.ended) for k in values["contracts"])
    return lines.Profile(**(values | {"contracts": held}))


def check_majoration(profile: lines.Profile, place: lines.Place) -> None:
    """The ARS's ZIP+ majoration is a contract of one région: elsewhere the profile is wrong."""
    if (
        profile[convention2016.ARS_MAJORATION]
        and place.region is not None
        and place.region not in catalog.ARS_MAJORATIONS
    ):
        raise InvalidInput(
            "Le contrat de majoration ZIP+ de l'ARS n'existe qu'en Île-de-France ; ce lieu est "
            f"en {place.region_name or 'région ' + place.region}.",
            "ars_majoration",
        )


def total_of(answered: list[lines.Line]) -> Decimal:
    """What the simulation counts: the payments of the aids due, all years (never those to
    check, nor the exemptions, which are not money paid)."""
    return sum(rules.cash_flow(answered).values(), lines.euros(0))


def simulate(reader: Reader, request: SimulationRequest) -> SimulationResult:
    """One line per aid on ``as_of`` and the year-by-year cash-flow of the eligible ones."""
    check_date(request.as_of)
    return _simulate(request, _card(reader, request.place))


def simulate_cached(reader: Reader, request: SimulationRequest) -> SimulationResult | None:
    """The simulation if it needs no database: the snapshot is in memory and freshly checked,
    or the request names its zone class and no place. None otherwise."""
    check_date(request.as_of)
    place = request.place
    if place.insee is not None:
        card = cards.head_in_memory(reader, place.insee)
        return None if card is None else _simulate(request, card)
    if place.lat is None:
        return _simulate(request, None)
    return None


def _simulate(request: SimulationRequest, card: CardHead | None) -> SimulationResult:
    place, place_out = _place(card, request.place, request.as_of)
    profile = rules_profile(request.profile)
    check_majoration(profile, place)
    answered = answers(profile, place, request.as_of)
    flow = rules.cash_flow(answered)
    year = request.reference_year
    by_aid = {
        line.code: line.by_year.get(year, lines.euros(0))
        for line in answered
        if line.eligible and year is not None
    }
    return SimulationResult.model_validate(
        {
            "as_of": request.as_of,
            "place": place_out,
            "lines": answered,
            "cash_flow": [{"year": y, "amount": amount} for y, amount in flow.items()],
            "total": total_of(answered),
            "to_check": [line.code for line in answered if line.eligible is None],
            "reference_year": None
            if year is None
            else {"year": year, "amount": sum(by_aid.values(), lines.euros(0)), "by_aid": by_aid},
            "notices": _notices(bills.where_it_matters(place_out.zone_class, request.as_of)),
        }
    )


def _notices(known: list[bills.Bill]) -> list[BillNotice]:
    return [
        BillNotice(
            name=b.name, would=b.would, notice=b.notice, source=b.source, confidence=b.confidence
        )
        for b in known
    ]


def cash_flow_csv(result: SimulationResult) -> bytes:
    """The payments and yearly totals for a spreadsheet: ``;``, UTF-8 with BOM, decimal comma."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Année", "Date", "Aide", "Libellé", "Montant (€)"])

    def money(value: object) -> str:
        return f"{value:.2f}".replace(".", ",")

    for line in result.lines:
        if line.eligible:
            for payment in line.schedule:
                writer.writerow(
                    [
                        payment.on.year,
                        payment.on.isoformat(),
                        line.name,
                        payment.label,
                        money(payment.amount),
                    ]
                )
    for year in result.cash_flow:
        writer.writerow([year.year, "", "TOTAL", f"Total {year.year}", money(year.amount)])
    writer.writerow(["", "", "TOTAL", "Total général", money(result.total)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


KEPT = (
    "Un médecin installé sous l'ancienne classe garde ce qu'il a signé ou reçu : le nouveau "
    "zonage ne résilie pas un contrat signé et ne reprend pas une aide versée (pour le contrat "
    "de début d'exercice, un changement de zonage « n'a pas d'incidence sur les contrats en "
    "cours », art. L1435-4-2 du code de la santé publique) ; seul un nouveau contrat relève de "
    "la nouvelle classe."
)


def zonage_changes(reader: Reader, region: str, on: date) -> ZonageChanges:
    """A région's changes at its last arrêté, with the aids at stake for a first installation
    on ``on``."""
    check_date(on)
    found = changes.zonage_changes(reader, region)
    found.aids = _at_stake(found, on)
    return found


def _at_stake(found: ZonageChanges, on: date) -> list[AidsAtStake]:
    """Per change of class in ``found``, the aids a first installation on ``on`` would get
    under the old class and not the new, and the reverse."""
    profile = rules_profile(
        ProfileIn.model_validate(FIRST_INSTALLATION | {"installation_date": on})
    )
    region = found.region

    def due(zone_class: str) -> dict[str, str]:
        place = rules_place(zone_class, region.code, region.name)
        return {
            line.code: lines.LABELS.get(line.code, line.name)
            for line in answers(profile, place, on)
            if line.eligible and (line.schedule or line.exemptions)
        }

    out = []
    for before, after in dict.fromkeys((c.before, c.after) for c in found.communes):
        old, new = due(before), due(after)
        out.append(
            AidsAtStake(
                before=before,
                after=after,
                lost=[AidAtStake(code=k, label=v) for k, v in old.items() if k not in new],
                gained=[AidAtStake(code=k, label=v) for k, v in new.items() if k not in old],
                kept=KEPT,
            )
        )
    return out


def catalog_on(on: date) -> Catalog:
    """The aids that can be signed or granted on ``on``, with their sources."""
    check_date(on)
    return Catalog(
        as_of=on,
        aids=[
            CatalogEntry(
                code=a.code,
                name=a.name,
                regime=a.regime,
                valid_from=a.valid_from,
                valid_until=a.valid_until,
                source=a.source,
                notes=list(a.notes),
                amount=a.amount,
                audience=[s for s in a.audience if a.serves(s, on)],
                confidence=a.confidence,
                kind=a.kind,
            )
            for a in rules.AIDS.values()
            if a.valid_from <= on and (a.valid_until is None or on <= a.valid_until)
        ],
        unverified={key: s.note for key, s in catalog.UNVERIFIED.items()},
        bills=_notices(bills.known_on(on)),
    )
