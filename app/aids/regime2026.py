"""The 2024 convention's aids from 1 January 2026: first installation in ZIP or ZAC, a secondary
practice, the forfait médecin traitant's majoration (rules.md §2)."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.aids import catalog as c
from app.aids.catalog import Aid, Source
from app.aids.lines import (
    CONTRACTS,
    INSTALLATION_DATE,
    QPV,
    SECTOR,
    Check,
    Declared,
    Input,
    Line,
    Payment,
    Place,
    Practice,
    Profile,
    Sector,
    add_months,
    check_signable,
    check_ten_years,
    check_zone,
    declare,
    euros,
    fr_date,
    line_of,
    money,
)

CONVENTION_2024 = "convention médicale 2024-2029"
AIDES_2026 = Source(
    "ameli, des aides en faveur de l'exercice en zone sous-dense rénovées (convention 2024-2029)",
    "https://www.ameli.fr/medecin/textes-reference/convention-medicale-2024-2029/grands-axes-convention-detail/mesures-fortes-acces-soins/aides-exercice-zone-sous-dense-renovees",
)
FMT_2026 = Source(
    "URML Pays de la Loire, les zonages : quelles aides ? (convention 2024 art. 26)",
    "https://urml-paysdelaloire.org/2026/02/les-zonages-quelles-aides",
)
PRIMO_ZIP = Aid(
    "PRIMO_ZIP",
    "Aide à la première installation en ZIP",
    CONVENTION_2024,
    c.REGIME_2026_START,
    None,
    AIDES_2026,
    amount="10 000 €, versés une fois dans les 3 mois suivant l'installation",
    label="aide à la première installation en ZIP",
)
PRIMO_ZAC = Aid(
    "PRIMO_ZAC",
    "Aide à la première installation en ZAC",
    CONVENTION_2024,
    c.REGIME_2026_START,
    None,
    AIDES_2026,
    amount="5 000 €, versés une fois",
    label="aide à la première installation en ZAC",
)
CABINET_SECONDAIRE = Aid(
    "CABINET_SECONDAIRE",
    "Aide à l'ouverture d'un cabinet secondaire en ZIP",
    CONVENTION_2024,
    c.REGIME_2026_START,
    None,
    AIDES_2026,
    amount="3 000 €, versés une fois",
    label="aide au cabinet secondaire en ZIP",
)
FMT_MAJORATION = Aid(
    "FMT_MAJORATION",
    "Majoration du forfait médecin traitant en ZIP ou QPV",
    CONVENTION_2024,
    c.REGIME_2026_START,
    None,
    FMT_2026,
    confidence="moyenne",
    amount=(
        "+ 10 % du forfait médecin traitant (socle) ; + 50 %, + 30 %, + 10 % les trois "
        "premières années d'une première installation"
    ),
    label="majoration du forfait médecin traitant",
)

ADVANCED_TEXT = Source(
    "Omniprat, aides à l'installation en zone sous-dense : « 3- Les consultations avancées en "
    "ZIP » (guide des aides 2026, convention 2024-2029)",
    "https://omniprat.org/fiches-pratiques/aides-a-linstallation-en-zone-sous-dense",
)
CONSULTATIONS_AVANCEES = Aid(
    "CONSULTATIONS_AVANCEES",
    "Consultations avancées en ZIP",
    CONVENTION_2024,
    c.REGIME_2026_START,
    None,
    ADVANCED_TEXT,
    amount="montant, plafond et versement non vérifiés : aucun chiffre n'est donné ici",
    confidence="faible",
    label="consultations avancées en ZIP",
)


# What only the 2026 regime reads of the profile
FIRST_INSTALLATION = Input[bool](
    "first_installation", bool, False, "Première installation en libéral conventionné"
)
PRACTICE = Input[Practice]("practice", Practice, Practice.principal)
FMT_SOCLE = money("fmt_socle", "Forfait médecin traitant annuel, partie socle")


def _first_installation(check: Check, profile: Profile, on: date, aid: c.Aid) -> None:
    check_signable(check, aid, on)
    check.require(
        profile[PRACTICE] == Practice.principal, "cabinet", "aide réservée au cabinet principal"
    )
    check.require(
        profile[FIRST_INSTALLATION],
        "premiere_installation",
        "pas une première installation en libéral conventionné",
    )
    check.require(profile[SECTOR] != Sector.secteur_2, "secteur", "secteur 2 sans OPTAM")
    if check.need(installed := profile[INSTALLATION_DATE], "date d'installation"):
        check.require(
            installed >= c.REGIME_2026_START,
            "retroactivite",
            "installation avant le 1er janvier 2026 : pas de rétroactivité",
        )
    check_ten_years(check, profile, on)


def _one_off(aid: c.Aid, check: Check, amount: int, paid_from: date | None) -> Line:
    delay = c.UNVERIFIED["payment_2026"]
    if not check.ok or paid_from is None:
        return line_of(aid, check, [], [])
    due = add_months(paid_from, int(delay.value))
    return line_of(
        aid,
        check,
        [Payment(due, euros(amount), f"versement unique au plus tard le {fr_date(due)}")],
        [delay.note, "sans engagement de durée dans la zone"],
    )


def primo_zip(profile: Profile, place: Place, on: date) -> Line:
    aid, check = PRIMO_ZIP, Check()
    _first_installation(check, profile, on, aid)
    check_zone(check, place, {"ZIP"}, "hors ZIP")
    return _one_off(aid, check, c.PRIMO_ZIP_EUROS, profile[INSTALLATION_DATE])


def primo_zac(profile: Profile, place: Place, on: date) -> Line:
    aid, check = PRIMO_ZAC, Check()
    _first_installation(check, profile, on, aid)
    check_zone(check, place, {"ZAC"}, "hors ZAC")
    return _one_off(aid, check, c.PRIMO_ZAC_EUROS, profile[INSTALLATION_DATE])


def cabinet_secondaire(profile: Profile, place: Place, on: date) -> Line:
    aid, check = CABINET_SECONDAIRE, Check()
    check_signable(check, aid, on)
    check.require(
        profile[PRACTICE] == Practice.secondaire,
        "cabinet",
        "le lieu simulé n'est pas un cabinet secondaire",
    )
    check.require(profile[SECTOR] != Sector.secteur_2, "secteur", "secteur 2 sans OPTAM")
    opened = profile[INSTALLATION_DATE]
    if check.need(opened, "date d'ouverture du cabinet secondaire"):
        check.require(
            opened >= c.REGIME_2026_START,
            "retroactivite",
            "cabinet secondaire ouvert avant le 1er janvier 2026",
        )
    check_zone(check, place, {"ZIP"}, "hors ZIP")
    return _one_off(aid, check, c.CABINET_SECONDAIRE_EUROS, opened)


def fmt_majoration(profile: Profile, place: Place, on: date) -> Line:
    """+10 % of the FMT socle in ZIP or QPV; +50 %, +30 %, +10 % the first three years of a first
    installation (then the permanent 10 %)."""
    aid, check = FMT_MAJORATION, Check()
    check_signable(check, aid, on)
    if not profile[QPV]:
        check_zone(check, place, {"ZIP"}, "hors ZIP et hors QPV")
    socle = profile[FMT_SOCLE]
    check.need(socle, "forfait médecin traitant annuel (part socle)")
    if not check.ok or socle is None:
        return line_of(aid, check, [], [])
    setting = c.UNVERIFIED["fmt_percentages"]
    rates: dict[str, Any] = setting.value
    installed = profile[INSTALLATION_DATE]
    # the year of a first installation under the 2026 regime, from which the primo rates run
    first = (
        installed.year
        if profile[FIRST_INSTALLATION]
        and installed is not None
        and installed >= c.REGIME_2026_START
        else None
    )
    schedule = []
    for offset in range(3):
        year = on.year + offset
        rate = rates["permanent"]
        if first is not None and 0 <= year - first < 3:
            rate = rates["primo"][year - first]
        schedule.append(
            Payment(
                date(year, 11, 30),
                euros(socle * rate),
                f"majoration {year} : {int(rate * 100)} % du forfait socle",
            )
        )
    return line_of(
        aid,
        check,
        schedule,
        [
            setting.note,
            "versée avec le forfait, en quatre acomptes "
            "(avril, juin, septembre, novembre) ; calcul sur 3 ans",
        ],
    )


def consultations_avancees(profile: Profile, place: Place, on: date) -> Line:
    """The convention 2024 pays consultations a doctor holds in a ZIP away from her practice;
    the sources read give no amount: in a ZIP the line says so and is left to check."""
    aid, check = CONSULTATIONS_AVANCEES, Check()
    check_signable(check, aid, on)
    check_zone(check, place, {"ZIP"}, "hors ZIP")
    if check.ok:
        check.unknown(
            "montant_non_verifie",
            "montant, plafond, zones et versement des consultations avancées non vérifiés : "
            "voir la convention médicale 2024-2029 ou la CPAM",
        )
    return line_of(aid, check, [], [])


# what both first-installation aids read of the profile
FIRST_INSTALLATION_READS = (
    CONTRACTS,
    FIRST_INSTALLATION,
    INSTALLATION_DATE,
    PRACTICE,
    SECTOR,
)
DECLARED = declare(
    Declared(PRIMO_ZIP, primo_zip, FIRST_INSTALLATION_READS, held=True),
    Declared(PRIMO_ZAC, primo_zac, FIRST_INSTALLATION_READS, held=True),
    Declared(
        CABINET_SECONDAIRE,
        cabinet_secondaire,
        (INSTALLATION_DATE, PRACTICE, SECTOR),
        held=True,
    ),
    Declared(
        FMT_MAJORATION,
        fmt_majoration,
        (FIRST_INSTALLATION, FMT_SOCLE, INSTALLATION_DATE, QPV),
    ),
    Declared(CONSULTATIONS_AVANCEES, consultations_avancees, ()),
)
