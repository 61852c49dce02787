"""each commune's France Ruralités Revitalisation status, from the pinned DGCL list

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("commune", sa.Column("frr", sa.String(length=16), nullable=True))


def downgrade() -> None:
    op.drop_column("commune", "frr")
