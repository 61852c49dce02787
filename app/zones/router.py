"""HTTP routes of the zones domain."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.aids import service as aids
from app.aids.schemas import IsoDate
from app.deps import (
    ContextDep,
    DepartementQuery,
    ReaderDep,
    RegionQuery,
    Route,
    encoded_response,
    in_thread,
    prepared_response,
    revalidated,
)
from app.errors import PROBLEM_RESPONSES, InvalidInput
from app.zones import card as cards
from app.zones import layers, service, territory, whatif
from app.zones.classify import Caps
from app.zones.schemas import (
    EXAMPLE_INSEE,
    INSEE_PATTERN,
    CommuneCard,
    CommuneMatches,
    Comparison,
    Lookup,
    RegionClassification,
    TerritoryCard,
    WhatIf,
    WhatIfRequest,
    ZonageChanges,
)

router = APIRouter(tags=["communes"], route_class=Route)
RegionPath = Annotated[
    str,
    Path(
        pattern=r"^[0-9]{2}$",
        description="Code de la région",
        openapi_examples={"Occitanie": {"value": "76"}},
    ),
]
MAX_OFFSET = 1000  # "saint" names 4,000 communes; nobody pages past the thousandth


@router.get(
    "/communes",
    operation_id="searchCommunes",
    summary="Rechercher une commune",
    response_model=CommuneMatches,
    responses=PROBLEM_RESPONSES,
)
@revalidated
def search_communes(
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="Nom (accents, casse, tirets, « St », articles indifférents), code postal "
            "ou code INSEE ; un code de département en dernier mot filtre les homonymes",
            openapi_examples={
                "nom": {"value": "st etienne"},
                "code postal": {"value": "05000"},
                "homonyme": {"value": "Saint-Denis 93"},
            },
        ),
    ],
    reader: ReaderDep,
    limit: Annotated[int, Query(ge=1, le=20, description="Nombre maximal de résultats")] = 20,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="Résultats sautés (page suivante)")
    ] = 0,
) -> CommuneMatches:
    """Communes classées : nom exact, début du nom, tous les mots, puis sous-chaîne ; page
    suivante avec ``offset``."""
    return service.search_communes(reader, q, limit, offset)


@router.get(
    "/communes/{insee}",
    operation_id="getCommune",
    summary="Fiche d'une commune",
    response_model=CommuneCard,
    responses=PROBLEM_RESPONSES,
)
@revalidated
async def get_commune(
    insee: Annotated[
        str,
        Path(
            description="Code INSEE de la commune (5 caractères ; 2A/2B pour la Corse)",
            json_schema_extra={"pattern": INSEE_PATTERN},
            openapi_examples={"Toulouse": {"value": EXAMPLE_INSEE}, "Ajaccio": {"value": "2A004"}},
        ),
    ],
    reader: ReaderDep,
    request: Request,
) -> Response:
    """Classe de zonage (publiée ou estimée), APL et chiffres clés face au département, à la
    région et à la France, hôpitaux proches ; chaque donnée avec sa source et son millésime."""
    held = cards.card_in_memory(reader, insee) or await in_thread(cards.held_card, reader, insee)
    return encoded_response(held, "application/json", request)


@router.get(
    "/territories/{code}",
    operation_id="getTerritory",
    summary="Fiche d'un territoire de vie-santé (ou d'un bassin de vie)",
    response_model=TerritoryCard,
    responses=PROBLEM_RESPONSES,
)
@revalidated
def get_territory(
    code: Annotated[
        str,
        Path(
            max_length=9,
            description="Code du territoire de vie-santé (table officielle), sinon du bassin de "
            "vie 2012 (celui que donne la fiche de la commune)",
            openapi_examples={"Bassin de vie de Guéret": {"value": "23096"}},
        ),
    ],
    reader: ReaderDep,
) -> TerritoryCard:
    """Ses communes et leurs classes (publiées, avec la date de l'arrêté, ou estimées), sa
    population, son APL 2023 et sa série, ses chiffres clés (somme ou moyenne pondérée de ses
    communes) face au département, à la région et à la France."""
    return territory.territory_card(reader, code)


@router.get(
    "/zones/lookup",
    operation_id="lookupZone",
    summary="Commune et zone d'un point ou d'une adresse",
    response_model=Lookup,
    responses=PROBLEM_RESPONSES,
)
def lookup(
    reader: ReaderDep,
    context: ContextDep,
    lat: Annotated[
        float | None,
        Query(
            ge=-90,
            le=90,
            allow_inf_nan=False,
            description="Latitude WGS 84",
            openapi_examples={"Gap": {"value": 44.5594}},
        ),
    ] = None,
    lon: Annotated[
        float | None,
        Query(
            ge=-180,
            le=180,
            allow_inf_nan=False,
            description="Longitude WGS 84",
            openapi_examples={"Gap": {"value": 6.0786}},
        ),
    ] = None,
    address: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Adresse, à la place de lat/lon",
            openapi_examples={"Gap": {"value": "12 avenue Jean Jaurès Gap"}},
        ),
    ] = None,
) -> Lookup:
    """La commune contenant le point (un arrondissement à Paris, Lyon, Marseille), ou celle de
    l'adresse selon la BAN, et sa fiche ; une adresse ambiguë renvoie ses candidates."""
    if address is not None and lat is None and lon is None:
        return service.lookup_address(reader, address, context.online)
    if address is not None or lat is None or lon is None:
        raise InvalidInput("Indiquez lat et lon, ou address (pas les deux).")
    return service.lookup(reader, lon, lat)


@router.get(
    "/compare",
    operation_id="compareCommunes",
    summary="Comparer 2 à 5 communes",
    response_model=Comparison,
    responses=PROBLEM_RESPONSES,
)
@revalidated
def compare(
    insee: Annotated[
        list[str],
        Query(
            description="Codes INSEE (2 à 5), paramètre répété",
            json_schema_extra={
                "items": {"type": "string", "pattern": INSEE_PATTERN},
                "minItems": 2,
                "maxItems": 5,
            },
            openapi_examples={"Toulouse et Gap": {"value": ["31555", "05061"]}},
        ),
    ],
    reader: ReaderDep,
) -> Comparison:
    """Les fiches côte à côte, avec la meilleure et la moins bonne valeur de chaque indicateur."""
    return service.compare(reader, insee)


GEOJSON = "application/geo+json"


@router.get(
    "/zones.geojson",
    operation_id="getZonesLayer",
    summary="Couche cartographique des communes",
    response_class=Response,
    responses={
        200: {"content": {GEOJSON: {}}, "description": "FeatureCollection (RFC 7946)"},
        304: {"description": "Inchangée (ETag)"},
        **PROBLEM_RESPONSES,
    },
)
def zones_layer(
    reader: ReaderDep,
    request: Request,
    departement: DepartementQuery = None,
    region: RegionQuery = None,
) -> Response:
    """Communes (contours simplifiés sans trou ni chevauchement entre voisines) avec leur classe
    (publiée, sinon estimée) et leur APL des médecins de 65 ans et moins ; la France entière
    sans paramètre."""
    layer = layers.map_layer(reader, departement, region)
    return prepared_response(layer, GEOJSON, request, {"Cache-Control": "public, max-age=3600"})


@router.get(
    "/regions/{region}/classification",
    operation_id="classifyRegion",
    summary="Classement régional ZIP / ZAC sous plafonds",
    response_model=RegionClassification,
    responses=PROBLEM_RESPONSES,
    tags=["analyse"],
)
@revalidated
def classify_region(
    region: RegionPath,
    zip_cap: Annotated[
        float,
        Query(
            ge=0,
            le=1,
            allow_inf_nan=False,
            description="Part maximale de la population régionale en ZIP",
            openapi_examples={"Occitanie": {"value": 0.168}},
        ),
    ],
    zac_cap: Annotated[
        float,
        Query(
            ge=0,
            le=1,
            allow_inf_nan=False,
            description="Part maximale de la population régionale en ZAC",
            openapi_examples={"Occitanie": {"value": 0.458}},
        ),
    ],
    reader: ReaderDep,
) -> RegionClassification:
    """Remplit les ZIP puis les ZAC à partir du vivier, par APL croissante, sous les plafonds
    de population ; matrice de confusion face aux classes publiées de la région."""
    return service.classify_region(reader, region, Caps(zip_cap, zac_cap))


@router.get(
    "/regions/{region}/zonage-changes",
    operation_id="getZonageChanges",
    summary="Ce qu'a changé le dernier arrêté de zonage de la région",
    response_model=ZonageChanges,
    responses=PROBLEM_RESPONSES,
    tags=["analyse"],
)
@revalidated
def zonage_changes(
    region: RegionPath,
    reader: ReaderDep,
    as_of: Annotated[
        IsoDate | None,
        Query(description="Date d'installation simulée pour les aides en jeu (défaut : ce jour)"),
    ] = None,
) -> ZonageChanges:
    """Les communes et territoires de vie-santé entrés en ZIP ou en ZAC, ou qui en sont sortis,
    au dernier arrêté de la région (millésimes épinglés de la table officielle), avec leur
    population ; les aides qu'un nouvel arrivant y perd ou y gagne, et ce que garde un médecin
    déjà installé ; le dernier arrêté connu du projet pour la région."""
    return aids.zonage_changes(reader, region, as_of or date.today())


@router.post(
    "/zones/what-if",
    operation_id="whatIfInstallation",
    summary="Et si un médecin s'installait ici ?",
    response_model=WhatIf,
    responses=PROBLEM_RESPONSES,
    tags=["analyse"],
)
def what_if(
    request: WhatIfRequest,
    reader: ReaderDep,
    context: ContextDep,
) -> WhatIf:
    """APL avant et après pour la commune et chaque voisine touchée (moins de 20 minutes),
    seuils 2,5 et 4 franchis, classe estimée du bassin de vie avant et après : une estimation
    E2SFCA ajoutée à la dernière APL publiée par la DREES, avec sa méthode."""
    if request.address is not None:
        found = service.lookup_address(reader, request.address, context.online)
        if found.commune is None:
            names = ", ".join(f"{c.label} ({c.insee})" for c in found.candidates[:5])
            raise InvalidInput(f"Adresse ambiguë : précisez-la ou choisissez parmi {names}.")
        insee = found.commune.insee
    elif request.lat is not None and request.lon is not None:
        located = service.lookup(reader, request.lon, request.lat)
        insee = located.commune.insee  # type: ignore[union-attr]  # a point lookup finds a commune or raises
    else:
        insee = request.insee  # type: ignore[assignment]  # the request names a place: checked by its model
    actes, activity = whatif.actes_of(request.consultations, request.fte, reader.model)
    return whatif.what_if(reader, insee, actes, activity)
