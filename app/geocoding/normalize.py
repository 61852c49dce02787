"""Address text as people type it, folded so that it meets the BAN's. Pure."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

ABBREVIATIONS = {
    "av": "avenue",
    "ave": "avenue",
    "bd": "boulevard",
    "bld": "boulevard",
    "boul": "boulevard",
    "ch": "chemin",
    "chem": "chemin",
    "che": "chemin",
    "rte": "route",
    "pl": "place",
    "imp": "impasse",
    "all": "allee",
    "fg": "faubourg",
    "fbg": "faubourg",
    "sq": "square",
    "lot": "lotissement",
    "mte": "montee",
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "hte": "haute",
    "htes": "hautes",
    "gde": "grande",
    "pt": "petit",
    "res": "residence",
}
_SEPARATORS = re.compile(r"[^\w]+")
_NUMBER_SUFFIX = re.compile(r"^(\d+)(bis|ter|quater|[a-z])$")


def tokens(text: str) -> list[str]:
    """Lower case, no accents or punctuation, abbreviations spelled out, "12bis" → "12 bis"."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    out: list[str] = []
    for token in _SEPARATORS.split(folded.replace("_", " ")):
        if not token:
            continue
        if match := _NUMBER_SUFFIX.match(token):
            out += [match.group(1), match.group(2)]
        else:
            out.append(ABBREVIATIONS.get(token, token))
    return out


def normalise(text: str) -> str:
    return " ".join(tokens(text))


def score(query: list[str], candidate: list[str]) -> float:
    """Share of the query's words found in the candidate: whole (1), as a prefix (0.9), or with
    a small typo (0.8, words of four letters or more); a house number must match exactly."""
    if not query:
        return 0.0
    words = set(candidate)
    total = 0.0
    for token in query:
        if token in words:
            total += 1
        elif token.isdigit():
            continue
        elif any(w.startswith(token) for w in words):
            total += 0.9
        elif len(token) >= 4 and any(
            abs(len(w) - len(token)) <= 2 and SequenceMatcher(None, token, w).ratio() >= 0.8
            for w in words
        ):
            total += 0.8
    return round(total / len(query), 4)
