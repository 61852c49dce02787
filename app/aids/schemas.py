"""Request and response models of the aid simulation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from app.aids import rules
from app.aids.catalog import Source
from app.aids.lines import INSTALLATION_AIDS, Contract, Input, Line, Sector
from app.zones.schemas import INSEE_PATTERN

Money = Annotated[Decimal, Field(ge=0, le=Decimal(10_000_000), max_digits=12, decimal_places=2)]
if TYPE_CHECKING:
    ContractCode = str
else:  # the codes the regimes declare a profile may hold
    ContractCode = Literal[rules.HELD]


def _no_timestamp(value: object) -> object:
    """A date is written aaaa-mm-jj: pydantic would read a number as a Unix time."""
    if isinstance(value, int | float):
        raise ValueError("date attendue au format aaaa-mm-jj")
    return value


# The schema bounds dates, not the rules: a contract of 5 years from 9999-12-31 ends in a year
# that Python's dates cannot hold (a 500 before)
IsoDate = Annotated[
    date, BeforeValidator(_no_timestamp), Field(ge=date(1900, 1, 1), le=date(2100, 12, 31))
]


# the most common case, for the page when no profile is given and for the examples: a first
# installation in secteur 1, four days a week, with permanence des soins, in a group practice
FIRST_INSTALLATION = {
    "age": 32,
    "sector": "1",
    "first_installation": True,
    "days_per_week": "4",
    "pdsa": True,
    "coordinated_practice": True,
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlaceIn(Strict):
    """Where: an INSEE code, a point, or an explicit zone class for a what-if."""

    insee: str | None = Field(
        default=None, examples=["05006"], json_schema_extra={"pattern": INSEE_PATTERN}
    )
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    zone_class: Literal["ZIP", "ZAC", "ZAR", "hors zonage"] | None = Field(
        default=None, description="Classe imposée (simulation « et si ») ; prime sur la commune"
    )
    region: str | None = Field(
        default=None,
        pattern=r"^[0-9]{2}$",
        description="Région, pour une classe imposée sans commune",
    )

    @model_validator(mode="after")
    def one_place(self) -> PlaceIn:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat et lon vont ensemble")
        if self.insee is None and self.lat is None and self.zone_class is None:
            raise ValueError("indiquez insee, lat/lon ou zone_class")
        if self.insee is not None and self.lat is not None:
            raise ValueError("indiquez insee ou lat/lon, pas les deux")
        return self


class ContractIn(Strict):
    code: ContractCode
    signed: IsoDate = Field(description="Date de signature ou de versement")
    ended: IsoDate | None = Field(
        default=None, description="Date de fin, si le contrat est terminé"
    )

    @model_validator(mode="after")
    def ends_after_it_starts(self) -> ContractIn:
        if self.ended is not None and self.ended < self.signed:
            raise ValueError("un contrat ne peut finir avant sa signature")
        return self


INPUTS = {i.name: i for i in rules.INPUTS}


class ProfileChecks(Strict):
    """What holds across the inputs: the fields themselves are the inputs the aids declare."""

    @field_validator(*(i.name for i in rules.INPUTS if i.required_for), check_fields=False)
    @classmethod
    def asked_of_whom_it_concerns(cls, value: object, info: ValidationInfo) -> object:
        declared = INPUTS[info.field_name or ""]
        if value is None and info.data.get("situation") in declared.required_for:
            raise ValueError(declared.required)
        return value

    @model_validator(mode="after")
    def consistent(self) -> ProfileChecks:
        values = dict(self)  # the declared inputs
        if values["sector"] == Sector.secteur_1 and values["opposable_share"] != 1:
            raise ValueError(
                "secteur 1 : toute l'activité est à tarifs opposables "
                "(opposable_share doit valoir 1)"
            )
        installation_aids = (k for k in values["contracts"] if k.code in INSTALLATION_AIDS)
        if values["first_installation"] and any(installation_aids):
            raise ValueError("first_installation contredit une aide à l'installation déjà reçue")
        return self


STRICT: dict[type, Any] = {bool: StrictBool, int: StrictInt, date: IsoDate}


def _field(declared: Input[Any]) -> tuple[Any, Any]:
    """An input as the API takes it: strict, bounded, blank allowed where its default is."""
    if declared.kind is Contract:
        return list[ContractIn], Field(default_factory=list, max_length=declared.le)
    kind = STRICT.get(declared.kind, declared.kind)
    options: dict[str, Any] = {
        "ge": declared.ge,
        "le": declared.le,
        "decimal_places": declared.decimal_places,
        "max_digits": declared.max_digits,
        "description": declared.description,
        "validate_default": bool(declared.required_for) or None,
    }
    options = {k: v for k, v in options.items() if v is not None}
    field = Field(**options) if declared.mandatory else Field(declared.default, **options)
    return (kind | None if declared.default is None else kind), field


if TYPE_CHECKING:
    ProfileIn = ProfileChecks
else:  # the doctor: every input an aid's conditions or amount depend on, as the aids declare it
    ProfileIn = create_model(
        "ProfileIn",
        __base__=ProfileChecks,
        __doc__="The doctor: every field an aid's conditions or amount depend on.",
        **{name: _field(declared) for name, declared in INPUTS.items()},
    )


class SimulationRequest(Strict):
    place: PlaceIn
    as_of: IsoDate = Field(description="Date de la simulation (signature des contrats)")
    profile: ProfileIn
    reference_year: StrictInt | None = Field(
        default=None,
        ge=2016,
        le=2100,
        description="Année de référence : le montant de chaque aide pour cette année, à côté "
        "du total des contrats",
    )


class PlaceOut(BaseModel):
    insee: str | None
    name: str | None
    zone_class: str | None
    zone_status: Literal["publié", "estimation", "imposée", "non disponible"]
    region: str | None
    zone_doubt: str | None = Field(
        default=None,
        description="Pourquoi la classe publiée peut ne pas être celle en vigueur à la date "
        "simulée (nouvel arrêté de l'ARS, validité échue) : les aides qui la lisent sont à "
        "vérifier ; absent : rien ne l'indique",
    )


class YearAmount(BaseModel):
    year: int
    amount: Decimal


class ReferenceYear(BaseModel):
    year: int
    amount: Decimal = Field(description="Ce que les aides éligibles versent cette année-là")
    by_aid: dict[str, Decimal]


class BillNotice(BaseModel):
    """A bill that would change where a doctor may settle: never a rule, never in force."""

    name: str
    would: str = Field(description="Ce que le texte changerait s'il était adopté")
    notice: str = Field(description="Sa dernière étape connue, datée, et « pas en vigueur »")
    source: Source
    confidence: Literal["élevée", "moyenne", "faible"]


class SimulationResult(BaseModel):
    as_of: date
    place: PlaceOut
    lines: list[Line]  # the rules' own answers: pydantic takes them as they are
    cash_flow: list[YearAmount]
    total: Decimal = Field(
        description="Total des contrats et aides dus, toutes années : les aides à vérifier n'y "
        "sont pas comptées"
    )
    to_check: list[str] = Field(
        default_factory=list,
        description="Aides à vérifier : ce que les données détenues ne permettent pas de "
        "trancher (leur ligne dit quoi et comment le vérifier)",
    )
    reference_year: ReferenceYear | None = None
    notices: list[BillNotice] = Field(
        default_factory=list,
        description="Propositions de loi qui toucheraient une installation ici (zone bien "
        "dotée) : leur dernière étape, jamais une condition d'aide",
    )


class CatalogEntry(BaseModel):
    code: str
    name: str
    regime: str
    valid_from: date
    valid_until: date | None
    source: Source
    notes: list[str]
    amount: str = Field(description="Montant ou formule, en mots et en chiffres")
    audience: list[str] = Field(description="Situations concernées")
    confidence: Literal["élevée", "moyenne", "faible"]
    kind: Literal["aide", "exonération", "information"]


class Catalog(BaseModel):
    as_of: date
    aids: list[CatalogEntry]
    unverified: dict[str, str] = Field(description="Règles non vérifiées, en paramètres")
    bills: list[BillNotice] = Field(
        default_factory=list,
        description="Propositions de loi sur l'installation connues à cette date : pas en vigueur",
    )
