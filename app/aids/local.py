"""What the collectivités and the ARS add on their own: information lines that point to the
région's portal and schemes (other-aids.md §5)."""

from __future__ import annotations

from datetime import date

from app.aids import catalog as c
from app.aids.lines import (
    Check,
    Line,
    Place,
    Profile,
    Rule,
    Situation,
    check_zone,
    line_of,
    paps_words,
)


def local_aids(profile: Profile, place: Place, on: date) -> Line:
    """Information: what the ARS and the local authorities may add here, never simulated."""
    aid, check = c.AIDS["AIDES_LOCALES"], Check()
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
    if profile.situation in (Situation.etudiant, Situation.docteur_junior):
        notes.append(
            "internes : indemnités de logement (20 % des émoluments de 3e année au plus) et de "
            "déplacement, allocation d'études contre 5 ans d'exercice dans la zone (art. "
            "R1511-44)"
        )
    notes.append(f"aides de l'ARS de la région : {paps_words(place.region)}")
    if place.region in c.REGIONAL_SCHEMES:
        notes.append(f"dispositif régional : {c.REGIONAL_SCHEMES[place.region]}")
    return line_of(aid, check, [], notes)


RULES: dict[str, Rule] = {
    "AIDES_LOCALES": local_aids,
}
