"""Loading the 31 provinces and their prefecture cities (GB/T 2260) from core/data."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def region_rows() -> list[dict[str, str | None]]:
    """Provinces first, then cities, as six-digit codes."""
    rows: list[dict[str, str | None]] = []
    with (DATA_DIR / "provinces.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                {
                    "code": row["code"].ljust(6, "0"),
                    "name": row["name"],
                    "level": "province",
                    "parent": None,
                }
            )
    with (DATA_DIR / "cities.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                {
                    "code": row["code"].ljust(6, "0"),
                    "name": row["name"],
                    "level": "city",
                    "parent": row["provinceCode"].ljust(6, "0"),
                }
            )
    return rows


def load_regions(region_model: Any) -> int:
    """Insert or update every region; returns how many rows were written. Idempotent."""
    written = 0
    for row in region_rows():
        _, created = region_model.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "level": row["level"], "parent_id": row["parent"]},
        )
        written += int(created)
    return written
