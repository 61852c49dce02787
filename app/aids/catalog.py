"""The aid rules as data: amounts, validity dates and legal sources.

Values come from ``shared/domain/rules.md`` ("Corrections and verified formulas" first). What that
file marks unverified is kept here with ``verified=False`` and its note, so that every answer
line can say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

T = TypeVar("T")
Confidence = Literal["élevée", "moyenne", "faible"]  # shared/domain/other-aids.md
Kind = Literal["aide", "exonération", "information"]


@dataclass(frozen=True)
class Source:
    """A text an answer line cites."""

    title: str
    url: str
    article: str | None = None

    @property
    def citation(self) -> str:
        """The title, with the article when the title does not already name it."""
        if self.article and self.article.removeprefix("art. ") not in self.title:
            return f"{self.title}, {self.article}"
        return self.title


@dataclass(frozen=True)
class Setting(Generic[T]):
    """A value the sources do not settle, with the note that says so."""

    value: T
    note: str
    verified: bool = False


# who asks: the doctor's situation, as the profile gives it
ETUDIANT, DOCTEUR_JUNIOR, REMPLACANT, INSTALLE = (
    "etudiant",
    "docteur_junior",
    "remplacant",
    "installe",
)


@dataclass(frozen=True)
class Aid:
    """One aid: code, French name, when it can be signed or granted, its source, whom it is
    for, its amount in words, how sure the sources are, and whether it is money paid, a tax
    exemption or information."""

    code: str
    name: str
    regime: str
    valid_from: date
    valid_until: date | None
    source: Source
    notes: tuple[str, ...] = field(default_factory=tuple)
    amount: str = ""
    audience: tuple[str, ...] = (INSTALLE,)
    confidence: Confidence = "élevée"
    kind: Kind = "aide"
    closed_to: tuple[tuple[str, date], ...] = ()  # a situation the aid leaves on that day
    label: str = ""  # how a sentence names it (« l'aide à la première installation en ZIP »)

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.code)  # an acronym of the texts: CAIM, CESP

    def serves(self, situation: str, on: date) -> bool:
        """Whether the aid is for doctors in ``situation`` on ``on``."""
        if situation not in self.audience:
            return False
        return all(on < day for who, day in self.closed_to if who == situation)


CONVENTION_2016_START = date(2016, 10, 24)
REGIME_2026_START = date(2026, 1, 1)
# The 2024 convention runs five years from its approval (arrêté du 20 juin 2024); after that the
# rules are not known and no answer is given.
RULES_KNOWN_UNTIL = date(2029, 6, 20)
DECREE_2025_231 = date(2025, 3, 13)  # décret n° 2025-231 du 12 mars 2025, JO du 13 mars

IDF_ZIP_PLUS = Source(
    "PAPS Île-de-France, contrat de majoration ZIP+",
    "https://iledefrance.paps.sante.fr/index.php/les-aides-linstallation-29?parent=9995",
)


# --- the State's contracts, the tax code and the local authorities (other-aids.md) ----------


CDE_SCALE_REGION = "24"  # the one ARS scale held: Centre-Val de Loire's
CESP_MONTHLY = 1_200
CESP_MIN_MONTHS = 24
JUNIOR_SEMESTER, JUNIOR_MIN_ACTS, JUNIOR_ZIP_MONTHLY = 500, 200, 1_000
EXEMPTION_FULL_MONTHS = 59  # "jusqu'au terme du cinquante-neuvième mois"
EXEMPTION_TAPER = (Decimal("0.75"), Decimal("0.50"), Decimal("0.25"))
EXEMPTION_MAX_EMPLOYEES = 10
PDSA_EXEMPT_DAYS = 60
LOCAL_MIN_YEARS = 3
# each région's PAPS page on installation aids (the ARS's own schemes, with their end dates)
PAPS_AIDS = {
    "11": "https://iledefrance.paps.sante.fr/index.php/les-aides-linstallation-29",
    "24": "https://www.centre-val-de-loire.paps.sante.fr/le-contrat-de-debut-dexercice",
    "28": "https://www.normandie.paps.sante.fr/les-aides-linstallation-77",
    "32": "https://www.hauts-de-france.paps.sante.fr/les-aides-linstallation-80",
    "52": "https://www.paysdelaloire.paps.sante.fr/linstallation-61",
    "76": "https://www.occitanie.paps.sante.fr/les-aides-linstallation-32",
}
PAPS_PORTAL = "https://www.paps.sante.fr"  # the national entry, for the régions not above
# regional schemes the sources name, with what they say of their dates
REGIONAL_SCHEMES = {
    "28": "aide ARS aux communes ZAC « FIR » : terminée le 31/12/2025",
    "32": "contrat régional d'aide à l'installation (CRAI) : installation libérale du "
    "01/07/2025 au 31/12/2025 en ZAC ou ZAR, dossier avant le 30/06/2026, signature avant le "
    "30/10/2026 (montant non publié)",
    "76": "internes en stage en ZIP ou ZAC : 130 € par mois de transport (stage à plus de 15 km), "
    "logement 150 € (2e cycle) ou 300 € (3e cycle)",
}

# --- amounts (integer euros) ---------------------------------------------------------------

CAIM_FULL = 50_000  # for 4 days a week or more
CAIM_MIN_DAYS = Decimal("2.5")
CAIM_FULL_DAYS = Decimal(4)
CAIM_HOPITAL_PROXIMITE = 2_500
CAIM_YEARS = 5
COSCOM_BASE = 5_000
COSCOM_HOPITAL_PROXIMITE = 1_250
COSCOM_PER_INTERN_MONTH = 300
COTRAM_RATE, COTRAM_CAP = Decimal("0.10"), 20_000
COTRAM_MIN_AGE, COTRAM_NEWCOMER_MAX_AGE = 60, 50
CSTM_MIN_DAYS = 10
CSTM_BEFORE_AVENANT_6 = (Decimal("0.10"), 20_000)
CSTM_FROM_AVENANT_6 = (Decimal("0.25"), 50_000)
PRIMO_ZIP_EUROS, PRIMO_ZAC_EUROS, CABINET_SECONDAIRE_EUROS = 10_000, 5_000, 3_000
SAME_CATEGORY_YEARS = 10

# --- what the sources leave open -------------------------------------------------------------

UNVERIFIED: dict[str, Setting[Any]] = {
    "cde_amounts": Setting(
        {
            "quarter_ceiling": 3_000,
            "quarter_threshold": 12_000,
            "sick_day": 70,
            "parent_day": 102,
            "month_ceiling_installed": 4_250,
        },
        "CDE : montants du barème de l'ARS Centre-Val de Loire (3 000 € par trimestre au plus, "
        "seuil 12 000 € par trimestre ; avant 2024, 4 250 € par mois au plus pour un médecin "
        "installé ; 70 € par jour de maladie, 102 € par jour de congé "
        "maternité, paternité ou adoption), non confirmés par l'arrêté national ; la formule de "
        "l'art. R1435-9-9 (1/30 × ½ × complément mensuel maximal) donnerait 16,67 € par jour de "
        "maladie sur le plafond des remplaçants",
    ),
    "frr_schedule": Setting(
        True,
        "FRR : barème 100 % 5 ans puis 75 / 50 / 25 % lu dans des sources secondaires (texte de "
        "l'art. 44 quindecies A non lu)",
    ),
    "frr_beneficiaire": Setting(
        date(2027, 12, 31),
        "FRR, communes « bénéficiaires » (anciennes ZRR gardées par la loi de finances 2025, art. "
        "99 ; arrêté du 14 avril 2025) : effets du 1er juillet 2024 au 31 décembre 2027, lus comme "
        "la période de création ouverte ; la suite du barème après 2027 n'est pas vérifiée",
    ),
    "pdsa_zac": Setting(
        True,
        "art. 151 ter : les zones de l'art. L1434-4 (1°) comprennent les ZAC selon la lecture "
        "retenue ; certaines sources ne citent que les ZIP",
    ),
    "caim_hp_timing": Setting(
        "with_caim",
        "versement des 2 500 € « hôpital de proximité » supposé suivre celui du CAIM (50 % / 50 %)",
    ),
    "annual_prorata": Setting(
        True,
        "aides annuelles calculées au prorata de la date d'adhésion la première année "
        "(prorata pour une adhésion en cours d'année non vérifié)",
    ),
    "sector2_prorata_coscom_cstm": Setting(
        True,
        "secteur 2 : COSCOM et CSTM proratisés par la part d'activité à tarifs opposables "
        "(source presse seulement)",
    ),
    "payment_2026": Setting(
        3,
        "aides 2026 versées dans les 3 mois suivant l'installation (délai confirmé pour la ZIP, "
        "supposé pour la ZAC et le cabinet secondaire)",
    ),
    "fmt_percentages": Setting(
        {
            "permanent": Decimal("0.10"),
            "primo": (Decimal("0.50"), Decimal("0.30"), Decimal("0.10")),
        },
        "majorations du forfait médecin traitant (10 % ; 50 %, 30 %, 10 % les trois premières "
        "années d'une première installation) non confirmées sur ameli",
    ),
}


@dataclass(frozen=True)
class ArsMajoration:
    """A région's top-up of the 2016 contracts (whole euros; the COTRAM's as a rate and cap)."""

    source: Source
    caim: dict[Decimal, int]  # by days a week
    coscom_coordination: int
    coscom_hopital_proximite: int
    coscom_per_intern_month: int
    cotram: tuple[Decimal, int]


# Regional ARS majorations of the 2016 contracts, per région code. Only Île-de-France's "ZIP+"
# contract is documented; the general "≤ + 20 % for ≤ 20 % of eligible doctors" is unverified.
ARS_MAJORATIONS = {
    "11": ArsMajoration(
        source=IDF_ZIP_PLUS,
        # CAIM top-up by days a week (8,700 € for 3.5 days "as printed"; 20 % would be 8,750 €)
        caim={
            Decimal(4): 10_000,
            Decimal("3.5"): 8_700,
            Decimal(3): 7_500,
            Decimal("2.5"): 6_250,
        },
        coscom_coordination=1_000,
        coscom_hopital_proximite=250,
        coscom_per_intern_month=60,
        cotram=(Decimal("0.10"), 4_000),
    )
}
