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
        d = self._by_name[name]
        return Provenance(
            dataset=d["name"],
            title=d["title"],
            vintage=d["vintage"],
            attribution=d["attribution"],
            licence=d["licence"],
            official=d["official"],
            url=d.get("url"),
        )

    def unit(self, name: str) -> str:
        return str(self._by_name[name].get("unit") or "")


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
        self.hospital_lons = np.array([h.lon for h in self.hospitals])
        self.hospital_lats = np.array([h.lat for h in self.hospitals])
        self.hospital_general = np.array(
            [
                figures.general_hospital(h.category, f"{h.name} {h.site_name or ''}")
                for h in self.hospitals
            ],
            dtype=bool,
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

    def gp_count_of(self, departement: str) -> int | None:
        """GPs practising in a département; None in the DROM, merged as "97" by the source."""
        return None if departement in DROM else self.gp_count.get(departement, 0)

    def gp_count_of_region(self, region: str) -> int | None:
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
