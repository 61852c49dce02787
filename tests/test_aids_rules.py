"""Every aid rule and boundary, with amounts written from the rule texts (shared/domain/rules.md
§2, §3 and the worked vectors of §7), never copied from the code's output."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.aids.convention2016 import caim, coscom, cotram, cstm
from app.aids.lines import Contract, Place, Practice, Profile, Sector
from app.aids.regime2026 import cabinet_secondaire, fmt_majoration, primo_zac, primo_zip
from app.aids.rules import cash_flow, simulate

ZIP, ZAC, HZ = Place("ZIP", "84"), Place("ZAC", "84"), Place("hors zonage", "84")
IDF_ZIP = Place("ZIP", "11")
NEWCOMER = Profile(  # vector 1: S1 GP, MSP, PDSA, 4 days, installed 6 months before signing
    age=34,
    sector=Sector.secteur_1,
    first_installation=True,
    installation_date=date(2025, 6, 1),
    days_per_week=D(4),
    coordinated_practice=True,
    pdsa=True,
)
SIGNED = date(2025, 12, 1)


def _codes(line) -> set[str]:
    return {r.code for r in line.reasons}


@pytest.mark.parametrize(
    ("days", "amount"),
    # CAIM: 50,000 € × min(days, 4) / 4 from 2.5 days a week (rules.md, corrections table)
    [("4", 50_000), ("5", 50_000), ("3.5", 43_750), ("3", 37_500), ("2.5", 31_250)],
)
def test_caim_pro_rata_by_days(days: str, amount: int) -> None:
    line = caim(NEWCOMER.replace(days_per_week=D(days)), ZIP, SIGNED)
    assert line.eligible and line.total == amount
    # half at signature, half at the first anniversary
    assert [(p.on, p.amount) for p in line.schedule] == [
        (SIGNED, amount / 2),
        (date(2026, 12, 1), amount / 2),
    ]


def test_caim_refusals() -> None:
    assert _codes(caim(NEWCOMER.replace(days_per_week=D(2)), ZIP, SIGNED)) == {"activite"}
    assert _codes(caim(NEWCOMER.replace(sector=Sector.secteur_2), ZIP, SIGNED)) == {"secteur"}
    assert caim(NEWCOMER.replace(sector=Sector.secteur_2_optam), ZIP, SIGNED).total == 50_000
    installed_14_months = NEWCOMER.replace(installation_date=date(2024, 10, 1))
    assert _codes(caim(installed_14_months, ZIP, SIGNED)) == {"installation"}
    assert _codes(caim(NEWCOMER, ZAC, SIGNED)) == {"zone"}
    assert _codes(caim(NEWCOMER.replace(pdsa=False), ZIP, SIGNED)) == {"pdsa"}
    line = caim(NEWCOMER, Place(None, "84", "vivier"), SIGNED)
    assert _codes(line) == {"zone_incertaine"} and line.reasons[0].message == "vivier"


def test_caim_hopital_de_proximite_and_two_year_grace_for_coordination() -> None:
    line = caim(NEWCOMER.replace(hopital_proximite=True), ZIP, SIGNED)
    assert line.total == 52_500  # + 2,500 €
    assert any("non vérifi" in n or "supposé" in n for n in line.notes)
    alone = caim(NEWCOMER.replace(coordinated_practice=False), ZIP, SIGNED)
    assert alone.eligible and any("2 ans" in n for n in alone.notes)


def test_caim_ars_majoration_in_ile_de_france() -> None:
    # ZIP+ contract: + 10,000 € (≥ 4 days), + 7,500 € (3 days), + 6,250 € (2.5 days)
    zip_plus = NEWCOMER.replace(ars_majoration=True)
    assert caim(zip_plus, IDF_ZIP, SIGNED).total == 60_000
    assert caim(zip_plus.replace(days_per_week=D(3)), IDF_ZIP, SIGNED).total == 45_000
    assert caim(zip_plus.replace(days_per_week=D("2.5")), IDF_ZIP, SIGNED).total == 37_500
    assert caim(zip_plus, ZIP, SIGNED).total == 50_000  # no documented majoration elsewhere


def test_switch_from_2016_contracts_to_2026_aids() -> None:
    assert caim(NEWCOMER, ZIP, date(2025, 12, 31)).eligible  # last day to sign
    refused = caim(NEWCOMER, ZIP, date(2026, 1, 1))
    assert _codes(refused) == {"signature_close"}
    newcomer_2026 = NEWCOMER.replace(installation_date=date(2026, 1, 1))
    assert primo_zip(newcomer_2026, ZIP, date(2026, 1, 1)).total == 10_000
    assert _codes(primo_zip(newcomer_2026, ZIP, date(2025, 12, 31))) == {"hors_periode"}


def test_ten_year_rule_and_once_per_career() -> None:
    had_caim = NEWCOMER.replace(
        first_installation=False,
        contracts=(Contract("CAIM", date(2019, 5, 1), date(2024, 5, 1)),),
    )
    assert "deja_signe" in _codes(caim(had_caim, ZIP, SIGNED))
    assert "dix_ans" in _codes(caim(had_caim, ZIP, SIGNED))  # 2019 + 10 > 2025
    secondary = had_caim.replace(practice=Practice.secondaire, installation_date=date(2026, 2, 1))
    assert cabinet_secondaire(secondary, ZIP, date(2026, 2, 1)).total == 3_000


@pytest.mark.parametrize(
    ("interns", "expected"),
    # months of full-time trainee a year: none; one month; one intern all year (vector 2);
    # three interns all year: 5,000 + 1,250 + 36 × 300 = 17,050 €
    [(0, 6_250), (1, 6_550), (12, 9_850), (36, 17_050)],
)
def test_coscom_interns(interns: int, expected: int) -> None:
    # 5,000 € + 1,250 € (hôpital de proximité) + 300 € per month of full-time trainee
    installed = Profile(
        age=45,
        sector=Sector.secteur_1,
        first_installation=False,
        installation_date=date(2015, 1, 1),
        coordinated_practice=True,
        hopital_proximite=True,
        intern_months=D(interns),
    )
    line = coscom(installed, ZIP, date(2025, 1, 1))
    assert [p.amount for p in line.schedule] == [expected] * 3
    assert [p.on for p in line.schedule] == [
        date(2026, 6, 30),
        date(2027, 6, 30),
        date(2028, 6, 30),
    ]
    # adhesion on 1 July: half of the annual amounts the first year (vector 2)
    july = coscom(installed, ZIP, date(2025, 7, 1))
    assert july.schedule[0].amount == D(expected) / 2
    assert _codes(coscom(installed.replace(coordinated_practice=False), ZIP, date(2025, 1, 1))) == {
        "coordination"
    }


def test_coscom_sector_2_prorata_and_cumulation() -> None:
    sector2 = Profile(
        age=45,
        sector=Sector.secteur_2,
        first_installation=False,
        installation_date=date(2015, 1, 1),
        coordinated_practice=True,
        opposable_share=D("0.6"),
    )
    line = coscom(sector2, ZIP, date(2025, 1, 1))
    assert line.schedule[0].amount == 3_000  # 5,000 × 60 %
    assert any("tarifs opposables" in n for n in line.notes)
    with_caim = sector2.replace(contracts=(Contract("CAIM", date(2024, 1, 1)),))
    assert "cumul" in _codes(coscom(with_caim, ZIP, date(2025, 1, 1)))


@pytest.mark.parametrize(("fees", "per_year"), [(150_000, 15_000), (260_000, 20_000)])
def test_cotram_ten_percent_capped(fees: int, per_year: int) -> None:
    senior = Profile(
        age=62,
        sector=Sector.secteur_1,
        first_installation=False,
        installation_date=date(1995, 1, 1),
        newcomer_age=35,
        annual_fees=D(fees),
    )
    line = cotram(senior, ZIP, date(2025, 1, 1))
    assert line.eligible and [p.amount for p in line.schedule] == [per_year] * 3
    assert _codes(cotram(senior.replace(age=59), ZIP, date(2025, 1, 1))) == {"age"}
    assert _codes(cotram(senior.replace(newcomer_age=50), ZIP, date(2025, 1, 1))) == {
        "age_accueilli"
    }


def test_cotram_sector_2_with_and_without_optam() -> None:
    for sector in (Sector.secteur_2, Sector.secteur_2_optam):
        senior = Profile(
            age=63,
            sector=sector,
            first_installation=False,
            newcomer_age=40,
            annual_fees=D(100_000),
            opposable_share=D("0.5"),
        )
        assert cotram(senior, ZIP, date(2025, 1, 1)).schedule[0].amount == 5_000  # 10 % × 50,000


def test_cstm_rates_before_and_after_avenant_6() -> None:
    outside = Profile(
        age=50,
        sector=Sector.secteur_1,
        first_installation=False,
        zip_days_per_year=20,
        zip_fees=D(30_000),
    )
    assert [p.amount for p in cstm(outside, HZ, date(2025, 1, 1)).schedule] == [7_500] * 3
    big = outside.replace(zip_fees=D(250_000))
    assert cstm(big, ZAC, date(2025, 1, 1)).schedule[0].amount == 50_000  # a ZAC is outside ZIP
    # a contract signed on 1 January 2018: 2018 at 10 % (≤ 20,000 €), 2019 on at 25 %
    assert [p.amount for p in cstm(big, HZ, date(2018, 1, 1)).schedule] == [20_000, 50_000, 50_000]
    assert _codes(cstm(outside.replace(zip_days_per_year=8), HZ, date(2025, 1, 1))) == {"jours_zip"}
    assert _codes(cstm(outside, ZIP, date(2025, 1, 1))) == {"zone"}


def test_2026_first_installation_vectors() -> None:
    doctor = Profile(
        age=31,
        sector=Sector.secteur_1,
        first_installation=True,
        installation_date=date(2026, 3, 15),
        fmt_socle=D(20_000),
    )
    line = primo_zip(doctor, ZIP, date(2026, 3, 15))
    assert line.total == 10_000 and line.schedule[0].on == date(2026, 6, 15)  # within 3 months
    assert primo_zac(doctor, ZAC, date(2026, 3, 15)).total == 5_000
    assert not primo_zip(doctor, ZAC, date(2026, 3, 15)).eligible
    assert _codes(fmt_majoration(doctor, ZAC, date(2026, 3, 15))) == {"zone"}  # no FMT in ZAC
    fmt = fmt_majoration(doctor, ZIP, date(2026, 3, 15))
    # + 50 % in 2026, + 30 % in 2027, + 10 % in 2028 of the FMT socle
    assert [p.amount for p in fmt.schedule] == [10_000, 6_000, 2_000]
    installed_2025 = doctor.replace(installation_date=date(2025, 11, 1))
    assert _codes(primo_zip(installed_2025, ZIP, date(2026, 3, 15))) == {"retroactivite"}
    assert [p.amount for p in fmt_majoration(installed_2025, ZIP, date(2026, 3, 15)).schedule] == [
        2_000,
        2_000,
        2_000,  # only the permanent 10 %
    ]
    in_qpv = fmt_majoration(installed_2025.replace(qpv=True), HZ, date(2026, 3, 15))
    assert in_qpv.eligible


def test_cash_flow_sums_eligible_payments_by_year() -> None:
    lines = simulate(NEWCOMER, ZIP, SIGNED)
    assert cash_flow(lines) == {2025: 25_000, 2026: 25_000}


money = st.decimals(min_value=0, max_value=2_000_000, places=2)
days = st.decimals(min_value=0, max_value=7, places=1)


@given(money, days, st.sampled_from(list(Sector)))
def test_amounts_never_negative_and_within_caps(fees: D, day: D, sector: Sector) -> None:
    doctor = Profile(
        age=61,
        sector=sector,
        first_installation=True,
        installation_date=date(2025, 6, 1),
        days_per_week=day,
        coordinated_practice=True,
        pdsa=True,
        newcomer_age=40,
        annual_fees=fees,
        zip_days_per_year=30,
        zip_fees=fees,
        opposable_share=D(1) if sector == Sector.secteur_1 else D("0.7"),
    )
    for place in (ZIP, HZ, IDF_ZIP):
        for line in simulate(doctor, place, SIGNED):
            # no sum only where nothing is paid or counted: an exemption, a regional scale,
            # information, a line to check
            assert (line.total is None) == (line.eligible is not False and not line.schedule)
            assert line.total is None or line.total >= 0
            assert all(p.amount >= 0 for p in line.schedule)
        assert caim(doctor, place, SIGNED).total <= 52_500 + 10_000
        assert all(p.amount <= 20_000 + 4_000 for p in cotram(doctor, place, SIGNED).schedule)
        assert all(p.amount <= 50_000 for p in cstm(doctor, place, SIGNED).schedule)


@given(days, days)
def test_caim_is_monotone_in_days(a: D, b: D) -> None:
    low, high = sorted((a, b))
    assert (
        caim(NEWCOMER.replace(days_per_week=low), ZIP, SIGNED).total
        <= caim(NEWCOMER.replace(days_per_week=high), ZIP, SIGNED).total
    )


@given(money, money)
def test_cotram_is_monotone_in_fees(a: D, b: D) -> None:
    senior = Profile(age=62, sector=Sector.secteur_1, first_installation=False, newcomer_age=35)
    low, high = sorted((a, b))
    assert (
        cotram(senior.replace(annual_fees=low), ZIP, SIGNED).total
        <= cotram(senior.replace(annual_fees=high), ZIP, SIGNED).total
    )


@pytest.mark.parametrize("days", ["0", "2", "2.4"])
def test_caim_with_the_ars_majoration_below_its_days_is_refused_not_an_error(days: str) -> None:
    """Île-de-France's ZIP+ table starts at 2.5 days a week: below, CAIM is refused (it raised
    KeyError: Decimal('0') before, a 500 on the page)."""
    line = caim(NEWCOMER.replace(days_per_week=D(days), ars_majoration=True), IDF_ZIP, SIGNED)
    assert not line.eligible and _codes(line) == {"activite"}


def test_a_blank_input_asks_to_be_completed_instead_of_refusing() -> None:
    """Blank inputs are « à compléter »; a date before 2026 is still a refusal of its own."""
    undated = NEWCOMER.replace(installation_date=None, fmt_socle=None)
    on = date(2026, 3, 15)
    primo = primo_zip(undated, ZIP, on)
    assert not primo.eligible and primo.to_complete == ["date d'installation"]
    assert [r.message for r in primo.reasons] == ["à compléter : date d'installation"]
    fmt = fmt_majoration(NEWCOMER.replace(fmt_socle=None), ZIP, on)
    assert fmt.to_complete == ["forfait médecin traitant annuel (part socle)"]
    assert fmt.reasons[0].code == "a_completer"
    refused = primo_zip(NEWCOMER.replace(installation_date=date(2025, 12, 31)), ZIP, on)
    assert refused.to_complete == [] and _codes(refused) == {"retroactivite"}
