"""The offline gazetteer's addresses (BAN), one snapshot at a time."""

from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.zones.models import snapshot_fk


class Address(Base):
    """A BAN address; ``search`` is its folded text, indexed by the database's full-text search
    (SQLite FTS5, PostgreSQL tsvector)."""

    __tablename__ = "address"

    snapshot_id: Mapped[int] = snapshot_fk()
    ban_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    label: Mapped[str] = mapped_column(String(250))
    postcode: Mapped[str] = mapped_column(String(5))
    insee: Mapped[str] = mapped_column(String(5), index=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    search: Mapped[str] = mapped_column(String(300))
