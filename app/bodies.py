"""Answer bodies kept ready to send: built once, gzipped once, shared by the clients that ask
for them. HTTP plumbing with no web framework in it: the services that build the bodies and the
routes that send them both use it."""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")

# Responses gzipped per request (the middleware's) or once per card: level 5 takes 55–80 % of
# level 9's time for 1 % more bytes (a 22 KB card: 450–470 against 545–860 µs on this machine)
GZIP_LEVEL = 5


def gzipped(body: bytes, level: int = GZIP_LEVEL) -> bytes:
    """``body`` gzipped the same way every time (no timestamp): the same bytes, the same ETag."""
    return gzip.compress(body, compresslevel=level, mtime=0)


class Prepared:
    """A body ready to send, gzipped unless it is compressed already, with its ETag: built once
    per snapshot rather than once per client."""

    def __init__(self, body: bytes, compress: bool = True, level: int = 9) -> None:
        self.body = body
        self.gzipped = gzipped(body, level) if compress else None
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


# map layers and exports: France's largest export is 23 MB, and every département's or région's
# together weigh about as much as France's
PREPARED_BUDGET = 256 * 2**20


def prepared_bodies() -> Memo[Prepared]:
    """The store of a snapshot's layers and exports."""
    return Memo(PREPARED_BUDGET, lambda p: p.size)
