"""SQLite's address index: a prefix index of three letters, filled by the load in one statement

The word being typed is searched as a prefix. Without a prefix index FTS5 merges the doclists of
every word that starts with it ("cha": château, chapelle, champ…) before it can intersect them.
A trigger indexed each address as it was written, 36 µs an address; the load now indexes a
snapshot's addresses in one statement once they are written, 9 µs (bench/address_scale.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _index(options: str) -> None:
    op.execute("DROP TABLE address_fts")
    op.execute(
        "CREATE VIRTUAL TABLE address_fts USING fts5(search, content='address', "
        f"content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'{options})"
    )
    op.execute("INSERT INTO address_fts(address_fts) VALUES ('rebuild')")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":  # the delete trigger names the table: it stays
        op.execute("DROP TRIGGER address_fts_insert")
        _index(", prefix='3'")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _index("")
        op.execute(
            "CREATE TRIGGER address_fts_insert AFTER INSERT ON address BEGIN "
            "INSERT INTO address_fts(rowid, search) VALUES (new.rowid, new.search); END"
        )
