"""initial schema: snapshots and zones

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "snapshot",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "building", "active", "retired", name="snapshotstatus", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("datasets", sa.JSON(), nullable=False),
        sa.Column("tables", sa.JSON(), nullable=False),
        sa.Column("loader_version", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshot")),
    )
    with op.batch_alter_table("snapshot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_snapshot_status"), ["status"], unique=False)

    op.create_table(
        "accessibility",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("profession", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("value_le65", sa.Float(), nullable=True),
        sa.Column("value_le62", sa.Float(), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("std_population", sa.Float(), nullable=True),
        sa.Column("derivation", sa.String(length=16), nullable=False),
        sa.Column("source_codes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshot.id"],
            name=op.f("fk_accessibility_snapshot_id_snapshot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "snapshot_id", "insee", "profession", name=op.f("pk_accessibility")
        ),
    )
    op.create_table(
        "age_structure",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("bands", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshot.id"],
            name=op.f("fk_age_structure_snapshot_id_snapshot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("snapshot_id", "insee", name=op.f("pk_age_structure")),
    )
    op.create_geospatial_table(
        "commune",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=3), nullable=False),
        sa.Column("parent_insee", sa.String(length=5), nullable=True),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("region", sa.String(length=3), nullable=False),
        sa.Column("epci_siren", sa.String(length=9), nullable=True),
        sa.Column("epci_name", sa.String(length=200), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("postcodes", sa.JSON(), nullable=False),
        sa.Column("former_codes", sa.JSON(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("townhall_lon", sa.Float(), nullable=True),
        sa.Column("townhall_lat", sa.Float(), nullable=True),
        sa.Column("bbox", sa.JSON(), nullable=True),
        sa.Column("area_km2", sa.Float(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshot.id"],
            name=op.f("fk_commune_snapshot_id_snapshot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("snapshot_id", "insee", name=op.f("pk_commune")),
    )
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.create_geospatial_index(
            "idx_commune_geom", ["geom"], unique=False, postgresql_using="gist", postgresql_ops={}
        )
        batch_op.create_index(batch_op.f("ix_commune_departement"), ["departement"], unique=False)
        batch_op.create_index(batch_op.f("ix_commune_region"), ["region"], unique=False)

    op.create_table(
        "departement",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("region_code", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshot.id"],
            name=op.f("fk_departement_snapshot_id_snapshot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("snapshot_id", "code", name=op.f("pk_departement")),
    )
    op.create_table(
        "doctor_count",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=3), nullable=False),
        sa.Column("specialty_code", sa.String(length=8), nullable=False),
        sa.Column("specialty_label", sa.String(length=120), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshot.id"],
            name=op.f("fk_doctor_count_snapshot_id_snapshot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "snapshot_id", "area", "specialty_code", name=op.f("pk_doctor_count")
        ),
    )
    op.create_geospatial_table(
        "hospital",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("finess", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("site_name", sa.String(length=200), nullable=True),
        sa.Column("category", sa.String(length=200), nullable=True),
        sa.Column("public_private", sa.String(length=16), nullable=True),
        sa.Column("postcode", sa.String(length=5), nullable=True),
        sa.Column("city", sa.String(length=120), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshot.id"],
            name=op.f("fk_hospital_snapshot_id_snapshot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("snapshot_id", "finess", name=op.f("pk_hospital")),
    )
    with op.batch_alter_table("hospital", schema=None) as batch_op:
        batch_op.create_geospatial_index(
            "idx_hospital_geom", ["geom"], unique=False, postgresql_using="gist", postgresql_ops={}
        )

    op.create_table(
        "published_zone",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("profession", sa.String(length=32), nullable=False),
        sa.Column("zone_class", sa.String(length=16), nullable=True),
        sa.Column("zrr", sa.String(length=32), nullable=True),
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshot.id"],
            name=op.f("fk_published_zone_snapshot_id_snapshot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "snapshot_id", "insee", "profession", name=op.f("pk_published_zone")
        ),
    )
    op.create_table(
        "region",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshot.id"],
            name=op.f("fk_region_snapshot_id_snapshot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("snapshot_id", "code", name=op.f("pk_region")),
    )


def downgrade() -> None:
    op.drop_table("region")
    op.drop_table("published_zone")
    with op.batch_alter_table("hospital", schema=None) as batch_op:
        batch_op.drop_geospatial_index(
            "idx_hospital_geom", postgresql_using="gist", column_name="geom"
        )

    op.drop_geospatial_table("hospital")
    op.drop_table("doctor_count")
    op.drop_table("departement")
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commune_region"))
        batch_op.drop_index(batch_op.f("ix_commune_departement"))
        batch_op.drop_geospatial_index(
            "idx_commune_geom", postgresql_using="gist", column_name="geom"
        )

    op.drop_geospatial_table("commune")
    op.drop_table("age_structure")
    op.drop_table("accessibility")
    with op.batch_alter_table("snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_snapshot_status"))

    op.drop_table("snapshot")
