"""Response models of the service endpoints."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel


class Health(BaseModel):
    status: Literal["ok", "dégradé"]
    database: Literal["ok", "injoignable"]
    data_loaded: bool
    version: str


class DatasetMeta(BaseModel):
    name: str
    title: str
    url: str
    licence: str
    vintage: str
    attribution: str
    sha256: str
    official: bool
    unit: str | None = None


class TableMeta(BaseModel):
    """Rows loaded, source records skipped and rows loaded with a gap, each by reason."""

    rows: int
    skipped: dict[str, int]
    incomplete: dict[str, int]


class Meta(BaseModel):
    """The served snapshot: what is loaded, from where, and when."""

    snapshot_id: int
    loaded_at: datetime | None
    backend: Literal["spatialite", "postgis"]
    datasets: list[DatasetMeta]
    tables: dict[str, TableMeta]

    @classmethod
    def from_snapshot(cls, snapshot: Any, backend: str) -> Meta:
        return cls(
            snapshot_id=snapshot.id,
            loaded_at=_aware(snapshot.activated_at),
            backend=backend,  # type: ignore[arg-type]
            datasets=snapshot.datasets,
            tables=snapshot.tables,
        )


def _aware(moment: datetime | None) -> datetime | None:
    """Activation times are UTC; SQLite's DATETIME forgets the offset."""
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment
