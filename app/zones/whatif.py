"""The installation what-if: how one more GP moves the APL of the commune and its neighbours.

Exact for the E2SFCA formula (rules.md §4.3): ``ΔAPL_i = w_ij · ΔS / D_j``, added to the
published APL; needs no national supply. Takes a session, never commits.
"""

from __future__ import annotations

import numpy as np

from app.errors import InvalidInput
from app.zones import classify
from app.zones.accessibility import Model
from app.zones.card import commune_card
from app.zones.data import Reader
from app.zones.keyfigures import activity_note
from app.zones.network import GP, Network
from app.zones.schemas import AreaRef, WhatIf, WhatIfEffect, WhatIfTerritory

MAX_EFFECTS = 200  # the largest changes; a 20-minute catchment rarely reaches more communes


def actes_of(consultations: int | None, fte: float | None, model: Model) -> tuple[int, str]:
    """Actes per year and how they were counted."""
    activity = model.activity
    if consultations is not None:
        actes = int(activity.bounded(consultations))
        return actes, (
            f"{consultations} actes par an d'un médecin, comptés {actes} : la DREES compte 0 "
            f"sous {activity.zero_below:g} actes, puis borne l'activité à "
            f"[{activity.floor:g} ; {activity.ceiling:g}] (paramètres de l'APL 2022-2023)"
        )
    count = 1.0 if fte is None else fte
    return round(count * activity.per_gp), f"{count:g} ETP ; {activity_note(model)}"


def what_if(reader: Reader, insee: str, actes: int, activity: str) -> WhatIf:
    card = commune_card(reader, insee)
    data, thresholds = reader.data, reader.thresholds
    network = data.network(reader.session)
    j = network.index.get(card.insee)
    if j is None:
        detail = (
            "choisissez un arrondissement : l'APL y est calculée par arrondissement"
            if card.kind == "COM" and card.apl and card.apl.derivation == "arrondissements"
            else "commune sans population standardisée dans l'"
            f"{data.sources('apl-mg').vintage} (créée depuis)"
        )
        raise InvalidInput(f"Simulation impossible pour {card.name} : {detail}.")
    reached, delta = network.catchment.installation(j, actes)
    order = np.lexsort((-delta, reached != j))[:MAX_EFFECTS]  # the commune first, then by size
    bounds = (thresholds.zip_max, thresholds.vivier_max)

    def after(value: float, k: int) -> float | None:
        return None if np.isnan(value) else round(float(value + delta[k]), 3)

    effects = []
    for k in order:
        i = int(reached[k])
        le65 = network.apl_le65[i]
        effects.append(
            WhatIfEffect(
                insee=network.codes[i],
                name=network.names[i],
                delta=round(float(delta[k]), 4),
                all_ages_before=None if np.isnan(network.apl[i]) else float(network.apl[i]),
                all_ages_after=after(network.apl[i], k),
                le65_before=None if np.isnan(le65) else float(le65),
                le65_after=after(le65, k),
                crossed=[]
                if np.isnan(le65)
                else [t for t in bounds if le65 <= t < le65 + delta[k]],
            )
        )
    return WhatIf(
        commune=AreaRef(code=card.insee, name=card.name),
        actes_per_year=actes,
        activity=activity,
        zone=card.zone,
        territory=_territory(reader, network, j, reached, delta),
        effects=effects,
        method=(
            f"{network.model.describe()} ; hausse ajoutée à l'{data.sources('apl-mg').vintage} "
            "publiée (la même pour "
            "les deux indicateurs : le médecin installé a 65 ans ou moins) ; classe estimée sur "
            "le territoire de vie-santé, à défaut le bassin de vie 2012"
        ),
        provenance=[data.sources("apl-mg"), data.sources("communes-contours")],
    )


def _territory(
    reader: Reader, network: Network, j: int, reached: np.ndarray, delta: np.ndarray
) -> WhatIfTerritory | None:
    """The estimate unit's APL ≤ 65 after (TVS, else bassin de vie): its population-weighted
    mean moves by the weighted mean of its communes' changes."""
    unit = network.units[j]
    territory = unit and reader.data.book.territories.get(unit, {}).get(GP)
    if not unit or not territory or territory.value_le65 is None or not territory.population:
        return None
    inside = np.array([network.units[i] == unit for i in reached], dtype=bool)
    moved = float(np.dot(network.population[reached[inside]], delta[inside]))
    before = territory.value_le65
    after = round(before + moved / territory.population, 3)
    return WhatIfTerritory(
        kind=unit[0],  # type: ignore[arg-type]  # the unit's kind is one of the Literal's
        code=unit[1],
        name=territory.name,
        apl_le65_before=before,
        apl_le65_after=after,
        class_before=classify.estimate(before, reader.thresholds),
        class_after=classify.estimate(after, reader.thresholds),
    )
