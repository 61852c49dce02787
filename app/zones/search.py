"""Find communes by name, postcode or INSEE code, and by point. Pure: built from plain rows.

Names are compared after folding accents, case, hyphens and apostrophes, spelling out "St"/"Ste"
and dropping a leading article, so "st etienne", "Saint-Étienne" and "ST-ETIENNE" meet.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import STRtree

from app.zones.figures import EARTH_RADIUS_KM, great_circle_km

_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_ARTICLES = {"le", "la", "les", "l"}
# words after which a place name belongs to a street ("avenue de Paris", "rue du Havre")
_LINKS = _ARTICLES | {"de", "du", "des", "d", "a", "au", "aux", "en", "sur", "sous"}
_DEPARTEMENT = re.compile(r"^(?:\d{2}|2[ab]|97\d)$")
_SEPARATORS = re.compile(r"[\s\-'’.,/()]+")
# no commune's name has more words (Saint-Remy-en-Bouzemont-Saint-Genest-et-Isson has 7): the
# words past it cannot all match, and a query of a hundred repeated words must stay cheap
MAX_WORDS = 8


def normalise(text: str) -> str:
    """Lower case, no accents, single spaces, "saint" spelled out, no leading article."""
    tokens = _folded(text).split()
    if len(tokens) > 1 and tokens[0] in _ARTICLES:
        tokens = tokens[1:]
    return " ".join(tokens)


def _folded(text: str) -> str:
    """Lower case, no accents, single spaces, "saint" spelled out: the whole name."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return " ".join(_ABBREVIATIONS.get(t, t) for t in _SEPARATORS.split(folded) if t)


@dataclass(frozen=True)
class Place:
    """What the gazetteer knows of a commune."""

    insee: str
    name: str
    departement: str
    postcodes: tuple[str, ...]
    population: int
    parent: str | None = None  # the city of a municipal arrondissement


class Gazetteer:
    """Ranked search over the communes of one snapshot."""

    def __init__(self, places: Sequence[Place]) -> None:
        self.places = list(places)
        self._keys = [normalise(p.name) for p in self.places]
        self._names = [_folded(p.name) for p in self.places]  # articles kept
        self._by_insee = {p.insee: i for i, p in enumerate(self.places)}
        self._by_postcode: dict[str, list[int]] = {}
        for i, place in enumerate(self.places):
            for postcode in place.postcodes:
                self._by_postcode.setdefault(postcode, []).append(i)
        # every word of every name, sorted, to find the names with a word starting with a token
        pairs = sorted((word, i) for i, key in enumerate(self._keys) for word in set(key.split()))
        self._words = [word for word, _ in pairs]
        self._word_owner = [i for _, i in pairs]
        self._joined = "\n".join(self._keys)
        self._starts = list(itertools.accumulate((len(k) + 1 for k in self._keys[:-1]), initial=0))

    def _containing(self, key: str) -> set[int]:
        """Names with ``key`` inside, found by one C-level scan of all names joined."""
        found, at = set(), self._joined.find(key)
        while at != -1:
            found.add(bisect.bisect_right(self._starts, at) - 1)
            at = self._joined.find(key, at + 1)
        return found

    def _with_prefix(self, token: str) -> set[int]:
        start = bisect.bisect_left(self._words, token)
        end = bisect.bisect_left(self._words, token + "\uffff")
        return set(self._word_owner[start:end])

    def get(self, insee: str) -> Place | None:
        """The commune of that code, if any."""
        index = self._by_insee.get(insee)
        return None if index is None else self.places[index]

    def search(self, query: str, limit: int = 20) -> list[Place]:
        """Best matches first: exact name, then prefix, then all words, then substring."""
        text = query.strip()
        if re.fullmatch(r"\d{5}|2[ABab]\d{3}", text):
            hits = [self._by_insee[text.upper()]] if text.upper() in self._by_insee else []
            by_size = sorted(
                self._by_postcode.get(text, []), key=lambda i: -self.places[i].population
            )
            return [self.places[i] for i in dict.fromkeys(hits + by_size)][:limit]
        tokens = normalise(text).split()
        if len(tokens) > 1 and _DEPARTEMENT.match(tokens[-1]):
            # "Saint-Denis 93"; but "Paris 15" names an arrondissement when no such commune is in 15
            found = self._scan(tokens[:-1], tokens[-1].upper(), limit)
            if found:
                return found
        return self._scan(tokens, None, limit)

    def named(self, text: str) -> tuple[list[Place], str]:
        """The communes a free text names, and the words that name them: a five-character
        code (INSEE or postcode) anywhere, else a whole name at the end ("10 rue de Metz
        Toulouse"; the whole text may be the name), unless a preposition or an article comes
        before it ("avenue de Paris" names a street)."""
        tokens = _folded(text).split()
        codes = [t.upper() for t in tokens if re.fullmatch(r"\d{5}|2[ab]\d{3}", t)]
        if codes:
            held = [self._by_insee[p.insee] for code in codes for p in self.search(code, 500)]
            # "Genevrières 52500": a postcode beside a name is that commune, not the INSEE code
            spelt = f" {' '.join(tokens)} "
            named = [
                i for i in held if any(f" {n} " in spelt for n in (self._names[i], self._keys[i]))
            ]
            if named:  # "Saint-Martin-d'Hères 38400" names it, not Saint-Martin beside it
                longest = max(len(self._names[i]) for i in named)
                named = [i for i in named if len(self._names[i]) == longest]
                return [self.places[i] for i in named], self._names[named[0]]
            return [self.places[i] for i in held], " ".join(codes)
        if len(tokens) > 1 and _DEPARTEMENT.match(tokens[-1]):  # "villard 74"
            found, key = self._name_at_end(tokens[:-1], tokens[-1].upper())
            if found:
                return found, key
        return self._name_at_end(tokens, None)

    def _name_at_end(self, tokens: list[str], departement: str | None) -> tuple[list[Place], str]:
        """The communes (of ``departement`` when given) whose whole name ends the text."""
        for size in range(min(5, len(tokens)), 0, -1):
            key = " ".join(tokens[-size:])
            if size < len(tokens) and tokens[-size - 1] in _LINKS:
                continue
            found = [
                self.places[i]
                for i in self._scan_exact(key)
                if departement is None or self.places[i].departement == departement
            ]
            if found:
                return found, key
        return [], ""

    def _scan_exact(self, key: str) -> list[int]:
        """The communes whose whole name, article included, is ``key``."""
        last = key.split()[-1]
        return [i for i in self._with_prefix(last) if self._names[i] == key]

    def _scan(self, tokens: list[str], departement: str | None, limit: int) -> list[Place]:
        key = " ".join(tokens)
        if not key:
            return []
        tokens = list(dict.fromkeys(tokens))[:MAX_WORDS]
        # names where every token starts a word, or that contain the whole query (from three
        # letters: one or two letters are inside most names)
        candidates = set.intersection(*(self._with_prefix(t) for t in tokens))
        if len(key) >= 3:
            candidates |= self._containing(key)
        scored = (
            (score, -self.places[i].population, self._keys[i], i)
            for i in candidates
            if not departement or self.places[i].departement == departement
            if (score := _score(self._keys[i], key, tokens)) is not None
        )
        return [self.places[i] for *_, i in heapq.nsmallest(limit, scored)]


def _score(name: str, key: str, tokens: list[str]) -> int | None:
    if name == key:
        return 0
    if name.startswith(key):
        return 1
    words = name.split()
    if all(any(w.startswith(t) for w in words) for t in tokens):
        return 2
    if key in name:
        return 3
    return None


class Locator:
    """Point in commune through an STRtree and an exact point-in-polygon test."""

    def __init__(
        self, codes: Sequence[str], geoms: Sequence[shapely.Geometry], finer: set[str]
    ) -> None:
        self._codes = np.asarray(codes, dtype=object)
        self._geoms = np.asarray(geoms, dtype=object)
        shapely.prepare(self._geoms)
        self._tree = STRtree(self._geoms)
        self._finer = finer
        self._index = {code: i for i, code in enumerate(codes)}

    def geometry(self, insee: str) -> shapely.Geometry | None:
        """The contour of a commune, if held."""
        index = self._index.get(insee)
        return None if index is None else self._geoms[index]

    def intersecting(self, west: float, south: float, east: float, north: float) -> set[str]:
        """The communes whose contour meets the box."""
        hits = self._tree.query(shapely.box(west, south, east, north), predicate="intersects")
        return {str(code) for code in self._codes[hits]}

    def locate(self, lon: float, lat: float) -> str | None:
        """The commune containing the point (boundary included), an arrondissement first."""
        hits = self._tree.query(shapely.Point(lon, lat), predicate="intersects")
        if len(hits) == 0:
            return None
        codes = sorted(self._codes[hits], key=lambda code: (code not in self._finer, code))
        return str(codes[0])

    def nearest(self, lon: float, lat: float, within_m: float) -> tuple[str, float] | None:
        """The commune whose contour passes closest to the point, and how far (m), if within
        ``within_m``: generalised contours can leave a point on the shore just outside."""
        point = shapely.Point(lon, lat)
        # a degree of longitude is the shorter side: searching that many degrees covers the circle
        degree_m = 1000 * EARTH_RADIUS_KM * np.radians(1) * max(np.cos(np.radians(lat)), 1e-3)
        hits = self._tree.query(point, predicate="dwithin", distance=within_m / degree_m)
        best: tuple[str, float] | None = None
        for i in hits:
            on = shapely.shortest_line(self._geoms[i], point).coords[0]
            metres = 1000 * float(
                great_circle_km(lon, lat, np.array([on[0]]), np.array([on[1]]))[0]
            )
            if metres <= within_m and (best is None or metres < best[1]):
                best = (str(self._codes[i]), metres)
        return best
