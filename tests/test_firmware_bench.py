"""bench/firmware.py runs under the real MicroPython runtime and reports what it claims to (a short run;
the numbers themselves are judged in the bench output, never asserted against wall-clock here)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_firmware_bench_reports_heap_and_cost(micropython) -> None:
    out = subprocess.run([sys.executable, "bench/firmware.py", "--json", "--n", "3000", "--repeat", "1"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert len(res["drivers"]) == 10  # every driver configured
    assert res["heap_used_bytes"] == res["heap_code_bytes"] + res["heap_data_bytes"]
    assert 8192 <= res["heap_data_bytes"] < res["heap_used_bytes"]  # at least the outage queue is in it
    assert [c["channels"] for c in res["cost"]] == [1, 4]
    for c in res["cost"]:
        assert c["ratio"] == pytest.approx(c["sampler_us_per_value"] / c["bare_us_per_value"])
        assert c["bare_us_per_value"] > 0
