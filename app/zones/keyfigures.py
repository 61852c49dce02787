"""The card's key figures, each declared once: what it is, where it comes from, how to read it.

A declaration names its key, label, unit (or the unit its dataset declares in the manifest),
scope, dataset, reading note and whether more is better (the comparison derives from it); its
``read`` gives the value and the reference values of the commune's département, région and
France, or the reason there is none. One function turns a declaration into a card figure, so
status, reason and provenance are set the same way for every figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from app.zones import figures
from app.zones.accessibility import Model
from app.zones.book import AplRow
from app.zones.data import SnapshotData, Sources
from app.zones.network import GP, GP_2021, Network

AREAS = ("departement", "region", "france")
Json = dict[str, Any]  # a card's part, as ``schemas.Figure`` declares it


def references(
    departement: float | None = None, region: float | None = None, france: float | None = None
) -> Json:
    """The same figure for the commune's département, région and France (``References``)."""
    return {"departement": departement, "region": region, "france": france}


NO_REFERENCES = references()


@dataclass(frozen=True)
class CardInputs:
    """What the figures of one commune's card read: its rows and its snapshot's aggregates."""

    commune: Any  # the card book's row
    data: SnapshotData
    network: Network
    access: dict[str, AplRow]  # by profession
    territories: dict[tuple[str, str], Any]  # the book's rows, by (kind, profession)
    ages: list[list[Any]] | None  # five-year bands by sex
    facts: dict[tuple[str, str], float]  # by (kind, key): the commune's, its bassin's, its areas'


class Reading(NamedTuple):
    value: float | int | None
    references: Json = NO_REFERENCES
    reason: str | None = None  # why there is no value
    status: str | None = None  # the source's own (secrecy); else from the value
    note: str | None = None  # added to the declaration's note


Scope = Literal["commune", "département", "bassin de vie"]


@dataclass(frozen=True)
class FigureSpec:
    key: str
    label: str
    unit: str | None  # None: the dataset's unit (manifest)
    scope: Scope
    dataset: str | None  # None: a figure no open source gives
    note: str | None
    read: Callable[[FigureSpec, CardInputs], Reading | None]  # None: another figure stands for it
    more_is_better: bool | None = None  # compared across communes when set
    # why the figure is missing when its dataset is not loaded; None: left out of the card
    missing: str | None = "données non chargées sur ce service"
    profession: str = GP  # the APL figures'
    attribute: str = "value"
    digits: int = 1  # the fact figures', as the source gives them; 0: a whole number
    # a territory's value from its communes': their sum (counts), or their mean weighted by
    # population (rates, times); the commune figures only
    territory: Literal["sum", "mean"] = "mean"


def key_figures(inputs: CardInputs) -> list[Json]:
    """The card's figures, in the declarations' order."""
    templates = inputs.data.kept("figures", lambda: _templates(inputs.data.sources))
    return [
        shown
        for spec, template in templates.items()
        if (shown := _figure(spec, template, inputs)) is not None
    ]


def _figure(spec: FigureSpec, template: Json, inputs: CardInputs) -> Json | None:
    """The commune's figure for one declaration, or ``None`` when the card leaves it out."""
    if template["provenance"] is None:
        return template  # missing whatever the commune: the same every time
    reading = spec.read(spec, inputs)
    if reading is None:
        return None
    value = reading.value
    shown = template | {
        "value": value,
        "status": reading.status or ("disponible" if value is not None else "non disponible"),
        "reason": reading.reason if value is None else None,
        "references": reading.references,
    }
    if reading.note:
        shown["references_note"] = f"{spec.note} ; {reading.note}" if spec.note else reading.note
    return shown


def _templates(sources: Sources) -> dict[FigureSpec, Json]:
    """What each declaration's figure holds whatever the commune, for the snapshot's
    datasets; a figure without its dataset, the whole of it (left out: no entry)."""
    templates = {}
    for spec in FIGURES:
        held = spec.dataset if spec.dataset is not None and spec.dataset in sources else None
        if held is None and spec.missing is None:
            continue
        templates[spec] = {
            "key": spec.key,
            "label": spec.label,
            "value": None,
            "unit": spec.unit if spec.unit is not None else sources.unit(held) if held else "",
            "scope": spec.scope,
            "status": "non disponible",
            "reason": None if held else spec.missing,
            "references": NO_REFERENCES,
            "references_note": spec.note,
            "provenance": sources.as_json(held) if held else None,
        }
    return templates


# --- readers -------------------------------------------------------------------------------


def _apl(spec: FigureSpec, inputs: CardInputs) -> Reading:
    """The commune's APL and its areas' population-weighted means."""
    row = inputs.access.get(spec.profession)

    def area(kind: str) -> float | None:
        territory = inputs.territories.get((kind, spec.profession))
        return getattr(territory, spec.attribute) if territory else None

    return Reading(
        getattr(row, spec.attribute) if row else None,
        references(*(area(kind) for kind in AREAS)),
        "commune absente du fichier APL (créée depuis)",
    )


def _population(spec: FigureSpec, inputs: CardInputs) -> Reading:
    commune, population = inputs.commune, inputs.data.population
    return Reading(
        commune.population,
        references(
            population[commune.departement], population[f"R{commune.region}"], population["FR"]
        ),
    )


def _aged(age: int) -> Callable[[FigureSpec, CardInputs], Reading]:
    def read(spec: FigureSpec, inputs: CardInputs) -> Reading:
        return Reading(
            figures.share_aged(inputs.ages, age) if inputs.ages else None,
            reason="structure par âge connue des seules communes de 3 300 habitants ou plus",
        )

    return read


DROM_GROUPED = "les DROM sont regroupés (« 97 ») dans la source RPPS"


def _gp_count(spec: FigureSpec, inputs: CardInputs) -> Reading:
    """The département's GPs (under statistical secrecy), the région's and France's."""
    data, commune = inputs.data, inputs.commune
    shown = figures.counted(data.gp_count_of(commune.departement), DROM_GROUPED)
    return Reading(
        shown.value,
        references(None, data.gp_count_of_region(commune.region), data.gp_count["FR"]),
        shown.reason,
        shown.status,
    )


def _gp_density(spec: FigureSpec, inputs: CardInputs) -> Reading:
    """Per 100,000 inhabitants, shown or masked as the count is (``_gp_count``)."""
    data, commune = inputs.data, inputs.commune
    count = _gp_count(spec, inputs)
    return Reading(
        figures.density(
            data.gp_count_of(commune.departement), data.population[commune.departement]
        ),
        references(
            None,
            figures.density(
                data.gp_count_of_region(commune.region), data.population[f"R{commune.region}"]
            ),
            figures.density(data.gp_count["FR"], data.population["FR"]),
        ),
        count.reason,
        count.status,
    )


def _care(category: str) -> Callable[[FigureSpec, CardInputs], Reading]:
    """Structures of one category in the commune, and the totals of its areas (FINESS+)."""

    def read(spec: FigureSpec, inputs: CardInputs) -> Reading:
        count, commune = inputs.data.care_count, inputs.commune
        return Reading(
            count[(commune.insee, category)],
            references(
                count[(commune.departement, category)],
                count[(f"R{commune.region}", category)],
                count[("FR", category)],
            ),
        )

    return read


def _fact(spec: FigureSpec, inputs: CardInputs) -> Reading:
    """A ``fact`` row of the commune (or of its bassin de vie 2022) and of its areas."""

    def rounded(value: float | None) -> float | int | None:
        if value is None:
            return None
        return round(value) if spec.digits == 0 else round(value, spec.digits)

    own = "commune" if spec.scope == "commune" else "bv2022"
    return Reading(
        rounded(inputs.facts.get((own, spec.key))),
        references(*(rounded(inputs.facts.get((kind, spec.key))) for kind in AREAS)),
        f"valeur absente de la source pour ce {spec.scope}",
    )


def _unless_finess_plus(spec: FigureSpec, inputs: CardInputs) -> Reading | None:
    """The presence of an MSP (FINESS) stands for the FINESS+ count when that feed is absent."""
    return None if "finess-structures" in inputs.data.sources else _fact(spec, inputs)


def _rpps(
    per_commune: Callable[[Network, int, list[tuple[str, str]]], Reading],
) -> Callable[[FigureSpec, CardInputs], Reading | None]:
    """A figure from the national RPPS extract: ``per_commune`` reads the commune's index in the
    network and its département, région and France."""

    def read(spec: FigureSpec, inputs: CardInputs) -> Reading | None:
        network, commune = inputs.network, inputs.commune
        if network.gps is None or network.rpps_apl is None:
            return None  # the RPPS count of every mode (``gp_rpps``) stands for it
        i = network.index.get(commune.insee)
        if i is None:
            return Reading(
                None,
                reason="commune sans population standardisée DREES (Paris, Lyon, Marseille : "
                "voir leurs arrondissements)",
            )
        areas = [
            ("departement", commune.departement),
            ("region", commune.region),
            ("france", "FR"),
        ]
        return per_commune(network, i, areas)

    return read


def _practising(network: Network, i: int, areas: list[tuple[str, str]]) -> Reading:
    gps = network.gps
    assert gps is not None
    sums = (round(network.rpps_totals(*area)[0], 1) for area in areas)
    return Reading(round(float(gps[i]), 1), references(*sums))


def _rpps_apl(network: Network, i: int, areas: list[tuple[str, str]]) -> Reading:
    apl = network.rpps_apl
    assert apl is not None
    means = (network.rpps_totals(*area)[1] for area in areas)
    return Reading(
        round(float(apl[i]), 3),
        references(*(None if m is None else round(m, 3) for m in means)),
        note=f"{network.model.describe()} ; {activity_note(network.model)}",
    )


def activity_note(model: Model) -> str:
    return (
        f"1 médecin à temps plein = {model.activity.per_gp:,} actes par an ".replace(",", "\u202f")
        + "(l'activité que la DREES impute à un médecin libéral nouvellement installé)"
    )


def _never(spec: FigureSpec, inputs: CardInputs) -> Reading:
    """A figure without a dataset is never read: its ``missing`` says why."""
    raise AssertionError(spec.key)


APL_NOTE = "moyennes des communes pondérées par leur population"
BASSIN_NOTE = "valeur du bassin de vie 2022 ; moyennes des bassins pondérées par la population"
INCOME_NOTE = (
    "valeur du bassin de vie 2022 (2021) ; moyennes des bassins pondérées par la population"
)
FINESS_PLUS_MISSING = "liste nationale FINESS+ non chargée ici"


def _apl_spec(key: str, label: str, dataset: str, profession: str, attribute: str) -> FigureSpec:
    return FigureSpec(
        key,
        label,
        None,
        "commune",
        dataset,
        APL_NOTE,
        _apl,
        True,
        profession=profession,
        attribute=attribute,
    )


def _care_spec(key: str, label: str, category: str, missing: str | None) -> FigureSpec:
    return FigureSpec(
        key,
        label,
        "structures",
        "commune",
        "finess-structures",
        "nombre total dans chaque territoire",
        _care(category),
        missing=missing,
        territory="sum",
    )


# In the card's order. A new figure is one declaration here.
FIGURES = (
    _apl_spec("apl_mg", "APL aux médecins généralistes (tous âges)", "apl-mg", GP, "value"),
    _apl_spec(
        "apl_mg_le65",
        "APL aux médecins généralistes de 65 ans et moins",
        "apl-mg",
        GP,
        "value_le65",
    ),
    _apl_spec(
        "apl_mg_le62",
        "APL aux médecins généralistes de 62 ans et moins",
        "apl-mg-2021",
        GP_2021,
        "value_le62",
    ),
    _apl_spec("apl_inf", "APL aux infirmiers (65 ans et moins)", "apl-inf", "infirmier", "value"),
    _apl_spec(
        "apl_mk",
        "APL aux masseurs-kinésithérapeutes (65 ans et moins)",
        "apl-mk",
        "masseur_kinesitherapeute",
        "value",
    ),
    _apl_spec("apl_sf", "APL aux sages-femmes", "apl-sf", "sage_femme", "value"),
    _apl_spec(
        "apl_cd",
        "APL aux chirurgiens-dentistes (65 ans et moins)",
        "apl-cd",
        "chirurgien_dentiste",
        "value",
    ),
    FigureSpec(
        "population",
        "Population municipale",
        "habitants",
        "commune",
        "communes-reference",
        "population totale de chaque territoire (France : métropole et DROM)",
        _population,
        territory="sum",
    ),
    *(
        FigureSpec(
            f"share_{age}_plus",
            f"Part des {age} ans ou plus",
            "%",
            "commune",
            "population-age",
            "non disponibles : la source ne couvre que les communes de 3 300 habitants ou plus",
            _aged(age),
        )
        for age in (65, 75)
    ),
    FigureSpec(
        "gp_count",
        "Médecins généralistes du département (RPPS)",
        "médecins",
        "département",
        "rpps-departements",
        "spécialistes et qualifiés en médecine générale (SM53, SM26), tous modes d'exercice, "
        "un lieu d'exercice par médecin",
        _gp_count,
    ),
    FigureSpec(
        "gp_density",
        "Densité de médecins généralistes du département",
        "pour 100 000 habitants (population COG 2026)",
        "département",
        "rpps-departements",
        None,
        _gp_density,
        True,
    ),
    FigureSpec(
        "msp_count",
        "Maison de santé pluriprofessionnelle dans la commune",
        "présence (1 = oui)",
        "commune",
        "msp-finess-2026",
        "FINESS (catégorie 603) ; nombre de communes qui en accueillent une dans chaque territoire",
        _unless_finess_plus,
        digits=0,
        territory="sum",
    ),
    _care_spec("msp_count", "Maisons de santé pluriprofessionnelles (MSP)", "MSP", None),
    _care_spec("cds_count", "Centres de santé", "CDS", FINESS_PLUS_MISSING),
    _care_spec(
        "cpts_count",
        "Communautés professionnelles territoriales de santé (CPTS), siège",
        "CPTS",
        FINESS_PLUS_MISSING,
    ),
    FigureSpec(
        "gp_practising",
        "Médecins généralistes exerçant dans la commune (RPPS)",
        "médecins",
        "commune",
        "rpps-activite",
        "libéraux et salariés de centre de santé ; un médecin exerçant dans k communes compte "
        "pour 1/k dans chacune ; totaux de chaque territoire",
        _rpps(_practising),
        missing=None,
        territory="sum",
    ),
    FigureSpec(
        "apl_rpps",
        "APL recalculée par zonage avec le RPPS (tous âges)",
        "C./an/hab.",
        "commune",
        "rpps-activite",
        "estimation zonage, à comparer à l'APL DREES tous âges (RPPS sans date de naissance : "
        "pas de borne d'âge) ; moyennes pondérées par la population",
        _rpps(_rpps_apl),
        missing=None,
    ),
    FigureSpec(
        "gp_rpps",
        "Médecins généralistes exerçant dans la commune (RPPS, tous modes d'exercice)",
        "médecins",
        "commune",
        "rpps-communes-2026",
        "libéraux, salariés et hospitaliers, comptés une fois par lieu d'exercice ; totaux de "
        "chaque territoire ; les libéraux seuls demandent l'extraction RPPS nationale (« zonage "
        "data rpps »)",
        _fact,
        digits=0,
        territory="sum",
    ),
    FigureSpec(
        "emergency_minutes",
        "Temps d'accès au service d'urgence le plus proche (SU ou SMUR)",
        "minutes",
        "commune",
        "urgences-drees-2019",
        "0 quand la commune en accueille un ; moyennes pondérées par la population",
        _fact,
        False,
    ),
    FigureSpec(
        "ald_share",
        "Part de la population en affection de longue durée (ALD)",
        "%",
        "bassin de vie",
        "cartosante-bv-2024",
        BASSIN_NOTE,
        _fact,
    ),
    FigureSpec(
        "gp_density_liberal",
        "Médecins généralistes libéraux pour 10 000 habitants",
        "pour 10 000 habitants",
        "bassin de vie",
        "cartosante-bv-2024",
        BASSIN_NOTE,
        _fact,
        True,
    ),
    FigureSpec(
        "poverty_rate",
        "Taux de pauvreté",
        "%",
        "bassin de vie",
        "insee-social-bv-2022",
        INCOME_NOTE,
        _fact,
    ),
    FigureSpec(
        "median_income",
        "Niveau de vie médian",
        "€ par an",
        "bassin de vie",
        "insee-social-bv-2022",
        INCOME_NOTE,
        _fact,
        digits=0,
    ),
    FigureSpec(
        "patients_c2s_sans_medecin_traitant",
        "Patients bénéficiaires de la C2S, patients sans médecin traitant",
        "",
        "commune",
        None,
        None,
        _never,
        missing="données de l'Assurance Maladie non publiées en données ouvertes à la commune ni "
        "au bassin de vie",
    ),
)
# the figures compared across communes: whether more is better (True) or worse (False)
COMPARED = {s.key: s.more_is_better for s in FIGURES if s.more_is_better is not None}
