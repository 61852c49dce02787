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
            "Contrat d'aide à l'installation des médecins (CAIM)",
            CONVENTION_2016,
            CONVENTION_2016_START,
            LAST_SIGNATURE_2016,
            CAIM_TEXT,
            amount=(
                "50 000 € pour 4 jours par semaine ou plus (au prorata dès 2,5 jours), + 2 500 € en"
                " hôpital de proximité : moitié à la signature, moitié un an après"
            ),
        ),
        Aid(
            "COSCOM",
            "Contrat de stabilisation et de coordination des médecins (COSCOM)",
            CONVENTION_2016,
            CONVENTION_2016_START,
            LAST_SIGNATURE_2016,
            COSCOM_TEXT,
            amount=(
                "5 000 € par an, + 1 250 € en hôpital de proximité, + 300 € par mois de stagiaire à"
                " temps plein accueilli ; contrat de 3 ans"
            ),
        ),
        Aid(
            "COTRAM",
            "Contrat de transition pour les médecins (COTRAM)",
            CONVENTION_2016,
            CONVENTION_2016_START,
            LAST_SIGNATURE_2016,
            COTRAM_TEXT,
            amount=(
                "10 % des honoraires à tarifs opposables, au plus 20 000 € par an ; contrat de 3 "
                "ans"
            ),
        ),
        Aid(
            "CSTM",
            "Contrat de solidarité territoriale médecin (CSTM)",
            CONVENTION_2016,
            CONVENTION_2016_START,
            LAST_SIGNATURE_2016,
            CSTM_TEXT,
            ("taux et plafond relevés le 10 février 2019 par l'avenant 6",),
            amount=(
                "25 % des honoraires réalisés en ZIP, au plus 50 000 € par an (10 % et 20 000 € "
                "avant le 10 février 2019) ; contrat de 3 ans"
            ),
        ),
        Aid(
            "PRIMO_ZIP",
            "Aide à la première installation en ZIP",
            CONVENTION_2024,
            REGIME_2026_START,
            None,
            AIDES_2026,
            amount="10 000 €, versés une fois dans les 3 mois suivant l'installation",
            label="aide à la première installation en ZIP",
        ),
        Aid(
            "PRIMO_ZAC",
            "Aide à la première installation en ZAC",
            CONVENTION_2024,
            REGIME_2026_START,
            None,
            AIDES_2026,
            amount="5 000 €, versés une fois",
            label="aide à la première installation en ZAC",
        ),
        Aid(
            "CABINET_SECONDAIRE",
            "Aide à l'ouverture d'un cabinet secondaire en ZIP",
            CONVENTION_2024,
            REGIME_2026_START,
            None,
            AIDES_2026,
            amount="3 000 €, versés une fois",
            label="aide au cabinet secondaire en ZIP",
        ),
        Aid(
            "FMT_MAJORATION",
            "Majoration du forfait médecin traitant en ZIP ou QPV",
            CONVENTION_2024,
            REGIME_2026_START,
            None,
            FMT_2026,
            confidence="moyenne",
            amount=(
                "+ 10 % du forfait médecin traitant (socle) ; + 50 %, + 30 %, + 10 % les trois "
                "premières années d'une première installation"
            ),
            label="majoration du forfait médecin traitant",
        ),
    )
}

# --- the State's contracts, the tax code and the local authorities (other-aids.md) ----------

CESP_TEXT = Source(
    "Code de l'éducation, art. L632-6 ; arrêté du 29 octobre 2013 (allocation) ; décret "
    "n° 2026-4 du 5 janvier 2026",
    "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006525242",
    "art. L632-6",
)
CDE_TEXT = Source(
    "Code de la santé publique, art. L1435-4-2 et R1435-9-1 à R1435-9-11 (décret n° 2020-1666)",
    "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000042731159",
    "art. R1435-9-1",
)
JUNIOR_TEXT = Source(
    "Décret n° 2025-850 du 27 août 2025 (docteurs juniors de médecine générale) et ses arrêtés",
    "https://juriblio.fr/decrets/decret-no-2025-850-du-27-aout-2025/186360011/article-1",
)
ZRR_TEXT = Source(
    "Code général des impôts, art. 44 quindecies ; BOFiP BOI-BIC-CHAMP-80-10-70-30",
    "https://bofip.impots.gouv.fr/bofip/7866-PGP.html?identifiant=BOI-BIC-CHAMP-80-10-70-30-20190904",
    "art. 44 quindecies",
)
FRR_TEXT = Source(
    "Code général des impôts, art. 44 quindecies A (loi de finances 2024, art. 73)",
    "https://entreprendre.service-public.fr/actualites/A18076",
    "art. 44 quindecies A",
)
PDSA_TEXT = Source(
    "Code général des impôts, art. 151 ter",
    "https://juriblio.fr/codes/code-general-des-impots-cgi/livre-premier/premiere-partie/titre-premier/chapitre-premier/section-ii/1re-sous-section/viii/1-bis",
    "art. 151 ter",
)
LOCAL_TEXT = Source(
    "Code général des collectivités territoriales, art. L1511-8, R1511-44 et D1511-47",
    "https://french-business-law.com/french-legislation-art/article-l1511-8-of-the-french-general-code-of-local-authorities/",
    "art. L1511-8",
)
STATE = "contrat de l'État (ARS)"
TAX = "fiscalité (État)"
LOCAL = "collectivités territoriales"
CESP_REFORM = date(2026, 1, 16)  # décret 2026-4: requests made from this day
CDE_START = date(2020, 12, 25)
CDE_REMPLACANTS_ONLY = date(2024, 1, 1)  # LFSS 2023: installed doctors no longer sign it
CDE_SICK_FIRST_DAY, CDE_SICK_MAX_DAYS = 8, 90  # art. R1435-9-9: per stoppage
CDE_INSTALLED_MIN_DAYS = Decimal("2.5")  # 5 half-days a week in the zones (before 2024)
JUNIOR_START = date(2026, 11, 1)
ZRR_START, ZRR_LAST = date(2011, 1, 1), date(2024, 6, 30)
FRR_START, FRR_LAST = date(2024, 7, 1), date(2029, 12, 31)
FRR_PLUS_START = date(2025, 1, 1)  # loi de finances 2025: FRR+ from this day

AIDS |= {
    a.code: a
    for a in (
        Aid(
            "CESP",
            "Contrat d'engagement de service public (CESP)",
            STATE,
            CONVENTION_2016_START,
            None,
            CESP_TEXT,
            amount="1 200 € brut par mois jusqu'à la fin des études, contre autant de mois "
            "d'exercice en ZIP ou ZAC (2 ans au moins), en secteur 1",
            audience=(ETUDIANT, DOCTEUR_JUNIOR),
        ),
        Aid(
            "CDE",
            "Contrat de début d'exercice (CDE), remplaçants",
            STATE,
            CDE_START,
            None,
            CDE_TEXT,
            amount="la 1re année, complément jusqu'à un plafond de revenu ; pendant tout le "
            "contrat, 70 € par jour de maladie (dès le 8e jour d'arrêt, 90 jours au plus) et, "
            "pour un remplaçant, 102 € par jour de congé maternité, paternité ou adoption ; "
            "barème régional (Centre-Val de Loire : 3 000 € par trimestre au plus pour un "
            "remplaçant, 4 250 € par mois pour un médecin installé avant 2024) ; contrat de 3 ans",
            audience=(REMPLACANT, INSTALLE),
            confidence="moyenne",
            closed_to=((INSTALLE, CDE_REMPLACANTS_ONLY),),
        ),
        Aid(
            "DOCTEUR_JUNIOR",
            "Primes des docteurs juniors de médecine générale",
            STATE,
            JUNIOR_START,
            None,
            JUNIOR_TEXT,
            amount="500 € brut par semestre au-delà de 200 actes par mois en moyenne ; + 1 000 € "
            "brut par mois pour un stage en ZIP",
            audience=(DOCTEUR_JUNIOR,),
            confidence="moyenne",
            label="primes des docteurs juniors",
        ),
        Aid(
            "ZRR",
            "Exonération d'impôt sur le bénéfice en zone de revitalisation rurale (ZRR)",
            TAX,
            ZRR_START,
            ZRR_LAST,
            ZRR_TEXT,
            amount="100 % du bénéfice exonéré pendant 5 ans, puis 75 %, 50 % et 25 % les trois "
            "années suivantes (créations jusqu'au 30 juin 2024)",
            kind="exonération",
        ),
        Aid(
            "FRR",
            "Exonération d'impôt sur le bénéfice en zone France Ruralités Revitalisation (FRR)",
            TAX,
            FRR_START,
            FRR_LAST,
            FRR_TEXT,
            amount="100 % du bénéfice exonéré pendant 5 ans, puis 75 %, 50 % et 25 % (créations "
            "du 1er juillet 2024 au 31 décembre 2029 dans une commune de la liste FRR, au 31 "
            "décembre 2027 dans une ancienne ZRR bénéficiaire ; barème des sources secondaires)",
            kind="exonération",
            confidence="moyenne",
        ),
        Aid(
            "PDSA_151TER",
            "Exonération des rémunérations de permanence des soins (art. 151 ter CGI)",
            TAX,
            CONVENTION_2016_START,
            None,
            PDSA_TEXT,
            amount="astreintes et majorations de permanence des soins exonérées d'impôt sur le "
            "revenu dans la limite de 60 jours de permanence par an",
            audience=(INSTALLE, REMPLACANT),
            kind="exonération",
            label="exonération de la permanence des soins",
        ),
        Aid(
            "AIDES_LOCALES",
            "Aides des collectivités territoriales et de l'ARS",
            LOCAL,
            CONVENTION_2016_START,
            None,
            LOCAL_TEXT,
            amount="montants fixés par chaque collectivité (prime d'installation ou d'exercice, "
            "local, logement), contre 3 ans au moins d'exercice en ZIP ou ZAC",
            audience=(ETUDIANT, DOCTEUR_JUNIOR, REMPLACANT, INSTALLE),
            kind="information",
            label="aides locales et de l'ARS",
        ),
    )
}


def label(code: str) -> str:
    """How a sentence names the aid or contract ``code``."""
    return AIDS[code].label if code in AIDS else code


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
PRIMO_ZIP, PRIMO_ZAC, CABINET_SECONDAIRE = 10_000, 5_000, 3_000
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
