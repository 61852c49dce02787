"""Doctors per département and for France (RPPS counts by savoir-faire)."""

from __future__ import annotations

from collections import Counter

from app.sources.common import Build, Parsed, csv_rows


def parse_rpps(departements_csv: bytes, france_csv: bytes) -> Parsed:
    """Doctor counts by département (``97`` = all DROM, as in the source) and for France."""
    rows, skipped = [], Counter[str]()
    for record in csv_rows(departements_csv):
        if record["dpt"] == "00":
            skipped["lieu d'exercice sans département (00)"] += 1
            continue
        rows.append(
            {
                "area": record["dpt"],
                "specialty_code": record["code_savoir_faire"],
                "specialty_label": record["libelle_savoir_faire"],
                "count": int(record["eff"]),
            }
        )
    for record in csv_rows(france_csv):
        code, _, label = record["specialite"].partition(" - ")
        rows.append(
            {
                "area": "FR",
                "specialty_code": code.strip(),
                "specialty_label": label.strip(),
                "count": int(record["eff"]),
            }
        )
    return Parsed(rows, skipped)


DATASETS = ("rpps-departements", "rpps-france")
TABLES = ("doctor_count",)


def parse(build: Build) -> dict[str, Parsed]:
    return {
        "doctor_count": parse_rpps(build.files["rpps-departements"], build.files["rpps-france"])
    }
