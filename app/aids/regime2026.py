"""The 2024 convention's aids from 1 January 2026: first installation in ZIP or ZAC, a secondary
practice, the forfait médecin traitant's majoration (rules.md §2)."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.aids import catalog as c
from app.aids.lines import (
    Check,
    Line,
    Payment,
    Place,
    Practice,
    Profile,
    Rule,
    Sector,
    add_months,
    check_signable,
    check_ten_years,
    check_zone,
    euros,
    fr_date,
    line_of,
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
    aid, check = c.AIDS["PRIMO_ZIP"], Check()
    _first_installation(check, profile, on, aid)
    check_zone(check, place, {"ZIP"}, "hors ZIP")
    return _one_off(aid, check, c.PRIMO_ZIP, profile.installation_date)


def primo_zac(profile: Profile, place: Place, on: date) -> Line:
    aid, check = c.AIDS["PRIMO_ZAC"], Check()
    _first_installation(check, profile, on, aid)
    check_zone(check, place, {"ZAC"}, "hors ZAC")
    return _one_off(aid, check, c.PRIMO_ZAC, profile.installation_date)


def cabinet_secondaire(profile: Profile, place: Place, on: date) -> Line:
    aid, check = c.AIDS["CABINET_SECONDAIRE"], Check()
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
    return _one_off(aid, check, c.CABINET_SECONDAIRE, opened)


def fmt_majoration(profile: Profile, place: Place, on: date) -> Line:
    """+10 % of the FMT socle in ZIP or QPV; +50 %, +30 %, +10 % the first three years of a first
    installation (then the permanent 10 %)."""
    aid, check = c.AIDS["FMT_MAJORATION"], Check()
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


# the aids a doctor may already have received, which the profile lists
HELD = ("PRIMO_ZIP", "PRIMO_ZAC", "CABINET_SECONDAIRE")
RULES: dict[str, Rule] = {
    "PRIMO_ZIP": primo_zip,
    "PRIMO_ZAC": primo_zac,
    "CABINET_SECONDAIRE": cabinet_secondaire,
    "FMT_MAJORATION": fmt_majoration,
}
