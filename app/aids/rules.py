"""Eligibility, amounts and payment dates of each aid on a given date. Pure: no web, no database.

Money is Decimal euros (cents where a percentage of fees makes them). Each function returns one
answer line: eligible or not, every reason as a code and a French sentence, the amount, the
payments by date, the source, and the notes on what the sources leave unverified.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any, TypeGuard, TypeVar

from app.aids import catalog as c
from app.zones.classify import ZAR_MEANING

CENT = Decimal("0.01")
T = TypeVar("T")


class Sector(enum.StrEnum):
    secteur_1 = "1"
    secteur_2_optam = "2_optam"
    secteur_2 = "2"


class Practice(enum.StrEnum):
    principal = "principal"
    secondaire = "secondaire"


class Situation(enum.StrEnum):
    """Who asks: each aid applies to the situations its rule names."""

    etudiant = c.ETUDIANT  # étudiant ou interne
    docteur_junior = c.DOCTEUR_JUNIOR
    remplacant = c.REMPLACANT
    installe = c.INSTALLE


@dataclass(frozen=True)
class Contract:
    """A contract or aid the doctor already has: its code, when it was signed or paid, and when
    it ended (None while it runs)."""

    code: str
    signed: date
    ended: date | None = None

    def running(self, on: date) -> bool:
        return self.signed <= on and (self.ended is None or self.ended > on)


@dataclass(frozen=True)
class Profile:
    """What the simulation knows of the doctor."""

    age: int
    sector: Sector | None
    first_installation: bool = False
    installation_date: date | None = None
    practice: Practice = Practice.principal
    days_per_week: Decimal = Decimal(0)
    coordinated_practice: bool = False
    pdsa: bool = False
    hopital_proximite: bool = False
    intern_months: Decimal = Decimal(0)
    opposable_share: Decimal = Decimal(1)
    annual_fees: Decimal | None = None
    zip_days_per_year: int = 0
    zip_fees: Decimal | None = None
    newcomer_age: int | None = None
    fmt_socle: Decimal | None = None
    qpv: bool = False
    ars_majoration: bool = False
    contracts: tuple[Contract, ...] = ()
    situation: Situation = Situation.installe
    cesp_months: int | None = None
    ordre_registration: date | None = None
    acts_per_month: int | None = None
    regime_reel: bool | None = None
    employees: int | None = None
    all_activity_in_zone: bool | None = None
    expected_profit: Decimal | None = None


@dataclass(frozen=True)
class Place:
    """The zone the simulation is about; ``zone_class`` None when it is not known for sure."""

    zone_class: str | None
    region: str | None
    uncertain_reason: str | None = None
    region_name: str | None = None
    zrr: str | None = None  # classée, non classée, partiellement classée; None: not known
    frr: str | None = None  # socle, plus, bénéficiaire, partielle…; None: list not loaded


TO_COMPLETE = "a_completer"  # the code of a reason that is a blank input
# the three answers an aid gets: due, refused by a rule, or not decidable with what is held
DUE, REFUSED, TO_CHECK = "éligible", "non éligible", "à vérifier"


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True)
class Payment:
    on: date
    amount: Decimal
    label: str


@dataclass(frozen=True)
class Exemption:
    """A share of the profit exempt from income tax over a period (an exemption is not money
    paid), and the profit it spares when the doctor gives her expected profit."""

    start: date
    end: date | None
    share: Decimal
    exempt_profit: Decimal | None
    label: str


@dataclass(frozen=True)
class Allowance:
    """A daily aid the contract pays when an event befalls the doctor (sickness, maternity):
    not a planned payment, so never in the total."""

    event: str
    per_day: Decimal
    first_day: int  # of the stoppage
    max_days: int | None  # per stoppage
    max_amount: Decimal | None  # per stoppage
    conditions: str
    label: str


@dataclass
class Line:
    """The answer for one aid: ``eligible`` True (due), False (refused by a rule) or None (not
    decidable with the data held: « à vérifier », never « non »)."""

    code: str
    name: str
    regime: str
    eligible: bool | None
    reasons: list[Reason]
    total: Decimal | None
    schedule: list[Payment]
    source: c.Source
    notes: list[str] = field(default_factory=list)
    # inputs the rule needs and the request left blank, and what the data held cannot decide
    # (with how to check it): the line is « à vérifier », not refused
    to_complete: list[str] = field(default_factory=list)
    to_check: list[str] = field(default_factory=list)
    kind: str = "aide"  # aide, exonération, information
    confidence: str = "élevée"
    exemptions: list[Exemption] = field(default_factory=list)
    by_year: dict[int, Decimal] = field(default_factory=dict)  # the schedule per calendar year
    allowances: list[Allowance] = field(default_factory=list)

    @property
    def status(self) -> str:
        """« éligible », « à vérifier » (only blank inputs or undecidable points stand in the
        way) or « non éligible »."""
        return {True: DUE, None: TO_CHECK, False: REFUSED}[self.eligible]


def euros(value: Decimal | int) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fr_amount(value: int) -> str:
    """Whole euros as French writes them, the thousands kept on one line: ``3 000``."""
    return f"{value:,}".replace(",", "\u202f")


def fr_date(day: date) -> str:
    """jj/mm/aaaa, as the answers write dates: a third of strftime's cost, and every answer
    line that refuses an aid by date prints one or two."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def add_years(day: date, years: int) -> date:
    """Same day ``years`` later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, last)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class Check:
    """Collects the failed conditions of one aid, telling a rule's refusal from what the data
    held cannot decide."""

    def __init__(self) -> None:
        self.reasons: list[Reason] = []
        self.missing: list[str] = []
        self.open: list[str] = []

    def require(self, ok: bool, code: str, message: str) -> None:
        if not ok:
            self.reasons.append(Reason(code, message))

    def need(self, value: T | None, what: str) -> TypeGuard[T]:
        """An input the rule needs: when blank, the line asks for it instead of refusing (and
        past it, the type checker knows the value is there)."""
        if value is None:
            self.reasons.append(Reason(TO_COMPLETE, f"à compléter : {what}"))
            self.missing.append(what)
        return value is not None

    def unknown(self, code: str, message: str) -> None:
        """A condition the data held cannot decide; ``message`` says what is missing and how
        to check it."""
        self.reasons.append(Reason(code, message))
        self.open.append(message)

    @property
    def ok(self) -> bool:
        return not self.reasons

    @property
    def refused(self) -> bool:
        """Whether a rule refuses the aid, whatever is left to check."""
        return len(self.reasons) > len(self.missing) + len(self.open)

    @property
    def verdict(self) -> bool | None:
        """True: due; None: only blank inputs or undecidable points stand in the way; False:
        refused."""
        return True if self.ok else None if not self.refused else False


def _signable(check: Check, aid: c.Aid, on: date) -> None:
    if on < aid.valid_from:
        check.require(
            False,
            "hors_periode",
            f"{aid.label} : n'existe pas encore le {fr_date(on)} "
            f"(en vigueur à partir du {fr_date(aid.valid_from)})",
        )
    elif aid.valid_until and on > aid.valid_until:
        check.require(
            False,
            "signature_close",
            f"signature du {aid.label} impossible après le "
            f"{fr_date(aid.valid_until)} : remplacé par les aides de la convention 2024 "
            "depuis le 1er janvier 2026",
        )


def _zone(check: Check, place: Place, wanted: set[str], label: str) -> None:
    if place.zone_class is None:
        check.unknown("zone_incertaine", place.uncertain_reason or UNKNOWN_CLASS)
    elif place.zone_class == "ZAR":
        check.require("ZAR" in wanted, "zone", f"commune {label} : {ZAR_MEANING}")
    else:
        check.require(
            place.zone_class in wanted, "zone", f"commune {label} (classe : {place.zone_class})"
        )


def _not_with(check: Check, profile: Profile, on: date, codes: tuple[str, ...], aid: str) -> None:
    for contract in profile.contracts:
        if contract.code in codes and contract.running(on):
            check.require(
                False,
                "cumul",
                f"{aid} non cumulable avec le {c.label(contract.code)} en cours "
                f"(signé le {fr_date(contract.signed)})",
            )


def _ten_year_rule(check: Check, profile: Profile, on: date) -> None:
    """Décret 2025-231: no installation aid of the same category within 10 years."""
    if on < c.DECREE_2025_231:
        return
    for contract in profile.contracts:
        if (
            contract.code in INSTALLATION_AIDS
            and add_years(contract.signed, c.SAME_CATEGORY_YEARS) > on
        ):
            check.require(
                False,
                "dix_ans",
                f"aide à l'installation déjà reçue le "
                f"{fr_date(contract.signed)} ({c.label(contract.code)}) : moins de 10 ans "
                "(décret n° 2025-231)",
            )


INSTALLATION_AIDS = ("CAIM", "PRIMO_ZIP", "PRIMO_ZAC")


def _line(
    aid: c.Aid,
    check: Check,
    schedule: list[Payment],
    notes: list[str],
    exemptions: list[Exemption] | None = None,
    allowances: list[Allowance] | None = None,
) -> Line:
    """The line of ``aid``: refused with its reasons; to check, with what is missing and its
    terms but no payment counted; or granted with its payments (its total None when the
    sources give no amount to add up: a regional scale, an exemption)."""
    verdict = check.verdict
    if verdict is not True:
        schedule = []
    if verdict is False:
        exemptions, notes, allowances = [], [], []
    by_year: dict[int, Decimal] = {}
    for payment in schedule:
        by_year[payment.on.year] = by_year.get(payment.on.year, Decimal(0)) + payment.amount
    if schedule:
        total: Decimal | None = euros(sum(by_year.values(), Decimal(0)))
    else:  # refused: nothing; granted without payments or undecided: no sum to give
        total = euros(0) if verdict is False else None
    return Line(
        aid.code,
        aid.name,
        aid.regime,
        verdict,
        check.reasons,
        total,
        schedule,
        aid.source,
        list(aid.notes) + notes,
        check.missing,
        check.open,
        aid.kind,
        aid.confidence,
        exemptions or [],
        by_year,
        allowances or [],
    )


UNKNOWN_CLASS = (
    "classe de zone inconnue : vérifiez-la sur la page de zonage de l'ARS, ou simulez une "
    "classe choisie (« et si »)"
)


def _ars(place: Place, profile: Profile, notes: list[str]) -> c.ArsMajoration | None:
    """The région's majoration of the 2016 contracts when the doctor has signed it; a place
    without a région cannot tell, which the line says."""
    if not profile.ars_majoration:
        return None
    if place.region is None:
        notes.append("majoration de l'ARS à vérifier : la région du lieu n'est pas connue")
    return c.ARS_MAJORATIONS.get(place.region or "")


# --- 2016 convention ----------------------------------------------------------------------


def caim(profile: Profile, place: Place, on: date) -> Line:
    """50,000 € × min(days, 4) / 4 from 2.5 days a week, half at signature, half a year later."""
    aid, check = c.AIDS["CAIM"], Check()
    _signable(check, aid, on)
    _zone(check, place, {"ZIP"}, "hors ZIP")
    check.require(profile.sector != Sector.secteur_2, "secteur", "secteur 2 sans OPTAM")
    check.require(
        profile.days_per_week >= c.CAIM_MIN_DAYS,
        "activite",
        "activité inférieure à 2,5 jours par semaine",
    )
    check.require(
        profile.pdsa,
        "pdsa",
        "participation à la permanence des soins (PDSA) requise, "
        "sauf dérogation du Conseil de l'Ordre",
    )
    if check.need(profile.installation_date, "date d'installation"):
        check.require(
            add_years(profile.installation_date, 1) > on,
            "installation",
            "installation dans la zone depuis plus d'un an",
        )
    check.require(
        not any(k.code == "CAIM" for k in profile.contracts),
        "deja_signe",
        "CAIM déjà signé : une seule fois par carrière",
    )
    _not_with(check, profile, on, ("COSCOM", "COTRAM", "CSTM"), "CAIM")
    _ten_year_rule(check, profile, on)
    if not check.ok:  # the ARS majoration has no amount below 2.5 days a week
        return _line(aid, check, [], [])
    days = min(profile.days_per_week, c.CAIM_FULL_DAYS)
    days = (days * 2).to_integral_value(rounding=ROUND_FLOOR) / 2  # half-day steps
    notes = []
    if not profile.coordinated_practice:
        notes.append(
            "exercice coordonné (groupe, CPTS ou ESP) à réaliser dans les 2 ans suivant "
            "la signature"
        )
    parts = [("aide forfaitaire", euros(c.CAIM_FULL * days / c.CAIM_FULL_DAYS))]
    if profile.hopital_proximite:
        parts.append(("activité en hôpital de proximité", euros(c.CAIM_HOPITAL_PROXIMITE)))
        notes.append(c.UNVERIFIED["caim_hp_timing"].note)
    if ars := _ars(place, profile, notes):
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
    return _line(aid, check, schedule, notes)


def _months(start: date, stop: date) -> Decimal:
    """Months from ``start`` to ``stop``, the part of a month counted by days."""
    whole = (stop.year - start.year) * 12 + stop.month - start.month
    month_days = (add_months(start.replace(day=1), 1) - start.replace(day=1)).days
    return Decimal(whole) + Decimal(stop.day - start.day) / Decimal(month_days)


def _years(on: date, years: int) -> list[tuple[int, Decimal]]:
    """Calendar years of a contract of ``years`` from ``on``, with the share of each covered
    (in months: an adhesion on 1 July covers half of its first year)."""
    end = add_years(on, years)
    covered = []
    for year in range(on.year, end.year + 1):
        start, stop = max(on, date(year, 1, 1)), min(end, date(year + 1, 1, 1))
        if stop > start:
            covered.append((year, _months(start, stop) / 12))
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
    if profile.sector == Sector.secteur_1:
        return Decimal(1)
    if not verified:
        notes.append(c.UNVERIFIED["sector2_prorata_coscom_cstm"].note)
    return profile.opposable_share


def coscom(profile: Profile, place: Place, on: date) -> Line:
    """5,000 €/year, + 1,250 € (hôpital de proximité), + 300 € per month of full-time intern."""
    aid, check = c.AIDS["COSCOM"], Check()
    _signable(check, aid, on)
    _zone(check, place, {"ZIP"}, "hors ZIP")
    if check.need(profile.installation_date, "date d'installation"):
        check.require(
            profile.installation_date <= on,
            "installation",
            "pas encore installé dans la zone",
        )
    check.require(
        profile.coordinated_practice,
        "coordination",
        "exercice coordonné requis (groupe, CPTS ou ESP)",
    )
    _not_with(check, profile, on, ("CAIM", "CSTM"), "COSCOM")
    notes: list[str] = []
    per_year = Decimal(c.COSCOM_BASE) + profile.intern_months * c.COSCOM_PER_INTERN_MONTH
    if profile.hopital_proximite:
        per_year += c.COSCOM_HOPITAL_PROXIMITE
    if ars := _ars(place, profile, notes):
        per_year += ars.coscom_coordination + profile.intern_months * ars.coscom_per_intern_month
        if profile.hopital_proximite:
            per_year += ars.coscom_hopital_proximite
        notes.append(f"majoration régionale : {ars.source.title}")
    per_year *= _sector2_share(profile, notes, verified=False)
    notes.append(
        "contrat de 3 ans renouvelable par tacite reconduction : le calcul couvre la "
        "première période"
    )
    return _line(aid, check, _yearly(on, 3, per_year, "aide COSCOM", notes), notes)


def cotram(profile: Profile, place: Place, on: date) -> Line:
    """10 % of fees (tarifs opposables, without dépassements or forfaits), at most 20,000 €/year."""
    aid, check = c.AIDS["COTRAM"], Check()
    _signable(check, aid, on)
    _zone(check, place, {"ZIP"}, "hors ZIP")
    check.require(profile.age >= c.COTRAM_MIN_AGE, "age", "médecin de moins de 60 ans")
    check.require(profile.newcomer_age is not None, "accueil", "aucun médecin accueilli")
    if profile.newcomer_age is not None:
        check.require(
            profile.newcomer_age < c.COTRAM_NEWCOMER_MAX_AGE,
            "age_accueilli",
            "médecin accueilli de 50 ans ou plus",
        )
    fees = profile.annual_fees
    check.need(fees, "honoraires annuels")
    _not_with(check, profile, on, ("CAIM",), "COTRAM")
    if not check.ok or fees is None:
        return _line(aid, check, [], [])
    notes: list[str] = []
    base = fees * _sector2_share(profile, notes, verified=True)
    per_year = min(base * c.COTRAM_RATE, Decimal(c.COTRAM_CAP))
    if ars := _ars(place, profile, notes):
        rate, cap = ars.cotram
        per_year += min(base * rate, Decimal(cap))
        notes.append(f"majoration régionale : {ars.source.title}")
    notes.append("contrat de 3 ans renouvelable une fois")
    return _line(aid, check, _yearly(on, 3, per_year, "aide COTRAM", notes), notes)


def cstm(profile: Profile, place: Place, on: date) -> Line:
    """25 % of fees earned in ZIP, at most 50,000 €/year (10 %, 20,000 € before avenant 6)."""
    aid, check = c.AIDS["CSTM"], Check()
    _signable(check, aid, on)
    if place.zone_class is None:
        _zone(check, place, set(), "")
    else:
        check.require(
            place.zone_class != "ZIP",
            "zone",
            "installé en ZIP : le CSTM vise les médecins installés hors ZIP",
        )
    check.require(
        profile.zip_days_per_year >= c.CSTM_MIN_DAYS,
        "jours_zip",
        "moins de 10 jours par an d'activité en ZIP",
    )
    fees = profile.zip_fees
    check.need(fees, "honoraires réalisés en ZIP")
    _not_with(check, profile, on, ("CAIM", "COSCOM"), "CSTM")
    if not check.ok or fees is None:
        return _line(aid, check, [], [])
    notes: list[str] = ["frais de déplacement vers la zone remboursés en plus (non chiffrés)"]
    base = fees * _sector2_share(profile, notes, verified=False)
    per_year = {}
    for year, _ in _years(on, 3):
        rate, cap = (
            c.CSTM_FROM_AVENANT_6 if year >= c.AVENANT_6_CSTM.year else c.CSTM_BEFORE_AVENANT_6
        )
        per_year[year] = min(base * rate, Decimal(cap))
    schedule = _yearly(on, 3, per_year, "aide CSTM", notes)
    notes.append("contrat de 3 ans renouvelable par tacite reconduction")
    return _line(aid, check, schedule, notes)


# --- 2024 convention, from 1 January 2026 ---------------------------------------------------


def _first_installation(check: Check, profile: Profile, on: date, aid: c.Aid) -> None:
    _signable(check, aid, on)
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
    _ten_year_rule(check, profile, on)


def _one_off(aid: c.Aid, check: Check, amount: int, paid_from: date | None) -> Line:
    delay = c.UNVERIFIED["payment_2026"]
    if not check.ok or paid_from is None:
        return _line(aid, check, [], [])
    due = add_months(paid_from, int(delay.value))
    return _line(
        aid,
        check,
        [Payment(due, euros(amount), f"versement unique au plus tard le {fr_date(due)}")],
        [delay.note, "sans engagement de durée dans la zone"],
    )


def primo_zip(profile: Profile, place: Place, on: date) -> Line:
    aid, check = c.AIDS["PRIMO_ZIP"], Check()
    _first_installation(check, profile, on, aid)
    _zone(check, place, {"ZIP"}, "hors ZIP")
    return _one_off(aid, check, c.PRIMO_ZIP, profile.installation_date)


def primo_zac(profile: Profile, place: Place, on: date) -> Line:
    aid, check = c.AIDS["PRIMO_ZAC"], Check()
    _first_installation(check, profile, on, aid)
    _zone(check, place, {"ZAC"}, "hors ZAC")
    return _one_off(aid, check, c.PRIMO_ZAC, profile.installation_date)


def cabinet_secondaire(profile: Profile, place: Place, on: date) -> Line:
    aid, check = c.AIDS["CABINET_SECONDAIRE"], Check()
    _signable(check, aid, on)
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
    _zone(check, place, {"ZIP"}, "hors ZIP")
    return _one_off(aid, check, c.CABINET_SECONDAIRE, opened)


def fmt_majoration(profile: Profile, place: Place, on: date) -> Line:
    """+10 % of the FMT socle in ZIP or QPV; +50 %, +30 %, +10 % the first three years of a first
    installation (then the permanent 10 %)."""
    aid, check = c.AIDS["FMT_MAJORATION"], Check()
    _signable(check, aid, on)
    if not profile.qpv:
        _zone(check, place, {"ZIP"}, "hors ZIP et hors QPV")
    socle = profile.fmt_socle
    check.need(socle, "forfait médecin traitant annuel (part socle)")
    if not check.ok or socle is None:
        return _line(aid, check, [], [])
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
    return _line(
        aid,
        check,
        schedule,
        [
            setting.note,
            "versée avec le forfait, en quatre acomptes "
            "(avril, juin, septembre, novembre) ; calcul sur 3 ans",
        ],
    )


# --- the State, the tax code and the local authorities (shared/domain/other-aids.md) ---------


def cesp(profile: Profile, place: Place, on: date) -> Line:
    """1,200 € a month until the end of studies, against as many months of practice in a ZIP or
    ZAC (two years at least), in secteur 1."""
    aid, check = c.AIDS["CESP"], Check()
    _signable(check, aid, on)
    if not check.need(profile.cesp_months, "mois d'allocation jusqu'à la fin des études"):
        return _line(aid, check, [], [])
    months: int = profile.cesp_months
    paid: dict[int, tuple[int, date]] = {}  # per year: months paid, the last month's end
    for month in range(1, months + 1):  # from the month after the signature
        start = add_months(on.replace(day=1), month)
        count, _ = paid.get(start.year, (0, start))
        paid[start.year] = (count + 1, add_months(start, 1) - timedelta(days=1))
    schedule = [
        Payment(
            last,
            euros(count * c.CESP_MONTHLY),
            f"allocation {year} : {count} × {fr_amount(c.CESP_MONTHLY)} € brut",
        )
        for year, (count, last) in paid.items()
    ]
    committed = max(months, c.CESP_MIN_MONTHS)
    notes = [
        f"engagement : {committed} mois d'exercice (autant que de mois d'allocation, "
        f"{c.CESP_MIN_MONTHS} au moins) dans un lieu de la liste nationale, en ZIP ou ZAC, "
        "aux tarifs de la convention (secteur 1) ; l'engagement ne vaut pas première "
        "installation",
        "allocation imposable, versée mensuellement",
    ]
    if place.zone_class in ("ZIP", "ZAC"):
        notes.append(f"ce lieu est en {place.zone_class} : il peut figurer sur la liste nationale")
    else:
        notes.append("ce lieu n'est ni en ZIP ni en ZAC : l'engagement s'exécuterait ailleurs")
    if on >= c.CESP_REFORM:
        notes.append(
            "décret n° 2026-4 (demandes depuis le 16/01/2026) : ouvert dès la fin de la 1re année "
            "(médecine, odontologie, maïeutique, pharmacie) ; non cumulable avec un contrat "
            "semblable (établissement, ESMS, collectivité) ; temps plein = 8 demi-journées en "
            "libéral, apprécié par trimestre ; l'engagement court dès l'installation, qui peut "
            "être différée d'un an au plus"
        )
    else:
        notes.append(
            "rupture : remboursement des allocations au prorata des mois non honorés et pénalité "
            "(200 € par mois d'allocation pendant la formation, 20 000 € au plus ensuite)"
        )
    return _line(aid, check, schedule, notes)


def cde(profile: Profile, place: Place, on: date) -> Line:
    """3 years in a ZIP or ZAC (or within 10 km), an income complement the first year and daily
    aids, on a scale each ARS publishes. Since 1 January 2024 for remplaçants only, without the
    convention's aids; before, also for installed doctors (tariffs opposables or OPTAM, 5
    half-days a week in the zones)."""
    aid, check = c.AIDS["CDE"], Check()
    installed = profile.situation == Situation.installe
    _signable(check, aid, on)
    check.require(
        aid.serves(profile.situation, on),
        "remplacants",
        "réservé aux remplaçants depuis le 1er janvier 2024 (LFSS 2023)",
    )
    if place.zone_class in ("ZAR", "hors zonage"):
        check.unknown(
            "zone",
            "commune hors ZIP et ZAC : le contrat reste possible à moins de 10 km de l'une "
            "d'elles, à vérifier sur la carte du zonage de l'ARS",
        )
    else:
        _zone(check, place, {"ZIP", "ZAC"}, "")
    if installed:
        check.require(
            profile.sector in (Sector.secteur_1, Sector.secteur_2_optam),
            "secteur",
            "tarifs opposables ou OPTAM requis",
        )
        if profile.days_per_week is not None:
            check.require(
                profile.days_per_week >= c.CDE_INSTALLED_MIN_DAYS,
                "activite",
                "moins de 5 demi-journées par semaine dans les zones",
            )
    else:
        check.require(
            profile.sector == Sector.secteur_1, "secteur", "tarifs opposables requis (secteur 1)"
        )
    registered = profile.ordre_registration
    if check.need(registered, "date de première inscription au tableau de l'Ordre"):
        check.require(
            add_years(registered, 1) > on,
            "anciennete",
            "inscrit au tableau de l'Ordre depuis plus d'un an",
        )
    if on >= c.CDE_REMPLACANTS_ONLY:
        check.require(
            not any(k.code in INSTALLATION_AIDS for k in profile.contracts),
            "aides_conventionnelles",
            "déjà bénéficiaire d'une aide conventionnelle à l'installation",
        )
    scale = c.UNVERIFIED["cde_amounts"]
    amounts: dict[str, int] = scale.value
    if place.region != c.CDE_SCALE_REGION:  # each ARS sets its own scale: only one is held
        check.unknown(
            "bareme",
            f"montants selon le barème de l'ARS {place.region_name or 'de la région'}, non "
            f"détenu ici : {_paps_words(place.region)}",
        )
        return _line(aid, check, [], [_cde_terms(installed)] + CDE_CONTRACT)
    if installed:
        first_year = (
            "la 1re année : complément de revenu jusqu'à "
            f"{fr_amount(amounts['month_ceiling_installed'])} € par mois selon les honoraires et "
            "les demi-journées d'exercice"
        )
    else:
        first_year = (
            f"la 1re année : complément de revenu jusqu'à {fr_amount(amounts['quarter_ceiling'])} "
            "€ par trimestre si l'activité dépasse "
            f"{fr_amount(amounts['quarter_threshold'])} € le trimestre"
        )
    notes = [
        f"{first_year} (barème de l'ARS Centre-Val de Loire)",
        _cde_terms(installed),
        *CDE_CONTRACT,
        scale.note,
    ]
    if installed:
        notes.append("maternité, paternité, adoption : dispositions de la convention médicale")
    return _line(aid, check, [], notes, allowances=_cde_allowances(amounts, installed))


CDE_CONTRACT = [
    "contrat de 3 ans non renouvelable ; un changement de zonage ne l'affecte pas",
    "la 1re année, complément de revenu ; pendant tout le contrat, aides journalières en cas de "
    "maladie (dès le 8e jour d'arrêt, 90 jours au plus) et, pour un remplaçant, de maternité, "
    "paternité ou adoption, au prorata du temps d'exercice dans les zones (art. R1435-9-4 à "
    "R1435-9-10)",
]


def _cde_terms(installed: bool) -> str:
    if installed:
        return (
            "au moins 5 demi-journées par semaine dans les zones ; cumulable avec les aides de "
            "la convention (lecture de 2021)"
        )
    return "au moins 29 jours de remplacement par trimestre, dont 80 % en ZIP ou ZAC"


def _paps_words(region: str | None) -> str:
    """Where a doctor finds her ARS's aids and scales."""
    if region in c.PAPS_AIDS:
        return f"voir la page des aides de l'ARS {c.PAPS_AIDS[region]}"
    return (
        f"voir le portail d'accompagnement des professionnels de santé {c.PAPS_PORTAL}, "
        "rubrique de la région"
    )


def _cde_allowances(amounts: dict[str, int], installed: bool) -> list[Allowance]:
    """The CDE's daily aids (art. R1435-9-9 and R1435-9-10), on the conditions they set: the
    maternity aid is the remplaçants' (installed doctors have the convention's)."""
    sick_days = c.CDE_SICK_MAX_DAYS
    recent = (
        "exercice sous le CDE dans les 3 mois précédents, seuil d'activité atteint l'un de ces "
        "mois, justificatif envoyé sous 48 h"
    )
    sick = Allowance(
        "maladie",
        euros(amounts["sick_day"]),
        c.CDE_SICK_FIRST_DAY,
        sick_days,
        euros(amounts["sick_day"] * sick_days),
        recent,
        f"maladie : {amounts['sick_day']} € par jour d'arrêt à partir du "
        f"{c.CDE_SICK_FIRST_DAY}e jour, {sick_days} jours au plus par arrêt, pendant tout le "
        f"contrat, versés chaque {'mois' if installed else 'trimestre'}",
    )
    if installed:
        return [sick]
    parent = Allowance(
        "maternité, paternité, adoption",
        euros(amounts["parent_day"]),
        1,
        None,
        None,
        recent,
        f"maternité, paternité ou adoption : {amounts['parent_day']} € par jour de congé",
    )
    return [sick, parent]


def docteur_junior(profile: Profile, place: Place, on: date) -> Line:
    """From November 2026: 500 € a semester above 200 acts a month on average, and 1,000 € a
    month for a stage in a ZIP, over the docteur junior's year."""
    aid, check = c.AIDS["DOCTEUR_JUNIOR"], Check()
    _signable(check, aid, on)
    acts = profile.acts_per_month
    active = check.need(acts, "actes par mois en moyenne") and acts >= c.JUNIOR_MIN_ACTS
    in_zip = place.zone_class == "ZIP"
    if acts is not None and not active and place.zone_class is None:
        check.unknown("zone_incertaine", "moins de 200 actes par mois : " + UNKNOWN_CLASS)
    elif acts is not None:
        check.require(
            active or in_zip,
            "activite",
            "moins de 200 actes par mois en moyenne, et stage hors ZIP",
        )
    schedule, monthly = [], fr_amount(c.JUNIOR_ZIP_MONTHLY)
    for semester in (1, 2):
        end = add_months(on, 6 * semester)
        if active:
            schedule.append(
                Payment(end, euros(c.JUNIOR_SEMESTER), f"prime d'activité, semestre {semester}")
            )
        if in_zip:
            schedule.append(
                Payment(
                    end,
                    euros(6 * c.JUNIOR_ZIP_MONTHLY),
                    f"stage en ZIP, semestre {semester} : 6 × {monthly} € brut",
                )
            )
    notes = ["montants bruts ; l'année de docteur junior compte deux semestres"]
    if place.zone_class is None:
        notes.append("classe de zone inconnue : la prime de stage en ZIP n'est pas comptée")
    return _line(aid, check, schedule, notes)


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
    created = profile.installation_date
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
    if not micro and check.need(profile.regime_reel, "régime fiscal (réel ou micro-BNC)"):
        check.require(bool(profile.regime_reel), "regime", "micro-BNC : régime réel requis")
    if check.need(profile.employees, "nombre de salariés"):
        check.require(
            profile.employees <= c.EXEMPTION_MAX_EMPLOYEES,
            "salaries",
            "11 salariés ou plus",
        )
    if check.need(profile.all_activity_in_zone, "toute l'activité dans la zone"):
        check.require(
            bool(profile.all_activity_in_zone),
            "implantation",
            "activité en partie hors de la zone (au-delà de 25 % du chiffre d'affaires : "
            "exonération au prorata)",
        )
    if check.refused or created is None:
        return _line(aid, check, [], [])
    start: date = created
    full_end = add_months(start.replace(day=1), c.EXEMPTION_FULL_MONTHS + 1) - timedelta(days=1)
    periods = [(start, full_end, Decimal(1))]
    for share in c.EXEMPTION_TAPER:
        begin = periods[-1][1] + timedelta(days=1)
        periods.append((begin, add_years(begin, 1) - timedelta(days=1), share))
    profit = profile.expected_profit
    exemptions = [
        Exemption(
            begin,
            end,
            share,
            None
            if profit is None
            else euros(profit * share * _months(begin, end + timedelta(days=1)) / 12),
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
    return _line(aid, check, [], notes, exemptions)


def zrr(profile: Profile, place: Place, on: date) -> Line:
    status = {"classée": True, "non classée": False}.get(place.zrr or "")
    words = {
        "classée": "commune classée en ZRR",
        "non classée": "commune non classée en ZRR",
        "partiellement classée": "commune classée en partie en ZRR : selon l'adresse, à "
        "vérifier auprès du service des impôts des entreprises",
    }.get(
        place.zrr or "",
        "classement ZRR de la commune inconnu : à vérifier dans l'arrêté de classement ZRR ou "
        "auprès du service des impôts des entreprises",
    )
    return _exemption(c.AIDS["ZRR"], profile, status, words)


FRR_ZONES = {  # the list's status: in the zone (None: by address), and what the line says
    None: (
        None,
        "classement FRR de la commune non connu ici : à vérifier dans la liste des communes "
        "FRR de la DGCL (arrêtés du 19 juin 2024 et suivants)",
    ),
    "socle": (True, "commune classée en FRR"),
    "plus": (True, "commune classée en FRR+"),
    "bénéficiaire": (True, "ancienne commune ZRR bénéficiant des effets de la FRR"),
    "partielle": (
        None,
        "commune classée en partie en FRR : selon l'adresse, à vérifier auprès du service des "
        "impôts des entreprises",
    ),
    "non classée": (False, "commune non classée en FRR"),
    "absente": (False, "commune absente de la liste FRR"),
}


def frr(profile: Profile, place: Place, on: date) -> Line:
    """FRR from 1 July 2024: the ZRR schedule in the communes of the list; FRR+ admits the
    micro-BNC regime from 2025; the former ZRR communes the loi de finances 2025 keeps give it
    to creations up to the end of 2027."""
    in_zone, words = FRR_ZONES.get(place.frr, FRR_ZONES[None])
    created = profile.installation_date
    plus = place.frr == "plus" and created is not None and created >= c.FRR_PLUS_START
    kept = c.UNVERIFIED["frr_beneficiaire"]
    extra = [c.UNVERIFIED["frr_schedule"].note]
    if place.frr == "bénéficiaire":
        extra.append(kept.note)
    if plus:
        extra.append(
            "FRR+ (depuis le 1er janvier 2025) : micro-BNC admis, seuils des PME plus favorables"
        )
    return _exemption(
        c.AIDS["FRR"],
        profile,
        in_zone,
        words,
        until=kept.value if place.frr == "bénéficiaire" else None,
        micro=plus,
        extra=tuple(extra),
    )


def pdsa_151ter(profile: Profile, place: Place, on: date) -> Line:
    """Out-of-hours pay exempt from income tax up to 60 days a year, in a ZIP or a ZAC."""
    aid, check = c.AIDS["PDSA_151TER"], Check()
    _signable(check, aid, on)
    _zone(check, place, {"ZIP", "ZAC"}, "hors ZIP et ZAC")
    check.require(profile.pdsa, "pdsa", "pas de participation à la permanence des soins")
    notes = [
        "seules les rémunérations propres à la permanence des soins (astreintes, majorations "
        "spécifiques) sont exonérées, pas les honoraires des actes",
    ]
    if place.zone_class == "ZAC":
        notes.append(c.UNVERIFIED["pdsa_zac"].note)
    exemption = Exemption(
        on, None, Decimal(1), None, f"jusqu'à {c.PDSA_EXEMPT_DAYS} jours de permanence par an"
    )
    return _line(aid, check, [], notes, [exemption])


def local_aids(profile: Profile, place: Place, on: date) -> Line:
    """Information: what the ARS and the local authorities may add here, never simulated."""
    aid, check = c.AIDS["AIDES_LOCALES"], Check()
    _zone(check, place, {"ZIP", "ZAC", "ZAR"}, "hors ZIP et ZAC : pas d'aide des collectivités "
          "(art. L1511-8 CGCT)")  # fmt: skip
    if check.ok:  # whether a collectivité or the ARS aids here, and how much, is theirs to say
        check.unknown(
            "aides_locales",
            "ZAR : pas d'aide des collectivités (art. L1511-8 CGCT), l'ARS y a ses propres aides"
            if place.zone_class == "ZAR"
            else "aides et montants propres à chaque collectivité et à l'ARS",
        )
    notes = [
        "les communes, départements et régions peuvent aider l'installation en ZIP ou ZAC "
        "(prime d'installation ou d'exercice, local, logement), par une convention transmise à "
        f"l'ARS, contre {c.LOCAL_MIN_YEARS} ans d'exercice au moins ; montants propres à chaque "
        "collectivité",
    ]
    if on >= c.DECREE_2025_231:
        notes.append(
            "pas de nouvelle aide d'une collectivité moins de 10 ans après la dernière "
            "convention signée (art. D1511-47 CGCT, décret n° 2025-231), attestation sur l'honneur"
        )
    if profile.situation in (Situation.etudiant, Situation.docteur_junior):
        notes.append(
            "internes : indemnités de logement (20 % des émoluments de 3e année au plus) et de "
            "déplacement, allocation d'études contre 5 ans d'exercice dans la zone (art. "
            "R1511-44)"
        )
    notes.append(f"aides de l'ARS de la région : {_paps_words(place.region)}")
    if place.region in c.REGIONAL_SCHEMES:
        notes.append(f"dispositif régional : {c.REGIONAL_SCHEMES[place.region]}")
    return _line(aid, check, [], notes)


RULES = {
    "CAIM": caim,
    "COSCOM": coscom,
    "COTRAM": cotram,
    "CSTM": cstm,
    "PRIMO_ZIP": primo_zip,
    "PRIMO_ZAC": primo_zac,
    "CABINET_SECONDAIRE": cabinet_secondaire,
    "FMT_MAJORATION": fmt_majoration,
    "CESP": cesp,
    "CDE": cde,
    "DOCTEUR_JUNIOR": docteur_junior,
    "ZRR": zrr,
    "FRR": frr,
    "PDSA_151TER": pdsa_151ter,
    "AIDES_LOCALES": local_aids,
}


# The 2016 contracts that cannot be held together ("ces contrats ne se cumulent pas").
EXCLUSIVE = (("CAIM", "COSCOM"), ("CAIM", "COTRAM"), ("CAIM", "CSTM"), ("COSCOM", "CSTM"))


def simulate(profile: Profile, place: Place, on: date) -> list[Line]:
    """The line of every aid for the doctor's situation on ``on``; of two eligible contracts that
    do not combine, the larger is kept and the other says why it is not. A date outside every
    rule set is refused by the caller."""
    lines = {
        code: rule(profile, place, on)
        for code, rule in RULES.items()
        if c.AIDS[code].serves(profile.situation, on)
    }
    for pair in EXCLUSIVE:
        if not all(code in lines for code in pair):
            continue
        a, b = (lines[code] for code in pair)
        if a.eligible and b.eligible:
            kept, dropped = (a, b) if (a.total or 0) >= (b.total or 0) else (b, a)
            dropped.eligible, dropped.total, dropped.schedule = False, euros(0), []
            dropped.by_year = {}
            dropped.reasons = [
                Reason(
                    "cumul",
                    f"non cumulable avec le {kept.code}, plus "
                    "favorable ici : un seul des deux contrats peut être signé",
                )
            ]
    return list(lines.values())


def cash_flow(lines: list[Line]) -> dict[int, Decimal]:
    """Amounts of the eligible aids by year of payment."""
    years: dict[int, Decimal] = {}
    for line in lines:
        if line.eligible:
            for payment in line.schedule:
                years[payment.on.year] = years.get(payment.on.year, Decimal(0)) + payment.amount
    return dict(sorted(years.items()))
