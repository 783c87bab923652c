"""`classlab hardware check`: the shipped pin maps pass; each rule fires on a deliberately broken map."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from classlab.gateway.cli import main
from classlab.hardware import check, pinmap
from tests.conftest import ROOT

# the installed console script, as teachers and CI run it
CLASSLAB = str(Path(sys.executable).with_name("classlab"))

PINMAPS = ROOT / "hardware" / "pinmaps"
FIXTURES = ROOT / "tests" / "hardware_fixtures"
HAN = re.compile(r"[\u4e00-\u9fff]")


def _variant(tmp_path: Path, base: str, *edits: tuple[str, str], append: str = "") -> Path:
    """A copy of a shipped pin map with text edits (each ``old`` must occur exactly once)."""
    text = (PINMAPS / f"{base}.toml").read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"edit target {old!r} not unique in {base}"
        text = text.replace(old, new)
    path = tmp_path / f"{base}-variant.toml"
    path.write_text(text + append, encoding="utf-8")
    return path


def _findings(path: Path) -> list[check.Finding]:
    report = check.check_file(path)
    assert report.parse_error is None, report.parse_error
    return report.findings


def _only(findings: list[check.Finding], rule: str) -> check.Finding:
    hits = [f for f in findings if f.rule == rule]
    assert len(hits) == 1, f"expected one {rule}, got {[str(f) for f in findings]}"
    f = hits[0]
    assert HAN.search(f.message_zh) and not HAN.search(f.message_en)
    return f


@pytest.mark.parametrize("path", sorted(PINMAPS.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_pin_maps_pass_without_findings(path: Path) -> None:
    report = check.check_file(path)
    assert report.parse_error is None
    assert report.findings == [], [str(f) for f in report.findings]
    assert report.ok


def test_three_boards_are_shipped() -> None:
    types = {pinmap.load(p)["board"]["type"] for p in pinmap.shipped()}
    assert types == {"esp32", "pico", "pico_w"}


@pytest.mark.parametrize("path", sorted(PINMAPS.glob("*.toml")), ids=lambda p: p.stem)
def test_firmware_config_is_exactly_the_pin_map(path: Path) -> None:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    loaded = pinmap.load(path)
    cfg = pinmap.to_board_config(loaded)
    assert loaded == raw and cfg == raw
    assert json.loads(json.dumps(cfg)) == raw          # JSON round trip loses nothing
    cfg["sensor"][0]["name"] = "changed"
    assert loaded["sensor"][0]["name"] != "changed"    # a copy, not an alias


def test_pin_invalid(tmp_path: Path) -> None:
    f = _only(_findings(_variant(tmp_path, "esp32-station", ("data = 4", "data = 20"))), "pin-invalid")
    assert f.pin == 20 and f.sensor == "probe" and "32–39" in f.message_en


@pytest.mark.parametrize(("base", "edit", "pin", "words"), [
    ("esp32-station", ("data = 4", "data = 7"), 7, "flash"),
    ("esp32-station", ("data = 4", "data = 1"), 1, "console"),
    ("picow-station", ("gate = 10", "gate = 23"), 23, "wireless"),
    ("picow-station", ("gate = 10", "gate = 29"), 29, "WL_CLK"),
    ("pico-station", ("gate = 10", "gate = 25"), 25, "LED"),
    ("pico-station", ("gate = 10", "gate = 24"), 24, "VBUS"),
])
def test_pin_reserved(tmp_path: Path, base: str, edit: tuple[str, str], pin: int, words: str) -> None:
    f = _only(_findings(_variant(tmp_path, base, edit)), "pin-reserved")
    assert f.pin == pin and words in f.message_en and "free GPIO" in f.message_en


def test_pin_conflict_between_sensors_and_with_a_bus(tmp_path: Path) -> None:
    f = _only(_findings(_variant(tmp_path, "esp32-station", ("gate = 17", "gate = 16"))), "pin-conflict")
    assert f.pin == 16 and "gate1.gate" in f.message_en and "gate2.gate" in f.message_en
    f = _only(_findings(_variant(tmp_path, "esp32-station", ("gate = 17", "gate = 21"))), "pin-conflict")
    assert "i2c[0].sda" in f.message_en


def test_input_only_pins_cannot_drive(tmp_path: Path) -> None:
    f = _only(_findings(_variant(tmp_path, "esp32-station", ("trig = 26", "trig = 36"))), "input-only")
    assert f.pin == 36 and "sonar.trig" in f.message_en and "below 34" in f.message_en
    f = _only(_findings(_variant(tmp_path, "esp32-station", ("scl = 22", "scl = 39"))), "input-only")
    assert "I²C" in f.message_en


@pytest.mark.parametrize(("base", "edit", "pin"), [
    ("esp32-station", ("adc = 34", "adc = 23"), 23),
    ("pico-station", ("adc = 26", "adc = 22"), 22),
])
def test_analog_sensor_on_a_pin_without_adc(tmp_path: Path, base: str, edit: tuple[str, str], pin: int) -> None:
    f = _only(_findings(_variant(tmp_path, base, edit)), "adc-pin")
    assert f.pin == pin and "no ADC" in f.message_en and "ADC" in f.message_zh


def test_adc2_pin_while_wifi_is_on_and_allowed_without_wifi(tmp_path: Path) -> None:
    f = _only(_findings(_variant(tmp_path, "esp32-station", ("adc = 34", "adc = 13"))), "adc2-wifi")
    assert f.pin == 13 and "ADC2" in f.message_en and "GPIO32–39" in f.message_en
    off = _variant(tmp_path, "esp32-station", ("adc = 34", "adc = 13"), ("wifi = true", "wifi = false"))
    assert not [x for x in _findings(off) if x.rule == "adc2-wifi"]


def test_overvoltage_through_the_divider(tmp_path: Path) -> None:
    path = _variant(tmp_path, "esp32-station", ("r_top = 39000, r_bottom = 10000", "r_top = 20000, r_bottom = 10000"))
    f = _only(_findings(path), "overvoltage")
    assert f.pin == 34 and "4.00 V" in f.message_en and "r_top" in f.message_en


def test_overvoltage_negative_input_on_a_plain_divider(tmp_path: Path) -> None:
    path = _variant(tmp_path, "pico-station", ("input_range = [0.0, 12.0]", "input_range = [-5.0, 12.0]"))
    f = _only(_findings(path), "overvoltage")
    assert "-1.16 V" in f.message_en and "frontend.md" in f.message_en


def test_overvoltage_bipolar_front_end_with_too_wide_a_range(tmp_path: Path) -> None:
    path = _variant(tmp_path, "picow-station", ("input_range = [-10.0, 10.0]", "input_range = [-20.0, 20.0]"))
    f = _only(_findings(path), "overvoltage")
    assert f.sensor == "bipolar" and f.pin == 27


def test_overvoltage_5v_sensor_output(tmp_path: Path) -> None:
    path = _variant(tmp_path, "esp32-station", ("divider = { r_top = 10000, r_bottom = 15000 }\n", ""))
    f = _only(_findings(path), "overvoltage")
    assert f.pin == 25 and "5.00 V" in f.message_en and "divider" in f.message_en
    path = _variant(tmp_path, "esp32-station", ("r_top = 10000, r_bottom = 15000", "r_top = 10000, r_bottom = 22000"))
    f = _only(_findings(path), "overvoltage")
    assert "3.44 V" in f.message_en


def test_overvoltage_beyond_a_chips_own_limit(tmp_path: Path) -> None:
    path = _variant(tmp_path, "esp32-station", ("input_range = [0.0, 26.0]", "input_range = [0.0, 30.0]"))
    f = _only(_findings(path), "overvoltage")
    assert f.sensor == "power" and "26 V" in f.message_en


def test_nonlinear_adc_range_is_a_warning_only(tmp_path: Path) -> None:
    path = _variant(tmp_path, "esp32-station", ("r_top = 39000, r_bottom = 10000", "r_top = 27000, r_bottom = 10000"))
    report = check.check_file(path)
    f = _only(report.findings, "adc-nonlinear")
    assert f.severity == check.WARNING and "3.24 V" in f.message_en and "2.45" in f.message_en
    assert report.ok


@pytest.mark.parametrize("pin", [0, 2, 12, 15])
def test_esp32_strapping_pins_are_errors(tmp_path: Path, pin: int) -> None:
    f = _only(_findings(_variant(tmp_path, "esp32-station", ("gate = 16", f"gate = {pin}"))), "strapping-pin")
    assert f.severity == check.ERROR and f.pin == pin and "strapping" in f.message_en
    assert "non-strapping" in f.message_en


def test_esp32_gpio5_is_a_strapping_warning(tmp_path: Path) -> None:
    report = check.check_file(_variant(tmp_path, "esp32-station", ("gate = 16", "gate = 5")))
    f = _only(report.findings, "strapping-pin")
    assert f.severity == check.WARNING and report.ok


def test_i2c_bus_undefined(tmp_path: Path) -> None:
    path = _variant(tmp_path, "esp32-station", ("i2c = 0\naddress = 0x23", "i2c = 1\naddress = 0x23"))
    f = _only(_findings(path), "i2c-bus-undefined")
    assert f.sensor == "light" and "id = 1" in f.message_en


def test_i2c_bus_duplicate(tmp_path: Path) -> None:
    extra = "\n[[i2c]]\nid = 0\nsda = 18\nscl = 19\nfreq = 100000\n"
    f = _only(_findings(_variant(tmp_path, "esp32-station", append=extra)), "i2c-bus-duplicate")
    assert "defined twice" in f.message_en


def test_rp2040_i2c_pin_pairs(tmp_path: Path) -> None:
    path = _variant(tmp_path, "pico-station", ("sda = 4", "sda = 6"))
    f = _only(_findings(path), "i2c-pins")
    assert f.pin == 6 and "GP0, GP4, GP8" in f.message_en


def test_i2c_address_clash(tmp_path: Path) -> None:
    extra = ('\n[[sensor]]\nname = "light2"\ndriver = "bh1750"\ni2c = 0\naddress = 0x23\n'
             'channels = [{ id = 20, quantity = "illuminance", unit = "lx" }]\n')
    f = _only(_findings(_variant(tmp_path, "esp32-station", append=extra)), "i2c-address-clash")
    assert "0x23" in f.message_en and "light" in f.message_en and "light2" in f.message_en
    fixed = extra.replace("0x23", "0x5C")
    assert _findings(_variant(tmp_path, "esp32-station", append=fixed)) == []


def test_duplicate_sensor_names_and_channel_ids(tmp_path: Path) -> None:
    f = _only(_findings(_variant(tmp_path, "esp32-station", ('name = "gate2"', 'name = "gate1"'))),
              "sensor-duplicate")
    assert "gate1" in f.message_en
    f = _only(_findings(_variant(tmp_path, "esp32-station", ("id = 13,", "id = 12,"))), "channel-duplicate")
    assert "12" in f.message_en and "gate2" in f.message_en


def test_broken_fixture_reports_every_planted_fault() -> None:
    findings = _findings(FIXTURES / "broken-esp32.toml")
    rules = sorted(f.rule for f in findings)
    assert rules == sorted(["strapping-pin", "i2c-address-clash", "input-only", "overvoltage", "overvoltage",
                            "adc2-wifi", "pin-conflict", "channel-duplicate"])


def test_cli_check_shipped_and_broken(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hardware", "check"]) == 0
    out = capsys.readouterr().out
    assert out.count("OK ") == 3 and "FAIL" not in out
    assert main(["hardware", "check", str(FIXTURES / "broken-esp32.toml"), "esp32-station"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "[adc2-wifi]" in out and "OK   " in out


def test_cli_check_json() -> None:
    # the real installed command in a child process, as CI and teachers run it
    proc = subprocess.run([CLASSLAB, "hardware", "check", "--json",
                           str(FIXTURES / "broken-esp32.toml"), str(FIXTURES / "unknown-key.toml"),
                           str(PINMAPS / "pico-station.toml")],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["ok"] is False
    broken, unknown, good = doc["files"]
    assert {f["rule"] for f in broken["findings"]} >= {"adc2-wifi", "pin-conflict", "strapping-pin"}
    assert all(set(f) == {"rule", "severity", "sensor", "pin", "message_en", "message_zh"} for f in broken["findings"])
    assert unknown["parse_error"]["line"] == 13 and unknown["parse_error"]["key"] == "sensor[0].pullup"
    assert good["ok"] is True and good["findings"] == []


def test_cli_unknown_pin_map_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hardware", "check", "no-such-board"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "esp32-station" in err


def test_overvoltage_pull_up_to_a_5v_supply(tmp_path: Path) -> None:
    path = _variant(tmp_path, "esp32-station", ("pins = { data = 4 }", "pins = { data = 4 }\nsupply_v = 5.0"))
    f = _only(_findings(path), "overvoltage")
    assert f.sensor == "probe" and f.pin == 4 and "5.00 V" in f.message_en and "pull-up from 3.3 V" in f.message_en
