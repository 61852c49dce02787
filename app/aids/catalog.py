"""The aid rules as data: amounts, validity dates and legal sources.

Values come from ``shared/domain/rules.md`` ("Corrections and verified formulas" first). What that
file marks unverified is kept here with ``verified=False`` and its note, so that every answer
line can say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Source:
    """A text an answer line cites."""

    title: str
    url: str
    article: str | None = None


@dataclass(frozen=True)
class Setting:
    """A value the sources do not settle, with the note that says so."""

    value: object
    note: str
    verified: bool = False


@dataclass(frozen=True)
class Aid:
    """One aid: code, French name, when it can be signed or granted, and its source."""

    code: str
    name: str
    regime: str
    valid_from: date
    valid_until: date | None
    source: Source
    notes: tuple[str, ...] = field(default_factory=tuple)


CONVENTION_2016 = "convention médicale 2016 (avenants inclus)"
CONVENTION_2024 = "convention médicale 2024-2029"
CONVENTION_2016_START = date(2016, 10, 24)
LAST_SIGNATURE_2016 = date(2025, 12, 31)
REGIME_2026_START = date(2026, 1, 1)
AVENANT_6_CSTM = date(2019, 2, 10)
# The 2024 convention runs five years from its approval (arrêté du 20 juin 2024); after that the
# rules are not known and no answer is given.
RULES_KNOWN_UNTIL = date(2029, 6, 20)
DECREE_2025_231 = date(2025, 3, 13)  # décret n° 2025-231 du 12 mars 2025, JO du 13 mars

CAIM_TEXT = Source(
    "Contrat type national d'aide à l'installation des médecins (CAIM)",
    "https://legal.tricoteuses.fr/articles/LEGIARTI000037439200",
    "art. 4.1-4.2",
)
PAPS_PDL = Source(
    "PAPS Pays de la Loire, l'installation",
    "https://www.paysdelaloire.paps.sante.fr/linstallation-61",
)
COSCOM_TEXT = Source(
    "PAPS Île-de-France, COSCOM (contrat de stabilisation et de coordination)",
    "https://www.iledefrance.paps.sante.fr/index.php/les-aides-au-maintien-9",
)
COTRAM_TEXT = Source(
    "PAPS Île-de-France, COTRAM (contrat de transition)",
    "https://www.iledefrance.paps.sante.fr/index.php/une-aide-la-cessation-dactivite-9",
)
CSTM_TEXT = Source(
    "ameli, CSTM : l'aide à l'activité revalorisée depuis le 10 février 2019 (avenant 6)",
    "https://www.ameli.fr/medecin/actualites/contrat-de-solidarite-territoriale-medecins-laide-lactivite-revalorisee-depuis-le-10-fevrier",
)
AIDES_2026 = Source(
    "ameli, des aides en faveur de l'exercice en zone sous-dense rénovées (convention 2024-2029)",
    "https://www.ameli.fr/medecin/textes-reference/convention-medicale-2024-2029/grands-axes-convention-detail/mesures-fortes-acces-soins/aides-exercice-zone-sous-dense-renovees",
)
FMT_2026 = Source(
    "URML Pays de la Loire, les zonages : quelles aides ? (convention 2024 art. 26)",
    "https://urml-paysdelaloire.org/2026/02/les-zonages-quelles-aides",
)
DECREE_10_YEARS = Source(
    "Décret n° 2025-231 du 12 mars 2025 (pas de nouvelle aide de même catégorie avant 10 ans)",
    "https://www.occitanie.paps.sante.fr/index.php/linstallation-45",
)
IDF_ZIP_PLUS = Source(
    "PAPS Île-de-France, contrat de majoration ZIP+",
    "https://iledefrance.paps.sante.fr/index.php/les-aides-linstallation-29?parent=9995",
)

AIDS: dict[str, Aid] = {
    a.code: a
    for a in (
        Aid(
            "CAIM",
            "Contrat d'aide à l'installation des médecins",
            CONVENTION_2016,
            CONVENTION_2016_START,
            LAST_SIGNATURE_2016,
            CAIM_TEXT,
        ),
        Aid(
            "COSCOM",
            "Contrat de stabilisation et de coordination des médecins",
            CONVENTION_2016,
            CONVENTION_2016_START,
            LAST_SIGNATURE_2016,
            COSCOM_TEXT,
        ),
        Aid(
            "COTRAM",
            "Contrat de transition pour les médecins",
            CONVENTION_2016,
            CONVENTION_2016_START,
            LAST_SIGNATURE_2016,
            COTRAM_TEXT,
        ),
        Aid(
            "CSTM",
            "Contrat de solidarité territoriale médecin",
            CONVENTION_2016,
            CONVENTION_2016_START,
            LAST_SIGNATURE_2016,
            CSTM_TEXT,
            ("taux et plafond relevés le 10 février 2019 par l'avenant 6",),
        ),
        Aid(
            "PRIMO_ZIP",
            "Aide à la première installation en ZIP",
            CONVENTION_2024,
            REGIME_2026_START,
            None,
            AIDES_2026,
        ),
        Aid(
            "PRIMO_ZAC",
            "Aide à la première installation en ZAC",
            CONVENTION_2024,
            REGIME_2026_START,
            None,
            AIDES_2026,
        ),
        Aid(
            "CABINET_SECONDAIRE",
            "Aide à l'ouverture d'un cabinet secondaire en ZIP",
            CONVENTION_2024,
            REGIME_2026_START,
            None,
            AIDES_2026,
        ),
        Aid(
            "FMT_MAJORATION",
            "Majoration du forfait médecin traitant en ZIP ou QPV",
            CONVENTION_2024,
            REGIME_2026_START,
            None,
            FMT_2026,
        ),
    )
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
PRIMO_ZIP, PRIMO_ZAC, CABINET_SECONDAIRE = 10_000, 5_000, 3_000
SAME_CATEGORY_YEARS = 10

# --- what the sources leave open -------------------------------------------------------------

UNVERIFIED = {
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

# Regional ARS majorations of the 2016 contracts, per région code. Only Île-de-France's "ZIP+"
# contract is documented; the general "≤ + 20 % for ≤ 20 % of eligible doctors" is unverified.
ARS_MAJORATIONS: dict[str, dict[str, object]] = {
    "11": {
        "source": IDF_ZIP_PLUS,
        # CAIM top-up by days a week (8,700 € for 3.5 days "as printed"; 20 % would be 8,750 €)
        "caim": {
            Decimal(4): 10_000,
            Decimal("3.5"): 8_700,
            Decimal(3): 7_500,
            Decimal("2.5"): 6_250,
        },
        "coscom_coordination": 1_000,
        "coscom_hopital_proximite": 250,
        "coscom_per_intern_month": 60,
        "cotram": (Decimal("0.10"), 4_000),
    }
}
