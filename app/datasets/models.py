"""A data snapshot: one complete load of every dataset, switched in atomically."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Enum, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class SnapshotStatus(enum.StrEnum):
    """``building`` while loading, ``active`` when served, ``retired`` once replaced."""

    building = "building"
    active = "active"
    retired = "retired"


class Snapshot(Base):
    """Each row of every data table belongs to one snapshot; exactly one is active."""

    __tablename__ = "snapshot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status: Mapped[SnapshotStatus] = mapped_column(
        Enum(SnapshotStatus, native_enum=False, length=16), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # One entry per dataset: name, vintage, licence, url, sha256, rows, skipped {reason: count}.
    datasets: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Rows loaded and skipped source records by reason, per table.
    tables: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    loader_version: Mapped[str] = mapped_column(String(32))
