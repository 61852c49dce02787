"""What every source shares: parsed rows, the COG's code history, the load's state.

Pure: no database here. Each parser returns the rows and, per reason, how many source records
were skipped, so the load summary can say why.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]


class SourceFormatError(ValueError):
    """A file does not have the columns its documented format promises."""


@dataclass
class Parsed:
    """Rows for one table, skipped source records by reason, and rows loaded with a gap."""

    rows: list[Row]
    skipped: Counter[str] = field(default_factory=Counter)
    incomplete: Counter[str] = field(default_factory=Counter)

    def extend(self, other: Parsed, source: str) -> None:
        """Add another source's rows to this table, its reasons prefixed by its name."""
        self.rows += other.rows
        self.skipped.update({f"{source}: {k}": v for k, v in other.skipped.items()})
        self.incomplete.update({f"{source}: {k}": v for k, v in other.incomplete.items()})


@dataclass
class Streamed:
    """Rows for one table made while they are written (the national BAN does not fit in
    memory); ``skipped`` is complete once they have all been read."""

    rows: Iterator[Row]
    skipped: Counter[str] = field(default_factory=Counter)
    incomplete: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Cog:
    """The current COG communes, and where each older code went."""

    communes: dict[str, Row]
    successor: dict[str, str]  # former or delegated code -> current commune code

    def current(self, code: str) -> str | None:
        """The current commune a code of any vintage now belongs to."""
        if code in self.communes:
            return code
        return self.successor.get(code)


@dataclass
class Build:
    """A load in progress: the verified files by dataset name, and what earlier sources made of
    them, which later sources read."""

    files: Mapping[str, bytes]
    professions: Mapping[str, str]  # APL dataset name -> profession code
    today: str  # ISO date, for what closes
    tables: dict[str, Parsed | Streamed] = field(default_factory=dict)
    cog: Cog = field(init=False)  # set by the communes source
    communes: Parsed = field(init=False)  # its commune rows, to which later sources add


def pinned(
    build: Build, dataset: str, table: str, parse: Callable[[bytes], Parsed]
) -> dict[str, Parsed]:
    """The table of a pinned dataset (optional): empty when the pin is not held."""
    content = build.files.get(dataset)
    return {table: Parsed([]) if content is None else parse(content)}


def csv_rows(content: bytes, delimiter: str = ",") -> csv.DictReader[str]:
    return csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter)


def number(text: str | None) -> float | None:
    text = (text or "").strip().replace(",", ".")
    return float(text) if text and text.upper() != "NA" else None
