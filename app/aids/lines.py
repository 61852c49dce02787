"""What every aid's rule is written with: the doctor's profile and the place, the checks that
tell a rule's refusal from what the data held cannot decide, and the answer line. Pure: no web,
no database.

Money is Decimal euros (cents where a percentage of fees makes them). A rule returns one answer
line: eligible or not, every reason as a code and a French sentence, the amount, the payments by
date, the source, and the notes on what the sources leave unverified.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Generic, TypeGuard, TypeVar, cast

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
class Input(Generic[T]):
    """A field of the doctor's profile that rules read, declared once beside the first rule that
    reads it, with its type, default and bounds: the API's profile (``schemas.ProfileIn``) and
    the page's form are built from the inputs the aids declare."""

    name: str
    kind: type  # bool, int, Decimal, date, an enum, or Contract (a list of them)
    default: T
    description: str | None = None
    ge: int | None = None
    le: int | None = None  # for Contract: how many at most
    decimal_places: int | None = None
    max_digits: int | None = None
    mandatory: bool = False  # a profile without it is refused (its default is never read)
    required_for: tuple[Situation, ...] = ()  # blank is refused for these situations…
    required: str = ""  # …with this sentence
    # the profile lists its inputs in the order they are declared
    order: int = field(default_factory=itertools.count().__next__, compare=False, repr=False)


def money(name: str, description: str) -> Input[Decimal | None]:
    """An amount of euros the doctor may give: cents at most, ten million at most."""
    return Input[Decimal | None](name, Decimal, None, description, 0, 10_000_000, 2, 12)


class Profile:
    """What the simulation knows of the doctor: a value per input, read as ``profile[INPUT]``
    (the input's default when not given)."""

    __slots__ = ("_values",)

    def __init__(self, **values: object) -> None:
        self._values = values

    def __getitem__(self, field: Input[T]) -> T:
        return cast(T, self._values.get(field.name, field.default))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Profile) and self._values == other._values

    def __hash__(self) -> int:
        """A profile is a value: the answers are kept by profile, place and day."""
        return hash(frozenset(self._values.items()))

    def replace(self, **changes: object) -> Profile:
        return Profile(**(self._values | changes))


# What the rules of several regimes read (an input read by one regime is declared there)
AGE = Input[int]("age", int, 0, ge=20, le=100, mandatory=True)
SITUATION = Input[Situation](
    "situation",
    Situation,
    Situation.installe,
    "etudiant (étudiant ou interne), docteur_junior, remplacant ou installe : chaque aide "
    "s'applique aux situations que sa règle nomme",
)
SECTOR = Input[Sector | None](
    "sector",
    Sector,
    None,
    "1, 2_optam (secteur 2 avec OPTAM/OPTAM-CO) ou 2 ; demandé aux médecins installés et aux "
    "remplaçants, dont les aides le lisent (pas aux étudiants ni aux docteurs juniors)",
    required_for=(Situation.installe, Situation.remplacant),
    required="secteur conventionnel (1, 2_optam ou 2) requis pour un médecin installé ou "
    "remplaçant",
)
INSTALLATION_DATE = Input[date | None](
    "installation_date",
    date,
    None,
    "Date d'installation (ou d'ouverture du cabinet secondaire)",
)
DAYS_PER_WEEK = Input[Decimal]("days_per_week", Decimal, Decimal(0), ge=0, le=7, decimal_places=1)
PDSA = Input[bool]("pdsa", bool, False, "Participation à la permanence des soins")
QPV = Input[bool]("qpv", bool, False, "Quartier prioritaire de la politique de la ville")
CONTRACTS = Input[tuple[Contract, ...]](
    "contracts",
    Contract,
    (),
    le=20,
)


@dataclass(frozen=True)
class Place:
    """The zone the simulation is about; ``zone_class`` None when it is not known for sure."""

    zone_class: str | None
    region: str | None
    uncertain_reason: str | None = None
    region_name: str | None = None
    zrr: str | None = None  # classée, non classée, partiellement classée; None: not known
    frr: str | None = None  # socle, plus, bénéficiaire, partielle…; None: list not loaded
    zone_rouge: bool | None = None  # in an EPCI « zone rouge »; None: not known


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


# an aid's rule: its line for the doctor, the place and the day
Rule = Callable[[Profile, Place, date], Line]


@dataclass(frozen=True)
class Declared:
    """One aid as its regime's module declares it: its catalog entry (code, name, French label,
    dates, source, amount in words, audience), its rule, the fields of the profile the rule
    reads, and whether a profile may list it among what the doctor already holds."""

    aid: c.Aid
    rule: Rule
    reads: tuple[Input[Any], ...]
    held: bool = False


LABELS: dict[str, str] = {}  # how the sentences of one aid name another, by code


def declare(*declared: Declared) -> tuple[Declared, ...]:
    """A regime's aids, their labels registered for the other aids' sentences."""
    LABELS.update((d.aid.code, d.aid.label) for d in declared)
    return declared


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


def months_between(start: date, stop: date) -> Decimal:
    """Months from ``start`` to ``stop``, the part of a month counted by days."""
    whole = (stop.year - start.year) * 12 + stop.month - start.month
    month_days = (add_months(start.replace(day=1), 1) - start.replace(day=1)).days
    return Decimal(whole) + Decimal(stop.day - start.day) / Decimal(month_days)


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


def check_signable(check: Check, aid: c.Aid, on: date) -> None:
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


def check_zone(check: Check, place: Place, wanted: set[str], label: str) -> None:
    if place.zone_class is None:
        check.unknown("zone_incertaine", place.uncertain_reason or UNKNOWN_CLASS)
    elif place.zone_class == "ZAR":
        check.require("ZAR" in wanted, "zone", f"commune {label} : {ZAR_MEANING}")
    else:
        check.require(
            place.zone_class in wanted, "zone", f"commune {label} (classe : {place.zone_class})"
        )


def check_not_with(
    check: Check, profile: Profile, on: date, codes: tuple[str, ...], aid: str
) -> None:
    for contract in profile[CONTRACTS]:
        if contract.code in codes and contract.running(on):
            check.require(
                False,
                "cumul",
                f"{aid} non cumulable avec le {LABELS.get(contract.code, contract.code)} en cours "
                f"(signé le {fr_date(contract.signed)})",
            )


def check_ten_years(check: Check, profile: Profile, on: date) -> None:
    """Décret 2025-231: no installation aid of the same category within 10 years."""
    if on < c.DECREE_2025_231:
        return
    for contract in profile[CONTRACTS]:
        if (
            contract.code in INSTALLATION_AIDS
            and add_years(contract.signed, c.SAME_CATEGORY_YEARS) > on
        ):
            check.require(
                False,
                "dix_ans",
                f"aide à l'installation déjà reçue le {fr_date(contract.signed)} "
                f"({LABELS.get(contract.code, contract.code)}) : moins de 10 ans "
                "(décret n° 2025-231)",
            )


INSTALLATION_AIDS = ("CAIM", "PRIMO_ZIP", "PRIMO_ZAC")


def line_of(
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


def paps_words(region: str | None) -> str:
    """Where a doctor finds her ARS's aids and scales."""
    if region in c.PAPS_AIDS:
        return f"voir la page des aides de l'ARS {c.PAPS_AIDS[region]}"
    return (
        f"voir le portail d'accompagnement des professionnels de santé {c.PAPS_PORTAL}, "
        "rubrique de la région"
    )
