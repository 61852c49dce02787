"""The 2024 convention's aids from 1 January 2026: first installation in ZIP or ZAC, a secondary
practice, the forfait médecin traitant's majoration (rules.md §2)."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.aids import catalog as c
from app.aids.catalog import Aid, Source
from app.aids.lines import (
    Check,
    Declared,
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


def _first_installation(check: Check, profile: Profile, on: date, aid: c.Aid) -> None:
    check_signable(check, aid, on)
    check.require(
        profile.practice == Practice.principal, "cabinet", "aide réservée au cabinet principal"
    )
    check.require(
        profile.first_installation,
        "premiere_installation",
        "pas une première installation en libéral conventionné",
    )
    check.require(profile.sector != Sector.secteur_2, "secteur", "secteur 2 sans OPTAM")
    if check.need(profile.installation_date, "date d'installation"):
        check.require(
            profile.installation_date >= c.REGIME_2026_START,
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
    return _one_off(aid, check, c.PRIMO_ZIP_EUROS, profile.installation_date)


def primo_zac(profile: Profile, place: Place, on: date) -> Line:
    aid, check = PRIMO_ZAC, Check()
    _first_installation(check, profile, on, aid)
    check_zone(check, place, {"ZAC"}, "hors ZAC")
    return _one_off(aid, check, c.PRIMO_ZAC_EUROS, profile.installation_date)


def cabinet_secondaire(profile: Profile, place: Place, on: date) -> Line:
    aid, check = CABINET_SECONDAIRE, Check()
    check_signable(check, aid, on)
    check.require(
        profile.practice == Practice.secondaire,
        "cabinet",
        "le lieu simulé n'est pas un cabinet secondaire",
    )
    check.require(profile.sector != Sector.secteur_2, "secteur", "secteur 2 sans OPTAM")
    opened = profile.installation_date
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
    if not profile.qpv:
        check_zone(check, place, {"ZIP"}, "hors ZIP et hors QPV")
    socle = profile.fmt_socle
    check.need(socle, "forfait médecin traitant annuel (part socle)")
    if not check.ok or socle is None:
        return line_of(aid, check, [], [])
    setting = c.UNVERIFIED["fmt_percentages"]
    rates: dict[str, Any] = setting.value
    installed = profile.installation_date
    # the year of a first installation under the 2026 regime, from which the primo rates run
    first = (
        installed.year
        if profile.first_installation and installed is not None and installed >= c.REGIME_2026_START
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


DECLARED = declare(
    Declared(
        PRIMO_ZIP,
        primo_zip,
        (
            "contracts",
            "first_installation",
            "installation_date",
            "practice",
            "sector",
        ),
        held=True,
    ),
    Declared(
        PRIMO_ZAC,
        primo_zac,
        (
            "contracts",
            "first_installation",
            "installation_date",
            "practice",
            "sector",
        ),
        held=True,
    ),
    Declared(
        CABINET_SECONDAIRE,
        cabinet_secondaire,
        (
            "installation_date",
            "practice",
            "sector",
        ),
        held=True,
    ),
    Declared(
        FMT_MAJORATION,
        fmt_majoration,
        (
            "first_installation",
            "fmt_socle",
            "installation_date",
            "qpv",
        ),
    ),
)
