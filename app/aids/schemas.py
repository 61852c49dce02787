"""Request and response models of the aid simulation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationInfo,
    field_validator,
    model_validator,
)

from app.aids import rules
from app.aids.catalog import Source
from app.aids.lines import INSTALLATION_AIDS, Line, Practice, Sector, Situation
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


SECTOR_READERS = (Situation.installe, Situation.remplacant)  # whose aids' rules read the sector


class ProfileIn(Strict):
    """The doctor: every field an aid's conditions or amount depend on."""

    age: StrictInt = Field(ge=20, le=100)
    situation: Situation = Field(
        default=Situation.installe,
        description="etudiant (étudiant ou interne), docteur_junior, remplacant ou installe : "
        "chaque aide s'applique aux situations que sa règle nomme",
    )
    sector: Sector | None = Field(
        default=None,
        validate_default=True,
        description="1, 2_optam (secteur 2 avec OPTAM/OPTAM-CO) ou 2 ; demandé aux médecins "
        "installés et aux remplaçants, dont les aides le lisent (pas aux étudiants ni aux "
        "docteurs juniors)",
    )
    first_installation: StrictBool = Field(
        default=False, description="Première installation en libéral conventionné"
    )
    installation_date: IsoDate | None = Field(
        default=None, description="Date d'installation (ou d'ouverture du cabinet secondaire)"
    )
    practice: Practice = Practice.principal
    days_per_week: Decimal = Field(default=Decimal(0), ge=0, le=7, decimal_places=1)
    coordinated_practice: StrictBool = Field(default=False, description="Groupe, CPTS ou ESP")
    pdsa: StrictBool = Field(default=False, description="Participation à la permanence des soins")
    hopital_proximite: StrictBool = False
    intern_months: Decimal = Field(
        default=Decimal(0),
        ge=0,
        le=60,
        decimal_places=2,
        description="Mois de stagiaire à temps plein accueillis par an",
    )
    opposable_share: Decimal = Field(
        default=Decimal(1),
        ge=0,
        le=1,
        decimal_places=4,
        description="Part de l'activité à tarifs opposables (secteur 2)",
    )
    annual_fees: Money | None = Field(
        default=None,
        description="Honoraires annuels (actes cliniques et techniques, hors "
        "dépassements et forfaits)",
    )
    zip_days_per_year: StrictInt = Field(default=0, ge=0, le=366)
    zip_fees: Money | None = Field(default=None, description="Honoraires réalisés en ZIP (CSTM)")
    newcomer_age: StrictInt | None = Field(
        default=None, ge=20, le=100, description="Âge du médecin accueilli (COTRAM)"
    )
    fmt_socle: Money | None = Field(
        default=None, description="Forfait médecin traitant annuel, partie socle"
    )
    qpv: StrictBool = Field(
        default=False, description="Quartier prioritaire de la politique de la ville"
    )
    ars_majoration: StrictBool = Field(
        default=False, description="Contrat de majoration ARS (ZIP+)"
    )
    contracts: list[ContractIn] = Field(default_factory=list, max_length=20)
    cesp_months: StrictInt | None = Field(
        default=None, ge=1, le=120, description="CESP : mois d'allocation jusqu'à la fin des études"
    )
    ordre_registration: IsoDate | None = Field(
        default=None, description="CDE : date de première inscription au tableau de l'Ordre"
    )
    acts_per_month: StrictInt | None = Field(
        default=None, ge=0, le=5000, description="Docteur junior : actes par mois en moyenne"
    )
    regime_reel: StrictBool | None = Field(
        default=None, description="ZRR, FRR : imposé au régime réel (non au micro-BNC)"
    )
    employees: StrictInt | None = Field(
        default=None, ge=0, le=10_000, description="ZRR, FRR : nombre de salariés"
    )
    all_activity_in_zone: StrictBool | None = Field(
        default=None, description="ZRR, FRR : siège et toute l'activité dans la zone"
    )
    expected_profit: Money | None = Field(
        default=None,
        description="ZRR, FRR : bénéfice annuel attendu, pour chiffrer le bénéfice exonéré",
    )

    @field_validator("sector")
    @classmethod
    def asked_of_whom_it_concerns(cls, value: Sector | None, info: ValidationInfo) -> Sector | None:
        if value is None and info.data.get("situation") in SECTOR_READERS:
            raise ValueError(
                "secteur conventionnel (1, 2_optam ou 2) requis pour un médecin installé ou "
                "remplaçant"
            )
        return value

    @model_validator(mode="after")
    def consistent(self) -> ProfileIn:
        if self.sector == Sector.secteur_1 and self.opposable_share != 1:
            raise ValueError(
                "secteur 1 : toute l'activité est à tarifs opposables "
                "(opposable_share doit valoir 1)"
            )
        if self.first_installation and any(k.code in INSTALLATION_AIDS for k in self.contracts):
            raise ValueError("first_installation contredit une aide à l'installation déjà reçue")
        return self


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


class YearAmount(BaseModel):
    year: int
    amount: Decimal


class ReferenceYear(BaseModel):
    year: int
    amount: Decimal = Field(description="Ce que les aides éligibles versent cette année-là")
    by_aid: dict[str, Decimal]


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
