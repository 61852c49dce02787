"""Every aid's line for a doctor, a place and a day: the rules declared by regime, one module
each (convention2016, regime2026, state, tax, local), and what holds across them — contracts
that do not combine, the cash flow. Pure: no web, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.aids import convention2016, local, regime2026, state, tax
from app.aids.catalog import Aid
from app.aids.lines import SITUATION, Declared, Input, Line, Place, Profile, Reason, euros

DECLARED: tuple[Declared, ...] = (
    *convention2016.DECLARED,
    *regime2026.DECLARED,
    *state.DECLARED,
    *tax.DECLARED,
    *local.DECLARED,
)
AIDS: dict[str, Aid] = {d.aid.code: d.aid for d in DECLARED}  # the catalog, in the answers' order
HELD = tuple(d.aid.code for d in DECLARED if d.held)  # what a profile's contracts may name
# the doctor's profile: every input a rule reads, in the order the regimes declare them
INPUTS: tuple[Input[Any], ...] = tuple(
    sorted({i for d in DECLARED for i in d.reads}, key=lambda i: i.order)
)


# The 2016 contracts that cannot be held together ("ces contrats ne se cumulent pas").
EXCLUSIVE = (("CAIM", "COSCOM"), ("CAIM", "COTRAM"), ("CAIM", "CSTM"), ("COSCOM", "CSTM"))


def simulate(profile: Profile, place: Place, on: date) -> list[Line]:
    """The line of every aid for the doctor's situation on ``on``; of two eligible contracts that
    do not combine, the larger is kept and the other says why it is not. A date outside every
    rule set is refused by the caller."""
    lines = {
        d.aid.code: d.rule(profile, place, on)
        for d in DECLARED
        if d.aid.serves(profile[SITUATION], on)
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
