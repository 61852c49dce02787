"""The simulator page's content, from the zones, geocoding and aids services; reads through a
reader, never commits."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from http import HTTPStatus

from pydantic import ValidationError

from app.aids import service as aids
from app.aids.lines import Situation
from app.aids.schemas import (
    FIRST_INSTALLATION,
    PlaceIn,
    ProfileIn,
    SimulationRequest,
    SimulationResult,
)
from app.errors import InvalidInput, NotFound, french_message
from app.geocoding.geoplateforme import Geoplateforme
from app.geocoding.schemas import GeocodeMatch
from app.places import service as places
from app.places.schemas import Filters as PlaceFilters
from app.places.schemas import Origin, PlaceSearch, PlaceSearchResult
from app.simulator import display
from app.simulator.forms import PROFILE_FIELDS, PageState
from app.zones import card as cards
from app.zones import keyfigures, territory, whatif
from app.zones import service as zones
from app.zones.data import Reader
from app.zones.schemas import CommuneCard, Comparison, TerritoryCard, WhatIf, ZonageChanges


@dataclass
class Page:
    """Everything the template shows; ``errors`` maps a form field to its French message."""

    state: PageState
    errors: dict[str, str]
    today: date
    card: CommuneCard | None = None
    address: GeocodeMatch | None = None
    candidates: list[GeocodeMatch] = field(default_factory=list)
    not_found: str | None = None
    comparison: Comparison | None = None
    simulation: SimulationResult | None = None
    gauge: display.Gauge | None = None
    trend: display.Trend | None = None
    whatif: WhatIf | None = None
    activity_note: str = ""
    address_departements: list[str] = field(default_factory=list)
    chart: display.Bars | None = None
    installation_assumed: bool = False  # the simulation's date stands for a blank one
    places: PlaceSearchResult | None = None
    territory: TerritoryCard | None = None
    changes: ZonageChanges | None = None
    places_assumed: bool = False  # searched for a typical first installation, no profile sent

    @property
    def status(self) -> int:
        if self.errors:
            return HTTPStatus.UNPROCESSABLE_ENTITY
        return HTTPStatus.NOT_FOUND if self.not_found else HTTPStatus.OK

    @property
    def as_of(self) -> date:
        return self.state.as_of or self.today

    @property
    def places_points(self) -> str:
        """The places found, for the map's script: where, which class, what total."""
        items = self.places.items if self.places else []
        return json.dumps(
            [
                {
                    "insee": i.insee,
                    "name": i.name,
                    "lat": i.lat,
                    "lon": i.lon,
                    "zone": i.zone_class,
                    "total": display.euros(i.aid_total_eur),
                }
                for i in items
            ],
            ensure_ascii=False,
        )


def _profile(state: PageState, as_of: date) -> ProfileIn:
    """The API's profile from the form; a blank installation date is the simulation's (the page
    says so), so that a doctor who has not settled it sees what she would get."""
    data = {name: state.asked(name) for name in PROFILE_FIELDS}
    if data["situation"] == Situation.installe:
        data["installation_date"] = data["installation_date"] or as_of
    if state.opposable_pct is not None:
        data["opposable_share"] = state.opposable_pct / 100
    return ProfileIn.model_validate({k: v for k, v in data.items() if v is not None})


def build(
    reader: Reader,
    online: Geoplateforme | None,
    state: PageState,
    errors: dict[str, str],
    today: date,
) -> Page:
    """The place (a chosen commune, a point or a typed address), its card and gauge, the
    compared communes, and the aids of the profile when one was sent."""
    page = Page(
        state,
        dict(errors),
        today,
        activity_note=keyfigures.activity_note(reader.model),
        address_departements=reader.data.sources.address_departements,
    )
    try:
        if state.insee:
            page.card = cards.commune_card(reader, state.insee)
        elif state.lat is not None and state.lon is not None:
            found = zones.lookup(reader, state.lon, state.lat)
            page.card = found.commune
        elif state.q:
            found = zones.lookup_address(reader, state.q, online)
            page.card, page.address = found.commune, found.address
            page.candidates = found.candidates
    except NotFound as exc:
        page.not_found = exc.detail
    if page.card and state.fte is not None:
        actes, activity = whatif.actes_of(None, float(state.fte), reader.model)
        try:
            page.whatif = whatif.what_if(reader, page.card.insee, actes, activity)
        except InvalidInput as exc:
            page.errors["fte"] = exc.detail
    if page.card and page.card.apl:
        after = page.whatif.effects[0].le65_after if page.whatif else None
        page.gauge = display.gauge(
            page.card.apl.le65, page.card.apl.zip_max, reader.thresholds.vivier_max, after
        )
        if len(page.card.apl.history) > 1:
            page.trend = display.trend([(p.year, p.value) for p in page.card.apl.history])
    _compare(reader, page)
    if state.has_profile:
        _simulate(reader, page)
    if state.within is not None and page.card is not None:
        _places(reader, online, page)
    if state.changes and page.card is not None:
        try:
            page.changes = aids.zonage_changes(reader, page.card.region.code, page.as_of)
        except InvalidInput as exc:
            page.errors["as_of"] = exc.detail
    if state.territory:
        try:
            page.territory = territory.territory_card(reader, state.territory)
        except NotFound as exc:
            page.errors["territory"] = exc.detail
    return page


PLACES_SHOWN = 20


def places_request(page: Page, limit: int = PLACES_SHOWN, offset: int | None = None) -> PlaceSearch:
    """The place search of the page: around its place, with its profile (else a first
    installation), its filters and its order; from the page's place in the list by default."""
    state, card = page.state, page.card
    assert card is not None and state.within is not None
    if state.has_profile and "profile" not in page.errors:
        profile = _profile(state, page.as_of)
    else:
        page.places_assumed = True
        profile = ProfileIn.model_validate(FIRST_INSTALLATION | {"installation_date": page.as_of})
    near = state.lat is not None and state.lon is not None
    return PlaceSearch(
        origin=Origin(lat=state.lat, lon=state.lon) if near else Origin(insee=card.insee),
        minutes=state.within,
        as_of=page.as_of,
        profile=profile,
        filters=PlaceFilters(zone_classes=state.classes or None, msp=state.msp or None),
        sort=state.order,
        limit=limit,
        offset=state.start if offset is None else offset,
    )


def _places(reader: Reader, online: Geoplateforme | None, page: Page) -> None:
    try:
        page.places = places.search(reader, places_request(page), online)
    except (InvalidInput, ValidationError) as exc:
        detail = exc.detail if isinstance(exc, InvalidInput) else french_message(exc.errors()[0])
        page.errors["within"] = detail


def _compare(reader: Reader, page: Page) -> None:
    codes = page.state.cmp
    try:
        if len(codes) == 1:
            card = cards.commune_card(reader, codes[0])
            page.comparison = Comparison(communes=[card], extremes={})
        elif codes:
            page.comparison = zones.compare(reader, codes)
    except NotFound as exc:
        page.errors["cmp"] = exc.detail


def _simulate(reader: Reader, page: Page) -> None:
    state = page.state
    if page.card is None and state.zone_class is None:
        page.errors["q"] = (
            "Choisissez d'abord un lieu (adresse, commune ou carte) ou une classe de zone à "
            "simuler."
        )
        return
    try:
        request = SimulationRequest(
            place=PlaceIn(
                insee=page.card.insee if page.card else None, zone_class=state.zone_class
            ),
            as_of=page.as_of,
            profile=_profile(state, page.as_of),
        )
        page.simulation = aids.simulate(reader, request)
        page.installation_assumed = state.asked("situation") == Situation.installe and (
            state.asked("installation_date") is None
        )
    except ValidationError as exc:
        page.errors["profile"] = " ".join(french_message(e) for e in exc.errors())
        return
    except InvalidInput as exc:
        page.errors[exc.field or "as_of"] = exc.detail
        return
    flow = [(str(y.year), y.amount) for y in page.simulation.cash_flow]
    page.chart = display.bars(flow) if flow else None


def cash_flow_csv(page: Page) -> bytes:
    """The page's payment schedule as the API's CSV; 422 when the page has no simulation."""
    if page.simulation is None:
        detail = next(iter(page.errors.values()), None) or (
            "Aucune simulation : indiquez un lieu et un profil (au moins l'âge)."
        )
        raise InvalidInput(detail)
    return aids.cash_flow_csv(page.simulation)


def places_csv(reader: Reader, online: Geoplateforme | None, page: Page) -> bytes:
    """Où m'installer's list for a spreadsheet (its first 200 places); 422 without a search."""
    if page.places is None:
        detail = next(iter(page.errors.values()), None) or (
            "Aucune recherche : choisissez un lieu et un temps de trajet (« À moins de »)."
        )
        raise InvalidInput(detail)
    whole = places_request(page, limit=200, offset=0)
    return places.csv_of(places.search(reader, whole, online))
