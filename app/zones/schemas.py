"""Response models of the zones API."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from app.geocoding.schemas import GeocodeMatch
from app.zones.classify import ZoneClass

# Checked with its French message by ``card.normalise_insee``; declared for clients here.
INSEE_PATTERN = r"^(?:[0-9]{5}|2[ABab][0-9]{3})$"


class Provenance(BaseModel):
    """Where a figure comes from."""

    dataset: str
    title: str
    vintage: str
    attribution: str
    licence: str
    official: bool = True
    url: str | None = Field(default=None, description="Page de la source")


class AreaRef(BaseModel):
    code: str
    name: str


class Point(BaseModel):
    lon: float
    lat: float


class ThresholdDistance(BaseModel):
    """How far an APL is from the zonage thresholds (negative: below)."""

    indicator: Literal["all_ages", "le65"]
    to_zip_max: float
    to_vivier_max: float


class AplPoint(BaseModel):
    year: int
    value: float
    dataset: str = Field(description="Jeu de données de la valeur (voir history_provenance)")


class Apl(BaseModel):
    """Accessibilité potentielle localisée to general practitioners."""

    all_ages: float | None = Field(description="APL sans borne d'âge")
    le65: float | None = Field(description="APL aux médecins de 65 ans et moins")
    le62: float | None = Field(description="APL aux médecins de 62 ans et moins")
    unit: str
    derivation: Literal["source", "fusion", "arrondissements"] = Field(
        description="source : valeur du fichier ; fusion : moyenne des anciennes communes "
        "pondérée par la population standardisée ; arrondissements : idem sur les arrondissements"
    )
    source_codes: list[str]
    zip_max: float
    vivier_max: float
    distances: list[ThresholdDistance]
    provenance: Provenance
    history: list[AplPoint] = Field(
        description="APL sans borne d'âge de la commune, millésime par millésime (2015 à "
        "2019 : série historique DREES ; 2021 à 2023 : fichiers DREES) ; 2020 n'est pas publié"
    )
    history_provenance: list[Provenance]


class Territory(BaseModel):
    """The unit of an estimate: the territoire de vie-santé when the official table is loaded,
    else the bassin de vie 2012, else the commune alone."""

    kind: Literal["tvs", "bv2012", "commune"]
    code: str
    name: str
    apl_le65: float
    communes: int
    population: int


FrrStatus = Literal["socle", "plus", "bénéficiaire", "partielle", "non classée", "absente"]


class Frr(BaseModel):
    """The commune's France Ruralités Revitalisation classification (art. 44 quindecies A
    CGI), which opens the FRR tax exemption."""

    status: FrrStatus = Field(
        description="socle, plus (FRR+), bénéficiaire (ancienne ZRR gardée par la loi de "
        "finances 2025), partielle (selon l'adresse), non classée, absente de la liste"
    )
    label: str
    provenance: Provenance


class LatestArrete(BaseModel):
    """A région's latest known zonage arrêté (declared in the project, app/zones/arretes.py)."""

    authority: str
    what: str = Field(description="Ce que l'ARS a publié")
    decided_on: date | None = Field(default=None, description="Date de l'arrêté, quand lue")
    in_force: date | None = Field(default=None, description="Entrée en vigueur, quand lue")
    valid_until: date | None = Field(default=None, description="Fin de validité, quand lue")
    page: str = Field(description="Page de l'ARS où vérifier la classe")
    confidence: str
    note: str | None = None


class ClassDoubt(BaseModel):
    reason: str = Field(description="Pourquoi la classe affichée peut ne plus être en vigueur")
    arrete: LatestArrete | None = None


class PreviousClass(BaseModel):
    zone_class: ZoneClass
    decided_on: date | None = Field(default=None, description="Date de son arrêté")


class Zone(BaseModel):
    """The zone class shown: the published one when held, else our estimate."""

    zone_class: ZoneClass | None
    status: Literal["publié", "estimation", "non disponible"]
    published_for: str | None = Field(
        default=None,
        description="Commune pour laquelle la classe est publiée, quand c'est la commune parente "
        "d'un arrondissement municipal",
    )
    zrr: str | None = None
    frr: Frr | None = Field(
        default=None,
        description="Classement France Ruralités Revitalisation ; absent : liste FRR non chargée",
    )
    zone_rouge: bool | None = Field(
        default=None,
        description="Commune d'un des 151 EPCI « zones rouges » de la mission de solidarité "
        "territoriale ; absent : liste non épinglée, ou partielle et muette sur cet EPCI (non "
        "vérifié)",
    )
    decided_on: date | None = Field(
        default=None, description="Date de l'arrêté de l'ARS (table officielle des zonages)"
    )
    authority: str | None = Field(default=None, description="ARS qui a pris l'arrêté")
    known_on: date | None = Field(
        default=None,
        description="Jour où la source donne la classe en vigueur : mise à jour de la table "
        "officielle, ou date de la copie non officielle",
    )
    since: date | None = Field(
        default=None,
        description="Date de l'arrêté depuis lequel la commune a cette classe, d'après les "
        "millésimes épinglés de la table officielle",
    )
    previous: PreviousClass | None = Field(
        default=None,
        description="La classe d'avant et la date de son arrêté (millésime plus ancien de la "
        "table officielle) ; absent : aucun changement connu",
    )
    doubt: ClassDoubt | None = Field(
        default=None,
        description="Pourquoi la classe publiée peut ne plus être en vigueur aujourd'hui "
        "(nouvel arrêté de l'ARS, validité échue) : les aides qui la lisent sont à vérifier ; "
        "absent : rien ne l'indique",
    )
    tvs: AreaRef | None = Field(
        default=None, description="Territoire de vie-santé de la commune (table officielle)"
    )
    explanation: str | None = Field(
        default=None,
        description="Ce que la classe veut dire, et pourquoi elle peut différer de ce que "
        "l'APL de la commune seule suggère",
    )
    method: str | None = None
    territory: Territory | None = None
    provenance: Provenance | None = None


class References(BaseModel):
    """The same figure for the commune's département, région and France."""

    departement: int | float | None = None
    region: int | float | None = None
    france: int | float | None = None


class Figure(BaseModel):
    """A key figure, its scope, its reference values and where it comes from."""

    key: str
    label: str
    value: int | float | None
    unit: str
    scope: Literal["commune", "département", "bassin de vie"]
    status: Literal["disponible", "masqué", "non disponible"]
    reason: str | None = None
    references: References = References()
    references_note: str | None = None
    provenance: Provenance | None = None


class NearbyHospital(BaseModel):
    finess: str
    name: str
    category: str | None
    general: bool = Field(
        description="Hôpital général (CH, CHU, CHI), listé avant les autres sites"
    )
    public_private: str | None
    city: str | None
    lon: float
    lat: float
    distance_km: float = Field(description="Distance à vol d'oiseau depuis la mairie")


class ShortageTarget(BaseModel):
    threshold: float
    actes_per_year: int = Field(
        description="Actes par an à ajouter dans la commune (0 : déjà au-dessus)"
    )
    full_time_gps: float = Field(description="Les mêmes actes en médecins à temps plein")


class Shortage(BaseModel):
    """What one installation in the commune would need to lift its APL to each threshold."""

    indicator: Literal["le65"] = "le65"
    targets: list[ShortageTarget]
    status: Literal["estimation", "non disponible"] = "estimation"
    reason: str | None = None
    method: str
    provenance: Provenance


class AgeingShare(BaseModel):
    scope: Literal["commune", "departement", "region", "france"]
    over65: float | None = Field(description="Part de l'APL due aux médecins de plus de 65 ans")
    over62: float | None = Field(description="Part de l'APL due aux médecins de plus de 62 ans")


class Ageing(BaseModel):
    """Share of the commune's accessibility that depends on GPs close to retirement."""

    shares: list[AgeingShare]
    method: str = (
        "1 − APL des médecins de 65 (ou 62) ans et moins ÷ APL sans borne d'âge, sur l'APL "
        "2021 : le dernier millésime que la DREES publie avec la variante 62 ans et moins"
    )
    provenance: Provenance


class ZoneHead(BaseModel):
    zone_class: ZoneClass | None
    status: Literal["publié", "estimation", "non disponible"]
    zrr: str | None = None
    frr: Frr | None = None
    zone_rouge: bool | None = None
    decided_on: date | None = None
    known_on: date | None = None


class TerritoryLink(BaseModel):
    """The territory a commune belongs to: its territoire de vie-santé, else its bassin de vie
    2012, and where its card is."""

    kind: Literal["tvs", "bv2012"]
    code: str
    name: str
    href: str


class CardHead(BaseModel):
    """What an aid simulation reads of a card: the place and its zone (read from the cached
    card's JSON in a quarter of the time the whole card takes)."""

    insee: str
    name: str
    region: AreaRef
    zone: ZoneHead


class CommuneCard(BaseModel):
    """What a doctor sees for a commune."""

    insee: str
    name: str
    kind: Literal["COM", "ARM"]
    parent_insee: str | None
    departement: AreaRef
    region: AreaRef
    epci: AreaRef | None
    postcodes: list[str]
    population: int | None
    population_provenance: Provenance
    centroid: Point | None
    townhall: Point | None
    bbox: list[float] | None = Field(description="[ouest, sud, est, nord] en WGS 84")
    area_km2: float | None
    contour_provenance: Provenance
    apl: Apl | None
    zone: Zone
    territory: TerritoryLink | None = Field(
        default=None, description="Le territoire de la commune et sa fiche"
    )
    shortage: Shortage | None
    ageing: Ageing | None
    figures: list[Figure]
    hospitals: list[NearbyHospital]
    hospitals_provenance: Provenance


EXAMPLE_INSEE = "31555"


class CommuneMatch(BaseModel):
    """A search result: enough to tell homonyms apart."""

    insee: str
    name: str
    departement: AreaRef
    postcodes: list[str]
    population: int


class CommuneMatches(BaseModel):
    query: str
    offset: int = Field(0, description="Résultats sautés avant le premier de cette page")
    results: list[CommuneMatch]


class Lookup(BaseModel):
    """The commune of a point or an address, and its card; an ambiguous address gives its
    candidates and no card."""

    status: Literal["trouvé", "ambigu"] = "trouvé"
    precision: Literal["adresse", "commune", "point"] | None = Field(
        default=None,
        description="Ce que la réponse situe : l'adresse tapée, la commune seulement (son adresse "
        "n'est pas connue hors ligne), ou le point donné",
    )
    lon: float | None
    lat: float | None
    address: GeocodeMatch | None = None
    candidates: list[GeocodeMatch] = []
    outside_m: int | None = Field(
        default=None,
        description="Point hors de tout contour (contours généralisés, littoral) : distance en "
        "mètres à la commune retenue, la plus proche à moins de 200 m",
    )
    commune: CommuneCard | None


class Extremes(BaseModel):
    best: list[str]
    worst: list[str]


class Comparison(BaseModel):
    """Cards side by side; for each figure, the communes with the best and worst value."""

    communes: list[CommuneCard]
    extremes: dict[str, Extremes]


class ClassifiedUnit(BaseModel):
    code: str
    name: str
    apl_le65: float
    population: int
    communes: int
    zone_class: ZoneClass


class RegionClassification(BaseModel):
    """The regional step re-run by an analyst, and how it compares with the published classes."""

    region: AreaRef
    zip_cap: float
    zac_cap: float
    method: str
    units: list[ClassifiedUnit]
    population_shares: dict[str, float] = Field(description="Part de la population régionale")
    confusion_communes: dict[str, dict[str, int]] = Field(
        description="Communes par classe estimée (lignes) et publiée (colonnes)"
    )
    confusion_population: dict[str, dict[str, int]]
    agreement_communes: float | None = Field(description="Part des communes publiées en accord")
    agreement_population: float | None
    published_provenance: Provenance


class WhatIfEffect(BaseModel):
    """One commune whose APL moves with the installation."""

    insee: str
    name: str
    delta: float = Field(description="Hausse de l'APL (consultations par habitant standardisé)")
    all_ages_before: float | None
    all_ages_after: float | None
    le65_before: float | None
    le65_after: float | None
    crossed: list[float] = Field(description="Seuils de zonage franchis par l'APL des ≤ 65 ans")


class WhatIfTerritory(BaseModel):
    """The zonage estimate's unit before and after the installation."""

    kind: Literal["tvs", "bv2012"] = "bv2012"
    code: str
    name: str
    apl_le65_before: float
    apl_le65_after: float
    class_before: ZoneClass
    class_after: ZoneClass


class WhatIf(BaseModel):
    """An installation's effect on the APL of the commune and its neighbours: an estimate."""

    status: Literal["estimation"] = "estimation"
    commune: AreaRef
    actes_per_year: int
    activity: str = Field(description="Comment l'activité a été comptée")
    zone: Zone = Field(description="Classe affichée aujourd'hui (publiée ou estimée)")
    territory: WhatIfTerritory | None
    effects: list[WhatIfEffect]
    method: str
    provenance: list[Provenance]


class WhatIfRequest(BaseModel):
    """A place (INSEE code, point or address) and an activity (actes per year of one GP, or
    full-time equivalents); one full-time GP when no activity is given."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"insee": "05061", "fte": 1}]},
    )

    insee: str | None = Field(
        default=None, examples=["05061"], json_schema_extra={"pattern": INSEE_PATTERN}
    )
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    address: str | None = Field(default=None, min_length=1, max_length=200)
    consultations: StrictInt | None = Field(
        default=None,
        ge=1,
        le=20_000,
        description="Actes par an d'un médecin (bornés par la méthode)",
    )
    fte: float | None = Field(
        default=None, gt=0, le=20, allow_inf_nan=False, description="Médecins à temps plein"
    )

    @model_validator(mode="after")
    def one_place_one_activity(self) -> WhatIfRequest:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat et lon vont ensemble")
        places = sum(x is not None for x in (self.insee, self.lat, self.address))
        if places != 1:
            raise ValueError("indiquez un lieu : insee, lat/lon ou address (un seul)")
        if self.consultations is not None and self.fte is not None:
            raise ValueError("indiquez consultations ou fte, pas les deux")
        return self


class TerritoryCommune(BaseModel):
    insee: str
    name: str
    population: int | None
    zone_class: ZoneClass | None
    zone_status: Literal["publié", "estimation", "non disponible"]
    decided_on: date | None


class TerritoryCard(BaseModel):
    """A territoire de vie-santé (the official table's), else the bassin de vie 2012 the
    estimate uses: its communes and their classes, its APL and its key figures from theirs."""

    kind: Literal["tvs", "bv2012"]
    code: str
    name: str
    unit: str = Field(description="Ce qu'est ce territoire, et pourquoi celui-là")
    population: int
    communes: list[TerritoryCommune]
    classes: dict[str, int] = Field(description="Communes par classe (publiée ou estimée)")
    apl_le65: float | None = Field(
        description="APL 2023 aux médecins de 65 ans et moins, moyenne des communes pondérée "
        "par la population : ce que l'estimation du zonage lit"
    )
    apl_history: list[AplPoint] = Field(
        description="APL tous âges année par année, moyenne des communes pondérée par leur "
        "population du fichier APL 2023"
    )
    departement: AreaRef = Field(description="Celui de la commune la plus peuplée : les références")
    region: AreaRef
    figures: list[Figure]
    provenance: list[Provenance]


class CommuneChange(BaseModel):
    """A commune whose class its région's last arrêté changed."""

    insee: str
    name: str
    population: int | None
    before: ZoneClass
    before_decided_on: date | None = Field(description="Date de l'arrêté de l'ancienne classe")
    after: ZoneClass
    tvs: AreaRef | None


class TerritoryChange(BaseModel):
    """The communes of one territoire de vie-santé that changed the same way."""

    tvs: AreaRef | None
    before: ZoneClass
    after: ZoneClass
    communes: int
    population: int


class AidAtStake(BaseModel):
    code: str
    label: str


class AidsAtStake(BaseModel):
    """What a change of class does to the aids of a doctor settling there, and of one already
    settled."""

    before: ZoneClass
    after: ZoneClass
    lost: list[AidAtStake] = Field(
        description="Aides dues sous l'ancienne classe et plus sous la nouvelle, pour le "
        "profil simulé : un nouvel arrivant ne peut plus les obtenir"
    )
    gained: list[AidAtStake] = Field(description="Aides que la nouvelle classe ouvre")
    kept: str = Field(description="Ce que garde un médecin installé sous l'ancienne classe")


class ZonageChanges(BaseModel):
    """What a région's last zonage arrêté changed: the communes and territories that entered
    or left ZIP or ZAC, compared with the older vintages of the official table."""

    region: AreaRef
    latest_known: LatestArrete | None = Field(
        description="Le dernier arrêté de zonage connu du projet pour la région (table "
        "déclarée, mise à jour à la main quand une ARS publie)"
    )
    last_arrete: date | None = Field(
        description="Date du dernier arrêté de la région dans la table officielle épinglée"
    )
    vintages: list[Provenance] = Field(description="Millésimes de la table officielle lus")
    compared: bool = Field(
        description="Au moins deux millésimes de la table officielle sont épinglés : sans "
        "cela, aucun changement ne peut être établi"
    )
    note: str
    communes: list[CommuneChange]
    territories: list[TerritoryChange]
    aids: list[AidsAtStake] = []
