"""The 2016 convention's contracts (avenants included): CAIM, COSCOM, COTRAM, CSTM, signed until
31 December 2025 (rules.md §1)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_FLOOR, Decimal

from app.aids import catalog as c
from app.aids.catalog import Aid, Source
from app.aids.lines import (
    AGE,
    CONTRACTS,
    DAYS_PER_WEEK,
    INSTALLATION_DATE,
    PDSA,
    SECTOR,
    Check,
    Declared,
    Input,
    Line,
    Payment,
    Place,
    Profile,
    Sector,
    add_years,
    check_not_with,
    check_signable,
    check_ten_years,
    check_zone,
    declare,
    euros,
    line_of,
    money,
    months_between,
)

CONVENTION_2016 = "convention médicale 2016 (avenants inclus)"
LAST_SIGNATURE_2016 = date(2025, 12, 31)
AVENANT_6_CSTM = date(2019, 2, 10)
CAIM_TEXT = Source(
    "Contrat type national d'aide à l'installation des médecins (CAIM)",
    "https://legal.tricoteuses.fr/articles/LEGIARTI000037439200",
    "art. 4.1-4.2",
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
CAIM = Aid(
    "CAIM",
    "Contrat d'aide à l'installation des médecins (CAIM)",
    CONVENTION_2016,
    c.CONVENTION_2016_START,
    LAST_SIGNATURE_2016,
    CAIM_TEXT,
    amount=(
        "50 000 € pour 4 jours par semaine ou plus (au prorata dès 2,5 jours), + 2 500 € en"
        " hôpital de proximité : moitié à la signature, moitié un an après"
    ),
)
COSCOM = Aid(
    "COSCOM",
    "Contrat de stabilisation et de coordination des médecins (COSCOM)",
    CONVENTION_2016,
    c.CONVENTION_2016_START,
    LAST_SIGNATURE_2016,
    COSCOM_TEXT,
    amount=(
        "5 000 € par an, + 1 250 € en hôpital de proximité, + 300 € par mois de stagiaire à"
        " temps plein accueilli ; contrat de 3 ans"
    ),
)
COTRAM = Aid(
    "COTRAM",
    "Contrat de transition pour les médecins (COTRAM)",
    CONVENTION_2016,
    c.CONVENTION_2016_START,
    LAST_SIGNATURE_2016,
    COTRAM_TEXT,
    amount=("10 % des honoraires à tarifs opposables, au plus 20 000 € par an ; contrat de 3 ans"),
)
CSTM = Aid(
    "CSTM",
    "Contrat de solidarité territoriale médecin (CSTM)",
    CONVENTION_2016,
    c.CONVENTION_2016_START,
    LAST_SIGNATURE_2016,
    CSTM_TEXT,
    ("taux et plafond relevés le 10 février 2019 par l'avenant 6",),
    amount=(
        "25 % des honoraires réalisés en ZIP, au plus 50 000 € par an (10 % et 20 000 € "
        "avant le 10 février 2019) ; contrat de 3 ans"
    ),
)


# What only the 2016 contracts read of the profile
COORDINATED_PRACTICE = Input[bool]("coordinated_practice", bool, False, "Groupe, CPTS ou ESP")
HOPITAL_PROXIMITE = Input[bool]("hopital_proximite", bool, False)
INTERN_MONTHS = Input[Decimal](
    "intern_months",
    Decimal,
    Decimal(0),
    "Mois de stagiaire à temps plein accueillis par an",
    ge=0,
    le=60,
    decimal_places=2,
)
OPPOSABLE_SHARE = Input[Decimal](
    "opposable_share",
    Decimal,
    Decimal(1),
    "Part de l'activité à tarifs opposables (secteur 2)",
    ge=0,
    le=1,
    decimal_places=4,
)
ANNUAL_FEES = money(
    "annual_fees",
    "Honoraires annuels (actes cliniques et techniques, hors dépassements et forfaits)",
)
ZIP_DAYS_PER_YEAR = Input[int]("zip_days_per_year", int, 0, ge=0, le=366)
ZIP_FEES = money("zip_fees", "Honoraires réalisés en ZIP (CSTM)")
NEWCOMER_AGE = Input[int | None](
    "newcomer_age", int, None, "Âge du médecin accueilli (COTRAM)", ge=20, le=100
)
ARS_MAJORATION = Input[bool]("ars_majoration", bool, False, "Contrat de majoration ARS (ZIP+)")


def ars_majoration(place: Place, profile: Profile, notes: list[str]) -> c.ArsMajoration | None:
    """The région's majoration of the 2016 contracts when the doctor has signed it; a place
    without a région cannot tell, which the line says."""
    if not profile[ARS_MAJORATION]:
        return None
    if place.region is None:
        notes.append("majoration de l'ARS à vérifier : la région du lieu n'est pas connue")
    return c.ARS_MAJORATIONS.get(place.region or "")


def caim(profile: Profile, place: Place, on: date) -> Line:
    """50,000 € × min(days, 4) / 4 from 2.5 days a week, half at signature, half a year later."""
    aid, check = CAIM, Check()
    check_signable(check, aid, on)
    check_zone(check, place, {"ZIP"}, "hors ZIP")
    check.require(profile[SECTOR] != Sector.secteur_2, "secteur", "secteur 2 sans OPTAM")
    check.require(
        profile[DAYS_PER_WEEK] >= c.CAIM_MIN_DAYS,
        "activite",
        "activité inférieure à 2,5 jours par semaine",
    )
    check.require(
        profile[PDSA],
        "pdsa",
        "participation à la permanence des soins (PDSA) requise, "
        "sauf dérogation du Conseil de l'Ordre",
    )
    if check.need(installed := profile[INSTALLATION_DATE], "date d'installation"):
        check.require(
            add_years(installed, 1) > on,
            "installation",
            "installation dans la zone depuis plus d'un an",
        )
    check.require(
        not any(k.code == "CAIM" for k in profile[CONTRACTS]),
        "deja_signe",
        "CAIM déjà signé : une seule fois par carrière",
    )
    check_not_with(check, profile, on, ("COSCOM", "COTRAM", "CSTM"), "CAIM")
    check_ten_years(check, profile, on)
    if not check.ok:  # the ARS majoration has no amount below 2.5 days a week
        return line_of(aid, check, [], [])
    days = min(profile[DAYS_PER_WEEK], c.CAIM_FULL_DAYS)
    days = (days * 2).to_integral_value(rounding=ROUND_FLOOR) / 2  # half-day steps
    notes = []
    if not profile[COORDINATED_PRACTICE]:
        notes.append(
            "exercice coordonné (groupe, CPTS ou ESP) à réaliser dans les 2 ans suivant "
            "la signature"
        )
    parts = [("aide forfaitaire", euros(c.CAIM_FULL * days / c.CAIM_FULL_DAYS))]
    if profile[HOPITAL_PROXIMITE]:
        parts.append(("activité en hôpital de proximité", euros(c.CAIM_HOPITAL_PROXIMITE)))
        notes.append(c.UNVERIFIED["caim_hp_timing"].note)
    if ars := ars_majoration(place, profile, notes):
        parts.append(("majoration ARS (ZIP+)", euros(ars.caim[days])))
        notes.append(f"majoration régionale : {ars.source.title}")
    schedule = []
    for label, amount in parts:
        half = euros(amount / 2)
        schedule += [
            Payment(on, half, f"{label} : 50 % à la signature"),
            Payment(add_years(on, 1), amount - half, f"{label} : 50 % au 1er anniversaire"),
        ]
    notes.append(
        "contrat de 5 ans non renouvelable ; remboursement au prorata en cas de départ anticipé"
    )
    return line_of(aid, check, schedule, notes)


def _years(on: date, years: int) -> list[tuple[int, Decimal]]:
    """Calendar years of a contract of ``years`` from ``on``, with the share of each covered
    (in months: an adhesion on 1 July covers half of its first year)."""
    end = add_years(on, years)
    covered = []
    for year in range(on.year, end.year + 1):
        start, stop = max(on, date(year, 1, 1)), min(end, date(year + 1, 1, 1))
        if stop > start:
            covered.append((year, months_between(start, stop) / 12))
    return covered


def _yearly(
    on: date, years: int, per_year: dict[int, Decimal] | Decimal, label: str, notes: list[str]
) -> list[Payment]:
    """An annual amount (or one per year) at the prorata of each calendar year covered, paid in
    the second quarter of the next year (dated 30 June)."""
    prorata = c.UNVERIFIED["annual_prorata"]
    notes.append(prorata.note)
    schedule = []
    for year, share in _years(on, years):
        amount = per_year[year] if isinstance(per_year, dict) else per_year
        schedule.append(
            Payment(
                date(year + 1, 6, 30),
                euros(amount * (share if prorata.value else 1)),
                f"{label} {year} (versée au 2e trimestre {year + 1})",
            )
        )
    return schedule


def _sector2_share(profile: Profile, notes: list[str], verified: bool) -> Decimal:
    if profile[SECTOR] == Sector.secteur_1:
        return Decimal(1)
    if not verified:
        notes.append(c.UNVERIFIED["sector2_prorata_coscom_cstm"].note)
    return profile[OPPOSABLE_SHARE]


def coscom(profile: Profile, place: Place, on: date) -> Line:
    """5,000 €/year, + 1,250 € (hôpital de proximité), + 300 € per month of full-time intern."""
    aid, check = COSCOM, Check()
    check_signable(check, aid, on)
    check_zone(check, place, {"ZIP"}, "hors ZIP")
    if check.need(installed := profile[INSTALLATION_DATE], "date d'installation"):
        check.require(
            installed <= on,
            "installation",
            "pas encore installé dans la zone",
        )
    check.require(
        profile[COORDINATED_PRACTICE],
        "coordination",
        "exercice coordonné requis (groupe, CPTS ou ESP)",
    )
    check_not_with(check, profile, on, ("CAIM", "CSTM"), "COSCOM")
    notes: list[str] = []
    per_year = Decimal(c.COSCOM_BASE) + profile[INTERN_MONTHS] * c.COSCOM_PER_INTERN_MONTH
    if profile[HOPITAL_PROXIMITE]:
        per_year += c.COSCOM_HOPITAL_PROXIMITE
    if ars := ars_majoration(place, profile, notes):
        per_year += ars.coscom_coordination + profile[INTERN_MONTHS] * ars.coscom_per_intern_month
        if profile[HOPITAL_PROXIMITE]:
            per_year += ars.coscom_hopital_proximite
        notes.append(f"majoration régionale : {ars.source.title}")
    per_year *= _sector2_share(profile, notes, verified=False)
    notes.append(
        "contrat de 3 ans renouvelable par tacite reconduction : le calcul couvre la "
        "première période"
    )
    return line_of(aid, check, _yearly(on, 3, per_year, "aide COSCOM", notes), notes)


def cotram(profile: Profile, place: Place, on: date) -> Line:
    """10 % of fees (tarifs opposables, without dépassements or forfaits), at most 20,000 €/year."""
    aid, check = COTRAM, Check()
    check_signable(check, aid, on)
    check_zone(check, place, {"ZIP"}, "hors ZIP")
    check.require(profile[AGE] >= c.COTRAM_MIN_AGE, "age", "médecin de moins de 60 ans")
    newcomer_age = profile[NEWCOMER_AGE]
    check.require(newcomer_age is not None, "accueil", "aucun médecin accueilli")
    if newcomer_age is not None:
        check.require(
            newcomer_age < c.COTRAM_NEWCOMER_MAX_AGE,
            "age_accueilli",
            "médecin accueilli de 50 ans ou plus",
        )
    fees = profile[ANNUAL_FEES]
    check.need(fees, "honoraires annuels")
    check_not_with(check, profile, on, ("CAIM",), "COTRAM")
    if not check.ok or fees is None:
        return line_of(aid, check, [], [])
    notes: list[str] = []
    base = fees * _sector2_share(profile, notes, verified=True)
    per_year = min(base * c.COTRAM_RATE, Decimal(c.COTRAM_CAP))
    if ars := ars_majoration(place, profile, notes):
        rate, cap = ars.cotram
        per_year += min(base * rate, Decimal(cap))
        notes.append(f"majoration régionale : {ars.source.title}")
    notes.append("contrat de 3 ans renouvelable une fois")
    return line_of(aid, check, _yearly(on, 3, per_year, "aide COTRAM", notes), notes)


def cstm(profile: Profile, place: Place, on: date) -> Line:
    """25 % of fees earned in ZIP, at most 50,000 €/year (10 %, 20,000 € before avenant 6)."""
    aid, check = CSTM, Check()
    check_signable(check, aid, on)
    if place.zone_class is None:
        check_zone(check, place, set(), "")
    else:
        check.require(
            place.zone_class != "ZIP",
            "zone",
            "installé en ZIP : le CSTM vise les médecins installés hors ZIP",
        )
    check.require(
        profile[ZIP_DAYS_PER_YEAR] >= c.CSTM_MIN_DAYS,
        "jours_zip",
        "moins de 10 jours par an d'activité en ZIP",
    )
    fees = profile[ZIP_FEES]
    check.need(fees, "honoraires réalisés en ZIP")
    check_not_with(check, profile, on, ("CAIM", "COSCOM"), "CSTM")
    if not check.ok or fees is None:
        return line_of(aid, check, [], [])
    notes: list[str] = ["frais de déplacement vers la zone remboursés en plus (non chiffrés)"]
    base = fees * _sector2_share(profile, notes, verified=False)
    per_year = {}
    for year, _ in _years(on, 3):
        rate, cap = (
            c.CSTM_FROM_AVENANT_6 if year >= AVENANT_6_CSTM.year else c.CSTM_BEFORE_AVENANT_6
        )
        per_year[year] = min(base * rate, Decimal(cap))
    schedule = _yearly(on, 3, per_year, "aide CSTM", notes)
    notes.append("contrat de 3 ans renouvelable par tacite reconduction")
    return line_of(aid, check, schedule, notes)


DECLARED = declare(
    Declared(
        CAIM,
        caim,
        (
            ARS_MAJORATION,
            CONTRACTS,
            COORDINATED_PRACTICE,
            DAYS_PER_WEEK,
            HOPITAL_PROXIMITE,
            INSTALLATION_DATE,
            PDSA,
            SECTOR,
        ),
        held=True,
    ),
    Declared(
        COSCOM,
        coscom,
        (
            ARS_MAJORATION,
            CONTRACTS,
            COORDINATED_PRACTICE,
            HOPITAL_PROXIMITE,
            INSTALLATION_DATE,
            INTERN_MONTHS,
            OPPOSABLE_SHARE,
            SECTOR,
        ),
        held=True,
    ),
    Declared(
        COTRAM,
        cotram,
        (
            AGE,
            ANNUAL_FEES,
            ARS_MAJORATION,
            CONTRACTS,
            NEWCOMER_AGE,
            OPPOSABLE_SHARE,
            SECTOR,
        ),
        held=True,
    ),
    Declared(
        CSTM,
        cstm,
        (CONTRACTS, OPPOSABLE_SHARE, SECTOR, ZIP_DAYS_PER_YEAR, ZIP_FEES),
        held=True,
    ),
)
