"""Population by sex and five-year band."""

from __future__ import annotations

from collections import Counter

from app.sources.common import Build, Cog, Parsed, csv_rows, number


def parse_age(content: bytes, cog: Cog, year: int = 2021) -> Parsed:
    """Population by sex and five-year band; the source covers communes of ≥ 3,300 people."""
    reader = csv_rows(content, delimiter=";")
    columns = reader.columns
    band_cols = [c for c in columns if c.split("_")[0] in ("Homme", "Hommes", "Femmes")]
    rows, skipped = [], Counter[str]()
    for record in reader:
        target = cog.current(record["Code"].strip())
        if target is None or target != record["Code"].strip():
            skipped["code absent du COG 2026 (ou fusionné)"] += 1
            continue
        bands = []
        for men_col, women_col in zip(band_cols[::2], band_cols[1::2], strict=True):
            low, high = men_col.split("_")[1:3]
            # the source misspells the 70-74 men column as "Hommes_70_47"
            label = f"{low}+" if high == "plus" else f"{low}-{int(low) + 4}"
            bands.append(
                [label, int(number(record[men_col]) or 0), int(number(record[women_col]) or 0)]
            )
        rows.append(
            {
                "insee": target,
                "year": year,
                "bands": bands,
                "population": int(number(record["Population municipale 2021.x"]) or 0),
            }
        )
    return Parsed(rows, skipped)


DATASETS = ("population-age",)
TABLES = ("age_structure",)


def parse(build: Build) -> dict[str, Parsed]:
    return {"age_structure": parse_age(build.files["population-age"], build.cog)}
