"""The active snapshot held in memory: what every request shares, rebuilt after a reload."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numpy as np
from geoalchemy2.shape import to_shape
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from app.bodies import prepared_bodies
from app.datasets.manifest import address_departements
from app.datasets.models import Snapshot
from app.datasets.snapshot import NoActiveSnapshot, active_snapshot_id
from app.errors import DataUnavailable
from app.zones import figures
from app.zones.accessibility import Model
from app.zones.book import read_book
from app.zones.classify import Thresholds
from app.zones.models import (
    CareStructure,
    Commune,
    Departement,
    DoctorCount,
    Hospital,
    Region,
)
from app.zones.network import Network, build_network
from app.zones.schemas import Provenance
from app.zones.search import Gazetteer, Locator, Place

T = TypeVar("T")
log = logging.getLogger(__name__)
DROM = {"971", "972", "973", "974", "976"}


class Sources:
    """Provenance of each dataset of the active snapshot."""

    def __init__(self, datasets: list[dict[str, Any]]) -> None:
        self._by_name = {d["name"]: d for d in datasets}
        self._json: dict[str, dict[str, Any]] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    @property
    def names(self) -> list[str]:
        return list(self._by_name)

    @property
    def address_departements(self) -> list[str]:
        """The départements whose addresses the offline gazetteer holds."""
        return address_departements(self.names)

    def __call__(self, name: str) -> Provenance:
        return Provenance.model_validate(self.as_json(name))

    def as_json(self, name: str) -> dict[str, Any]:
        """The dataset's ``Provenance`` as a card's JSON holds it: one shared dict, never
        changed, since every card repeats it."""
        held = self._json.get(name)
        if held is None:
            d = self._by_name[name]
            held = self._json[name] = {
                "dataset": d["name"],
                "title": d["title"],
                "vintage": d["vintage"],
                "attribution": d["attribution"],
                "licence": d["licence"],
                "official": d["official"],
                "url": d.get("url"),
            }
        return held

    def unit(self, name: str) -> str:
        return str(self._by_name[name].get("unit") or "")


NEAREST_GENERAL_HOSPITALS = 3
NEAREST_OTHER_HOSPITALS = 2


class NearbyHospitals:
    """Each commune's nearest general hospitals (CH, CHU, CHI) and other sites, from its town
    hall (else its centroid), found for all communes at once; as a card shows them."""

    def __init__(self, hospitals: list[Hospital], index: dict[str, int], points: Any) -> None:
        # one site per name and place (FINESS lists some sites twice), the first by number
        sites: dict[bool, dict[tuple[str, float, float], Hospital]] = {True: {}, False: {}}
        for h in hospitals:
            general = figures.general_hospital(h.category, f"{h.name} {h.site_name or ''}")
            sites[general].setdefault((h.site_name or h.name, h.lon, h.lat), h)
        self._index = index
        lons, lats = (np.array(column, dtype=float) for column in zip(*points, strict=True))
        located = ~(np.isnan(lons) | np.isnan(lats))
        rows = np.full(len(lons), -1)
        rows[located] = np.arange(located.sum())
        self._rows = rows.tolist()
        self._kinds = []
        for general, count in ((True, NEAREST_GENERAL_HOSPITALS), (False, NEAREST_OTHER_HOSPITALS)):
            held = list(sites[general].values())
            near, km = figures.nearest_each(
                lons[located],
                lats[located],
                np.array([h.lon for h in held]),
                np.array([h.lat for h in held]),
                count,
            )
            shown = [
                {
                    "finess": h.finess,
                    "name": h.site_name or h.name,
                    "category": h.category,
                    "general": general,
                    "public_private": h.public_private,
                    "city": h.city,
                    "lon": h.lon,
                    "lat": h.lat,
                }
                for h in held
            ]
            rounded = [[round(d, 1) for d in line] for line in km.tolist()]
            self._kinds.append((shown, near.tolist(), rounded))

    def of(self, insee: str) -> list[dict[str, Any]]:
        """The commune's nearest general hospitals, then other sites (``NearbyHospital``); none
        for a commune without a point."""
        row = self._rows[self._index[insee]]
        if row < 0:
            return []
        return [
            shown[n] | {"distance_km": d}
            for shown, near, km in self._kinds
            for n, d in zip(near[row], km[row], strict=True)
        ]


class SnapshotData:
    """What every request of a snapshot shares, kept in memory: gazetteer, point locator,
    areas, populations, GP counts and hospitals."""

    def __init__(self, session: Session, snapshot: Snapshot, model: Model) -> None:
        self.id = snapshot_id = snapshot.id
        self.model = model
        self._network: Network | None = None
        self._network_lock = threading.Lock()
        self.sources = Sources(snapshot.datasets)
        rows = session.execute(
            select(
                Commune.insee,
                Commune.name,
                Commune.departement,
                Commune.region,
                Commune.postcodes,
                Commune.population,
                Commune.kind,
                Commune.parent_insee,
                Commune.geom,
            )
            .where(Commune.snapshot_id == snapshot_id)
            .order_by(Commune.insee)  # the same order, hence the same answers, after a reload
        ).all()
        self.gazetteer = Gazetteer(
            [
                Place(
                    r.insee,
                    r.name,
                    r.departement,
                    tuple(r.postcodes),
                    r.population or 0,
                    r.parent_insee,
                )
                for r in rows
            ]
        )
        located = [r for r in rows if r.geom is not None]
        self.locator = Locator(
            [r.insee for r in located],
            [to_shape(r.geom) for r in located],
            finer={r.insee for r in rows if r.kind == "ARM"},
        )
        self.departements = {
            d.code: d
            for d in session.scalars(
                select(Departement).where(Departement.snapshot_id == snapshot_id)
            )
        }
        self.regions = {
            r.code: r
            for r in session.scalars(select(Region).where(Region.snapshot_id == snapshot_id))
        }
        self.population: dict[str, int] = defaultdict(int)  # by département, région and "FR"
        for r in rows:
            if r.kind == "COM":
                for area in (r.departement, f"R{r.region}", "FR"):
                    self.population[area] += r.population or 0
        self.gp_count: dict[str, int] = defaultdict(int)  # by RPPS area ("97" = DROM)
        for area, count in session.execute(
            select(DoctorCount.area, DoctorCount.count).where(
                DoctorCount.snapshot_id == snapshot_id,
                DoctorCount.specialty_code.in_(figures.GP_SPECIALTIES),
            )
        ):
            self.gp_count[area] += count
        self._gp_count_by_region = {code: self._gp_count_in(code) for code in self.regions}
        self.care_loaded = "finess-structures" in self.sources
        self.care_count: dict[tuple[str, str], int] = defaultdict(int)  # (area, category)
        places = {p.insee: p for p in self.gazetteer.places}
        for insee, category in session.execute(
            select(CareStructure.insee, CareStructure.category).where(
                CareStructure.snapshot_id == snapshot_id
            )
        ):
            place = places[insee]
            region = self.departements[place.departement].region_code
            for area in (insee, place.departement, f"R{region}", "FR"):
                self.care_count[(area, category)] += 1
        self.hospitals = list(
            session.scalars(
                select(Hospital)
                .where(Hospital.snapshot_id == snapshot_id)
                .order_by(Hospital.finess)
            )
        )
        self.book = book = read_book(session, snapshot_id)
        self.nearby_hospitals = NearbyHospitals(
            self.hospitals,
            book.index,
            (
                (c.townhall_lon or c.lon or np.nan, c.townhall_lat or c.lat or np.nan)
                for c in book.communes.values()
            ),
        )
        self.bodies = prepared_bodies()  # map layers and exports
        self._kept: dict[str, Any] = {}

    def kept(self, name: str, start: Callable[[], T]) -> T:
        """A store a room declares and keeps with this snapshot (the cards, the zone tables),
        dropped with it after a reload."""
        store = self._kept.get(name)
        if store is None:
            store = self._kept.setdefault(name, start())
        return cast(T, store)

    def network(self, session: Session) -> Network:
        """The E2SFCA network, built on first use (≈ 0.3 s for France)."""
        if self._network is None:
            with self._network_lock:
                if self._network is None:
                    self._network = build_network(session, self.id, self.model)
                    _out_of_gc_reach()
        return self._network

    @property
    def built_network(self) -> Network | None:
        """The network if built already: reading it then needs no database."""
        return self._network

    def gp_count_of(self, departement: str) -> int | None:
        """GPs practising in a département; None in the DROM, merged as "97" by the source."""
        return None if departement in DROM else self.gp_count.get(departement, 0)

    def gp_count_of_region(self, region: str) -> int | None:
        return self._gp_count_by_region.get(region)

    def _gp_count_in(self, region: str) -> int | None:
        counts = [
            self.gp_count_of(d.code) for d in self.departements.values() if d.region_code == region
        ]
        known = [c for c in counts if c is not None]
        return sum(known) if len(known) == len(counts) else None


def _out_of_gc_reach() -> None:
    """Move what exists now, the snapshot's long-lived indexes above all, out of the cyclic
    collector's reach: its full passes over them stopped every request for 110–180 ms. What
    they hold is still freed by reference counting when a reload replaces them."""
    gc.collect()
    gc.freeze()


class IndexCache:
    """The active snapshot's shared data, rebuilt when another snapshot becomes active."""

    def __init__(self, model: Model, recheck_s: float = 1.0) -> None:
        self.model = model
        self._lock = threading.Lock()
        self._claim_lock = threading.Lock()
        self._data: SnapshotData | None = None
        self._checked = 0.0
        self._due = False
        self._recheck_s = recheck_s

    def purge(self, session: Session) -> None:
        """Rebuild the shared data (indexes, cards) from the database; requests keep reading
        the data held until the new one replaces it (forgetting it stalled every request for
        the seconds a build takes)."""
        self._build(session, self._active(session), again=True)

    def _recent(self) -> bool:
        return time.monotonic() - self._checked < self._recheck_s

    def fresh(self) -> SnapshotData | None:
        """The data without asking the database; None before the first load, and for the one
        caller whose turn it is to have the active snapshot checked (through ``current`` in a
        worker thread). Every other caller keeps the data meanwhile."""
        data = self._data
        return None if data is None or self._claim() else data

    def _claim(self) -> bool:
        """True for the one caller whose turn it is to ask the database."""
        if self._recent():
            return False
        with self._claim_lock:
            if self._recent():
                return False
            self._checked, self._due = time.monotonic(), True
            return True

    def current(self, session: Session) -> SnapshotData:
        """Data of the active snapshot, rebuilt after a reload.

        Which snapshot is active is asked at most once per ``recheck_s``, by one request: the
        others keep the data meanwhile (64 requests asking at once stalled them all by 100 ms).
        A new snapshot's data is built aside while requests keep the previous one, which stays
        in the database until the next load: no request waits the seconds it takes, and every
        request reads one whole snapshot."""
        data = self._data
        if data is not None and not self._due and not self._claim():
            return data
        self._due = False
        snapshot_id = self._active(session)
        if data is None:  # nothing to serve meanwhile
            return self._build(session, snapshot_id)
        if data.id != snapshot_id and not self._lock.locked():
            threading.Thread(
                target=self._build_aside, args=(session.get_bind(), snapshot_id), daemon=True
            ).start()
        return data

    def refresh(self, session: Session) -> SnapshotData:
        """The active snapshot's data, built now if it changed: after this process's reload."""
        return self._build(session, self._active(session))

    def _active(self, session: Session) -> int:
        try:
            snapshot_id = active_snapshot_id(session)
        except NoActiveSnapshot as exc:
            raise DataUnavailable("Aucune donnée chargée : lancez « zonage data load ».") from exc
        self._checked = time.monotonic()
        return snapshot_id

    def _build(self, session: Session, snapshot_id: int, again: bool = False) -> SnapshotData:
        with self._lock:
            if again or self._data is None or self._data.id != snapshot_id:
                self._data = SnapshotData(
                    session, session.get_one(Snapshot, snapshot_id), self.model
                )
                _out_of_gc_reach()
            return self._data

    def _build_aside(self, bind: Engine | Connection, snapshot_id: int) -> None:
        try:
            with Session(bind) as session:
                self._build(session, snapshot_id)
        except Exception:  # the previous data stays served; the next check tries again
            log.exception("instantané %s : données en mémoire non construites", snapshot_id)


@dataclass(frozen=True)
class Estimate:
    """The national method's settings as one value — zonage thresholds and APL model — on which
    every estimated class and figure, and so every answer's key, depends."""

    thresholds: Thresholds
    model: Model


class Reader:
    """What one request or command reads through: a database session, opened on first use and
    closed with the reader; the active snapshot's data, asked for once (a request reads one
    snapshot); and the estimate."""

    __slots__ = ("_data", "_session", "_sessions", "cache", "estimate")

    def __init__(
        self, sessions: Callable[[], Session], cache: IndexCache, estimate: Estimate
    ) -> None:
        self._sessions, self.cache, self.estimate = sessions, cache, estimate
        self._session: Session | None = None
        self._data: SnapshotData | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = self._sessions()
        return self._session

    @property
    def data(self) -> SnapshotData:
        """The active snapshot's data, from the database the first time if need be."""
        if self._data is None:
            self._data = self.cache.current(self.session)
        return self._data

    def held(self) -> SnapshotData | None:
        """The data if this process holds it for a freshly checked snapshot: no database, so an
        answer from memory needs no worker thread."""
        return self._data or self.cache.fresh()

    @property
    def thresholds(self) -> Thresholds:
        return self.estimate.thresholds

    @property
    def model(self) -> Model:
        return self.estimate.model

    def close(self) -> None:
        """Give the session's connection back (in the thread that used it)."""
        if self._session is not None:
            self._session.close()
            self._session = None

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
