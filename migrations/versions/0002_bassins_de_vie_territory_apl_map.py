"""bassins de vie, territory APL, map geometries and FINESS+ care structures

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "care_structure",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("finess", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=4), nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshot.id"],
            name=op.f("fk_care_structure_snapshot_id_snapshot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("snapshot_id", "finess", name=op.f("pk_care_structure")),
    )
    with op.batch_alter_table("care_structure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_structure_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_structure_insee"), ["insee"], unique=False)
    op.create_table(
        "map_geometry",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("geojson", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshot.id"],
            name=op.f("fk_map_geometry_snapshot_id_snapshot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("snapshot_id", "level", "insee", name=op.f("pk_map_geometry")),
    )
    op.create_table(
        "territory_apl",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=9), nullable=False),
        sa.Column("profession", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("value_le65", sa.Float(), nullable=True),
        sa.Column("value_le62", sa.Float(), nullable=True),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("communes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshot.id"],
            name=op.f("fk_territory_apl_snapshot_id_snapshot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "snapshot_id", "kind", "code", "profession", name=op.f("pk_territory_apl")
        ),
    )
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bv2012", sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column("bv2012_name", sa.String(length=120), nullable=True))
        batch_op.create_index(batch_op.f("ix_commune_bv2012"), ["bv2012"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commune_bv2012"))
        batch_op.drop_column("bv2012_name")
        batch_op.drop_column("bv2012")

    op.drop_table("territory_apl")
    op.drop_table("map_geometry")
    op.drop_table("care_structure")
