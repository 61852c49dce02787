"""What a région's last zonage arrêté changed, read from the official table's pinned vintages
(the load keeps, per commune, the class before and since when the class holds); reads through
a reader, never commits."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from app.errors import NotFound
from app.sources.zonage import OFFICIAL, official_vintages
from app.zones import arretes
from app.zones.classify import ZoneClass
from app.zones.data import Reader
from app.zones.models import Commune, PublishedZone
from app.zones.network import GP
from app.zones.schemas import (
    AreaRef,
    CommuneChange,
    LatestArrete,
    TerritoryChange,
    ZonageChanges,
)

DEFICIENT = {"ZIP", "ZAC"}


def zonage_changes(reader: Reader, region: str) -> ZonageChanges:
    """The communes (and their territoires de vie-santé) that entered or left ZIP or ZAC at the
    région's last arrêté in the official table, most populated first."""
    data, session = reader.data, reader.session
    if region not in data.regions:
        raise NotFound(f"Aucune région de code {region}.")
    vintages = sorted(official_vintages(data.sources.names), reverse=True)  # newest first
    rows = session.execute(
        select(
            PublishedZone.insee,
            PublishedZone.zone_class,
            PublishedZone.decided_on,
            PublishedZone.since,
            PublishedZone.previous_class,
            PublishedZone.previous_decided_on,
            Commune.name,
            Commune.population,
            Commune.tvs,
            Commune.tvs_name,
        )
        .join(
            Commune,
            (Commune.snapshot_id == PublishedZone.snapshot_id)
            & (Commune.insee == PublishedZone.insee),
        )
        .where(
            PublishedZone.snapshot_id == data.id,
            PublishedZone.profession == GP,
            PublishedZone.dataset.startswith(OFFICIAL),
            Commune.region == region,
        )
    ).all()
    last = max((r.decided_on for r in rows if r.decided_on), default=None)
    changed = [
        CommuneChange(
            insee=r.insee,
            name=r.name,
            population=r.population,
            before=ZoneClass(r.previous_class),
            before_decided_on=r.previous_decided_on,
            after=ZoneClass(r.zone_class),
            tvs=AreaRef(code=r.tvs, name=r.tvs_name or r.tvs) if r.tvs else None,
        )
        for r in rows
        if r.previous_class and r.since == last and {r.previous_class, r.zone_class} & DEFICIENT
    ]
    changed.sort(key=lambda c: (-(c.population or 0), c.insee))
    known = arretes.ARRETES.get(region)
    return ZonageChanges(
        region=AreaRef(code=region, name=data.regions[region].name),
        latest_known=LatestArrete.model_validate(known, from_attributes=True) if known else None,
        last_arrete=last,
        vintages=[data.sources(name) for name in vintages],
        compared=len(vintages) > 1,
        note=_note(len(vintages), bool(rows)),
        communes=changed,
        territories=_territories(changed),
    )


def _territories(changed: list[CommuneChange]) -> list[TerritoryChange]:
    groups: defaultdict[tuple[str | None, ZoneClass, ZoneClass], list[CommuneChange]]
    groups = defaultdict(list)
    for c in changed:
        groups[(c.tvs.code if c.tvs else None, c.before, c.after)].append(c)
    return sorted(
        (
            TerritoryChange(
                tvs=members[0].tvs,
                before=before,
                after=after,
                communes=len(members),
                population=sum(c.population or 0 for c in members),
            )
            for (_, before, after), members in groups.items()
        ),
        key=lambda t: (-t.population, t.tvs.code if t.tvs else ""),
    )


def _note(vintages: int, held: bool) -> str:
    if not vintages:
        return (
            "Aucun millésime de la table officielle des zonages n'est épinglé : les "
            "changements ne peuvent pas être établis (« zonage data zonage »)."
        )
    if not held:
        return "La table officielle épinglée ne donne aucune classe pour cette région."
    if vintages == 1:
        return (
            "Un seul millésime de la table officielle est épinglé : il donne la classe en "
            "vigueur, pas celle d'avant ; épinglez-en un plus ancien pour voir ce qui a changé."
        )
    return (
        "Communes entrées en ZIP ou en ZAC, ou qui en sont sorties, au dernier arrêté de la "
        "région, d'après les millésimes épinglés de la table officielle."
    )
