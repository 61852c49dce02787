"""the published class's source date and history from the official table's vintages; each
commune's « zone rouge » of the mission de solidarité territoriale

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HISTORY = (
    ("known_on", sa.Date()),
    ("since", sa.Date()),
    ("previous_class", sa.String(length=16)),
    ("previous_decided_on", sa.Date()),
)


def upgrade() -> None:
    for name, kind in HISTORY:
        op.add_column("published_zone", sa.Column(name, kind, nullable=True))
    op.add_column("commune", sa.Column("zone_rouge", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column("commune", "zone_rouge")
    for name, _ in reversed(HISTORY):
        op.drop_column("published_zone", name)
