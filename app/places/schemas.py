"""Request and answer of the place search: where, within reach, a doctor would get what."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, StrictInt, model_validator

from app.aids.schemas import IsoDate, ProfileIn, Strict
from app.zones.schemas import INSEE_PATTERN, FrrStatus, Provenance, TerritoryLink

SortKey = Literal["class", "aid_total", "minutes", "shortage", "apl", "population"]
Classes = Literal["ZIP", "ZAC", "ZAR", "ZV", "hors zonage", "vivier"]
MAX_MINUTES = 120


class Origin(Strict):
    """Where the doctor starts from: a commune, an address (or a commune's name, a postcode,
    read as ``/zones/lookup`` reads them), or a point."""

    insee: str | None = Field(
        default=None, examples=["23096"], json_schema_extra={"pattern": INSEE_PATTERN}
    )
    address: str | None = Field(default=None, min_length=1, max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)

    @model_validator(mode="after")
    def one_origin(self) -> Origin:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat et lon vont ensemble")
        given = [self.insee is not None, self.address is not None, self.lat is not None]
        if sum(given) != 1:
            raise ValueError("indiquez une origine : insee, address, ou lat et lon")
        return self


class Area(Strict):
    """A département or a région, searched whole."""

    departement: str | None = Field(
        default=None, pattern=r"^(?:[0-9]{2,3}|2[AB])$", examples=["23"]
    )
    region: str | None = Field(default=None, pattern=r"^[0-9]{2}$", examples=["75"])

    @model_validator(mode="after")
    def one_area(self) -> Area:
        if (self.departement is None) == (self.region is None):
            raise ValueError("indiquez un département ou une région")
        return self


class Filters(Strict):
    zone_classes: list[Classes] | None = Field(
        default=None, max_length=6, description="Classes gardées (ZIP, ZAC, vivier…)"
    )
    min_aid_total: Decimal | None = Field(
        default=None, ge=0, le=10_000_000, description="Total des aides dues au moins (€)"
    )
    msp: bool | None = Field(
        default=None, description="true : une maison de santé pluriprofessionnelle dans la commune"
    )
    max_emergency_minutes: float | None = Field(
        default=None,
        ge=0,
        le=300,
        allow_inf_nan=False,
        description="Temps d'accès au service d'urgence au plus",
    )
    min_population: StrictInt | None = Field(default=None, ge=0)
    max_population: StrictInt | None = Field(default=None, ge=0)
    frr: list[FrrStatus] | None = Field(
        default=None, max_length=6, description="Classements France Ruralités Revitalisation gardés"
    )
    apl_falling: bool | None = Field(
        default=None, description="true : l'APL 2023 est plus basse que l'APL 2019"
    )


class PlaceSearch(Strict):
    origin: Origin | None = None
    minutes: float | None = Field(
        default=None,
        gt=0,
        le=MAX_MINUTES,
        allow_inf_nan=False,
        description="Temps de trajet au plus depuis l'origine, par le modèle de l'APL",
    )
    area: Area | None = Field(
        default=None, description="À la place de minutes : tout un territoire"
    )
    as_of: IsoDate = Field(description="Date de la simulation des aides")
    profile: ProfileIn
    filters: Filters = Field(default_factory=Filters)
    sort: SortKey = Field(
        default="class",
        description="class (par défaut : la classe, puis le total des aides, puis le temps), "
        "aid_total, minutes, shortage, apl (la plus basse d'abord), population",
    )
    limit: StrictInt = Field(default=20, ge=1, le=200)
    offset: StrictInt = Field(default=0, ge=0, le=100_000)

    @model_validator(mode="after")
    def reach_or_area(self) -> PlaceSearch:
        if (self.minutes is None) == (self.area is None):
            raise ValueError("indiquez minutes (avec une origine) ou area, l'un des deux")
        if self.minutes is not None and self.origin is None:
            raise ValueError("minutes se comptent depuis une origine : indiquez origin")
        return self


class OriginOut(BaseModel):
    insee: str
    name: str
    lon: float
    lat: float
    precision: Literal["commune", "adresse", "point"]


class Hospital(BaseModel):
    name: str
    city: str | None
    distance_km: float = Field(description="À vol d'oiseau depuis la mairie")


class PlaceItem(BaseModel):
    insee: str
    name: str
    departement: str
    region: str
    lon: float
    lat: float
    minutes: float | None = Field(description="Temps de trajet depuis l'origine (modèle de l'APL)")
    zone_class: str | None
    zone_status: Literal["publié", "estimation", "non disponible"]
    zone_source: str | None = Field(description="Jeu de données de la classe")
    decided_on: date | None = Field(description="Date de l'arrêté de l'ARS, quand elle est connue")
    zone_doubt: str | None = Field(
        default=None,
        description="Pourquoi la classe publiée peut ne pas être celle en vigueur à la date "
        "simulée ; absent : rien ne l'indique",
    )
    aid_total_eur: Decimal = Field(
        description="Total des aides dues à ce profil à cette date, comme /aids/simulations"
    )
    aids: list[str] = Field(description="Aides dues, comptées dans le total")
    exemptions: list[str] = Field(description="Exonérations dues : pas d'argent versé, hors total")
    to_check: list[str] = Field(description="Aides à vérifier, hors total")
    shortage_gps: float | None = Field(
        description="Médecins à temps plein qu'il faudrait installer pour sortir de la ZIP"
    )
    apl: float | None = Field(description="APL 2023, tous âges")
    apl_2019: float | None
    apl_change: float | None = Field(description="APL 2023 moins APL 2019")
    gps: float | None = Field(description="Médecins généralistes exerçant dans la commune")
    msp: bool | None = Field(description="Une maison de santé pluriprofessionnelle sur place")
    emergency_minutes: float | None
    hospital: Hospital | None = Field(description="Hôpital général (CH, CHU, CHI) le plus proche")
    population: int | None
    frr: str | None
    territory: TerritoryLink | None
    why: str


class PlaceSearchResult(BaseModel):
    as_of: date
    origin: OriginOut | None
    minutes: float | None
    area: Area | None
    travel: str = Field(description="Le modèle de temps de trajet, celui de l'APL")
    matched: int = Field(description="Lieux qui répondent à la recherche, toutes pages")
    offset: int
    limit: int
    sort: SortKey
    items: list[PlaceItem]
    sources: list[Provenance]
