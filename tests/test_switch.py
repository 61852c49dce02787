"""A new snapshot's in-memory data is built aside: requests keep the previous snapshot's until
it is ready, and none waits for the build."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from app.settings import Settings
from app.zones import data as data_module
from app.zones.data import IndexCache
from app.zones.parameters import apl_model


class _Built:
    """Stands in for SnapshotData: records its snapshot, waits for the gate to open (the first
    build of snapshot 1 does not)."""

    gate = threading.Event()
    built: list[int] = []

    def __init__(self, session: object, snapshot: SimpleNamespace, model: object) -> None:
        if snapshot.id > 1 or self.built:
            self.gate.wait(10)
        self.built.append(snapshot.id)
        self.id = snapshot.id


class _Session:
    def __init__(self, *args: object) -> None:
        pass

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def get_one(self, model: object, snapshot_id: int) -> SimpleNamespace:
        return SimpleNamespace(id=snapshot_id)

    def get_bind(self) -> None:
        return None


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch) -> IndexCache:
    monkeypatch.setattr(_Built, "gate", threading.Event())
    monkeypatch.setattr(_Built, "built", [])
    monkeypatch.setattr(data_module, "SnapshotData", _Built)
    monkeypatch.setattr(data_module, "Session", _Session)
    monkeypatch.setattr(data_module, "active_snapshot_id", lambda session: ACTIVE[0])
    monkeypatch.setattr(data_module, "_out_of_gc_reach", lambda: None)
    ACTIVE[0] = 1
    return IndexCache(apl_model(Settings(_env_file=None)), recheck_s=0)


ACTIVE = [1]


def test_requests_keep_the_previous_snapshot_until_the_next_is_built(cache: IndexCache) -> None:
    active = ACTIVE
    session = _Session()
    assert cache.current(session).id == 1  # nothing served yet: built at once
    active[0] = 2
    started = time.monotonic()
    assert cache.current(session).id == 1 and cache.current(session).id == 1
    assert time.monotonic() - started < 1  # nobody waits for the build
    _Built.gate.set()
    deadline = time.monotonic() + 5
    while cache.current(session).id != 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert cache.current(session).id == 2
    active[0] = 3
    assert cache.refresh(session).id == 3  # after this process's own reload: at once


def test_a_purge_rebuilds_aside_while_requests_read_the_data_held(cache: IndexCache) -> None:
    """The purge runs in its own request; the others keep the data they had, then read the
    rebuilt data (forgetting it made every request wait for the build)."""
    session = _Session()
    held = cache.current(session)
    purge = threading.Thread(target=cache.purge, args=(session,))
    purge.start()
    deadline = time.monotonic() + 5
    while len(_Built.built) < 1 or not cache._lock.locked():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert cache.current(session) is held and cache.fresh() in (held, None)
    _Built.gate.set()
    purge.join(5)
    assert cache.current(session) is not held and cache.current(session).id == 1
    assert _Built.built == [1, 1]
