"""The tax code's exemptions: ZRR and FRR profit exemptions, the PDSA fees' exemption
(art. 151 ter CGI) (other-aids.md §4)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from app.aids import catalog as c
from app.aids.catalog import Aid, Source
from app.aids.lines import (
    INSTALLATION_DATE,
    PDSA,
    Check,
    Declared,
    Exemption,
    Input,
    Line,
    Place,
    Profile,
    add_months,
    add_years,
    check_signable,
    check_zone,
    declare,
    euros,
    fr_date,
    line_of,
    money,
    months_between,
)
from app.zones import statuses
from app.zones.statuses import FRR_UNKNOWN, ZRR_UNKNOWN, Status

TAX = "fiscalité (État)"
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
ZRR_START, ZRR_LAST = date(2011, 1, 1), date(2024, 6, 30)
FRR_START, FRR_LAST = date(2024, 7, 1), date(2029, 12, 31)
FRR_PLUS_START = date(2025, 1, 1)  # loi de finances 2025: FRR+ from this day
ZRR = Aid(
    "ZRR",
    "Exonération d'impôt sur le bénéfice en zone de revitalisation rurale (ZRR)",
    TAX,
    ZRR_START,
    ZRR_LAST,
    ZRR_TEXT,
    amount="100 % du bénéfice exonéré pendant 5 ans, puis 75 %, 50 % et 25 % les trois "
    "années suivantes (créations jusqu'au 30 juin 2024)",
    kind="exonération",
)
FRR = Aid(
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
)
PDSA_151TER = Aid(
    "PDSA_151TER",
    "Exonération des rémunérations de permanence des soins (art. 151 ter CGI)",
    TAX,
    c.CONVENTION_2016_START,
    None,
    PDSA_TEXT,
    amount="astreintes et majorations de permanence des soins exonérées d'impôt sur le "
    "revenu dans la limite de 60 jours de permanence par an",
    audience=(c.INSTALLE, c.REMPLACANT),
    kind="exonération",
    label="exonération de la permanence des soins",
)


# What only the tax exemptions read of the profile
REGIME_REEL = Input[bool | None](
    "regime_reel", bool, None, "ZRR, FRR : imposé au régime réel (non au micro-BNC)"
)
EMPLOYEES = Input[int | None](
    "employees", int, None, "ZRR, FRR : nombre de salariés", ge=0, le=10_000
)
ALL_ACTIVITY_IN_ZONE = Input[bool | None](
    "all_activity_in_zone", bool, None, "ZRR, FRR : siège et toute l'activité dans la zone"
)
EXPECTED_PROFIT = money(
    "expected_profit", "ZRR, FRR : bénéfice annuel attendu, pour chiffrer le bénéfice exonéré"
)


def _exemption(
    aid: c.Aid,
    profile: Profile,
    in_zone: bool | None,
    zone_words: str,
    until: date | None = None,
    micro: bool = False,
    extra: tuple[str, ...] = (),
) -> Line:
    """ZRR and FRR: the profit of an activity created in the zone in the aid's window (to
    ``until`` when the zone's own window ends sooner), exempt in full until the end of the 59th
    month after the month of creation, then 75, 50 and 25 % over three periods of twelve
    months; ``micro``: the micro-BNC regime is admitted."""
    check = Check()
    created = profile[INSTALLATION_DATE]
    closes = aid.valid_until or date.max  # ZRR and FRR both close on a day of their text
    last = min(until or closes, closes)
    if check.need(created, "date d'installation (création de l'activité)"):
        check.require(
            aid.valid_from <= created <= last,
            "creation",
            f"installation le {fr_date(created)} : hors de la période de création "
            f"({fr_date(aid.valid_from)} – {fr_date(last)})",
        )
    if in_zone is None:
        check.unknown("zone_incertaine", zone_words)
    else:
        check.require(in_zone, "zone", zone_words)
    if not micro and check.need(profile[REGIME_REEL], "régime fiscal (réel ou micro-BNC)"):
        check.require(bool(profile[REGIME_REEL]), "regime", "micro-BNC : régime réel requis")
    if check.need(employees := profile[EMPLOYEES], "nombre de salariés"):
        check.require(
            employees <= c.EXEMPTION_MAX_EMPLOYEES,
            "salaries",
            "11 salariés ou plus",
        )
    if check.need(profile[ALL_ACTIVITY_IN_ZONE], "toute l'activité dans la zone"):
        check.require(
            bool(profile[ALL_ACTIVITY_IN_ZONE]),
            "implantation",
            "activité en partie hors de la zone (au-delà de 25 % du chiffre d'affaires : "
            "exonération au prorata)",
        )
    if check.refused or created is None:
        return line_of(aid, check, [], [])
    start: date = created
    full_end = add_months(start.replace(day=1), c.EXEMPTION_FULL_MONTHS + 1) - timedelta(days=1)
    periods = [(start, full_end, Decimal(1))]
    for share in c.EXEMPTION_TAPER:
        begin = periods[-1][1] + timedelta(days=1)
        periods.append((begin, add_years(begin, 1) - timedelta(days=1), share))
    profit = profile[EXPECTED_PROFIT]
    exemptions = [
        Exemption(
            begin,
            end,
            share,
            None
            if profit is None
            else euros(profit * share * months_between(begin, end + timedelta(days=1)) / 12),
            f"{int(share * 100)} % du bénéfice exonéré du {fr_date(begin)} au {fr_date(end)}",
        )
        for begin, end, share in periods
    ]
    notes = [
        "exonération d'impôt sur le bénéfice, pas une somme versée"
        + ("" if profit is None else " ; bénéfice exonéré estimé d'après le bénéfice annuel donné"),
        "une installation venue d'ailleurs vaut création si aucun moyen d'exploitation (ni "
        "patientèle) n'est repris",
        "aide soumise au plafond européen des aides de minimis",
        *extra,
    ]
    return line_of(aid, check, [], notes, exemptions)


def _status(declared: dict[str, Status], code: str | None, unknown: str) -> tuple[bool | None, str]:
    """Whether the commune is in the exemption's zone (None: unknown, or by address) and why."""
    status = declared.get(code or "")
    return (None, unknown) if status is None else (status.in_zone, status.line)


def zrr(profile: Profile, place: Place, on: date) -> Line:
    in_zone, words = _status(statuses.ZRR, place.zrr, ZRR_UNKNOWN)
    return _exemption(ZRR, profile, in_zone, words)


def frr(profile: Profile, place: Place, on: date) -> Line:
    """FRR from 1 July 2024: the ZRR schedule in the communes of the list; FRR+ admits the
    micro-BNC regime from 2025; the former ZRR communes the loi de finances 2025 keeps give it
    to creations up to the end of 2027."""
    in_zone, words = _status(statuses.FRR, place.frr, FRR_UNKNOWN)
    created = profile[INSTALLATION_DATE]
    plus = place.frr == "plus" and created is not None and created >= FRR_PLUS_START
    kept = c.UNVERIFIED["frr_beneficiaire"]
    extra = [c.UNVERIFIED["frr_schedule"].note]
    if place.frr == "bénéficiaire":
        extra.append(kept.note)
    if plus:
        extra.append(
            "FRR+ (depuis le 1er janvier 2025) : micro-BNC admis, seuils des PME plus favorables"
        )
    return _exemption(
        FRR,
        profile,
        in_zone,
        words,
        until=kept.value if place.frr == "bénéficiaire" else None,
        micro=plus,
        extra=tuple(extra),
    )


def pdsa_151ter(profile: Profile, place: Place, on: date) -> Line:
    """Out-of-hours pay exempt from income tax up to 60 days a year, in a ZIP or a ZAC."""
    aid, check = PDSA_151TER, Check()
    check_signable(check, aid, on)
    check_zone(check, place, {"ZIP", "ZAC"}, "hors ZIP et ZAC")
    check.require(profile[PDSA], "pdsa", "pas de participation à la permanence des soins")
    notes = [
        "seules les rémunérations propres à la permanence des soins (astreintes, majorations "
        "spécifiques) sont exonérées, pas les honoraires des actes",
    ]
    if place.zone_class == "ZAC":
        notes.append(c.UNVERIFIED["pdsa_zac"].note)
    exemption = Exemption(
        on, None, Decimal(1), None, f"jusqu'à {c.PDSA_EXEMPT_DAYS} jours de permanence par an"
    )
    return line_of(aid, check, [], notes, [exemption])


DECLARED = declare(
    Declared(
        ZRR,
        zrr,
        (
            ALL_ACTIVITY_IN_ZONE,
            EMPLOYEES,
            EXPECTED_PROFIT,
            INSTALLATION_DATE,
            REGIME_REEL,
        ),
    ),
    Declared(
        FRR,
        frr,
        (
            ALL_ACTIVITY_IN_ZONE,
            EMPLOYEES,
            EXPECTED_PROFIT,
            INSTALLATION_DATE,
            REGIME_REEL,
        ),
    ),
    Declared(PDSA_151TER, pdsa_151ter, (PDSA,)),
)
