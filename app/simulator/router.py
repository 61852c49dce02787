"""The simulator page at ``/``: rendered on the server from the query string, so that every
form works without JavaScript and every state has a link; the script only adds the address
suggestions and the map."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import xstatic.pkg.leaflet
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.aids.lines import LABELS
from app.aids.router import cash_flow_response
from app.deps import Context, ContextDep, ReaderDep, Route
from app.middleware import page_headers
from app.simulator import display, forms, service
from app.zones.data import Reader

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
TEMPLATES.env.filters.update(
    number=display.number,
    figure=display.figure,
    euros=display.euros,
    long_date=display.long_date,
    zone_slug=display.zone_slug,
    share=display.share,
    of=display.of,
)
TEMPLATES.env.globals["ZONE_LABELS"] = display.ZONE_LABELS
TEMPLATES.env.globals["NUMBERS"] = forms.NUMBERS
TEMPLATES.env.globals["WITHIN"] = [(str(m), f"{m} minutes") for m in (15, 20, 30, 45, 60)]
TEMPLATES.env.filters["aid_label"] = lambda code: LABELS.get(code, code)
# Served by the application itself: the page needs no CDN and no tile server.
STATIC = {
    "/static/leaflet": Path(xstatic.pkg.leaflet.BASE_DIR),
    "/static/simulateur": HERE / "static",
}
PARIS = ZoneInfo("Europe/Paris")

router = APIRouter(include_in_schema=False, route_class=Route)


def _page(request: Request, reader: Reader, context: Context) -> service.Page:
    """The page for the state in the query string, as of today in Paris."""
    state, errors = forms.parse(forms.grouped(request.query_params.multi_items()))
    return service.build(reader, context.online, state, errors, datetime.now(PARIS).date())


@router.get("/", response_class=HTMLResponse)
def page(
    request: Request,
    reader: ReaderDep,
    context: ContextDep,
) -> Response:
    """The whole simulator for the state in the query string."""
    content = _page(request, reader, context)
    return TEMPLATES.TemplateResponse(
        request,
        "page.html",
        {"page": content, "state": content.state},
        status_code=content.status,
        headers=page_headers(context.settings.embed_origins, content.state.embed),
    )


@router.get("/simulateur/tresorerie.csv")
def cash_flow_csv(
    request: Request,
    reader: ReaderDep,
    context: ContextDep,
) -> Response:
    """The page's payment schedule for a spreadsheet, from the same query string."""
    content = _page(request, reader, context)
    return cash_flow_response(service.cash_flow_csv(content))


@router.get("/simulateur/lieux.csv")
def places_csv(
    request: Request,
    reader: ReaderDep,
    context: ContextDep,
) -> Response:
    """Où m'installer's list for a spreadsheet, from the same query string."""
    content = _page(request, reader, context)
    return Response(
        service.places_csv(reader, context.online, content),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="ou-m-installer.csv"'},
    )
