"""Each région's latest known GP zonage arrêté, declared from ``shared/domain/other-aids.md``
§6a, and whether a class shown may be out of date against it. Pure: no web, no database.

Every ARS re-zones under the arrêté of 9 May 2025 (JO 16/5/2025), most for two years at most,
while the unofficial copy dates from June 2025 and the official table is pinned when an operator
pins it: a class older than its région's latest arrêté is said to be so, and the aids that read
it are « à vérifier ». When an ARS publishes, add or update its line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Arrete:
    """A région's latest known zonage: ``dated`` is the day from which a class older than it
    may be out of date (the arrêté's date, else its entry into force, else the earliest day it
    is known to exist); None where no date was found, which flags nothing."""

    region: str  # code
    authority: str  # « ARS Nouvelle-Aquitaine »
    what: str  # what was published, in words, after « L'ARS … a »
    dated: date | None
    page: str
    confidence: str  # élevée, moyenne, faible
    decided_on: date | None = None
    in_force: date | None = None
    valid_until: date | None = None
    note: str | None = None


ARRETES = {
    a.region: a
    for a in (
        Arrete(
            "84",
            "ARS Auvergne-Rhône-Alpes",
            "arrêté un nouveau zonage (arrêté n° 2025-17-1113, en vigueur le 01/01/2026)",
            date(2026, 1, 1),
            "https://www.auvergne-rhone-alpes.ars.sante.fr/index.php/acces-aux-soins-publication"
            "-du-nouveau-zonage-de-medecine-generale",
            "élevée",
            in_force=date(2026, 1, 1),
            valid_until=date(2027, 12, 31),
            note="388 territoires de vie-santé : 146 ZIP (28,5 % de la population), 161 ZAC "
            "(49,2 %) ; valable deux ans au plus",
        ),
        Arrete(
            "32",
            "ARS Hauts-de-France",
            "publié un nouveau zonage, applicable le 01/01/2026",
            date(2026, 1, 1),
            "https://www.hauts-de-france.paps.sante.fr/un-nouveau-zonage-pour-les-medecins",
            "élevée",
            in_force=date(2026, 1, 1),
            note="243 territoires de vie-santé : 73 ZIP, 92 ZAC ; date de l'arrêté non lue",
        ),
        Arrete(
            "44",
            "ARS Grand Est",
            "publié le « zonage 2026 »",
            date(2026, 1, 1),
            "https://www.grand-est.ars.sante.fr/medecins-generalistes-publication-du-nouveau-"
            "zonage-2026-pour-lacces-aux-soins",
            "élevée",
            note="plus de 70 % de la population en ZIP ou ZAC (65 % avant) ; date de l'arrêté "
            "non lue",
        ),
        Arrete(
            "75",
            "ARS Nouvelle-Aquitaine",
            "arrêté un nouveau zonage le 30/12/2025",
            date(2025, 12, 30),
            "https://www.nouvelle-aquitaine.ars.sante.fr/le-zonage-des-medecins-en-nouvelle-"
            "aquitaine",
            "élevée",
            decided_on=date(2025, 12, 30),
            note="publié au recueil des actes administratifs le 03/02/2026",
        ),
        Arrete(
            "93",
            "ARS Provence-Alpes-Côte d'Azur",
            "arrêté un nouveau zonage le 05/01/2026",
            date(2026, 1, 5),
            "https://www.paca.paps.sante.fr/nouveau-zonage-des-medecins-liberaux-en-region-paca",
            "élevée",
            decided_on=date(2026, 1, 5),
            note="ZIP : 21 % de la population (15,9 % avant) ; ZAC : 52,5 % (40,2 %)",
        ),
        Arrete(
            "27",
            "ARS Bourgogne-Franche-Comté",
            "publié un nouveau zonage en novembre 2025",
            date(2025, 11, 25),
            "https://www.bourgogne-franche-comte.paps.sante.fr/zones-eligibles-aux-aides-"
            "linstallation-de-medecins-en-bourgogne-franche-comte?parent=8459",
            "élevée",
            note="page mise à jour le 25/11/2025 ; environ 76 % de la population en ZIP ou ZAC",
        ),
        Arrete(
            "94",
            "ARS de Corse",
            "publié un nouveau zonage, en vigueur le 01/02/2026",
            date(2026, 2, 1),
            "https://www.corse.ars.sante.fr/nouveaux-zonages-medecins-et-sages-femmes",
            "élevée",
            in_force=date(2026, 2, 1),
        ),
        Arrete(
            "24",
            "ARS Centre-Val de Loire",
            "publié un nouveau zonage début 2026",
            date(2026, 1, 1),
            "https://www.centre-val-de-loire.ars.sante.fr/index.php/zonage-medecin-en-centre-val"
            "-de-loire",
            "élevée",
            note="date de l'arrêté non lue ; le passage de Déols de ZIP en ZAC est contesté "
            "depuis le 10/02/2026",
        ),
        Arrete(
            "76",
            "ARS Occitanie",
            "arrêté un nouveau zonage le 30/10/2025",
            date(2025, 10, 30),
            "https://www.occitanie.ars.sante.fr/",
            "moyenne",
            decided_on=date(2025, 10, 30),
            note="date lue dans les lignes de la table officielle (Aude, Hérault)",
        ),
        Arrete(
            "11",
            "ARS Île-de-France",
            "engagé une refonte du zonage en 2025",
            None,
            "https://www.iledefrance.ars.sante.fr/",
            "faible",
            note="date de l'arrêté non trouvée",
        ),
        Arrete(
            "02",
            "ARS Martinique",
            "fixé un zonage en vigueur le 17/10/2023",
            date(2023, 10, 17),
            "https://www.martinique.ars.sante.fr/index.php/zonage-medecins-presentation-de-la-"
            "methodologie-et-du-classement-du-territoire?parent=16118",
            "élevée",
            in_force=date(2023, 10, 17),
            valid_until=date(2025, 10, 17),
            note="valable deux ans au plus ; renouvellement non trouvé",
        ),
        Arrete(
            "06",
            "ARS Mayotte",
            "arrêté le zonage du 05/06/2023",
            date(2023, 6, 5),
            "https://www.mayotte.ars.sante.fr/",
            "moyenne",
            decided_on=date(2023, 6, 5),
            note="date lue dans les lignes de la table officielle",
        ),
    )
}


@dataclass(frozen=True)
class Doubt:
    """Why a published class may not be the one in force on a day, and the arrêté to read."""

    reason: str
    arrete: Arrete | None

    @property
    def words(self) -> str:
        """The reason with the page to read, for the answers that are plain text."""
        return f"{self.reason} : {self.arrete.page}" if self.arrete else self.reason


def doubt(
    region: str | None, decided_on: date | None, known_on: date | None, on: date
) -> Doubt | None:
    """Whether the class of an arrêté of ``decided_on`` (None: undated), read from a source
    current on ``known_on``, may not be the one in force on ``on``; None: nothing says so."""
    if decided_on is not None and decided_on > on:
        return Doubt(
            f"la classe affichée vient de l'arrêté du {decided_on:%d/%m/%Y}, postérieur au "
            f"{on:%d/%m/%Y} : la classe en vigueur ce jour-là a pu être différente",
            None,
        )
    arrete = ARRETES.get(region or "")
    if arrete is None or arrete.dated is None or arrete.dated > on:
        return None
    source = decided_on or known_on
    if source is None or source < arrete.dated:
        return Doubt(
            f"L'{arrete.authority} a {arrete.what} ; la classe affichée vient d'une source "
            "antérieure : vérifiez-la sur sa page",
            arrete,
        )
    if arrete.valid_until is not None and on > arrete.valid_until:
        return Doubt(
            f"le zonage de l'{arrete.authority} n'était valable que jusqu'au "
            f"{arrete.valid_until:%d/%m/%Y} : un nouveau zonage a pu être arrêté depuis ; "
            "vérifiez la classe sur sa page",
            arrete,
        )
    return None
