"""The State's contracts, signed with the ARS: CESP for students, CDE for remplaçants (and the
installed doctors before 2024), the docteur junior's allowance (other-aids.md §1-3)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from app.aids import catalog as c
from app.aids.catalog import Aid, Source
from app.aids.lines import (
    CONTRACTS,
    DAYS_PER_WEEK,
    INSTALLATION_AIDS,
    QPV,
    SECTOR,
    SITUATION,
    UNKNOWN_CLASS,
    Allowance,
    Check,
    Declared,
    Input,
    Line,
    Payment,
    Place,
    Profile,
    Sector,
    Situation,
    add_months,
    add_years,
    check_signable,
    check_zone,
    declare,
    euros,
    fr_amount,
    line_of,
    paps_words,
)

STATE = "contrat de l'État (ARS)"
CESP_TEXT = Source(
    "Code de l'éducation, art. L632-6 ; arrêté du 29 octobre 2013 (allocation) ; décret "
    "n° 2026-4 du 5 janvier 2026",
    "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006525242",
    "art. L632-6",
)
CDE_TEXT = Source(
    "Code de la santé publique, art. L1435-4-2 et R1435-9-1 à R1435-9-11 (décret n° 2020-1666)",
    "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000042731159",
    "art. R1435-9-1",
)
JUNIOR_TEXT = Source(
    "Décret n° 2025-850 du 27 août 2025 (docteurs juniors de médecine générale) et ses arrêtés",
    "https://juriblio.fr/decrets/decret-no-2025-850-du-27-aout-2025/186360011/article-1",
)
CESP_REFORM = date(2026, 1, 16)  # décret 2026-4: requests made from this day
CDE_START = date(2020, 12, 25)
CDE_REMPLACANTS_ONLY = date(2024, 1, 1)  # LFSS 2023: installed doctors no longer sign it
CDE_SICK_FIRST_DAY, CDE_SICK_MAX_DAYS = 8, 90  # art. R1435-9-9: per stoppage
CDE_INSTALLED_MIN_DAYS = Decimal("2.5")  # 5 half-days a week in the zones (before 2024)
JUNIOR_START = date(2026, 11, 1)
CESP = Aid(
    "CESP",
    "Contrat d'engagement de service public (CESP)",
    STATE,
    c.CONVENTION_2016_START,
    None,
    CESP_TEXT,
    amount="1 200 € brut par mois jusqu'à la fin des études, contre autant de mois "
    "d'exercice en ZIP ou ZAC (2 ans au moins), en secteur 1",
    audience=(c.ETUDIANT, c.DOCTEUR_JUNIOR),
)
CDE = Aid(
    "CDE",
    "Contrat de début d'exercice (CDE), remplaçants",
    STATE,
    CDE_START,
    None,
    CDE_TEXT,
    amount="la 1re année, complément jusqu'à un plafond de revenu ; pendant tout le "
    "contrat, 70 € par jour de maladie (dès le 8e jour d'arrêt, 90 jours au plus) et, "
    "pour un remplaçant, 102 € par jour de congé maternité, paternité ou adoption ; "
    "barème régional (Centre-Val de Loire : 3 000 € par trimestre au plus pour un "
    "remplaçant, 4 250 € par mois pour un médecin installé avant 2024) ; contrat de 3 ans",
    audience=(c.REMPLACANT, c.INSTALLE),
    confidence="moyenne",
    closed_to=((c.INSTALLE, CDE_REMPLACANTS_ONLY),),
)
DOCTEUR_JUNIOR = Aid(
    "DOCTEUR_JUNIOR",
    "Primes des docteurs juniors de médecine générale",
    STATE,
    JUNIOR_START,
    None,
    JUNIOR_TEXT,
    amount="500 € brut par semestre au-delà de 200 actes par mois en moyenne ; + 1 000 € "
    "brut par mois pour un stage en ZIP",
    audience=(c.DOCTEUR_JUNIOR,),
    confidence="moyenne",
    label="primes des docteurs juniors",
)

MSU_TEXT = Source(
    "Arrêté du 27 juin 2011, art. 4 bis (inséré par l'arrêté du 27 août 2025) : maîtres de "
    "stage accueillant un docteur junior",
    "https://legal.tricoteuses.fr/articles/LEGIARTI000052146959",
    "art. 4 bis",
)
MSU_START = date(2026, 11, 2)
# per month of stage and per docteur junior hosted, brut (art. 4 bis)
MSU_TEACHING, MSU_COMPENSATION, MSU_ZONE, MSU_PDSA = 600, 1_200, 800, 400
MAITRE_DE_STAGE = Aid(
    "MAITRE_DE_STAGE",
    "Rémunération du maître de stage accueillant un docteur junior",
    "formation des docteurs juniors (État)",
    MSU_START,
    None,
    MSU_TEXT,
    amount="par mois de stage et par docteur junior accueilli, brut : 600 € d'honoraires "
    "pédagogiques et 1 200 € d'indemnité, + 800 € en ZIP, ZAC ou QPV, + 400 € pour "
    "l'encadrement de la permanence des soins",
    label="rémunération de maître de stage",
)
FRANCE_SANTE_TEXT = Source(
    "Loi n° 2025-1403 du 30 décembre 2025 de financement de la sécurité sociale pour 2026, "
    "art. 63 (France Santé) ; ARS Provence-Alpes-Côte d'Azur",
    "https://www.paca.ars.sante.fr/france-sante-en-provence-alpes-cote-dazur-93-structures-de-soins-de-proximite-desormais-0",
    "art. 63",
)
FRANCE_SANTE = Aid(
    "FRANCE_SANTE",
    "France Santé (label des structures de soins de proximité)",
    "État (LFSS 2026)",
    date(2026, 1, 1),
    None,
    FRANCE_SANTE_TEXT,
    amount="un financement de la structure labellisée, ≈ 50 000 € en moyenne par structure "
    "par la convention France Santé : pas une aide au médecin, jamais comptée dans son total",
    audience=(c.INSTALLE,),
    confidence="moyenne",
    kind="information",
    label="France Santé",
)


MISSION_TEXT = Source(
    "Ministère chargé de la santé : mission de solidarité territoriale (communiqué, aucun "
    "décret ni arrêté publié) ; liste des 151 EPCI « zones rouges » du 30/06/2025",
    "https://www.amf69.fr/zones-rouges-dans-151-epci-docteurs-juniors-ou-en-sont-les-projets-de-lutte-contre-la-desertification-medicale",
)
MISSION_SOLIDARITE = Aid(
    "MISSION_SOLIDARITE",
    "Mission de solidarité territoriale (médecins volontaires en « zone rouge »)",
    "État (mission de solidarité territoriale)",
    c.REGIME_2026_START,
    None,
    MISSION_TEXT,
    notes=(
        "aucun texte réglementaire : les 200 € par jour viennent d'un communiqué du ministère, "
        "pas d'un décret ni d'un arrêté",
        "missions ouvertes aux volontaires depuis le 08/09/2025 ; le catalogue la donne à partir "
        "du 01/01/2026, avec les aides que 2026 a ajoutées (celui des dates antérieures reste "
        "inchangé)",
    ),
    amount="200 € par jour de mission en plus des honoraires des consultations, deux jours par "
    "mois au plus, pour des médecins volontaires",
    confidence="moyenne",
    label="mission de solidarité territoriale",
)
MISSION_DAY = 200


# What only the State's contracts read of the profile
CESP_MONTHS = Input[int | None](
    "cesp_months", int, None, "CESP : mois d'allocation jusqu'à la fin des études", ge=1, le=120
)
ORDRE_REGISTRATION = Input[date | None](
    "ordre_registration", date, None, "CDE : date de première inscription au tableau de l'Ordre"
)
ACTS_PER_MONTH = Input[int | None](
    "acts_per_month", int, None, "Docteur junior : actes par mois en moyenne", ge=0, le=5000
)
JUNIORS_HOSTED = Input[int | None](
    "junior_months_hosted",
    int,
    None,
    "Maître de stage : mois de stage de docteurs juniors accueillis sur l'année (un mois par "
    "docteur junior)",
    ge=0,
    le=120,
)
PDSA_SUPERVISION = Input[bool](
    "pdsa_supervision",
    bool,
    False,
    "Maître de stage : encadrement du docteur junior en permanence des soins",
)


def cesp(profile: Profile, place: Place, on: date) -> Line:
    """1,200 € a month until the end of studies, against as many months of practice in a ZIP or
    ZAC (two years at least), in secteur 1."""
    aid, check = CESP, Check()
    check_signable(check, aid, on)
    if not check.need(
        months := profile[CESP_MONTHS], "mois d'allocation jusqu'à la fin des études"
    ):
        return line_of(aid, check, [], [])
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
    if on >= CESP_REFORM:
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
    return line_of(aid, check, schedule, notes)


def cde(profile: Profile, place: Place, on: date) -> Line:
    """3 years in a ZIP or ZAC (or within 10 km), an income complement the first year and daily
    aids, on a scale each ARS publishes. Since 1 January 2024 for remplaçants only, without the
    convention's aids; before, also for installed doctors (tariffs opposables or OPTAM, 5
    half-days a week in the zones)."""
    aid, check = CDE, Check()
    installed = profile[SITUATION] == Situation.installe
    check_signable(check, aid, on)
    check.require(
        aid.serves(profile[SITUATION], on),
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
        check_zone(check, place, {"ZIP", "ZAC"}, "")
    if installed:
        check.require(
            profile[SECTOR] in (Sector.secteur_1, Sector.secteur_2_optam),
            "secteur",
            "tarifs opposables ou OPTAM requis",
        )
        if profile[DAYS_PER_WEEK] is not None:
            check.require(
                profile[DAYS_PER_WEEK] >= CDE_INSTALLED_MIN_DAYS,
                "activite",
                "moins de 5 demi-journées par semaine dans les zones",
            )
    else:
        check.require(
            profile[SECTOR] == Sector.secteur_1, "secteur", "tarifs opposables requis (secteur 1)"
        )
    registered = profile[ORDRE_REGISTRATION]
    if check.need(registered, "date de première inscription au tableau de l'Ordre"):
        check.require(
            add_years(registered, 1) > on,
            "anciennete",
            "inscrit au tableau de l'Ordre depuis plus d'un an",
        )
    if on >= CDE_REMPLACANTS_ONLY:
        check.require(
            not any(k.code in INSTALLATION_AIDS for k in profile[CONTRACTS]),
            "aides_conventionnelles",
            "déjà bénéficiaire d'une aide conventionnelle à l'installation",
        )
    scale = c.UNVERIFIED["cde_amounts"]
    amounts: dict[str, int] = scale.value
    if place.region != c.CDE_SCALE_REGION:  # each ARS sets its own scale: only one is held
        check.unknown(
            "bareme",
            f"montants selon le barème de l'ARS {place.region_name or 'de la région'}, non "
            f"détenu ici : {paps_words(place.region)}",
        )
        return line_of(aid, check, [], [_cde_terms(installed)] + CDE_CONTRACT)
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
    return line_of(aid, check, [], notes, allowances=_cde_allowances(amounts, installed))


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


def _cde_allowances(amounts: dict[str, int], installed: bool) -> list[Allowance]:
    """The CDE's daily aids (art. R1435-9-9 and R1435-9-10), on the conditions they set: the
    maternity aid is the remplaçants' (installed doctors have the convention's)."""
    sick_days = CDE_SICK_MAX_DAYS
    recent = (
        "exercice sous le CDE dans les 3 mois précédents, seuil d'activité atteint l'un de ces "
        "mois, justificatif envoyé sous 48 h"
    )
    sick = Allowance(
        "maladie",
        euros(amounts["sick_day"]),
        CDE_SICK_FIRST_DAY,
        sick_days,
        euros(amounts["sick_day"] * sick_days),
        recent,
        f"maladie : {amounts['sick_day']} € par jour d'arrêt à partir du "
        f"{CDE_SICK_FIRST_DAY}e jour, {sick_days} jours au plus par arrêt, pendant tout le "
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
    aid, check = DOCTEUR_JUNIOR, Check()
    check_signable(check, aid, on)
    acts = profile[ACTS_PER_MONTH]
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
    if in_zip:
        notes.append(
            "la prime de stage en ZIP ne se cumule pas avec les indemnités de transport et de "
            "logement (6° et 7° de l'art. D. 6153-1-8 du code de la santé publique)"
        )
    return line_of(aid, check, schedule, notes)


def maitre_de_stage(profile: Profile, place: Place, on: date) -> Line:
    """From 2 November 2026, per month of stage and per docteur junior hosted: 600 € + 1,200 €,
    + 800 € in a ZIP, ZAC or QPV, + 400 € for supervising the PDSA; paid month by month (the
    dates are indicative: the texts read do not set them)."""
    aid, check = MAITRE_DE_STAGE, Check()
    check_signable(check, aid, on)
    months = profile[JUNIORS_HOSTED] or 0
    check.require(months > 0, "accueil", "aucun docteur junior accueilli")
    monthly = MSU_TEACHING + MSU_COMPENSATION
    notes = [
        "versée par mois de stage ; dates indicatives : mois par mois à partir de la date de la "
        "simulation"
    ]
    if profile[QPV] or place.zone_class in ("ZIP", "ZAC"):
        monthly += MSU_ZONE
    elif place.zone_class is None:
        notes.append(
            f"+ {MSU_ZONE} € par mois si le cabinet est en ZIP, ZAC ou QPV : classe à vérifier"
        )
    if profile[PDSA_SUPERVISION]:
        monthly += MSU_PDSA
    schedule = [
        Payment(add_months(on, month), euros(monthly), f"mois de stage {month}")
        for month in range(1, months + 1)
    ]
    return line_of(aid, check, schedule, notes)


def france_sante(profile: Profile, place: Place, on: date) -> Line:
    """Information for a doctor joining or founding a structure: the label's criteria and its
    funding, which is the structure's, never the doctor's."""
    aid, check = FRANCE_SANTE, Check()
    check.unknown(
        "structure",
        "label d'une structure (maison de santé, centre, cabinet, hôpital de proximité) : un "
        "médecin généraliste et un infirmier, ouverture 5 jours sur 7 au moins, consultations "
        "sans dépassement d'honoraires, rendez-vous sous 48 h si besoin, participation au "
        "service d'accès aux soins ; voir l'ARS",
    )
    notes = [
        "financement de la structure par la convention France Santé, ≈ 50 000 € en moyenne "
        "(montant des sources de presse, non vérifié dans un texte) : jamais compté dans le "
        "total du médecin"
    ]
    return line_of(aid, check, [], notes)


def mission_solidarite(profile: Profile, place: Place, on: date) -> Line:
    """Volunteers practising up to two days a month in one of the 151 EPCI « zones rouges »:
    200 € a day beside their fees, never in the total (the days are the doctor's choice).
    Without the whole list, an EPCI it does not name is not known to be outside."""
    aid, check = MISSION_SOLIDARITE, Check()
    check_signable(check, aid, on)
    if place.zone_rouge is None:
        check.unknown(
            "zone_rouge",
            "EPCI de la commune non trouvé dans la liste des « zones rouges » tenue ici (liste "
            "non épinglée, ou partielle) : non vérifié ; voir l'ARS",
        )
    else:
        check.require(
            place.zone_rouge,
            "zone_rouge",
            "commune hors des 151 EPCI « zones rouges » de la mission",
        )
    notes = [
        f"{MISSION_DAY} € par jour de mission, deux jours par mois au plus, en plus des "
        "honoraires : jamais compté dans le total, le nombre de jours étant le choix du médecin"
    ]
    return line_of(aid, check, [], notes)


DECLARED = declare(
    Declared(CESP, cesp, (CESP_MONTHS,)),
    Declared(CDE, cde, (CONTRACTS, DAYS_PER_WEEK, ORDRE_REGISTRATION, SECTOR, SITUATION)),
    Declared(DOCTEUR_JUNIOR, docteur_junior, (ACTS_PER_MONTH,)),
    Declared(MAITRE_DE_STAGE, maitre_de_stage, (JUNIORS_HOSTED, PDSA_SUPERVISION, QPV)),
    Declared(FRANCE_SANTE, france_sante, ()),
    Declared(MISSION_SOLIDARITE, mission_solidarite, ()),
)
