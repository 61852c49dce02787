"""The zone table of a département, a région or France as a file; reads through a reader."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from app.bodies import Prepared
from app.exports import formats
from app.zones import layers
from app.zones.data import Reader

Format = Literal["geojson", "parquet", "csv", "xlsx"]
MEDIA_TYPES: dict[str, str] = {
    "geojson": "application/geo+json",
    "parquet": "application/vnd.apache.parquet",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
GEOMETRY_NOTE = (
    "Contours ADMIN EXPRESS simplifiés par département pour la carte (topologie conservée), "
    "WGS 84 (EPSG:4326) ; le CSV et le classeur Excel n'ont pas de géométrie."
)


@dataclass(frozen=True)
class Export:
    file: Prepared
    media_type: str
    filename: str


def _scope(departement: str | None, region: str | None) -> tuple[str, str]:
    """The scope in words and in a file name."""
    if departement is not None:
        return f"département {departement.upper()}", departement.upper()
    if region is not None:
        return f"région {region}", f"r{region}"
    return "France", "france"


def meta(
    reader: Reader, departement: str | None = None, region: str | None = None
) -> dict[str, Any]:
    """What an export holds and where every column comes from, with vintages."""
    rows = layers.zone_table(reader, departement, region)
    return _about(reader, departement, region, len(rows))


def _about(
    reader: Reader, departement: str | None, region: str | None, count: int
) -> dict[str, Any]:
    return {
        "title": "Zonage des médecins généralistes par commune",
        "scope": _scope(departement, region)[0],
        "count": count,
        "snapshot": reader.data.id,
        "zone_class": (
            "classe publiée par l'ARS quand elle est connue (statut « publié »), sinon "
            "estimation sur le territoire de vie-santé, à défaut le bassin de vie : "
            f"{reader.thresholds.describe()}"
        ),
        "geometry": GEOMETRY_NOTE,
        "columns": formats.COLUMNS,
        "sources": [p.model_dump() for p in layers.table_sources(reader)],
    }


def export(
    reader: Reader, format: Format, departement: str | None = None, region: str | None = None
) -> Export:
    """The zone table in ``format``, built once per snapshot, area and thresholds; GeoJSON and
    GeoParquet carry the metadata inside."""
    data = reader.data
    name = f"zonage-mg-{_scope(departement, region)[1]}.{format}"

    def build() -> Prepared:
        rows = layers.zone_table(reader, departement, region)
        about = _about(reader, departement, region, len(rows))
        if format == "geojson":
            return Prepared(formats.to_geojson(rows, about), level=6)
        if format == "parquet":
            return Prepared(formats.to_parquet(rows, about), compress=False)
        if format == "xlsx":  # a zip already
            return Prepared(formats.to_xlsx(rows, about), compress=False)
        return Prepared(formats.to_csv(rows), level=6)

    area = layers.check_area(data, departement, region)
    file = data.bodies.get(("export", format, area, region, reader.thresholds), build)
    return Export(file, MEDIA_TYPES[format], name)
