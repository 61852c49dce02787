"""Bills are not rules: the proposals that would regulate where a doctor settles, each with its
last known step and date, shown where they would matter — never read as eligibility
(other-aids.md §5 and §6b). Pure: no web, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.aids.catalog import Confidence, Source
from app.aids.lines import fr_date


@dataclass(frozen=True)
class Bill:
    """A bill: what it would change, its last known step, where an installation would feel it."""

    name: str
    would: str
    step: str  # « adoptée par l'Assemblée nationale »
    step_on: date
    source: Source
    confidence: Confidence
    matters_in: tuple[str, ...] = ("hors zonage",)  # the zones well served with GPs

    @property
    def notice(self) -> str:
        return f"{self.step} le {fr_date(self.step_on)} ; pas en vigueur"


BILLS = (
    Bill(
        "Proposition de loi n° 682 « Garot » (régulation de l'installation des médecins)",
        "une autorisation de l'ARS avant de s'installer, de droit en zone sous-dotée et, en zone "
        "bien dotée, seulement au départ d'un médecin",
        "adoptée par l'Assemblée nationale en première lecture",
        date(2025, 5, 7),
        Source(
            "LCP, « Déserts médicaux : inscrivez notre texte à l'ordre du jour du Sénat » (appel "
            "de Laval, 15/9/2025 ; aucune lecture au Sénat trouvée)",
            "https://lcp.fr/actualites/deserts-medicaux-inscrivez-notre-texte-a-l-ordre-du-jour-du-senat-demande-guillaume",
        ),
        "moyenne",
    ),
    Bill(
        "Proposition de loi « Mouiller » (accès aux soins dans les territoires)",
        "en zone bien dotée, l'installation d'un généraliste conditionnée à un exercice à temps "
        "partiel en zone sous-dotée",
        "adoptée par le Sénat en première lecture",
        date(2025, 5, 13),
        Source(
            "Sénat, séance du 13 mai 2025 (pas à l'ordre du jour de l'Assemblée le 17/2/2026)",
            "https://www.senat.fr/seances/s202505/s20250513/s20250513008.html",
        ),
        "moyenne",
    ),
)


def known_on(on: date) -> list[Bill]:
    """The bills whose last known step had come by ``on``."""
    return [bill for bill in BILLS if bill.step_on <= on]


def where_it_matters(zone_class: str | None, on: date) -> list[Bill]:
    """The bills an installation in a zone of ``zone_class`` would feel, known by ``on``."""
    return [bill for bill in known_on(on) if zone_class in bill.matters_in]
