"""addresses with full-text search: SQLite FTS5, PostgreSQL pg_trgm

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "address",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("ban_id", sa.String(length=48), nullable=False),
        sa.Column("label", sa.String(length=250), nullable=False),
        sa.Column("postcode", sa.String(length=5), nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("search", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshot.id"],
            name=op.f("fk_address_snapshot_id_snapshot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("snapshot_id", "ban_id", name=op.f("pk_address")),
    )
    op.create_index(op.f("ix_address_insee"), "address", ["insee"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        # an external-content FTS5 index kept in step with the table by triggers
        op.execute(
            "CREATE VIRTUAL TABLE address_fts USING fts5(search, content='address', "
            "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER address_fts_insert AFTER INSERT ON address BEGIN "
            "INSERT INTO address_fts(rowid, search) VALUES (new.rowid, new.search); END"
        )
        op.execute(
            "CREATE TRIGGER address_fts_delete AFTER DELETE ON address BEGIN "
            "INSERT INTO address_fts(address_fts, rowid, search) "
            "VALUES ('delete', old.rowid, old.search); END"
        )
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_address_search_trgm ON address USING gin (search gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER address_fts_delete")
        op.execute("DROP TRIGGER address_fts_insert")
        op.execute("DROP TABLE address_fts")
    else:
        op.execute("DROP INDEX ix_address_search_trgm")
    op.drop_index(op.f("ix_address_insee"), table_name="address")
    op.drop_table("address")
