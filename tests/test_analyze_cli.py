"""`classlab analyze`, `experiments list|show`: text and JSON, --param, invalid-with-reason, exit 2."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classlab.experiments.csvio import write_csv
from classlab.gateway.cli import main

DENSITY = {"trial": [1, 2, 3], "mass_g": [52.1, 52.3, 52.2], "water_volume_mL": [40.0, 40.0, 41.0],
           "total_volume_mL": [60.0, 60.0, 61.0]}


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def density_csv(tmp_path):
    path = tmp_path / "density.csv"
    write_csv(path, DENSITY)
    return path


def test_analyze_manual_table_text_and_json(capsys, density_csv):
    code, out, _ = run(capsys, "analyze", "PHY-J-02", str(density_csv))
    assert code == 0 and "2.61 ±" in out and "g/cm3" in out and "valid / 有效" in out
    code, out, _ = run(capsys, "analyze", "PHY-J-02", str(density_csv), "--json")
    result = json.loads(out)
    assert code == 0 and result["experiment"] == "PHY-J-02" and result["valid"] is True
    rho = result["results"]["solid_density"]
    assert rho["unit"] == "g/cm3" and rho["value"] == pytest.approx(52.2 / 20.0)
    # u(ρ)/ρ from u(m) and u(V2 − V1); each mean's standard error is 0.058 g, 0.33 mL
    assert 0.01 < rho["uncertainty"] < 0.2
    assert "liquid_density" not in result["results"]  # optional part not filled in: absent, still valid
    assert {s["name"]: s["status"] for s in result["steps"]}["liquid_density"] == "skipped"


def test_a_csv_lacking_the_needed_column_is_invalid_with_a_reason(capsys, tmp_path):
    path = tmp_path / "x.csv"
    write_csv(path, {"trial": [1, 2], "colour_1": [1, 2]})
    code, out, _ = run(capsys, "analyze", "PHY-J-02", str(path), "--json")
    result = json.loads(out)
    assert code == 0 and result["valid"] is False and result["results"] == {}
    assert any(r["code"] == "missing_channel" and "mass_g" in r["en"] and r["zh"] for r in result["reasons"])


def test_unknown_param_makes_the_result_invalid(capsys, density_csv):
    code, out, _ = run(capsys, "analyze", "PHY-J-02", str(density_csv), "--param", "length_m=1", "--json")
    result = json.loads(out)
    assert code == 0 and result["valid"] is False
    assert result["reasons"][0]["code"] == "bad_param" and "length_m" in result["reasons"][0]["en"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["analyze", "PHY-J-99", "f.csv"], "unknown experiment"),
        (["analyze", "PHY-J-02", "/nonexistent/f.csv"], "cannot read"),
        (["analyze", "PHY-J-02", "DENSITY", "--param", "length_m"], "NAME=VALUE"),
        (["experiments", "show", "XYZ"], "unknown experiment"),
    ],
)
def test_malformed_command_lines_are_one_line_and_exit_2(capsys, density_csv, argv, message):
    argv = [str(density_csv) if a == "DENSITY" else a for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_experiments_list_and_show(capsys):
    code, out, _ = run(capsys, "experiments", "list", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 117 and sum(r["required"] for r in rows) == 68
    assert all(r["template"] and r["kind"] == "manual" for r in rows if r["id"] == "PHY-J-02")
    assert all(r["kind"] == "sensor" for r in rows if r["id"] == "PHY-S-04")
    code, out, _ = run(capsys, "experiments", "list", "--required")
    assert code == 0 and "PHY-J-02" in out and "BIO-J-01" not in out
    code, out, _ = run(capsys, "experiments", "show", "PHY-J-02")
    assert code == 0 and "测量固体和液体的密度" in out and "mass_g" in out
    code, out, _ = run(capsys, "experiments", "show", "PHY-J-02", "--json")
    shown = json.loads(out)
    assert shown["template"]["kind"] == "manual" and shown["catalogue"]["required"] is True


def test_installed_command_prints_no_traceback_on_bad_data(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes("\ufefftrial,mass_g\n1,abc\n2,\n".encode())
    proc = subprocess.run([sys.executable, "-m", "classlab.gateway.cli", "analyze", "PHY-J-02", str(path), "--json"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    result = json.loads(proc.stdout)
    assert result["valid"] is False and result["reasons"]


def test_other_logger_export_with_unit_conversion(capsys, tmp_path):
    """Volumes in L and masses in kg are converted to the template's mL and g."""
    path = tmp_path / "other.csv"
    path.write_text("Trial;Mass (kg);Water_volume (L);Total_volume (L)\n1;0,0522;0,040;0,060\n"
                    "2;0,0522;0,040;0,060\n", encoding="utf-8")
    code, out, _ = run(capsys, "analyze", "PHY-J-02", str(path), "--json")
    rho = json.loads(out)["results"]["solid_density"]
    assert rho["value"] == pytest.approx(2.61) and np.isfinite(rho["uncertainty"])


def _logger_pro_rc_csv(path, tau=4.0, v0=4.5, t_switch=30.0, seed=5):
    """An RC discharge as another logger exports it: Logger Pro headers, ';' and decimal commas, jittered
    (irregular) sampling, repeated timestamps, a 3 s gap, and a 30 s flat start before the switch."""
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.uniform(0.05, 0.15, 900))
    t = t[(t < 45.0) | (t > 48.0)]  # a gap
    t = np.sort(np.concatenate([t, t[100:110]]))  # repeated timestamps
    v = np.where(t < t_switch, v0, v0 * np.exp(-(t - t_switch) / tau)) + rng.normal(0, 0.003, t.size)
    rows = "\r\n".join(f"{a:.3f};{b:.4f}".replace(".", ",") for a, b in zip(t, v, strict=True))
    path.write_bytes(("Latest: Time (s);Latest: Potential (V)\r\n" + rows + "\r\n").encode("utf-8-sig"))


def test_analyze_reads_another_loggers_recording_and_recovers_the_time_constant(capsys, tmp_path):
    path = tmp_path / "rc.csv"
    _logger_pro_rc_csv(path)
    code, out, err = run(capsys, "analyze", "PHY-S-08", str(path), "--param", "resistance_ohm=1000", "--json")
    result = json.loads(out)
    assert code == 0, err
    tau = result["results"]["time_constant"]
    assert abs(tau["value"] - 4.0) < 3 * tau["uncertainty"] and tau["uncertainty"] < 0.05 * 4.0
    cap = result["results"]["capacitance"]
    assert cap["unit"] == "F" and cap["value"] == pytest.approx(4.0e-3, rel=0.05)
    assert "charge" not in result["results"]  # no current column: the optional charge is simply absent
    assert result["valid"] is True, result["reasons"]
    assert any("repeated" in n for n in result["notes"]) and any("gap" in n for n in result["notes"])
    code, out, _ = run(capsys, "analyze", "PHY-S-08", str(path), "--param", "resistance_ohm=1000")
    assert code == 0 and "时间常数 τ / time constant τ: 4." in out


def _pendulum_gate_csv(path, period=1.6, swings=20):
    """A photogate at the bottom of a pendulum: blocked for 30 ms around each pass, two passes a period;
    the logger writes a row at each edge (a long flat start of 5 s before the first swing)."""
    rows = ["time_s,gate_level", "0.0,0"]
    for k in range(2 * swings):
        centre = 5.0 + k * period / 2
        rows += [f"{centre - 0.015:.6f},1", f"{centre + 0.015:.6f},0"]
    path.write_text("\ufeff" + "\n".join(rows) + "\n", encoding="utf-8")


def test_param_fills_the_template_input_and_a_missing_one_is_a_reason(capsys, tmp_path):
    path = tmp_path / "pendulum.csv"
    _pendulum_gate_csv(path)
    code, out, _ = run(capsys, "analyze", "PHY-S-14", str(path), "--json")
    result = json.loads(out)
    assert code == 0 and result["valid"] is False and "g" not in result["results"]
    assert any(r["code"] == "missing_param" and "length_m" in r["en"] for r in result["reasons"])
    length = 9.80665 * (1.6 / (2 * np.pi)) ** 2  # the length that gives T = 1.6 s
    code, out, _ = run(capsys, "analyze", "PHY-S-14", str(path), "--param", f"length_m={length:.4f}", "--json")
    result = json.loads(out)
    g = result["results"]["g"]
    assert result["valid"] is True, result["reasons"]
    assert abs(g["value"] - 9.80665) < 3 * g["uncertainty"] and g["uncertainty"] < 0.1
    assert result["results"]["period"]["value"] == pytest.approx(1.6, abs=1e-3)


_CELLS = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.text(max_size=6),
                   st.sampled_from(["", "=1+1", "-", "1,5", "NaN", "1e400", "'3"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.lists(st.sampled_from(["time_s", "Time (ms)", "trial", "temperature_C", "voltage_V", "current_A",
                                        "gate_level", "distance_cm", "x", "温度 (°C)", ""]), min_size=1, max_size=4),
       rows=st.lists(st.lists(_CELLS, min_size=0, max_size=5), max_size=30),
       exp_id=st.sampled_from(["PHY-J-10", "PHY-S-08", "PHY-S-14", "PHY-J-02", "CHE-S-13"]))
def test_arbitrary_csv_gives_a_result_or_one_clear_line_never_a_traceback(capsys, tmp_path, header, rows, exp_id):
    path = tmp_path / "fuzz.csv"
    path.write_text("\n".join(",".join(r) for r in [header, *rows]), encoding="utf-8")
    code = main(["analyze", exp_id, str(path), "--json", "--param", "length_m=0.8"])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    if code == 0:
        result = json.loads(out.out)
        assert isinstance(result["valid"], bool) and (result["valid"] or result["reasons"])
    else:
        assert code == 2 and len(out.err.strip().splitlines()) == 1
