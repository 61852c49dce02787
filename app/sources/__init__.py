"""The sources of a data load, one module each, in the order the load parses them.

Every module exposes the same names: ``DATASETS`` (the manifest entries it reads), ``TABLES``
(the tables it fills) and ``parse(build)`` (rows for those tables; a later source may read what
an earlier one left in ``build``: the COG, the communes' territoires). The load loop and the
snapshot's tables derive from this registry; a new source is a module and a line here.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.sources import (
    age,
    apl,
    areas,
    ban,
    communes,
    doctor_counts,
    facts,
    finess,
    frr,
    hospitals,
    rpps,
    zonage,
    zones_rouges,
)
from app.sources.common import Build, Parsed, Streamed

# areas before communes (a commune's département and région are loaded first); communes set the
# COG; zonage sets each commune's territoire de vie-santé, which apl averages over; frr sets its
# France Ruralités Revitalisation status, zones_rouges whether its EPCI is a « zone rouge »
SOURCES = (
    areas,
    communes,
    zonage,
    frr,
    zones_rouges,
    apl,
    facts,
    hospitals,
    doctor_counts,
    age,
    finess,
    rpps,
    ban,
)
TABLES = tuple(table for source in SOURCES for table in source.TABLES)


def parse_all(
    files: Mapping[str, bytes], professions: Mapping[str, str], today: str
) -> dict[str, Parsed | Streamed]:
    """Rows for every table from the manifest's verified files, keyed by table name.

    ``professions`` maps each APL dataset name to its profession code; optional files that
    were not provided leave their table empty. A ``Streamed`` table's rows are parsed as they
    are read, when the load writes them.
    """
    build = Build(files, professions, today)
    for source in SOURCES:
        build.tables.update(source.parse(build))
    return build.tables


def streamed(dataset: str) -> bool:
    """Whether a dataset's file is read when its rows are written rather than with the others:
    the BAN's, 26 million addresses in a hundred files."""
    return dataset.startswith(ban.PREFIX)
