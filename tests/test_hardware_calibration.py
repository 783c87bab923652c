"""Calibration: the maths against known answers, the file format, meta composition, `classlab calibrate`."""

from __future__ import annotations

import argparse
import json
import math
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from classlab.gateway.cli import main
from classlab.hardware import calibrate, calibration, pinmap
from tests.conftest import ROOT

# the installed console script, as teachers and CI run it
CLASSLAB = str(Path(sys.executable).with_name("classlab"))


def test_two_point_fit_recovers_a_known_line() -> None:
    # a probe that reads 0.4 °C in ice water and 99.1 °C in water boiling at 99.6 °C
    scale, offset, unc = calibration.fit([(0.4, 0.0), (99.1, 99.6)], "two_point")
    assert scale == pytest.approx(99.6 / 98.7)
    assert offset == pytest.approx(-0.4 * 99.6 / 98.7)
    assert unc is None
    assert 0.4 * scale + offset == pytest.approx(0.0, abs=1e-12)
    assert 99.1 * scale + offset == pytest.approx(99.6)


def test_least_squares_with_three_points_states_its_uncertainty() -> None:
    # true correction y = 1.02 x − 0.3, with residuals +0.05, −0.1, +0.05 (they sum to zero and are
    # orthogonal to x for x = 0, 50, 100, so the fit is exact and the residual SD is known)
    xs = [0.0, 50.0, 100.0]
    res = [0.05, -0.1, 0.05]
    pts = [(x, 1.02 * x - 0.3 + r) for x, r in zip(xs, res, strict=True)]
    scale, offset, unc = calibration.fit(pts, "reference_distance")
    assert scale == pytest.approx(1.02) and offset == pytest.approx(-0.3)
    assert unc == pytest.approx(math.sqrt(sum(r * r for r in res) / 1))


def test_one_point_offset_and_known_resistor_gain() -> None:
    assert calibration.fit([(0.35, 0.0)], "one_point") == (1.0, -0.35, None)
    # 0.5 A expected (5.00 V across 10.0 Ω), the channel read 0.49 A: gain only, through zero
    ref = calibration.current_from_resistor(5.0, 10.0)
    scale, offset, _ = calibration.fit([(0.49, ref)], "known_resistor")
    assert scale == pytest.approx(0.5 / 0.49) and offset == 0.0
    with pytest.raises(calibration.CalibrationError, match="readings are equal"):
        calibration.fit([(1.0, 0.0), (1.0, 5.0)], "two_point")
    with pytest.raises(calibration.CalibrationError, match="non-zero"):
        calibration.fit([(0.0, 1.0)], "known_resistor")
    assert calibration.speed_of_sound(20.0) == pytest.approx(343.2, abs=0.1)


def test_apply_composes_with_the_meta_and_is_idempotent() -> None:
    meta = {"fw": "0.1.0", "board": "esp32", "channels": [
        {"id": 0, "sensor": "ds18b20", "quantity": "temperature", "unit": "C", "scale": 0.0625, "offset": 0.0},
        {"id": 4, "sensor": "adc_divider", "quantity": "voltage", "unit": "V", "scale": 0.003, "offset": 0.1},
        {"id": 9, "sensor": "mpu6050", "quantity": "acceleration", "unit": "m/s2", "scale": 0.001, "offset": 0.0},
    ]}
    cal = calibration.Calibration("esp32-station", {
        0: calibration.calibrate_channel(0, [(0.4, 0.0), (99.1, 99.6)], "two_point", "王老师", "ice/boil"),
        4: calibration.ChannelCal(4, 1.05, -0.02, "2026-11-25", "t", "known_resistor", "5 V"),
        9: calibration.ChannelCal(9, 2.0, 0.0, "2026-11-25", "classlab", "none", "default"),
    })
    out = calibration.apply(meta, cal)
    assert meta["channels"][0]["scale"] == 0.0625 and "calibration" not in meta["channels"][0]  # not mutated
    for raw in (-100, 0, 7, 1600):
        for i in (0, 1):
            before, after, c = meta["channels"][i], out["channels"][i], cal.channels[meta["channels"][i]["id"]]
            physical = raw * before["scale"] + before["offset"]
            assert raw * after["scale"] + after["offset"] == pytest.approx(physical * c.scale + c.offset)
    assert out["channels"][0]["calibration"]["by"] == "王老师"
    assert out["channels"][2] == meta["channels"][2]                   # method "none" changes nothing
    assert calibration.apply(out, cal) == out                          # never applied twice
    cfg = calibration.to_board_config(cal)
    assert [c["id"] for c in cfg] == [0, 4, 9] and set(cfg[0]) == {"id", "scale", "offset", "date", "by", "method"}


def test_file_round_trip_and_strict_errors(tmp_path: Path) -> None:
    cal = calibration.Calibration("esp32-station")
    cal.channels[3] = calibration.calibrate_channel(3, [(0.21, 0.2), (0.98, 1.0), (1.52, 1.5)],
                                                    "reference_distance", 'Li "Lei" 李雷', "tape\\measure",
                                                    date="2026-11-20")
    path = tmp_path / "cal.toml"
    calibration.save(cal, path)
    back = calibration.load(path)
    assert back.to_dict() == cal.to_dict()
    text = path.read_text(encoding="utf-8")
    for bad, words in [(text.replace("scale =", "gain =", 1), "unknown key"),
                       (text.replace('"2026-11-20"', '"20.11.2026"'), "YYYY-MM-DD"),
                       (text.replace('method = "reference_distance"', 'method = "guess"'), "guess"),
                       (text.replace("schema = 1", "schema = 3"), "schema"),
                       (text.replace("id = 3", "id = 99"), "0–31")]:
        with pytest.raises(calibration.CalibrationError, match=words):
            calibration.loads(bad, "x.toml")


@pytest.mark.parametrize("path", pinmap.shipped(), ids=lambda p: p.stem)
def test_shipped_calibration_covers_every_channel(path: Path) -> None:
    pm = pinmap.load(path)
    cal = calibration.load(calibration.default_path(pm["board"]["id"]))
    assert cal.board == pm["board"]["id"]
    assert set(cal.channels) == {c["id"] for s in pm["sensor"] for c in s["channels"]}


def test_cli_with_reference_values_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "esp32.toml"
    args = ["calibrate", "esp32-station", "--channel", "0", "--reference", "0", "--reference", "99.6",
            "--reading", "0.4", "--reading", "99.1", "--by", "王老师", "--file", str(f), "--json",
            "--note", "ice bath; boiling at 98.9 kPa"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["method"] == "two_point" and doc["scale"] == pytest.approx(99.6 / 98.7)
    cal = calibration.load(f)
    assert cal.board == "esp32-station" and cal.channels[0].by == "王老师"
    assert "98.9 kPa" in cal.channels[0].reference
    # a second channel is added, the first one kept
    assert main(["calibrate", "esp32-station", "--channel", "7", "--reference", "0.5", "--reading", "0.49",
                 "--by", "t", "--file", str(f)]) == 0
    cal = calibration.load(f)
    assert set(cal.channels) == {0, 7} and cal.channels[7].method == "known_resistor"
    assert cal.channels[7].scale == pytest.approx(0.5 / 0.49)


def test_cli_from_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_path = tmp_path / "points.csv"
    csv_path.write_text("\ufeffchannel,reference,reading\n3,0.2,0.212\n3,1.0,1.006\n5,1,2\n3,1.5,1.497\n",
                        encoding="utf-8")
    assert main(["calibrate", "esp32-station", "--channel", "3", "--from-csv", str(csv_path), "--by", "t",
                 "--dry-run", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["file"] is None and len(doc["points"]) == 3 and doc["uncertainty"] is not None
    assert doc["method"] == "reference_distance"


@pytest.mark.parametrize(("args", "words"), [
    (["--channel", "0", "--reference", "0", "--by", "t"], "one --reading per --reference"),
    (["--channel", "30", "--reference", "0", "--reading", "1", "--by", "t"], "channel 30 is not in"),
    (["--channel", "0", "--reference", "0", "--reading", "1"], "--by"),
])
def test_cli_usage_errors(args: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calibrate", "esp32-station", "--dry-run", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1


def test_without_a_terminal_it_errors_in_one_line_instead_of_hanging() -> None:
    proc = subprocess.run([CLASSLAB, "calibrate", "esp32-station",
                           "--channel", "0"], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "no terminal" in lines[0] and "--from-csv" in lines[0]


def _args(**kw: object) -> argparse.Namespace:
    base = {"pinmap": "esp32-station", "channel": 0, "method": None, "reference": [], "reading": [],
            "from_csv": None, "by": None, "note": "", "date": None, "file": None, "dry_run": True, "json": True}
    base.update(kw)
    return argparse.Namespace(**base)


def test_guided_steps_with_scripted_answers(capsys: pytest.CaptureFixture[str]) -> None:
    answers = iter(["", "0.4", "99.6", "99.1", "n", "张老师"])    # Enter accepts the suggested 0 °C
    said: list[str] = []
    assert calibrate.run(_args(), ask=lambda prompt: next(answers), say=said.append) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["points"] == [[0.4, 0.0], [99.1, 99.6]] and doc["by"] == "张老师"
    assert any("ice water" in s and "冰水" in s for s in said)


def test_guided_current_from_a_known_resistor(capsys: pytest.CaptureFixture[str]) -> None:
    answers = iter(["5.0", "10.0", "0.49", "", "李老师"])          # V, R, reading, Enter = one point
    assert calibrate.run(_args(channel=7), ask=lambda prompt: next(answers), say=lambda s: None) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["points"] == [[0.49, 0.5]] and doc["scale"] == pytest.approx(0.5 / 0.49) and doc["offset"] == 0


def test_guided_on_a_real_terminal(tmp_path: Path) -> None:
    """The real command on a pseudo-terminal: prompts appear, typed answers are used, the file is written."""
    master, slave = pty.openpty()
    f = tmp_path / "cal.toml"
    proc = subprocess.Popen([CLASSLAB, "calibrate", "picow-station",
                             "--channel", "3", "--file", str(f)], stdin=slave, stdout=slave, stderr=slave,
                            cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    os.close(slave)
    output = b""
    answers = [b"\n", b"0.212\n", b"\n", b"0.995\n", b"n\n", b"Wang\n"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
            # answer each prompt once it is shown (prompts end in ": ")
            while answers and output.rstrip().endswith(b":") and output.count(b": ") > 6 - len(answers):
                os.write(master, answers.pop(0))
        elif proc.poll() is not None:
            break
    os.close(master)
    assert proc.wait(timeout=30) == 0, output.decode(errors="replace")
    text = output.decode(errors="replace")
    assert "0.200 m" in text and "平板" in text
    cal = calibration.load(f).channels[3]
    assert cal.points == [[0.212, 0.2], [0.995, 1.0]] and cal.by == "Wang"


def test_guided_accelerometer_axis_up_and_down(capsys: pytest.CaptureFixture[str]) -> None:
    answers = iter(["9.801", "x", "9.95", "", "-9.62", "n", "周老师"])   # "x" is refused and asked again
    said: list[str] = []
    assert calibrate.run(_args(channel=8), ask=lambda prompt: next(answers), say=said.append) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["points"] == [[9.95, 9.801], [-9.62, -9.8]] and doc["method"] == "two_point"
    assert any("straight up" in s for s in said) and not any("ice" in s for s in said)
    assert any("'x' is not a number" in s for s in said)


def test_photogate_channels_are_not_calibrated(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calibrate", "esp32-station", "--channel", "12", "--reference", "1", "--reading", "1",
                 "--by", "t", "--dry-run"]) == 2
    assert "need no calibration" in capsys.readouterr().err
