"""What every source shares: parsed rows, the COG's code history, the load's state.

Pure: no database here. Each parser returns the rows and, per reason, how many source records
were skipped, so the load summary can say why.
"""

from __future__ import annotations

import csv
import io
import unicodedata
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


MAX_FIELD = 10_000  # characters: no field of the sources read comes near


def text_of(content: bytes, what: str, fallback: str | None = None) -> str:
    """A file's text: UTF-8 (a BOM allowed), else ``fallback`` for sources that once were
    written in Windows-1252; another encoding is a refusal that says where it breaks."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if fallback is not None:
            try:
                return content.decode(fallback)
            except UnicodeDecodeError:
                pass
        byte = content[exc.start : exc.start + 1].hex()
        raise SourceFormatError(
            f"{what} : le fichier n'est pas en UTF-8 (octet 0x{byte} à la position {exc.start})"
        ) from exc


class Table:
    """A CSV's records as the sources read them: any line ending (CR alone too), a short row's
    missing fields blank; a malformed line or an overlong field is a refusal naming its line,
    never a traceback. ``delimiter`` None: ``;`` or ``,``, whichever the header uses more."""

    def __init__(
        self,
        content: bytes,
        what: str,
        delimiter: str | None = None,
        fallback: str | None = None,
        skip: int = 0,
    ) -> None:
        text = text_of(content, what, fallback)
        lines = io.StringIO(text, newline="")
        for _ in range(skip):  # title lines above the header
            lines.readline()
        if delimiter is None:  # read from the header alone, not from the whole file split
            start = lines.tell()
            header = lines.readline()
            lines.seek(start)
            delimiter = ";" if header.count(";") >= header.count(",") else ","
        self.what = what
        self._reader = csv.DictReader(lines, delimiter=delimiter, restval="")
        self.columns: list[str] = list(self._guard(lambda: self._reader.fieldnames) or [])

    def __iter__(self) -> Iterator[dict[str | Any, str | Any]]:  # as csv.DictReader types it
        while (record := self._guard(lambda: next(self._reader, None))) is not None:
            if any(len(v) > MAX_FIELD for v in record.values() if isinstance(v, str)):
                raise SourceFormatError(
                    f"{self.what}, ligne {self._reader.line_num} : un champ dépasse "
                    f"{MAX_FIELD} caractères"
                )
            yield record

    def _guard(self, read: Callable[[], Any]) -> Any:
        try:
            return read()
        except csv.Error as exc:
            raise SourceFormatError(
                f"{self.what}, ligne {self._reader.line_num} : ligne illisible ({exc})"
            ) from exc


def csv_rows(content: bytes, delimiter: str = ",", what: str = "fichier") -> Table:
    return Table(content, what, delimiter)


def number(text: str | None) -> float | None:
    text = (text or "").strip().replace(",", ".")
    return float(text) if text and text.upper() != "NA" else None


def plain(text: str) -> str:
    """Lower case, no accents, single spaces: how labels from different hands are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())
