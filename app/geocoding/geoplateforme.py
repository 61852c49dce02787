"""The national geocoder of the Géoplateforme (successor of the BAN API), behind the same answer
as the offline gazetteer: timeouts, retries with backoff on 429 and 5xx, a small cache; in
``auto`` mode, a failure marks it unreachable for a while, during which requests go straight to
the offline gazetteer (no time lost on a network that is not there)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

import httpx

from app.geocoding.schemas import GeocodeMatch

RETRIED = {429, 500, 502, 503, 504}


class Unavailable(RuntimeError):
    """The service did not answer usefully; the caller falls back to the offline gazetteer."""


class Resting(Unavailable):
    """Auto mode: the service failed a moment ago and is not asked again yet."""


class Geoplateforme:
    def __init__(
        self,
        url: str,
        timeout_s: float = 3.0,
        retries: int = 3,
        backoff_s: float = 0.3,
        cache_size: int = 512,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        reprobe_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``reprobe_s``: after a failure, answer Unavailable at once for that long, then try
        again (``auto`` mode); None: try every request (the national geocoder was asked for)."""
        self.url = url
        self.reprobe_s = reprobe_s
        self.clock = clock
        self.down_until = float("-inf")
        self.retries = retries
        self.backoff_s = backoff_s
        self.client = client or httpx.Client(timeout=timeout_s)
        self.sleep = sleep
        self.cache: OrderedDict[tuple[str, int], list[GeocodeMatch]] = OrderedDict()
        self.cache_size = cache_size

    def search(self, query: str, limit: int) -> list[GeocodeMatch]:
        key = (query.strip().lower(), limit)
        if key in self.cache:
            self.cache.move_to_end(key)
            return self.cache[key]
        if self.clock() < self.down_until:
            raise Resting("géocodeur national injoignable au dernier essai")
        try:
            answer = self._get({"q": query, "limit": limit})
        except Unavailable:
            if self.reprobe_s is not None:
                self.down_until = self.clock() + self.reprobe_s
            raise
        matches = [_match(f) for f in answer["features"]]
        self.cache[key] = matches
        if len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)
        return matches

    def _get(self, params: dict[str, str | int]) -> dict:
        for attempt in range(self.retries):
            try:
                response = self.client.get(self.url, params=params)
            except httpx.HTTPError as exc:
                error: Exception = exc
            else:
                if response.status_code == 200:
                    return response.json()
                if response.status_code not in RETRIED:
                    raise Unavailable(f"réponse {response.status_code} du géocodeur national")
                error = Unavailable(f"réponse {response.status_code} du géocodeur national")
            if attempt + 1 < self.retries:
                self.sleep(self.backoff_s * 2**attempt)
        raise Unavailable(str(error))


def _match(feature: dict) -> GeocodeMatch:
    props = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"]
    return GeocodeMatch(
        label=props["label"],
        kind="commune" if props.get("type") == "municipality" else "adresse",
        score=min(max(float(props.get("score", 0)), 0.0), 1.0),
        insee=props["citycode"],
        commune=props.get("city", props["citycode"]),
        postcode=props.get("postcode"),
        lon=lon,
        lat=lat,
    )
