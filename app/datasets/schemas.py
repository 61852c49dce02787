"""Response models of the service endpoints."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.datasets.manifest import address_departements


class Health(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": "ok", "database": "ok", "data_loaded": True, "version": "0.1.0"}
            ]
        }
    )

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

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "snapshot_id": 3,
                    "loaded_at": "2026-11-29T07:10:00Z",
                    "backend": "postgis",
                    "datasets": [
                        {
                            "name": "apl-mg",
                            "title": "APL aux médecins généralistes",
                            "url": "https://data.drees.solidarites-sante.gouv.fr/",
                            "licence": "Licence Ouverte 2.0",
                            "vintage": "2021",
                            "attribution": "DREES",
                            "sha256": "0" * 64,
                            "official": True,
                            "unit": "consultations par habitant standardisé et par an",
                        }
                    ],
                    "tables": {"commune": {"rows": 34989, "skipped": {}, "incomplete": {}}},
                }
            ]
        }
    )

    snapshot_id: int
    loaded_at: datetime | None
    backend: Literal["spatialite", "postgis"]
    datasets: list[DatasetMeta]
    tables: dict[str, TableMeta]
    address_departements: list[str] = Field(
        default=[],
        description="Départements dont les adresses sont connues hors ligne (BAN chargée) ; "
        "ailleurs, la commune se trouve par son nom, son code postal ou son code INSEE",
    )

    @classmethod
    def from_snapshot(cls, snapshot: Any, backend: str) -> Meta:
        return cls(
            snapshot_id=snapshot.id,
            loaded_at=_aware(snapshot.activated_at),
            backend=backend,  # type: ignore[arg-type]  # the dialect's name, sqlite or postgresql
            datasets=snapshot.datasets,
            tables=snapshot.tables,
            address_departements=address_departements([d["name"] for d in snapshot.datasets]),
        )


def _aware(moment: datetime | None) -> datetime | None:
    """Activation times are UTC; SQLite's DATETIME forgets the offset."""
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment
