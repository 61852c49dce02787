"""A territory's card: the territoire de vie-santé when the official table gives it, else the
bassin de vie 2012 the estimate uses, read from its communes' cards; takes a session, never
commits."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import select

from app.errors import NotFound
from app.zones.card import commune_card
from app.zones.data import Reader
from app.zones.keyfigures import FIGURES, FigureSpec
from app.zones.models import Accessibility, Commune, TerritoryApl
from app.zones.network import GP
from app.zones.schemas import (
    AplPoint,
    CommuneCard,
    Figure,
    TerritoryCard,
    TerritoryCommune,
)

UNITS = {
    "tvs": "territoire de vie-santé de la table officielle des zonages : l'unité que l'ARS zone",
    "bv2012": "bassin de vie 2012 (Insee) : l'unité de notre estimation, à défaut de la table "
    "officielle des territoires de vie-santé pour cette commune",
}
MAX_COMMUNES = 400  # a bassin de vie holds at most about 300 communes


def territory_card(reader: Reader, code: str) -> TerritoryCard:
    """The territory of this code: a TVS when the official table names one, else a bassin."""
    session, snapshot = reader.session, reader.data.id
    code = code.strip().upper()[:9]
    for kind, column in (("tvs", Commune.tvs), ("bv2012", Commune.bv2012)):
        members = session.scalars(
            select(Commune.insee)
            .where(Commune.snapshot_id == snapshot, column == code, Commune.kind == "COM")
            .order_by(Commune.insee)
            .limit(MAX_COMMUNES)
        ).all()
        if members:
            return _card(reader, kind, code, list(members))
    raise NotFound(f"Aucun territoire de vie-santé ni bassin de vie de code « {code} ».")


def _card(reader: Reader, kind: str, code: str, members: list[str]) -> TerritoryCard:
    session, snapshot = reader.session, reader.data.id
    cards = [commune_card(reader, insee) for insee in members]
    weights = dict(
        session.execute(
            select(Accessibility.insee, Accessibility.population).where(
                Accessibility.snapshot_id == snapshot,
                Accessibility.profession == GP,
                Accessibility.insee.in_(members),
            )
        ).all()
    )
    row = session.get(TerritoryApl, (snapshot, kind, code, GP))
    main = max(cards, key=lambda c: c.population or 0)  # its areas are the references
    return TerritoryCard(
        kind=kind,  # type: ignore[arg-type]  # one of the two kinds looked for
        code=code,
        name=row.name if row else code,
        unit=UNITS[kind],
        population=sum(c.population or 0 for c in cards),
        communes=[
            TerritoryCommune(
                insee=c.insee,
                name=c.name,
                population=c.population,
                zone_class=c.zone.zone_class,
                zone_status=c.zone.status,
                decided_on=c.zone.decided_on,
            )
            for c in cards
        ],
        classes=dict(
            Counter(c.zone.zone_class.value if c.zone.zone_class else "inconnue" for c in cards)
        ),
        apl_le65=row.value_le65 if row else None,
        apl_history=_history(cards, weights),
        departement=main.departement,
        region=main.region,
        figures=[
            f for shown in main.figures if (f := _figure(_spec(shown), shown, cards)) is not None
        ],
        provenance=list(
            {
                p.dataset: p
                for c in cards
                for p in (c.population_provenance, c.zone.provenance)
                if p is not None
            }.values()
        ),
    )


def _history(cards: list[CommuneCard], weights: dict[str, int | None]) -> list[AplPoint]:
    """Each year's APL of the communes, weighted by their population in the APL 2023 file."""
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    datasets: dict[int, str] = {}
    for card in cards:
        weight = weights.get(card.insee) or 0
        for point in card.apl.history if card.apl else []:
            sums[point.year][0] += point.value * weight
            sums[point.year][1] += weight
            datasets[point.year] = point.dataset
    return [
        AplPoint(year=year, value=round(total / weight, 3), dataset=datasets[year])
        for year, (total, weight) in sorted(sums.items())
        if weight > 0
    ]


def _spec(shown: Figure) -> FigureSpec:
    """The declaration a card's figure comes from (two may share a key, one dataset each)."""
    dataset = shown.provenance.dataset if shown.provenance else None
    return next(
        s for s in FIGURES if s.key == shown.key and (dataset is None or s.dataset == dataset)
    )


def _figure(spec: FigureSpec, shown: Figure, cards: list[CommuneCard]) -> Figure | None:
    """The territory's figure from its communes': their sum, or their mean weighted by
    population over at least half of it, with the references of its most populous commune's
    département, région and France (``shown``, that commune's figure)."""
    if spec.scope != "commune":
        return None
    values = [next((f.value for f in c.figures if f.key == spec.key), None) for c in cards]
    known = [(v, c.population or 0) for v, c in zip(values, cards, strict=True) if v is not None]
    population = sum(c.population or 0 for c in cards)
    value: float | None = None
    if spec.territory == "sum" and known and len(known) == len(cards):
        value = round(sum(v for v, _ in known), spec.digits)
    elif spec.territory == "mean" and known and 2 * sum(w for _, w in known) >= population:
        value = round(sum(v * w for v, w in known) / sum(w for _, w in known), 3)
    how = (
        "somme des communes du territoire"
        if spec.territory == "sum"
        else "moyenne des communes du territoire pondérée par leur population"
    )
    reason = None
    if value is None:
        reason = (
            f"connue pour {len(known)} communes sur {len(cards)} seulement"
            if known
            else shown.reason or "non disponible pour ces communes"
        )
    return Figure(
        key=spec.key,
        label=shown.label,
        value=value,
        unit=shown.unit,
        scope="commune",
        status="disponible" if value is not None else "non disponible",
        reason=reason,
        references=shown.references,
        references_note=" ; ".join(n for n in (how, shown.references_note) if n),
        provenance=shown.provenance,
    )
