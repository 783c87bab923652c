"""Strict pin map parsing: wrong input names the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from classlab.hardware import frontend, pinmap
from tests.conftest import ROOT

ESP32 = ROOT / "hardware" / "pinmaps" / "esp32-station.toml"


def _error(tmp_path: Path, old: str, new: str) -> pinmap.PinMapError:
    text = ESP32.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "map.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(pinmap.PinMapError) as info:
        pinmap.load(path)
    err = info.value
    assert str(path) in str(err)
    return err


def _line_of(text: str) -> int:
    lines = ESP32.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


@pytest.mark.parametrize(("old", "new", "key", "words", "anchor"), [
    ("rate_hz = 5.0", "rate_hz = 5.0\ncolour = \"red\"", "sensor[1].colour", "unknown key", 'address = 0x23'),
    ("pins = { data = 4 }", "pins = { data = \"4\" }", "sensor[0].pins.data", "integer", "data = 4"),
    ("pins = { data = 4 }", "pins = { dq = 4 }", "sensor[0].pins.dq", "unknown key", "data = 4"),
    ('unit = "lx" }]\nrate_hz = 5.0', 'unit = "lux" }]\nrate_hz = 5.0', "sensor[1].channels[0].unit",
     "not one of lx", 'quantity = "illuminance"'),
    ("address = 0x23", "address = 0x40", "sensor[1].address", "0x23, 0x5C", "address = 0x23"),
    ('driver = "bh1750"', 'driver = "bh1751"', "sensor[1].driver", "ds18b20", 'driver = "bh1750"'),
    ('type = "esp32"', 'type = "esp8266"', "board.type", "pico_w", 'type = "esp32"'),
    ('id = "esp32-station"', 'id = "ESP32 Station"', "board.id", "[a-z0-9-]", 'id = "esp32-station"'),
    ("freq = 400000", "freq = 4000000", "i2c[0].freq", "between", "freq = 400000"),
    ("{ id = 0, quantity", "{ id = 40, quantity", "sensor[0].channels[0].id", "between 0 and 31",
     'quantity = "temperature"'),
    ("input_range = [0.0, 12.0]", "input_range = [12.0, 0.0]", "sensor[4].input_range", "below",
     "input_range = [0.0, 12.0]"),
    ("divider = { r_top = 39000, r_bottom = 10000 }", "divider = { r_top = 39000 }", "sensor[4].divider",
     "r_bottom", "r_top = 39000"),
    ("shunt_ohm = 0.1", "shunt_ohm = -0.1", "sensor[6].shunt_ohm", "greater than 0", "shunt_ohm = 0.1"),
    ("shunt_ohm = 0.1\n", "", "sensor[6]", "shunt_ohm", 'name = "power"'),
])
def test_wrong_input_names_line_and_key(tmp_path: Path, old: str, new: str, key: str, words: str,
                                        anchor: str) -> None:
    err = _error(tmp_path, old, new)
    assert err.key == key
    assert words in err.message
    assert "/" in err.message and any("\u4e00" <= c <= "\u9fff" for c in err.message)
    if key.endswith("colour"):
        assert err.line == _line_of("rate_hz = 5.0") + 1
    elif key == "sensor[6]":
        assert err.line == _line_of(anchor) - 1          # the [[sensor]] header of "power"
    else:
        assert err.line == _line_of(anchor)


def test_toml_syntax_error_has_the_line(tmp_path: Path) -> None:
    err = _error(tmp_path, "freq = 400000", "freq = = 400000")
    assert err.line == _line_of("freq = 400000") and "not valid TOML" in err.message


def test_schema_version_and_empty_sensor_list(tmp_path: Path) -> None:
    assert "schema" in _error(tmp_path, "schema = 1", "schema = 2").message
    with pytest.raises(pinmap.PinMapError, match="at least one"):
        pinmap.loads('schema = 1\nsensor = []\n[board]\nid = "x"\ntype = "pico"\nname_zh = "x"\nname_en = "x"\n')


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(pinmap.PinMapError, match="cannot read"):
        pinmap.load(tmp_path / "nope.toml")


def test_find_by_board_id() -> None:
    assert pinmap.find("esp32-station") == ESP32
    with pytest.raises(pinmap.PinMapError, match="picow-station"):
        pinmap.find("no-such-station")


def test_front_end_maths_matches_hand_calculation() -> None:
    # ±10 V front-end of frontend.md: 100 k from the input, 22 k to GND, 27 k to 3.3 V
    div = {"r_top": 100e3, "r_bottom": 22e3, "r_bias": 27e3, "v_bias": 3.3}
    g = 1 / 100e3 + 1 / 22e3 + 1 / 27e3
    assert frontend.pin_voltage(div, 0.0) == pytest.approx(3.3 / 27e3 / g)
    assert frontend.pin_voltage(div, -10.0) == pytest.approx(0.2402, abs=1e-4)
    assert frontend.pin_voltage(div, 10.0) == pytest.approx(2.4026, abs=1e-4)
    assert frontend.input_voltage(div, frontend.pin_voltage(div, 7.5)) == pytest.approx(7.5)
    assert frontend.input_resistance(div) == pytest.approx(100e3 + 1 / (1 / 22e3 + 1 / 27e3))
    plain = {"r_top": 39e3, "r_bottom": 10e3}
    assert frontend.pin_voltage(plain, 12.0) == pytest.approx(12 * 10 / 49)
