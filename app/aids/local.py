"""What the collectivités and the ARS add on their own: information lines that point to the
région's portal and schemes (other-aids.md §5)."""

from __future__ import annotations

from datetime import date

from app.aids import catalog as c
from app.aids.catalog import Aid, Source
from app.aids.lines import (
    SITUATION,
    Check,
    Declared,
    Line,
    Place,
    Profile,
    Situation,
    check_zone,
    declare,
    line_of,
    paps_words,
)

LOCAL = "collectivités territoriales"
LOCAL_TEXT = Source(
    "Code général des collectivités territoriales, art. L1511-8, R1511-44 et D1511-47",
    "https://french-business-law.com/french-legislation-art/article-l1511-8-of-the-french-general-code-of-local-authorities/",
    "art. L1511-8",
)
AIDES_LOCALES = Aid(
    "AIDES_LOCALES",
    "Aides des collectivités territoriales et de l'ARS",
    LOCAL,
    c.CONVENTION_2016_START,
    None,
    LOCAL_TEXT,
    amount="montants fixés par chaque collectivité (prime d'installation ou d'exercice, "
    "local, logement), contre 3 ans au moins d'exercice en ZIP ou ZAC",
    audience=(c.ETUDIANT, c.DOCTEUR_JUNIOR, c.REMPLACANT, c.INSTALLE),
    kind="information",
    label="aides locales et de l'ARS",
)


def local_aids(profile: Profile, place: Place, on: date) -> Line:
    """Information: what the ARS and the local authorities may add here, never simulated."""
    aid, check = AIDES_LOCALES, Check()
    check_zone(
        check,
        place,
        {"ZIP", "ZAC", "ZAR"},
        "hors ZIP et ZAC : pas d'aide des collectivités (art. L1511-8 CGCT)",
    )
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
    if profile[SITUATION] in (Situation.etudiant, Situation.docteur_junior):
        notes.append(
            "internes : indemnités de logement (20 % des émoluments de 3e année au plus) et de "
            "déplacement, allocation d'études contre 5 ans d'exercice dans la zone (art. "
            "R1511-44)"
        )
    notes.append(f"aides de l'ARS de la région : {paps_words(place.region)}")
    if place.region in c.REGIONAL_SCHEMES:
        notes.append(f"dispositif régional : {c.REGIONAL_SCHEMES[place.region]}")
    return line_of(aid, check, [], notes)


DECLARED = declare(
    Declared(AIDES_LOCALES, local_aids, (SITUATION,)),
)
