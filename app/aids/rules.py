"""Eligibility, amounts and payment dates of each aid on a given date. Pure: no web, no database.

Money is Decimal euros (cents where a percentage of fees makes them). Each function returns one
answer line: eligible or not, every reason as a code and a French sentence, the amount, the
payments by date, the source, and the notes on what the sources leave unverified.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from app.aids import catalog as c
from app.zones.classify import ZAR_MEANING

CENT = Decimal("0.01")


class Sector(enum.StrEnum):
    secteur_1 = "1"
    secteur_2_optam = "2_optam"
    secteur_2 = "2"


class Practice(enum.StrEnum):
    principal = "principal"
    secondaire = "secondaire"


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
    sector: Sector
    first_installation: bool
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


@dataclass(frozen=True)
class Place:
    """The zone the simulation is about; ``zone_class`` None when it is not known for sure."""

    zone_class: str | None
    region: str | None
    uncertain_reason: str | None = None


TO_COMPLETE = "a_completer"  # the code of a reason that is a blank input


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True)
class Payment:
    on: date
    amount: Decimal
    label: str


@dataclass
class Line:
    """The answer for one aid."""

    code: str
    name: str
    regime: str
    eligible: bool
    reasons: list[Reason]
    total: Decimal | None
    schedule: list[Payment]
    source: c.Source
    notes: list[str] = field(default_factory=list)
    # inputs the rule needs and the request left blank: the line is « à compléter », not refused
    to_complete: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """« éligible », « à compléter » (only blank inputs stand in the way), « non éligible »."""
        if self.eligible:
            return "éligible"
        return "à compléter" if len(self.to_complete) == len(self.reasons) else "non éligible"


def euros(value: Decimal | int) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


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
    """Collects the failed conditions of one aid."""

    def __init__(self) -> None:
        self.reasons: list[Reason] = []
        self.missing: list[str] = []

    def require(self, ok: bool, code: str, message: str) -> None:
        if not ok:
            self.reasons.append(Reason(code, message))

    def need(self, value: object, what: str) -> bool:
        """An input the rule needs: when blank, the line asks for it instead of refusing."""
        if value is None:
            self.reasons.append(Reason(TO_COMPLETE, f"à compléter : {what}"))
            self.missing.append(what)
        return value is not None

    @property
    def ok(self) -> bool:
        return not self.reasons


def _signable(check: Check, aid: c.Aid, on: date) -> None:
    if on < aid.valid_from:
        check.require(
            False,
            "hors_periode",
            f"{aid.code} n'existe pas encore le {fr_date(on)} "
            f"(en vigueur à partir du {fr_date(aid.valid_from)})",
        )
    elif aid.valid_until and on > aid.valid_until:
        check.require(
            False,
            "signature_close",
            f"signature du {aid.code} impossible après le "
            f"{fr_date(aid.valid_until)} : remplacé par les aides de la convention 2024 "
            "depuis le 1er janvier 2026",
        )


def _zone(check: Check, place: Place, wanted: set[str], label: str) -> None:
    if place.zone_class is None:
        check.require(False, "zone_incertaine", place.uncertain_reason or "classe de zone inconnue")
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
                f"{aid} non cumulable avec le {contract.code} en cours "
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
                f"{fr_date(contract.signed)} ({contract.code}) : moins de 10 ans "
                "(décret n° 2025-231)",
            )


INSTALLATION_AIDS = ("CAIM", "PRIMO_ZIP", "PRIMO_ZAC")


def _line(
    aid: c.Aid,
    check: Check,
    schedule: list[Payment],
    notes: list[str],
) -> Line:
    if not check.ok:
        return Line(
            aid.code,
            aid.name,
            aid.regime,
            False,
            check.reasons,
            euros(0),
            [],
            aid.source,
            list(aid.notes),
            check.missing,
        )
    amount = sum((p.amount for p in schedule), Decimal(0))
    return Line(
        aid.code,
        aid.name,
        aid.regime,
        True,
        [],
        amount,
        schedule,
        aid.source,
        list(aid.notes) + notes,
    )


def _ars(place: Place, profile: Profile) -> dict[str, object] | None:
    return c.ARS_MAJORATIONS.get(place.region or "") if profile.ars_majoration else None


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
            add_years(profile.installation_date, 1) > on,  # type: ignore[arg-type]
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
    if ars := _ars(place, profile):
        parts.append(("majoration ARS (ZIP+)", euros(ars["caim"][days])))  # type: ignore[index]
        notes.append(f"majoration régionale : {ars['source'].title}")  # type: ignore[attr-defined]
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
            profile.installation_date <= on,  # type: ignore[operator]
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
    if ars := _ars(place, profile):
        per_year += (
            Decimal(ars["coscom_coordination"])
            + profile.intern_months * ars["coscom_per_intern_month"]
        )  # type: ignore[operator]
        if profile.hopital_proximite:
            per_year += ars["coscom_hopital_proximite"]  # type: ignore[operator]
        notes.append(f"majoration régionale : {ars['source'].title}")  # type: ignore[attr-defined]
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
    check.need(profile.annual_fees, "honoraires annuels")
    _not_with(check, profile, on, ("CAIM",), "COTRAM")
    if not check.ok:
        return _line(aid, check, [], [])
    notes: list[str] = []
    base = profile.annual_fees * _sector2_share(profile, notes, verified=True)  # type: ignore[operator]
    per_year = min(base * c.COTRAM_RATE, Decimal(c.COTRAM_CAP))
    if ars := _ars(place, profile):
        rate, cap = ars["cotram"]  # type: ignore[misc]
        per_year += min(base * rate, Decimal(cap))
        notes.append(f"majoration régionale : {ars['source'].title}")  # type: ignore[attr-defined]
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
    check.need(profile.zip_fees, "honoraires réalisés en ZIP")
    _not_with(check, profile, on, ("CAIM", "COSCOM"), "CSTM")
    if not check.ok:
        return _line(aid, check, [], [])
    notes: list[str] = ["frais de déplacement vers la zone remboursés en plus (non chiffrés)"]
    base = profile.zip_fees * _sector2_share(profile, notes, verified=False)  # type: ignore[operator]
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
            profile.installation_date >= c.REGIME_2026_START,  # type: ignore[operator]
            "retroactivite",
            "installation avant le 1er janvier 2026 : pas de rétroactivité",
        )
    _ten_year_rule(check, profile, on)


def _one_off(aid: c.Aid, check: Check, amount: int, paid_from: date | None) -> Line:
    delay = c.UNVERIFIED["payment_2026"]
    if not check.ok or paid_from is None:
        return _line(aid, check, [], [])
    due = add_months(paid_from, int(delay.value))  # type: ignore[call-overload]
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
            opened >= c.REGIME_2026_START,  # type: ignore[operator]
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
    check.need(profile.fmt_socle, "forfait médecin traitant annuel (part socle)")
    if not check.ok:
        return _line(aid, check, [], [])
    setting = c.UNVERIFIED["fmt_percentages"]
    rates: dict[str, object] = setting.value  # type: ignore[assignment]
    installed = profile.installation_date
    primo = (
        profile.first_installation and installed is not None and installed >= c.REGIME_2026_START
    )
    schedule = []
    for offset in range(3):
        year = on.year + offset
        rate = rates["permanent"]
        if primo and 0 <= year - installed.year < 3:  # type: ignore[union-attr]
            rate = rates["primo"][year - installed.year]  # type: ignore[index, union-attr]
        schedule.append(
            Payment(
                date(year, 11, 30),
                euros(profile.fmt_socle * rate),  # type: ignore[operator]
                f"majoration {year} : {int(rate * 100)} % du forfait socle",
            )
        )  # type: ignore[operator]
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


RULES = (caim, coscom, cotram, cstm, primo_zip, primo_zac, cabinet_secondaire, fmt_majoration)


# The 2016 contracts that cannot be held together ("ces contrats ne se cumulent pas").
EXCLUSIVE = (("CAIM", "COSCOM"), ("CAIM", "COTRAM"), ("CAIM", "CSTM"), ("COSCOM", "CSTM"))


def simulate(profile: Profile, place: Place, on: date) -> list[Line]:
    """Every aid's line on ``on``; of two eligible contracts that do not combine, the larger
    is kept and the other says why it is not. A date outside every rule set is refused by the
    caller."""
    lines = {line.code: line for line in (rule(profile, place, on) for rule in RULES)}
    for pair in EXCLUSIVE:
        a, b = (lines[code] for code in pair)
        if a.eligible and b.eligible:
            kept, dropped = (a, b) if (a.total or 0) >= (b.total or 0) else (b, a)
            dropped.eligible, dropped.total, dropped.schedule = False, euros(0), []
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
