"""The State's contracts, the tax exemptions and the local aids, with amounts and dates written
from shared/domain/other-aids.md, never copied from the code's output."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from app.aids.convention2016 import caim
from app.aids.lines import Contract, Place, Profile, Sector, Situation
from app.aids.local import local_aids
from app.aids.regime2026 import consultations_avancees
from app.aids.rules import simulate
from app.aids.state import cde, cesp, docteur_junior, maitre_de_stage
from app.aids.tax import frr, pdsa_151ter, zrr

ZIP, ZAC, HZ = Place("ZIP", "84"), Place("ZAC", "84"), Place("hors zonage", "84")
# the one région whose CDE scale is held: Centre-Val de Loire
CVL_ZIP, CVL_ZAC = Place("ZIP", "24"), Place("ZAC", "24")
STUDENT = Profile(age=23, sector=Sector.secteur_1, situation=Situation.etudiant, cesp_months=30)
LOCUM = Profile(
    age=29,
    sector=Sector.secteur_1,
    situation=Situation.remplacant,
    ordre_registration=date(2026, 2, 1),
)
JUNIOR = Profile(
    age=27, sector=Sector.secteur_1, situation=Situation.docteur_junior, acts_per_month=250
)
SETTLER = Profile(  # created in a ZRR three and a half months before the window closed
    age=35,
    sector=Sector.secteur_1,
    first_installation=True,
    installation_date=date(2024, 3, 15),
    pdsa=True,
    regime_reel=True,
    employees=2,
    all_activity_in_zone=True,
)


def _codes(line) -> set[str]:
    return {r.code for r in line.reasons}


def test_cesp_pays_1200_a_month_for_as_many_months_of_commitment() -> None:
    line = cesp(STUDENT, ZIP, date(2026, 3, 1))
    assert line.eligible and line.total == 30 * 1_200
    # from April 2026: 9 months in 2026, 12 in 2027, 9 in 2028
    assert line.by_year == {2026: 10_800, 2027: 14_400, 2028: 10_800}
    assert line.schedule[-1].on == date(2028, 9, 30)
    assert any("engagement : 30 mois" in n for n in line.notes)
    short = cesp(STUDENT.replace(cesp_months=12), ZIP, date(2026, 3, 1))
    assert short.total == 14_400 and any("engagement : 24 mois" in n for n in short.notes)


def test_cesp_requests_from_16_january_2026_follow_decree_2026_4() -> None:
    after = cesp(STUDENT, HZ, date(2026, 1, 16)).notes
    before = cesp(STUDENT, HZ, date(2026, 1, 15)).notes
    assert any("décret n° 2026-4" in n and "8 demi-journées" in n for n in after)
    assert not any("2026-4" in n for n in before)
    assert any("200 € par mois d'allocation" in n for n in before)
    assert any("ni en ZIP ni en ZAC" in n for n in after)
    blank = cesp(STUDENT.replace(cesp_months=None), ZIP, date(2026, 3, 1))
    assert blank.status == "à vérifier" and blank.eligible is None
    assert blank.to_complete == ["mois d'allocation jusqu'à la fin des études"]


def test_cde_for_a_remplacant_registered_less_than_a_year_ago_in_a_zip_or_zac() -> None:
    line = cde(LOCUM, CVL_ZAC, date(2026, 6, 1))
    assert line.eligible and line.total is None  # a regional scale, not a sum to add up
    assert line.confidence == "moyenne"
    assert any("3\u202f000 € par trimestre" in n and "12\u202f000 €" in n for n in line.notes)
    assert any("3 ans non renouvelable" in n for n in line.notes)
    sick, parent = line.allowances  # art. R1435-9-9 and -10, amounts of the CVL table
    assert (sick.per_day, sick.first_day, sick.max_days) == (70, 8, 90)
    assert sick.max_amount == 90 * 70 and "48 h" in sick.conditions
    assert (parent.event, parent.per_day, parent.max_days) == (
        "maternité, paternité, adoption",
        102,
        None,
    )
    assert line.total is None  # events, not planned payments
    late = cde(LOCUM, CVL_ZAC, date(2027, 2, 1))
    assert _codes(late) == {"anciennete"} and late.allowances == []  # refused: nothing to claim
    optam = LOCUM.replace(sector=Sector.secteur_2_optam)
    assert _codes(cde(optam, CVL_ZIP, date(2026, 6, 1))) == {"secteur"}
    paid = LOCUM.replace(contracts=(Contract("PRIMO_ZIP", date(2026, 3, 1)),))
    assert _codes(cde(paid, CVL_ZIP, date(2026, 6, 1))) == {"aides_conventionnelles"}


def test_the_cde_scale_is_shown_only_for_the_ars_that_set_it() -> None:
    """Elsewhere than in Centre-Val de Loire the amounts are the région's: « à vérifier »,
    with its ARS named and its page, no figure and no allowance amount."""
    elsewhere = cde(LOCUM, replace(ZAC, region_name="Auvergne-Rhône-Alpes"), date(2026, 6, 1))
    assert elsewhere.eligible is None and elsewhere.status == "à vérifier"
    assert _codes(elsewhere) == {"bareme"} and elsewhere.allowances == []
    (why,) = elsewhere.to_check
    assert "barème de l'ARS Auvergne-Rhône-Alpes" in why and "paps.sante.fr" in why
    assert not any("€" in n for n in elsewhere.notes)
    assert not any("Centre-Val de Loire" in n for n in elsewhere.notes)
    # outside ZIP and ZAC the contract stays open within 10 km of one: to check, never « non »
    near = cde(LOCUM, Place("hors zonage", "24"), date(2026, 6, 1))
    assert near.eligible is None and "10 km" in near.to_check[0]


def test_before_2024_the_cde_was_also_for_doctors_installed_less_than_a_year() -> None:
    installed = SETTLER.replace(
        sector=Sector.secteur_2_optam,  # « tarifs opposables ou Optam » (ameli, 2021)
        installation_date=date(2022, 3, 1),
        ordre_registration=date(2021, 10, 1),
        days_per_week=D(3),
    )
    line = cde(installed, CVL_ZAC, date(2022, 3, 1))
    assert line.eligible and any("4\u202f250 € par mois" in n for n in line.notes)
    (sick,) = line.allowances  # maternity: the convention's provisions, not the CDE's
    assert sick.per_day == 70 and "versés chaque mois" in sick.label
    assert "CDE" in {x.code for x in simulate(installed, ZAC, date(2023, 12, 31))}
    assert "CDE" not in {x.code for x in simulate(installed, ZAC, date(2024, 1, 1))}
    assert _codes(cde(installed, CVL_ZAC, date(2024, 1, 2))) >= {"remplacants"}
    two_days = installed.replace(days_per_week=D(2))  # fewer than 5 half-days
    assert _codes(cde(two_days, CVL_ZAC, date(2022, 3, 1))) == {"activite"}
    with_caim = LOCUM.replace(
        ordre_registration=date(2023, 2, 1), contracts=(Contract("CAIM", date(2023, 3, 1)),)
    )
    assert cde(with_caim, CVL_ZIP, date(2023, 6, 1)).eligible  # no restriction before 2024
    later = with_caim.replace(ordre_registration=date(2024, 2, 1))
    assert _codes(cde(later, CVL_ZIP, date(2024, 6, 1))) == {"aides_conventionnelles"}


def test_docteur_junior_allowances_from_november_2026() -> None:
    assert _codes(docteur_junior(JUNIOR, ZIP, date(2026, 10, 31))) == {"hors_periode"}
    in_zip = docteur_junior(JUNIOR, ZIP, date(2026, 11, 2))
    assert in_zip.total == 2 * 500 + 12 * 1_000
    assert in_zip.schedule[0].on == date(2027, 5, 2)
    assert docteur_junior(JUNIOR, ZAC, date(2026, 11, 2)).total == 2 * 500
    quiet = JUNIOR.replace(acts_per_month=150)
    assert _codes(docteur_junior(quiet, ZAC, date(2026, 11, 2))) == {"activite"}
    assert docteur_junior(quiet, ZIP, date(2026, 11, 2)).total == 12_000


def test_zrr_exempts_in_full_for_59_months_then_75_50_25() -> None:
    line = zrr(SETTLER, replace(ZIP, zrr="classée"), date(2026, 3, 1))
    assert line.eligible and line.kind == "exonération" and line.total is None
    periods = [(e.start, e.end, e.share) for e in line.exemptions]
    assert periods == [
        (date(2024, 3, 15), date(2029, 2, 28), 1),
        (date(2029, 3, 1), date(2030, 2, 28), D("0.75")),
        (date(2030, 3, 1), date(2031, 2, 28), D("0.50")),
        (date(2031, 3, 1), date(2032, 2, 29), D("0.25")),
    ]
    assert all(e.exempt_profit is None for e in line.exemptions)  # no profit given: shares only
    with_profit = zrr(
        SETTLER.replace(expected_profit=D(60_000)), replace(ZIP, zrr="classée"), date(2026, 3, 1)
    )
    assert [e.exempt_profit for e in with_profit.exemptions[1:]] == [45_000, 30_000, 15_000]


def test_zrr_and_frr_conditions() -> None:
    classed = replace(ZIP, zrr="classée")
    late = SETTLER.replace(installation_date=date(2024, 7, 1))
    assert _codes(zrr(late, classed, date(2026, 3, 1))) == {"creation"}
    assert _codes(zrr(SETTLER, replace(ZIP, zrr="non classée"), date(2026, 3, 1))) == {"zone"}
    micro = SETTLER.replace(regime_reel=False, employees=11)
    assert _codes(zrr(micro, classed, date(2026, 3, 1))) == {"regime", "salaries"}
    unknown = zrr(SETTLER.replace(regime_reel=None), classed, date(2026, 3, 1))
    assert unknown.status == "à vérifier" and unknown.to_complete == [
        "régime fiscal (réel ou micro-BNC)"
    ]
    unclassed = zrr(SETTLER, ZIP, date(2026, 3, 1))  # the commune's ZRR status not held
    assert unclassed.eligible is None and "service des impôts" in unclassed.to_check[0]
    assert len(unclassed.exemptions) == 4  # the periods it would give, shown with the doubt
    unlisted = frr(late, ZIP, date(2026, 3, 1))  # no FRR status for the place
    assert _codes(unlisted) == {"zone_incertaine"} and unlisted.eligible is None
    assert "liste des communes FRR de la DGCL" in unlisted.to_check[0]
    listed = frr(late, replace(ZIP, frr="socle"), date(2026, 3, 1))
    assert listed.eligible and listed.exemptions[0].end == date(2029, 6, 30)
    assert listed.confidence == "moyenne"
    assert _codes(frr(SETTLER, replace(ZIP, frr="socle"), date(2026, 3, 1))) == {"creation"}
    for status, codes in (("non classée", {"zone"}), ("absente", {"zone"})):
        assert _codes(frr(late, replace(ZIP, frr=status), date(2026, 3, 1))) == codes
    by_address = frr(late, replace(ZIP, frr="partielle"), date(2026, 3, 1))
    assert _codes(by_address) == {"zone_incertaine"} and by_address.status == "à vérifier"
    assert "selon l'adresse" in by_address.reasons[0].message
    refused = frr(late.replace(employees=12), replace(ZIP, frr="partielle"), date(2026, 3, 1))
    assert refused.eligible is False  # a rule refuses it, whatever is left to check


def test_frr_plus_admits_micro_bnc_from_2025_and_former_zrr_communes_stop_at_2027() -> None:
    micro = SETTLER.replace(installation_date=date(2025, 3, 1), regime_reel=False)
    assert _codes(frr(micro, replace(ZIP, frr="socle"), date(2026, 3, 1))) == {"regime"}
    plus = frr(micro, replace(ZIP, frr="plus"), date(2026, 3, 1))
    assert plus.eligible and any("micro-BNC admis" in n for n in plus.notes)
    before_plus = micro.replace(installation_date=date(2024, 10, 1))  # FRR+ from 1/1/2025
    assert _codes(frr(before_plus, replace(ZIP, frr="plus"), date(2026, 3, 1))) == {"regime"}
    kept = replace(ZIP, frr="bénéficiaire")  # LF 2025 art. 99: effects to 31/12/2027
    in_time = SETTLER.replace(installation_date=date(2027, 12, 31))
    assert frr(in_time, kept, date(2026, 3, 1)).eligible
    too_late = frr(SETTLER.replace(installation_date=date(2028, 1, 3)), kept, date(2026, 3, 1))
    assert _codes(too_late) == {"creation"} and "31/12/2027" in too_late.reasons[0].message
    listed = frr(
        SETTLER.replace(installation_date=date(2028, 1, 3)),
        replace(ZIP, frr="socle"),
        date(2026, 3, 1),
    )
    assert listed.eligible  # a listed commune keeps the window to 31/12/2029


def test_out_of_hours_pay_exempt_up_to_60_days_in_zip_or_zac() -> None:
    line = pdsa_151ter(SETTLER, ZAC, date(2026, 3, 1))
    assert line.eligible and "60 jours" in line.exemptions[0].label
    assert any("ZAC" in n for n in line.notes)  # the ZAC reading is a setting
    assert _codes(pdsa_151ter(SETTLER, HZ, date(2026, 3, 1))) == {"zone"}
    assert _codes(pdsa_151ter(SETTLER.replace(pdsa=False), ZIP, date(2026, 3, 1))) == {"pdsa"}


def test_local_aids_are_information_with_the_ars_page_and_the_ten_year_rule() -> None:
    line = local_aids(SETTLER, Place("ZAC", "32"), date(2026, 3, 1))
    # whether a collectivité aids here, and how much, is for it to say: never a « oui »
    assert line.eligible is None and line.kind == "information" and line.total is None
    notes = " ".join(line.notes)
    assert "3 ans d'exercice" in notes and "D1511-47" in notes
    assert "30/10/2026" in notes and "hauts-de-france.paps.sante.fr" in notes
    assert _codes(local_aids(SETTLER, HZ, date(2026, 3, 1))) == {"zone"}
    assert local_aids(SETTLER, HZ, date(2026, 3, 1)).eligible is False
    regional = local_aids(SETTLER, Place("ZAR", "32"), date(2026, 3, 1))  # the ARS's own aids
    assert regional.eligible is None and "l'ARS y a ses propres aides" in regional.to_check[0]
    assert local_aids(SETTLER, Place(None, "32"), date(2026, 3, 1)).eligible is None
    elsewhere = " ".join(local_aids(SETTLER, Place("ZIP", "93"), date(2026, 3, 1)).notes)
    assert "https://www.paps.sante.fr, rubrique de la région" in elsewhere
    student = " ".join(local_aids(STUDENT, Place("ZIP", "76"), date(2026, 3, 1)).notes)
    assert "logement" in student and "130 € par mois" in student


@pytest.mark.parametrize(
    ("profile", "codes"),
    [
        (STUDENT, {"CESP", "AIDES_LOCALES"}),
        (JUNIOR, {"CESP", "DOCTEUR_JUNIOR", "AIDES_LOCALES"}),
        (LOCUM, {"CDE", "PDSA_151TER", "AIDES_LOCALES"}),
        (
            SETTLER,
            {
                "CAIM",
                "COSCOM",
                "COTRAM",
                "CSTM",
                "PRIMO_ZIP",
                "PRIMO_ZAC",
                "CABINET_SECONDAIRE",
                "FMT_MAJORATION",
                "ZRR",
                "FRR",
                "PDSA_151TER",
                "AIDES_LOCALES",
                # added in 2026 (other-aids.md §6b)
                "CONSULTATIONS_AVANCEES",
                "MAITRE_DE_STAGE",
                "FRANCE_SANTE",
                "MISSION_SOLIDARITE",
            },
        ),
    ],  # fmt: skip
    ids=["étudiant", "docteur junior", "remplaçant", "installé"],
)
def test_each_situation_gets_the_aids_its_rules_name(profile: Profile, codes: set[str]) -> None:
    assert {line.code for line in simulate(profile, ZIP, date(2026, 11, 2))} == codes


def test_an_ars_majoration_where_the_region_is_unknown_is_left_to_check() -> None:
    """An imposed ZIP without a région cannot say whether the ARS's ZIP+ top-up applies: the
    CAIM is due without it, and the line says the majoration is to check."""
    signed = SETTLER.replace(
        installation_date=date(2025, 9, 1),
        days_per_week=D(4),
        ars_majoration=True,
    )
    line = caim(signed, Place("ZIP", None), date(2025, 12, 1))
    assert line.eligible and line.total == 50_000
    assert any("majoration de l'ARS à vérifier" in n for n in line.notes)
    assert caim(signed, Place("ZIP", "11"), date(2025, 12, 1)).total == 60_000
    unknown = caim(signed, Place(None, "11", "classe non publiée"), date(2025, 12, 1))
    assert unknown.eligible is None and unknown.to_check == ["classe non publiée"]


def test_a_maitre_de_stage_hosting_a_docteur_junior_from_november_2026() -> None:
    """600 € + 1 200 € per month and per docteur junior, + 800 € in a ZIP, ZAC or QPV, + 400 €
    for supervising the PDSA (arrêté du 27 juin 2011, art. 4 bis)."""
    host = SETTLER.replace(junior_months_hosted=6)
    line = maitre_de_stage(host, ZIP, date(2026, 11, 2))
    assert line.eligible and line.total == 6 * (600 + 1_200 + 800)
    assert line.schedule[0].on == date(2026, 12, 2) and len(line.schedule) == 6
    supervising = host.replace(pdsa_supervision=True)
    assert maitre_de_stage(supervising, ZIP, date(2026, 11, 2)).total == 6 * 3_000
    outside = maitre_de_stage(host, replace(ZIP, zone_class="hors zonage"), date(2026, 11, 2))
    assert outside.total == 6 * 1_800
    in_qpv = host.replace(qpv=True)
    assert (
        maitre_de_stage(in_qpv, replace(ZIP, zone_class="hors zonage"), date(2026, 11, 2)).total
        == 6 * 2_600
    )
    unknown = maitre_de_stage(host, Place(None, "93"), date(2026, 11, 2))
    assert unknown.total == 6 * 1_800 and any("classe à vérifier" in n for n in unknown.notes)
    assert _codes(maitre_de_stage(SETTLER, ZIP, date(2026, 11, 2))) == {"accueil"}
    assert _codes(maitre_de_stage(host, ZIP, date(2026, 11, 1))) == {"hors_periode"}


def test_what_2026_added_beside_the_aids_is_never_in_the_total() -> None:
    """Consultations avancées: no amount read, to check in a ZIP; France Santé: the structure's
    funding, information; the docteur junior's ZIP allowance excludes transport and housing."""
    lines = {x.code: x for x in simulate(SETTLER, ZIP, date(2026, 11, 2))}
    advanced, label = lines["CONSULTATIONS_AVANCEES"], lines["FRANCE_SANTE"]
    assert advanced.eligible is None and advanced.total is None and not advanced.schedule
    assert "non vérifiés" in advanced.to_check[0]
    assert label.eligible is None and label.kind == "information" and label.total is None
    assert _codes(
        consultations_avancees(SETTLER, replace(ZIP, zone_class="ZAC"), date(2026, 3, 1))
    ) == {"zone"}
    stage = docteur_junior(JUNIOR, ZIP, date(2026, 11, 2))
    assert any("ne se cumule pas avec les indemnités de transport" in n for n in stage.notes)
