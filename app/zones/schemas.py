"""Response models of the zones API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.zones.classify import ZoneClass


class Provenance(BaseModel):
    """Where a figure comes from."""

    dataset: str
    title: str
    vintage: str
    attribution: str
    licence: str
    official: bool = True


class AreaRef(BaseModel):
    code: str
    name: str


class Point(BaseModel):
    lon: float
    lat: float


class Apl(BaseModel):
    """Accessibilité potentielle localisée to general practitioners."""

    all_ages: float | None = Field(description="APL sans borne d'âge")
    le65: float | None = Field(description="APL aux médecins de 65 ans et moins")
    le62: float | None = Field(description="APL aux médecins de 62 ans et moins")
    unit: str
    derivation: Literal["source", "fusion", "arrondissements"] = Field(
        description="source : valeur du fichier ; fusion : moyenne des anciennes communes "
        "pondérée par la population standardisée ; arrondissements : idem sur les arrondissements"
    )
    source_codes: list[str]
    provenance: Provenance


class Zone(BaseModel):
    """The zone class shown: the published one when held, else our estimate."""

    zone_class: ZoneClass | None
    status: Literal["publié", "estimation", "non disponible"]
    published_for: str | None = Field(
        default=None,
        description="Commune pour laquelle la classe est publiée, quand c'est la commune parente "
        "d'un arrondissement municipal",
    )
    zrr: str | None = None
    method: str | None = None
    provenance: Provenance | None = None


class CommuneCard(BaseModel):
    """What a doctor sees for a commune."""

    insee: str
    name: str
    kind: Literal["COM", "ARM"]
    parent_insee: str | None
    departement: AreaRef
    region: AreaRef
    epci: AreaRef | None
    postcodes: list[str]
    population: int | None
    population_provenance: Provenance
    centroid: Point | None
    townhall: Point | None
    bbox: list[float] | None = Field(description="[ouest, sud, est, nord] en WGS 84")
    area_km2: float | None
    contour_provenance: Provenance
    apl: Apl | None
    zone: Zone


EXAMPLE_INSEE = "31555"


class CommuneMatch(BaseModel):
    """A search result: enough to tell homonyms apart."""

    insee: str
    name: str
    departement: AreaRef
    postcodes: list[str]
    population: int


class CommuneMatches(BaseModel):
    query: str
    results: list[CommuneMatch]


class Lookup(BaseModel):
    """The commune containing a point, and its card."""

    lon: float
    lat: float
    commune: CommuneCard


class Extremes(BaseModel):
    best: list[str]
    worst: list[str]


class Comparison(BaseModel):
    """Cards side by side; for each figure, the communes with the best and worst value."""

    communes: list[CommuneCard]
    extremes: dict[str, Extremes]
