"""`classlab analyze` on recorded-style CSVs from other loggers (tests/fixtures/recordings/): irregular
sampling, repeated timestamps, gaps, long flat starts, other header styles and units, `;` with decimal
commas, event lists. Each file's known answer is in its `.meta.json` (made by make_recordings.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from classlab.experiments.quantity import Quantity

HERE = Path(__file__).parent / "fixtures" / "recordings"
FILES = sorted(HERE.glob("*.csv"))


def test_there_are_recordings() -> None:
    assert len(FILES) >= 4
    for f in FILES:
        assert f.with_suffix(".meta.json").exists(), f"{f.name} needs a sidecar .meta.json with the answer"


@pytest.mark.parametrize("csv", FILES, ids=lambda p: p.stem)
def test_classlab_analyze_recovers_the_known_answer(csv: Path) -> None:
    meta = json.loads(csv.with_suffix(".meta.json").read_text(encoding="utf-8"))
    argv = [sys.executable, "-m", "classlab.gateway.cli", "analyze", meta["experiment"], str(csv), "--json"]
    for name, value in meta["params"].items():
        argv += ["--param", f"{name}={value}"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    res = json.loads(proc.stdout)
    assert res["valid"], res["reasons"]
    for name, want in meta["truth"].items():
        got = res["results"][name]
        truth = Quantity(want["value"], 0.0, want["unit"]).to(got["unit"]).value
        u = got["uncertainty"]
        assert 0 < u, f"{name}: zero uncertainty"
        if "max_rel_u" in want:
            assert u <= want["max_rel_u"] * abs(truth), f"{name}: u = {u} too large to mean anything"
        if "max_u" in want:
            assert u <= want["max_u"], f"{name}: u = {u} too large to mean anything"
        assert abs(got["value"] - truth) <= 3 * u, (
            f"{name}: {got['value']} ± {u} {got['unit']} vs truth {truth}"
        )
