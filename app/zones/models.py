"""Tables of the zones domain; every row belongs to a data snapshot."""

from __future__ import annotations

from datetime import date
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


def snapshot_fk() -> Mapped[int]:
    """Part of every primary key; deleting a snapshot deletes its rows."""
    return mapped_column(ForeignKey("snapshot.id", ondelete="CASCADE"), primary_key=True)


class Region(Base):
    __tablename__ = "region"

    snapshot_id: Mapped[int] = snapshot_fk()
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))


class Departement(Base):
    __tablename__ = "departement"

    snapshot_id: Mapped[int] = snapshot_fk()
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    region_code: Mapped[str] = mapped_column(String(3))


class Commune(Base):
    """A commune (COG 2026) or a municipal arrondissement of Paris, Lyon or Marseille."""

    __tablename__ = "commune"

    snapshot_id: Mapped[int] = snapshot_fk()
    insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(3))  # COM | ARM
    parent_insee: Mapped[str | None] = mapped_column(String(5))
    departement: Mapped[str] = mapped_column(String(3), index=True)
    region: Mapped[str] = mapped_column(String(3), index=True)
    # bassin de vie 2012: the unit of the zonage estimate where no TVS is known
    bv2012: Mapped[str | None] = mapped_column(String(5), index=True)
    bv2012_name: Mapped[str | None] = mapped_column(String(120))
    # territoire de vie-santé, from the official zonage table when it is pinned
    tvs: Mapped[str | None] = mapped_column(String(9))
    tvs_name: Mapped[str | None] = mapped_column(String(120))
    # France Ruralités Revitalisation status, from the DGCL list when it is pinned
    frr: Mapped[str | None] = mapped_column(String(16))
    # in an EPCI « zone rouge » of the mission de solidarité territoriale; False only once the
    # whole list is pinned, None where not known
    zone_rouge: Mapped[bool | None] = mapped_column(Boolean)
    # bassin de vie 2022: the unit of CartoSanté's and INSEE's figures
    bv2022: Mapped[str | None] = mapped_column(String(5))
    epci_siren: Mapped[str | None] = mapped_column(String(9))
    epci_name: Mapped[str | None] = mapped_column(String(200))
    population: Mapped[int | None] = mapped_column(Integer)
    postcodes: Mapped[list[str]] = mapped_column(JSON, default=list)
    former_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    lon: Mapped[float | None] = mapped_column(Float)  # centroid of the contour
    lat: Mapped[float | None] = mapped_column(Float)
    townhall_lon: Mapped[float | None] = mapped_column(Float)
    townhall_lat: Mapped[float | None] = mapped_column(Float)
    bbox: Mapped[list[float] | None] = mapped_column(JSON)  # [west, south, east, north]
    area_km2: Mapped[float | None] = mapped_column(Float)
    geom: Mapped[Any] = mapped_column(
        Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=True, deferred=True
    )


class Accessibility(Base):
    """DREES APL of one profession in one commune, mapped onto the current COG."""

    __tablename__ = "accessibility"

    snapshot_id: Mapped[int] = snapshot_fk()
    insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    profession: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)  # the headline indicator of the file
    value_le65: Mapped[float | None] = mapped_column(Float)
    value_le62: Mapped[float | None] = mapped_column(Float)
    population: Mapped[int | None] = mapped_column(Integer)
    std_population: Mapped[float | None] = mapped_column(Float)
    # "source" (same code in the file) or "fusion" (weighted mean of the merged communes).
    derivation: Mapped[str] = mapped_column(String(16))
    source_codes: Mapped[list[str]] = mapped_column(JSON, default=list)


class TerritoryApl(Base):
    """APL of a territory: the mean of its communes' APL weighted by their population."""

    __tablename__ = "territory_apl"

    snapshot_id: Mapped[int] = snapshot_fk()
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # bv2012, departement…
    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    profession: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    value: Mapped[float | None] = mapped_column(Float)
    value_le65: Mapped[float | None] = mapped_column(Float)
    value_le62: Mapped[float | None] = mapped_column(Float)
    population: Mapped[int] = mapped_column(Integer)
    communes: Mapped[int] = mapped_column(Integer)


class PublishedZone(Base):
    """A published zone class of a commune, from the dataset named in ``dataset``."""

    __tablename__ = "published_zone"

    snapshot_id: Mapped[int] = snapshot_fk()
    insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    profession: Mapped[str] = mapped_column(String(32), primary_key=True)
    zone_class: Mapped[str | None] = mapped_column(String(16))
    zrr: Mapped[str | None] = mapped_column(String(32))
    dataset: Mapped[str] = mapped_column(String(64))
    # the official table's: the date of the ARS arrêté and the région that decided it
    decided_on: Mapped[date | None] = mapped_column(Date)
    authority: Mapped[str | None] = mapped_column(String(80))
    # the day the source gives the class as in force (the table's update, the copy's date)
    known_on: Mapped[date | None] = mapped_column(Date)
    # from the official table's older vintages: the arrêté since which the class holds, and
    # the class before it with its arrêté
    since: Mapped[date | None] = mapped_column(Date)
    previous_class: Mapped[str | None] = mapped_column(String(16))
    previous_decided_on: Mapped[date | None] = mapped_column(Date)


class Hospital(Base):
    """A hospital site from FINESS (via Eurostat GISCO)."""

    __tablename__ = "hospital"

    snapshot_id: Mapped[int] = snapshot_fk()
    finess: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    site_name: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(200))
    public_private: Mapped[str | None] = mapped_column(String(16))
    postcode: Mapped[str | None] = mapped_column(String(5))
    city: Mapped[str | None] = mapped_column(String(120))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    geom: Mapped[Any] = mapped_column(Geometry("POINT", srid=4326, spatial_index=True))


class DoctorCount(Base):
    """RPPS doctors by area (département code, ``97`` for all DROM, ``FR``) and specialty."""

    __tablename__ = "doctor_count"

    snapshot_id: Mapped[int] = snapshot_fk()
    area: Mapped[str] = mapped_column(String(3), primary_key=True)
    specialty_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    specialty_label: Mapped[str] = mapped_column(String(120))
    count: Mapped[int] = mapped_column(Integer)


class AgeStructure(Base):
    """Population by sex and five-year age band (INSEE RP), where held."""

    __tablename__ = "age_structure"

    snapshot_id: Mapped[int] = snapshot_fk()
    insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    population: Mapped[int] = mapped_column(Integer)
    # [[band label, men, women], ...] from "0-4" to "95+"
    bands: Mapped[list[list[Any]]] = mapped_column(JSON)


class MapGeometry(Base):
    """A commune's contour simplified for the map, as GeoJSON text, computed at load time.

    ``departement`` geometries come from a topology-preserving simplification of each
    département's communes; ``france`` ones from one coarser simplification of all communes.
    """

    __tablename__ = "map_geometry"

    snapshot_id: Mapped[int] = snapshot_fk()
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    geojson: Mapped[str] = mapped_column(Text)


class CareStructure(Base):
    """A maison de santé (MSP), centre de santé (CDS) or CPTS from the FINESS+ feed."""

    __tablename__ = "care_structure"

    snapshot_id: Mapped[int] = snapshot_fk()
    finess: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(4), index=True)
    insee: Mapped[str] = mapped_column(String(5), index=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)


class GpSupply(Base):
    """General practitioners per commune of practice, from the national RPPS extract."""

    __tablename__ = "gp_supply"

    snapshot_id: Mapped[int] = snapshot_fk()
    insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    gps: Mapped[float] = mapped_column(Float)  # persons split 1/k over their k communes
    persons: Mapped[int] = mapped_column(Integer)  # persons practising here, at all


class AplHistory(Base):
    """Earlier vintages of a commune's GP APL (all ages) that no full DREES file gives here:
    the series' years before the files loaded as ``Accessibility`` rows."""

    __tablename__ = "apl_history"

    snapshot_id: Mapped[int] = snapshot_fk()
    insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[float] = mapped_column(Float)


class Fact(Base):
    """A key figure of a commune, a bassin de vie 2022, a département, a région or France
    (``kind``), named by ``key``; the sources that give them say which."""

    __tablename__ = "fact"

    snapshot_id: Mapped[int] = snapshot_fk()
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
