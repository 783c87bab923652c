"""Bill of materials per station (``hardware/bom/<station>.csv``) / 每个实验站的物料清单.

Columns: ``part``, ``function``, ``category`` (board, temperature, light, ultrasonic, photogate,
accelerometer, voltage, current, passive, protection, assembly, power), ``driver`` (the pin map
driver the row supplies, empty for other parts), ``qty`` (per station), ``unit_price_cny`` (typical
retail price in ¥, Taobao/1688, for one unit), ``price_date`` (``YYYY-MM`` of the estimate),
``alternatives``, ``notes``. UTF-8 with BOM so Excel on zh-CN Windows opens it correctly.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

BOM_DIR = Path(__file__).resolve().parent / "bom"
COLUMNS = ["part", "function", "category", "driver", "qty", "unit_price_cny", "price_date", "alternatives", "notes"]
BUDGET_CNY = 150.0


@dataclass(frozen=True)
class Row:
    part: str
    function: str
    category: str
    driver: str
    qty: int
    unit_price_cny: float
    price_date: str
    alternatives: str
    notes: str

    @property
    def cost_cny(self) -> float:
        return self.qty * self.unit_price_cny


def load(path: str | Path) -> list[Row]:
    """Rows of a BOM CSV; ValueError names the file, row and column of anything malformed."""
    p = Path(path)
    with p.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        if header != COLUMNS:
            raise ValueError(f"{p}: header must be {','.join(COLUMNS)}, got {','.join(header)}")
        rows = []
        for n, cells in enumerate(reader, start=2):
            if len(cells) != len(COLUMNS):
                raise ValueError(f"{p}:{n}: expected {len(COLUMNS)} cells, got {len(cells)}")
            d = dict(zip(COLUMNS, cells, strict=True))
            try:
                qty, price = int(d["qty"]), float(d["unit_price_cny"])
            except ValueError:
                raise ValueError(f"{p}:{n}: qty must be an integer and unit_price_cny a number") from None
            rows.append(Row(d["part"], d["function"], d["category"], d["driver"], qty, price,
                            d["price_date"], d["alternatives"], d["notes"]))
    return rows


def total(rows: list[Row]) -> float:
    """Cost of one station in ¥ (sum of quantity × unit price), rounded to 0.01."""
    return round(sum(r.cost_cny for r in rows), 2)


def stations() -> list[Path]:
    """The shipped BOM files."""
    return sorted(BOM_DIR.glob("*.csv"))
