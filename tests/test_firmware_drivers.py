"""Sensor drivers (firmware/drivers/) under real MicroPython v1.27 and CPython, on fake devices that
replay scripted register values; conversions checked against datasheet numbers and known physics."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from classlab.firmware import drivers
from classlab.firmware.drivers import adc_bipolar, ds18b20, hcsr04, ldr, ntc
from classlab.hardware import frontend, pinmap
from classlab.hardware.drivers import DRIVERS
from tests.conftest import ROOT

PATHS = ("tests/mpy/fakes:/fakes", "tests/mpy:/mpy", "firmware")
# minimum number of checks each script makes (it prints "ok N"); fewer means checks were skipped
SCRIPTS = {"drivers_temperature.py": 63, "drivers_light.py": 47, "drivers_motion.py": 87,
           "drivers_voltage.py": 45, "drivers_led.py": 21}


def _count(out: subprocess.CompletedProcess[str]) -> int:
    assert out.returncode == 0, out.stderr[-3000:]
    m = re.search(r"^ok (\d+)$", out.stdout, re.M)
    assert m, out.stdout[-2000:]
    return int(m.group(1))


def _cpython(script: str, *args: str, paths: tuple[str, ...] = PATHS) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "tests/mpy/run_cpython.py"]
    for p in paths:
        cmd += ["--path", p]
    return subprocess.run([*cmd, f"tests/mpy/{script}", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_driver_script_under_micropython_and_cpython(micropython, script: str) -> None:
    n_mpy = _count(micropython.run(ROOT / "tests" / "mpy" / script, paths=PATHS))
    n_cpy = _count(_cpython(script))
    assert n_mpy == n_cpy >= SCRIPTS[script]


@pytest.fixture(scope="module")
def board_configs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cfg")
    for p in pinmap.shipped():
        (out / f"{p.stem}.json").write_text(json.dumps(pinmap.to_board_config(pinmap.load(p))))
    return out


@pytest.mark.slow
def test_every_shipped_pin_map_builds_its_drivers(micropython, board_configs: Path) -> None:
    names = sorted(p.name for p in board_configs.glob("*.json"))
    assert len(names) >= 3
    n_mpy = _count(micropython.run(ROOT / "tests/mpy/drivers_config.py", *[f"/cfg/{n}" for n in names],
                                   paths=(*PATHS, f"{board_configs}:/cfg")))
    n_cpy = _count(_cpython("drivers_config.py", *[str(board_configs / n) for n in names]))
    assert n_mpy == n_cpy > 20 * len(names)


def test_driver_modules_match_the_pin_map_driver_names() -> None:
    assert set(drivers.NAMES) == set(DRIVERS)
    for name in drivers.NAMES:
        mod = __import__(f"classlab.firmware.drivers.{name}", fromlist=["from_config"])
        assert callable(mod.from_config)
        classes = [v for v in vars(mod).values() if isinstance(v, type) and getattr(v, "NAME", None) == name]
        assert len(classes) == 1 and classes[0].KIND in ("fast", "slow", "event"), name


def test_bipolar_front_end_agrees_with_the_hardware_maths() -> None:
    """The firmware's biased-divider maths and hardware/frontend.py describe the same circuit."""
    for p in pinmap.shipped():
        for s in pinmap.load(p)["sensor"]:
            if s["driver"] == "adc_bipolar":
                d = s["divider"]
                got = adc_bipolar.biased_divider(d["r_top"], d["r_bottom"], d["r_bias"], d["v_bias"])
                assert got == pytest.approx(frontend.transfer(d), rel=1e-12)


def test_ds18b20_datasheet_table() -> None:
    # DS18B20 datasheet, table 1
    for reg, want in ((0x07D0, 125.0), (0x0191, 25.0625), (0xFFF8, -0.5), (0xFC90, -55.0)):
        assert ds18b20.to_celsius(reg & 0xFF, reg >> 8) == want


def test_ntc_table_error_is_below_the_adc_resolution() -> None:
    """The board's integer lookup table vs. the beta equation, over the probe's range.

    The table error must stay below what one LSB of a 12-bit ADC (0.806 mV) means in degC there."""
    table = ntc.VoltTable(lambda v: _ntc_raw(v), 3.3)
    worst = 0.0
    for code in range(200, 4000):
        v = code * 3.3 / 4095
        tenth_mv = int(v * 10000)
        exact = _ntc_raw(tenth_mv / 10000)
        if exact is None:
            continue
        got = table.lookup(tenth_mv)
        assert got != ntc.FAULT
        dt_lsb = abs((_ntc_raw(v + 0.806e-3) or exact) - exact) / 100
        err = abs(got - exact) / 100
        assert err <= max(dt_lsb, 0.01) + 0.01, (v, got, exact)
        worst = max(worst, err)
    assert worst < 0.2


def _ntc_raw(v: float) -> int | None:
    r = ntc.ntc_resistance(v, 3.3, 10000.0)
    if r is None:
        return None
    t = ntc.beta_celsius(r, 10000.0, 25.0, 3950.0)
    return round(t * 100) if -55 <= t <= 150 else None


def test_ntc_beta_known_points() -> None:
    # a 10 kohm B3950 thermistor in the beta model: R(0 degC) = 10k * exp(3950 (1/273.15 - 1/298.15))
    # = 33.62 kohm, R(100 degC) = 0.6975 kohm
    assert ntc.beta_celsius(10000.0) == pytest.approx(25.0, abs=1e-9)
    assert 10000 * math.exp(3950 * (1 / 273.15 - 1 / 298.15)) == pytest.approx(33620, rel=1e-4)
    assert ntc.beta_celsius(33620.6) == pytest.approx(0.0, abs=1e-3)
    assert ntc.beta_celsius(697.5) == pytest.approx(100.0, abs=0.01)


def test_speed_of_sound_matches_reference_values() -> None:
    # reference values for dry air (m/s): 331.3 at 0 degC, 343.2 at 20 degC, 349.0 at 30 degC
    for t, c in ((0.0, 331.3), (20.0, 343.2), (30.0, 349.0)):
        assert hcsr04.speed_of_sound(t) == pytest.approx(c, abs=0.15)
    assert hcsr04.echo_to_m(5831, 20.0) == pytest.approx(1.0006, abs=5e-4)


def test_ldr_model_round_trip() -> None:
    for e in (1.0, 50.0, 1000.0):
        r = 10000 * (e / 10) ** -0.7
        v = 3.3 * 10000 / (10000 + r)
        assert ldr.ldr_lux(ldr.ldr_resistance(v, 3.3, 10000.0)) == pytest.approx(e, rel=1e-9)
