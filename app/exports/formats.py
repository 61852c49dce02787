"""The zone table as files that a spreadsheet or a GIS opens: GeoJSON, GeoParquet, CSV and
Excel.

Pure: rows and metadata in, bytes out."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import pyarrow.parquet as pq
import shapely
import xlsxwriter

from app.geo import feature_collection, feature_json
from app.zones.classify import ZoneRow

COLUMNS = {
    "insee": "Code INSEE de la commune (COG)",
    "name": "Nom de la commune",
    "departement": "Département",
    "region": "Région",
    "population": "Population municipale",
    "zone_class": "Classe de zonage médecins généralistes (ZIP, ZAC, vivier, hors zonage)",
    "status": "publié (arrêté de l'ARS) ou estimation (méthode nationale sur le bassin de vie)",
    "apl": "APL médecins généralistes, tous âges (consultations par habitant standardisé et an)",
    "apl_le65": "APL médecins généralistes de 65 ans ou moins",
}
CSV_HEADER = [
    "Code INSEE",
    "Commune",
    "Département",
    "Région",
    "Population",
    "Classe",
    "Statut",
    "APL",
    "APL ≤ 65 ans",
]
META_KEY = "zonage"


def to_geojson(rows: Sequence[ZoneRow], meta: dict[str, Any]) -> bytes:
    """A FeatureCollection whose ``meta`` member names the sources and vintages."""
    features = (feature_json(row.properties(), row.geometry, row.insee) for row in rows)
    return feature_collection(features, meta=meta)


def to_parquet(rows: Sequence[ZoneRow], meta: dict[str, Any]) -> bytes:
    """GeoParquet written by geopandas, the metadata under the file's ``zonage`` key."""
    frame = gpd.GeoDataFrame(
        [row.properties() for row in rows],
        columns=list(COLUMNS),
        geometry=shapely.from_geojson([row.geometry for row in rows]),
        crs="EPSG:4326",
    )
    written = io.BytesIO()
    frame.to_parquet(written, index=False)
    table = pq.read_table(io.BytesIO(written.getvalue()))
    schema_meta = {
        **(table.schema.metadata or {}),
        META_KEY.encode(): json.dumps(meta, ensure_ascii=False).encode(),
    }
    out = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(schema_meta), out)
    return out.getvalue()


def _french(value: float | None) -> str:
    return "" if value is None else repr(value).replace(".", ",")


def to_csv(rows: Sequence[ZoneRow]) -> bytes:
    """For a French spreadsheet: ``;``, UTF-8 with BOM, decimal comma; no geometry."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            [
                row.insee,
                row.name,
                row.departement,
                row.region,
                "" if row.population is None else row.population,
                row.zone_class or "",
                row.status,
                _french(row.apl),
                _french(row.apl_le65),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[ZoneRow], meta: dict[str, Any]) -> bytes:
    """An Excel workbook: codes as text (« 05001 » keeps its 0, which a CSV loses in Excel),
    numbers as numbers, and a second sheet with the columns, the method, the sources and their
    vintages."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold, text = book.add_format({"bold": True}), book.add_format({"num_format": "@"})
    decimal = book.add_format({"num_format": "0.000"})
    sheet = book.add_worksheet("Communes")
    sheet.write_row(0, 0, CSV_HEADER, bold)
    sheet.freeze_panes(1, 0)
    for r, row in enumerate(rows, start=1):
        for c, code in enumerate((row.insee, row.name, row.departement, row.region)):
            sheet.write_string(r, c, code or "", text)
        if row.population is not None:
            sheet.write_number(r, 4, row.population)
        sheet.write_string(r, 5, row.zone_class or "")
        sheet.write_string(r, 6, row.status)
        for c, value in ((7, row.apl), (8, row.apl_le65)):
            if value is not None:
                sheet.write_number(r, c, value, decimal)
    sheet.set_column(0, 0, 11, text)
    sheet.set_column(1, 1, 32)
    sheet.set_column(2, 3, 12, text)
    sheet.set_column(4, 8, 14)
    sheet.autofilter(0, 0, len(rows), len(CSV_HEADER) - 1)
    about = book.add_worksheet("Sources")
    about.set_column(0, 0, 28)
    about.set_column(1, 4, 48)
    lines: list[list[str]] = [
        [meta["title"], f"{meta['scope']}, {meta['count']} communes"],
        ["Classe", meta["zone_class"]],
        ["Géométrie", meta["geometry"]],
        [],
        ["Colonne", "Signification"],
        *([header, COLUMNS[key]] for header, key in zip(CSV_HEADER, COLUMNS, strict=True)),
        [],
        ["Source", "Millésime", "Producteur", "Licence", "Adresse"],
        *(
            [s["title"], s["vintage"], s["attribution"], s["licence"], s.get("url") or ""]
            for s in meta["sources"]
        ),
    ]
    for r, line in enumerate(lines):
        about.write_row(r, 0, line, bold if line[:1] in (["Colonne"], ["Source"]) else None)
    book.close()
    return out.getvalue()
