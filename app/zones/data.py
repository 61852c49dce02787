"""The active snapshot held in memory: what every request shares, rebuilt after a reload."""

from __future__ import annotations

import gc
import gzip
import hashlib
import logging
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

import numpy as np
from geoalchemy2.shape import to_shape
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from app.datasets.manifest import address_departements
from app.datasets.models import Snapshot
from app.datasets.snapshot import NoActiveSnapshot, active_snapshot_id
from app.errors import DataUnavailable
from app.zones import figures
from app.zones.accessibility import Model
from app.zones.classify import ZoneRow
from app.zones.models import (
    CareStructure,
    Commune,
    Departement,
    DoctorCount,
    Hospital,
    Region,
)
from app.zones.network import Network, build_network
from app.zones.schemas import (
    CardHead,
    Provenance,
)
from app.zones.search import Gazetteer, Locator, Place

T = TypeVar("T")
log = logging.getLogger(__name__)
DROM = {"971", "972", "973", "974", "976"}
PREPARED_BUDGET = 256 * 2**20
TABLES_BUDGET = 4  # France's zone rows under as many sets of thresholds


class Sources:
    """Provenance of each dataset of the active snapshot."""

    def __init__(self, datasets: list[dict[str, Any]]) -> None:
        self._by_name = {d["name"]: d for d in datasets}

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    @property
    def address_departements(self) -> list[str]:
        """The départements whose addresses the offline gazetteer holds."""
        return address_departements(list(self._by_name))

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


# Responses gzipped per request (the middleware's) or once per card: level 5 takes 55–80 % of
# level 9's time for 1 % more bytes (a 22 KB card: 450–470 against 545–860 µs on this machine)
GZIP_LEVEL = 5


class HeldCard:
    """A card's JSON, gzipped once for the clients that take it (compressing it per request
    cost more than answering it), and its place and zone for the simulations."""

    __slots__ = ("_gzipped", "body", "head")

    def __init__(self, body: bytes, head: CardHead) -> None:
        self.body, self.head = body, head
        self._gzipped: bytes | None = None

    @property
    def gzipped(self) -> bytes:
        """Compressed when first asked (the cards that lookups and comparisons build for
        themselves are never sent); two threads may both compress it, to the same bytes."""
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=GZIP_LEVEL, mtime=0)
        return self._gzipped


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
        # map layers and exports: France's largest export is 23 MB, and every département's or
        # région's together weigh about as much as France's
        self.prepared: Memo[Prepared] = Memo(PREPARED_BUDGET, lambda p: p.size)
        self.tables: Memo[list[ZoneRow]] = Memo(TABLES_BUDGET, lambda _: 1)
        self.cards: OrderedDict[tuple[object, ...], HeldCard] = OrderedDict()

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


class Prepared:
    """A body ready to send, gzipped unless it is compressed already, with its ETag: built once
    per snapshot rather than once per client."""

    def __init__(self, body: bytes, compress: bool = True, level: int = 9) -> None:
        self.body = body
        self.gzipped = gzip.compress(body, compresslevel=level, mtime=0) if compress else None
        self.etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


class Memo(Generic[T]):
    """Values built once per key, by one caller while the others wait for it (sixteen clients
    asking for France's export at once build it once), the least recently used dropped past
    ``budget`` bytes."""

    def __init__(self, budget: int, size: Callable[[T], int]) -> None:
        self._budget, self._size = budget, size
        self._values: OrderedDict[Hashable, T] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            value = build()
            with self._lock:
                self._values[key] = value
                self._held += self._size(value)
                self._building.pop(key, None)
                while self._held > self._budget and len(self._values) > 1:
                    self._held -= self._size(self._values.popitem(last=False)[1])
        return value


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

    def purge(self) -> None:
        """Forget the shared data: the next request rebuilds it from the database."""
        with self._lock:
            self._data, self._checked = None, 0.0

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

    def _build(self, session: Session, snapshot_id: int) -> SnapshotData:
        with self._lock:
            if self._data is None or self._data.id != snapshot_id:
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
