"""the official zonage table: date and authority of the arrêté, each commune's TVS

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("commune", sa.Column("tvs", sa.String(length=9), nullable=True))
    op.add_column("commune", sa.Column("tvs_name", sa.String(length=120), nullable=True))
    op.add_column("published_zone", sa.Column("decided_on", sa.Date(), nullable=True))
    op.add_column("published_zone", sa.Column("authority", sa.String(length=80), nullable=True))


def downgrade() -> None:
    for table, column in (
        ("published_zone", "authority"),
        ("published_zone", "decided_on"),
        ("commune", "tvs_name"),
        ("commune", "tvs"),
    ):
        op.drop_column(table, column)
