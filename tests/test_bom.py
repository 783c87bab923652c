"""Bills of materials: well-formed, cover the required measurements, match the pin maps, within budget."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from classlab.hardware import bom, pinmap
from tests.conftest import ROOT

REQUIRED = {"board", "temperature", "light", "ultrasonic", "photogate", "accelerometer", "voltage", "current"}


def test_one_bom_per_shipped_pin_map() -> None:
    assert [p.stem for p in bom.stations()] == [p.stem for p in pinmap.shipped()]


@pytest.mark.parametrize("path", bom.stations(), ids=lambda p: p.stem)
def test_bom_rows_are_well_formed_and_cover_every_measurement(path: Path) -> None:
    rows = bom.load(path)
    assert REQUIRED <= {r.category for r in rows}
    assert sum(r.category == "board" for r in rows) == 1
    for r in rows:
        assert r.part and r.function and r.qty >= 1 and 0 < r.unit_price_cny < 200
        assert re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", r.price_date), r.price_date
        assert any("\u4e00" <= c <= "\u9fff" for c in r.part + r.function), r.part   # bilingual


@pytest.mark.parametrize("path", bom.stations(), ids=lambda p: p.stem)
def test_bom_supplies_exactly_the_sensors_of_the_pin_map(path: Path) -> None:
    pm = pinmap.load(pinmap.find(path.stem))
    needed = Counter(s["driver"] for s in pm["sensor"])
    supplied = Counter()
    for r in bom.load(path):
        if r.driver:
            supplied[r.driver] += r.qty
    assert set(supplied) == set(needed)
    for driver, n in needed.items():
        assert supplied[driver] >= n, f"{driver}: pin map has {n}, BOM supplies {supplied[driver]}"


@pytest.mark.parametrize("path", bom.stations(), ids=lambda p: p.stem)
def test_station_total_is_within_budget_and_stated_in_the_readme(path: Path) -> None:
    rows = bom.load(path)
    tot = bom.total(rows)
    assert tot == pytest.approx(sum(r.qty * r.unit_price_cny for r in rows))
    assert tot <= bom.BUDGET_CNY
    readme = (ROOT / "hardware" / "README.md").read_text(encoding="utf-8")
    assert f"| `{path.stem}` | ¥{tot:.2f} |" in readme, "update the totals table in hardware/README.md"


def test_malformed_bom_is_rejected_with_the_row(tmp_path: Path) -> None:
    good = (bom.stations()[0]).read_text(encoding="utf-8-sig").splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([good[0], good[1].replace(",1,18.0,", ",one,18.0,")]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.csv:2: qty"):
        bom.load(bad)
    bad.write_text("part,qty\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        bom.load(bad)
