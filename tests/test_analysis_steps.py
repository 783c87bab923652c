"""The step registry: every step runs through Step.run on good data, and bad data gives its code."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from classlab.experiments.quantity import AnalysisIssue, Quantity
from classlab.experiments.steps import STEPS, Series, get_step

RNG = np.random.default_rng(7)
T = np.arange(0.0, 900.0, 1.0)
BOIL = Series(T, np.where(T < 400, 20 + 79.5 * (1 - np.exp(-T / 150)) / (1 - np.exp(-400 / 150)), 99.5)
              + RNG.normal(0, 0.05, T.size), "C", "temperature")
TT = np.arange(0, 20, 0.01)
LIGHT = Series(TT, 500 - 400 * np.exp(-(((np.mod(TT, 0.9) - 0.45) / 0.02) ** 2)) + RNG.normal(0, 2, TT.size), "lx")
TC = np.arange(0, 3, 0.02)
CUR = Series(TC, np.linspace(0.1, 1, TC.size), "A", "current")
VOLT = Series(TC, 1.5 - 0.8 * CUR.y + RNG.normal(0, 0.005, TC.size), "V", "voltage")
DIST = Series(TC, np.linspace(0.1, 0.6, TC.size), "m", "distance")
LUX = Series(TC, 50 / (DIST.y + 0.02) ** 2 + 30 + RNG.normal(0, 2, TC.size), "lx", "illuminance")
CART = Series(TC, 0.2 + 0.3 * np.clip(TC - 0.5, 0, None) ** 2 + RNG.normal(0, 0.002, TC.size), "m", "distance")


def gate_series(times: np.ndarray) -> Series:
    return Series(times, np.tile([1.0, 0.0], times.size // 2), "level", "gate")


PEND = gate_series(np.sort(np.concatenate([np.arange(0, 20, 1.0) + 0.1, np.arange(0, 20, 1.0) + 0.12])))
x = np.arange(12) * 0.05
FENCE = gate_series(np.sort(np.concatenate([np.sqrt(2 * (x + 0.1) / 9.8), np.sqrt(2 * (x + 0.125) / 9.8)])))
Q = Quantity

T10 = np.arange(0, 10, 0.005)
PULSES = Series(T10, RNG.normal(0, 0.1, T10.size) + 5 * np.exp(-(((T10 - 2) / 0.05) ** 2))
                - 7 * np.exp(-(((T10 - 4) / 0.05) ** 2)), "mV", "voltage")
T40 = np.arange(0, 40, 0.1)
TURBID = Series(T40, np.where(T40 < 5, 1000, 1000 * np.exp(-(T40 - 5) / 10)) + RNG.normal(0, 2, T40.size), "lx")
ANGLE = Series(T40, 90 * T40 / 40, "deg", "angle")
BRIGHT = Series(T40, 100 * np.exp(-(((ANGLE.y - 45) / 10) ** 2)) + RNG.normal(0, 0.5, T40.size), "lx")
POS = Series(T40, 0.05 * T40 / 40, "m", "position")
FRINGES = Series(T40, 100 + 50 * np.cos(2 * np.pi * POS.y / 0.004) + RNG.normal(0, 1, T40.size), "lx")
T60 = np.arange(0, 60, 0.05)
_steps = np.floor(T60 / 15)
_since = T60 - 15 * _steps
HANGER = Series(T60, 0.50 - 0.02 * _steps + 0.004 * np.exp(-_since / 0.5) * np.cos(8 * _since) * (_steps > 0)
                + RNG.normal(0, 0.0005, T60.size), "m", "distance")
_tri = 21 + np.abs(((T60 / 10) % 2) - 1) * 2 - 1  # 20 .. 22 °C triangle
THERMO = Series(T60, _tri, "C", "temperature")
# the heater switches on at the bottom of the cycle (20 °C) and off at the top (22 °C)
SWITCH = Series(np.array([10.0, 20.0, 30.0, 40.0, 50.0]), np.array([1.0, 0.0, 1.0, 0.0, 1.0]), "level", "switch")
GATE_A = gate_series(np.array([1.0, 1.05, 3.0, 3.05, 5.0, 5.05]))
GATE_B = gate_series(np.array([1.25, 1.3, 3.22, 3.27, 5.27, 5.32]))
GATE_1 = gate_series(np.array([1.0, 1.02]))  # A at 0.5 m/s
GATE_2 = gate_series(np.array([2.0, 2.025, 2.5, 2.6]))  # B at 0.4 m/s, then A at 0.1 m/s

# step -> (inputs, params, output -> expected value (within 4 u + 1e-9) or None = just present)
GOOD: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, float | None]]] = {
    "linear_fit": ({"y": VOLT, "x": CUR}, {}, {"slope": -0.8, "intercept": 1.5}),
    "linear_fit_xy": ({"y": VOLT, "x": CUR}, {}, {"slope": -0.8, "intercept": 1.5}),
    "exp_fit": ({"y": Series(TC, 5 * np.exp(-TC / 0.7) + RNG.normal(0, 0.01, TC.size), "V")}, {"final": 0},
                {"tau": 0.7, "initial": 5.0}),
    "mean": ({"y": Series(TC, 2 + RNG.normal(0, 0.1, TC.size), "V")}, {}, {"mean": 2.0, "n": None}),
    "extremes": ({"y": VOLT}, {}, {"max": None, "range": None}),
    "rms": ({"y": Series(TT, 10 * np.sin(2 * np.pi * 7 * TT), "V")}, {}, {"rms": 10 / math.sqrt(2)}),
    "integral": ({"y": CUR}, {}, {"total": None}),
    "clean": ({"y": Series(np.array([0, 2, 1, 1, 3.0]), np.array([1, 2, 3, np.nan, 5.0]), "V")}, {},
              {"dropped": 1, "merged": 0}),
    "trim_flat": ({"y": Series(T, np.where(T < 100, 20, 20 + 0.1 * (T - 100)), "C")}, {"ends": "both"}, {}),
    "check_saturation": ({"y": VOLT}, {}, {}),
    "require_samples": ({"y": VOLT}, {"min_samples": 100}, {"duration": None}),
    "divide": ({"a": Q(27.0, 0.1, "g"), "b": Q(10.0, 0.5, "cm3")}, {}, {"y": 2.7}),
    "multiply": ({"a": Q(2.0, 0.02, "V"), "b": Q(0.5, 0.01, "A")}, {}, {"y": 1.0}),
    "subtract": ({"a": Q(2.0, 0.02, "N"), "b": Q(1200.0, 20, "mN")}, {}, {"y": 0.8}),
    "scale": ({"a": Q(2.0, 0.02, "kg")}, {"factor": 9.8, "unit": "N"}, {"y": 19.6}),
    "plateau": ({"y": BOIL}, {"tolerance": 0.2 / 60, "min_duration_s": 120}, {"level": 99.5, "rate_before": None}),
    "period": ({"y": LIGHT}, {"per_period": 2}, {"period": 1.8, "frequency": 1 / 1.8}),
    "derivative": ({"y": BOIL}, {"window_s": 20}, {}),
    "peak": ({"y": BOIL}, {"window_s": 20}, {"value": 99.5}),
    "minimum": ({"y": VOLT}, {}, {"value": None}),
    "settled_value": ({"y": BOIL}, {"max_rate": 0.01}, {"value": 99.5}),
    "threshold_time": ({"y": BOIL}, {"level": 60}, {"time": None}),
    "rise": ({"y": BOIL}, {"baseline_s": 3}, {"end": 99.5}),
    "pendulum_g": ({"y": PEND}, {"length_m": 1.0}, {"period": 2.0, "g": 4 * math.pi**2 / 4}),
    "picket_fence_g": ({"gate": FENCE}, {"spacing_m": 0.05}, {"g": 9.8}),
    "gate_speed": ({"gate": PEND}, {"flag_m": 0.01}, {"speed": 0.5, "passages": 20}),
    "two_gate_acceleration": ({"gate_a": PEND}, {"flag_m": 0.01}, {"acceleration": 0.0, "v1": 0.5}),
    "quadratic_fit": ({"y": Series(TC, 0.1 + 0.2 * TC + 0.3 * TC**2 + RNG.normal(0, 0.002, TC.size), "m")}, {},
                      {"acceleration": 0.6, "velocity": 0.2}),
    "cart_acceleration": ({"x": CART}, {}, {"acceleration": 0.6}),
    "emf_internal": ({"v": VOLT, "i": CUR}, {}, {"emf": 1.5, "r": 0.8}),
    "inverse_square_fit": ({"x": DIST, "y": LUX}, {}, {"k": 50.0, "d0": -0.02, "offset": 30.0}),
    "despike": ({"y": Series(TC, np.where(np.arange(TC.size) % 17 == 3, 4.0, DIST.y), "m")}, {"max_value": 3.9},
                {"removed": float(np.count_nonzero(np.arange(TC.size) % 17 == 3))}),
    "add": ({"a": Q(1.0, 0.1, "m"), "b": Q(20.0, 1.0, "cm")}, {}, {"y": 1.2}),
    "reciprocal": ({"a": Q(0.25, 0.01, "m")}, {}, {"y": 4.0}),
    "peaks": ({"y": LIGHT}, {"direction": "down", "window_s": 0.02}, {"count": 22, "spacing": 0.9}),
    "pulses": ({"y": PULSES}, {}, {"count": 2, "first_polarity": 1, "peak": -7.0}),
    "turbidity_time": ({"y": TURBID}, {}, {"time": 10 * math.log(2), "rate": 1 / (10 * math.log(2))}),
    "peak_xy": ({"x": ANGLE, "y": BRIGHT}, {"window": 8}, {"x_at_peak": 45.0, "peak": 100.0}),
    "period_xy": ({"x": POS, "y": FRINGES}, {}, {"period": 0.004}),
    "fringes": ({"x": POS, "y": FRINGES}, {}, {"spacing": 0.004, "r2": None}),
    "start_value": ({"y": Series(T40, np.where(T40 < 5.05, 0.0, 0.002 * (1 - 0.002 * (T40 - 5.05)))
                                 + RNG.normal(0, 2e-6, T40.size), "A")}, {}, {"value": 0.002, "time": 5.05}),
    "levels": ({"y": Series(T40, np.select([(T40 > 2) & (T40 < 10), (T40 > 12) & (T40 < 20), (T40 > 22) & (T40 < 30)],
                                          [1.2, 0.8, 2.0], 0.0) + RNG.normal(0, 0.003, T40.size), "V")}, {},
               {"first": 1.2, "second": 0.8, "third": 2.0, "count": 3}),
    "spring_constant": ({"x": HANGER}, {"mass_step_kg": 0.05}, {"k": 0.05 * 9.80665 / 0.02, "steps": 4}),
    "edge_values": ({"gate": SWITCH, "y": THERMO}, {}, {"on": 20.0, "off": 22.0, "count": 3}),
    "edge_delay": ({"gate_a": GATE_A, "gate_b": GATE_B}, {}, {"delay": (0.25 + 0.22 + 0.27) / 3, "count": 3}),
    "momentum": ({"gate_a": GATE_1, "gate_b": GATE_2}, {"mass_a_kg": 0.2, "mass_b_kg": 0.2},
                 {"p_before": 0.1, "p_after": 0.1, "v_b_after": 0.4, "v_a_after": 0.1}),
}


def test_every_registered_step_is_exercised_and_documented() -> None:
    assert set(GOOD) == set(STEPS)
    for name, step in STEPS.items():
        assert step.name == name and step.doc_en and step.doc_zh and step.outputs
        for p in step.params:
            assert p.doc_en and p.doc_zh, (name, p.name)
    with pytest.raises(KeyError, match="known steps"):
        get_step("no_such_step")


@pytest.mark.parametrize("name", sorted(GOOD))
def test_step_recovers_the_known_answer(name: str) -> None:
    inputs, params, expected = GOOD[name]
    step = get_step(name)
    out = step.run(inputs, params)
    assert set(step.outputs) <= set(out)
    for key, value in out.items():
        assert isinstance(value, Quantity | Series), key
        if isinstance(value, Series):
            assert value.t.size > 0 and np.all(np.isfinite(value.y)), key
    for key, want in expected.items():
        got = out[key]
        if want is None:
            continue
        if isinstance(got, Series):
            raise AssertionError(f"{key} is a series")
        assert abs(got.value - want) <= 4 * got.uncertainty + 1e-9 + 1e-3 * abs(want), (key, got, want)


def test_series_inputs_are_converted_to_the_slot_unit() -> None:
    mv = Series(VOLT.t, VOLT.y * 1000, "mV", "voltage")
    ma = Series(CUR.t, CUR.y * 1000, "mA", "current")
    out = get_step("emf_internal").run({"v": mv, "i": ma})
    assert out["emf"].unit == "V" and abs(out["emf"].value - 1.5) < 0.01
    assert out["r"].unit == "ohm" and abs(out["r"].value - 0.8) < 0.01
    per_trial = get_step("divide").run({"a": VOLT, "b": CUR})["y"]
    assert isinstance(per_trial, Series) and per_trial.unit == "ohm" and per_trial.t.size == TC.size


BAD: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    ("emf_internal", {"v": CUR, "i": VOLT}, {}, "wrong_units"),
    ("emf_internal", {"v": VOLT}, {}, "missing_channel"),
    ("pendulum_g", {"y": PEND}, {}, "missing_param"),
    ("pendulum_g", {"y": PEND}, {"length_m": "long"}, "bad_param"),
    ("pendulum_g", {"y": PEND}, {"length_m": -1}, "bad_param"),
    ("pendulum_g", {"y": Series(TC, np.full(TC.size, 3.0), "lx")}, {"length_m": 1}, "no_period"),
    ("plateau", {"y": Series(T, 20 + 0.1 * T, "C")}, {"tolerance": 0.2 / 60, "min_duration_s": 120}, "no_plateau"),
    ("plateau", {"y": Series(T[:20], BOIL.y[:20], "C")}, {"min_duration_s": 120}, "too_short"),
    ("linear_fit", {"y": Series(TC, RNG.normal(0, 1, TC.size), "V")}, {}, "poor_fit"),
    ("linear_fit", {"y": Series(TC[:2], TC[:2], "V")}, {}, "too_short"),
    ("exp_fit", {"y": Series(TC, 3 + RNG.normal(0, 0.1, TC.size), "V")}, {}, "poor_fit"),
    ("check_saturation", {"y": Series(TT, np.clip(3 * np.sin(TT * 3), -1, 1), "V")}, {}, "saturated"),
    ("require_samples", {"y": VOLT}, {"min_samples": 1000}, "too_short"),
    ("picket_fence_g", {"gate": gate_series(np.array([0.1, 0.2, 0.3, 0.4]))}, {}, "too_short"),
    ("picket_fence_g", {"gate": LIGHT}, {}, "wrong_units"),
    ("gate_speed", {"gate": Q(1.0, 0.0, "level")}, {}, "wrong_kind"),
    ("settled_value", {"y": Series(T, 20 + 0.1 * T, "C")}, {}, "not_settled"),
    ("threshold_time", {"y": BOIL}, {"level": 150}, "not_reached"),
    ("threshold_time", {"y": BOIL}, {"level": 60, "direction": "sideways"}, "bad_param"),
    ("rise", {"y": Series(T, 20 + RNG.normal(0, 0.05, T.size), "C")}, {}, "no_change"),
    ("divide", {"a": Q(1.0, 0.1, "g"), "b": Q(0.0, 0.1, "cm3")}, {}, "bad_value"),
    ("subtract", {"a": Q(1.0, 0.1, "N"), "b": Q(1.0, 0.1, "m")}, {}, "wrong_units"),
    ("cart_acceleration", {"x": Series(TC, np.full(TC.size, 4.0), "m")}, {}, "too_short"),
    ("clean", {"y": Series(np.array([0, 1, 2, 30.0, 31, 32]), np.arange(6.0), "V")}, {"max_gap_s": 5}, "gaps"),
    ("trim_flat", {"y": BOIL}, {"ends": "middle"}, "bad_param"),
    ("pulses", {"y": Series(T10, RNG.normal(0, 0.1, T10.size), "mV")}, {}, "no_pulse"),
    ("peaks", {"y": Series(T10, RNG.normal(0, 0.1, T10.size), "mV")}, {}, "no_peak"),
    ("turbidity_time", {"y": Series(T40, np.where(T40 < 5, 1000, 900) + RNG.normal(0, 2, T40.size), "lx")}, {},
     "not_reached"),
    ("peak_xy", {"x": ANGLE, "y": Series(T40, ANGLE.y * 2 + RNG.normal(0, 0.5, T40.size), "lx")}, {}, "no_peak"),
    ("spring_constant", {"x": Series(T60, 0.5 + RNG.normal(0, 0.0005, T60.size), "m")}, {"mass_step_kg": 0.05},
     "too_short"),
    ("edge_values", {"gate": gate_series(np.array([70.0, 71.0])), "y": THERMO}, {}, "no_switching"),
    ("edge_delay", {"gate_a": GATE_B, "gate_b": gate_series(np.array([0.5, 0.6]))}, {}, "too_short"),
    ("momentum", {"gate_a": GATE_1, "gate_b": GATE_2}, {"mass_a_kg": 0.2}, "missing_param"),
    ("reciprocal", {"a": Q(0.0, 0.1, "s")}, {}, "bad_value"),
    ("start_value", {"y": Series(T40, 0.002 * (1 - 0.002 * T40), "A")}, {}, "no_baseline"),
    ("levels", {"y": Series(T40, np.where(T40 < 20, 1.2, 0.0) + RNG.normal(0, 0.003, T40.size), "V")}, {}, "too_short"),
]


@pytest.mark.parametrize(("name", "inputs", "params", "code"), BAD, ids=[f"{b[0]}-{b[3]}" for b in BAD])
def test_bad_data_raises_analysis_issue_with_code(name: str, inputs: dict[str, Any], params: dict[str, Any],
                                                 code: str) -> None:
    with pytest.raises(AnalysisIssue) as e:
        get_step(name).run(inputs, params)
    assert e.value.code == code
    assert e.value.en and e.value.zh and e.value.to_json()["code"] == code


def test_unknown_parameter_is_a_template_error() -> None:
    with pytest.raises(KeyError, match="unknown parameter"):
        get_step("mean").run({"y": VOLT}, {"windw": 3})


def test_plateau_rate_in_a_fixed_band() -> None:
    t = np.arange(0.0, 900.0, 1.0)
    heat = np.where(t < 400, 20 + 0.2 * t, 100.0) + np.random.default_rng(1).normal(0, 0.05, t.size)
    out = get_step("plateau").run({"y": Series(t, heat, "C")}, {"tolerance": 0.2 / 60, "min_duration_s": 120,
                                                                 "band_lo": 40, "band_hi": 80})
    assert abs(out["rate_before"].value - 0.2) < 4 * out["rate_before"].uncertainty
    assert out["rate_before"].unit == "C/s"


def test_integral_of_a_switched_current_and_its_sign() -> None:
    t = np.arange(0, 10, 0.05)
    i = np.where(t >= 1.02, -0.01 * np.exp(-(t - 1.02) / 2), 0.0)  # discharge: negative, switched mid-sample
    out = get_step("integral").run({"y": Series(t, i, "A")}, {"absolute": 1})
    exact = 0.01 * 2 * (1 - np.exp(-(10 - 1.02) / 2))
    q = out["total"]
    assert q.value > 0 and q.unit == "As"
    assert abs(q.value - exact) < 3 * q.uncertainty  # the switching step is in the uncertainty


def test_angles_drop_out_of_derived_units() -> None:
    w = Quantity(3.0, 0.1, "rad/s")
    w2 = get_step("multiply").run({"a": w, "b": w})["y"]
    a = get_step("multiply").run({"a": w2, "b": Quantity(0.2, 0.001, "m")})["y"]
    assert a.unit == "m/s^2" and abs(a.value - 1.8) < 1e-12


def test_a_noisy_slow_pulse_counts_once() -> None:
    t = np.arange(0, 4, 0.002)
    rng = np.random.default_rng(3)
    y = 1.2 * np.exp(-(((t - 1.0) / 0.15) ** 2)) - 1.0 * np.exp(-(((t - 2.5) / 0.15) ** 2)) + rng.normal(0, 0.05, t.size)
    out = get_step("pulses").run({"y": Series(t, y, "mV")}, {"k_sigma": 6})
    assert out["count"].value == 2 and out["first_polarity"].value == 1


def test_spring_constant_with_spurious_echoes() -> None:
    rng = np.random.default_rng(5)
    y = HANGER.y + rng.normal(0, 0.002, HANGER.t.size)
    y[rng.choice(y.size, 15, replace=False)] = rng.uniform(0.03, 0.15, 15)  # hand in the beam
    y[rng.choice(y.size, 10, replace=False)] = 4.0  # lost echoes
    out = get_step("spring_constant").run({"x": Series(HANGER.t, y, "m")}, {"mass_step_kg": 0.05})
    k = 0.05 * 9.80665 / 0.02
    assert abs(out["k"].value - k) < 3 * out["k"].uncertainty and out["steps"].value == 4


def test_docs_step_reference_is_current() -> None:
    from classlab.experiments.steps import reference_markdown
    from tests.conftest import ROOT

    text = (ROOT / "docs" / "steps.md").read_text(encoding="utf-8")
    assert text == reference_markdown(), "regenerate: python -m classlab.experiments.steps > docs/steps.md"


def test_settled_value_of_a_slow_approach_is_extrapolated() -> None:
    """A probe (τ 12 s) read for 7.5 τ is still 0.02 °C short of the bath: the final value must cover it."""
    zs = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        t = np.arange(0, 96, 0.5)
        y = np.where(t < 6, 27.3, 66.1 - 38.8 * np.exp(-(t - 6) / 12.0))
        y = np.round((y + rng.normal(0, 0.04, t.size)) * 16) / 16  # DS18B20: 1/16 °C steps
        q = get_step("settled_value").run({"y": Series(t, y, "C")}, {"max_rate": 0.05, "window_s": 10})["value"]
        zs.append((q.value - 66.1) / q.uncertainty)
    assert max(abs(z) for z in zs) < 3.5


def test_settled_value_of_a_step_is_the_mean_with_the_quantisation_floor() -> None:
    t = np.arange(0, 30, 0.1)
    y = np.where(t < 6, 0.0, 0.0330)  # INA219: every reading after the switch identical
    q = get_step("settled_value").run({"y": Series(t, y, "A")}, {"max_rate": 0.002, "window_s": 5})["value"]
    assert q.value == pytest.approx(0.033) and 0 < q.uncertainty < 0.001


def test_rise_at_a_sharp_corner_seen_through_a_lagging_probe() -> None:
    """Thermometric titration: 0.05 °C/s up to t = 200 s, then −0.01 °C/s; the probe lags (τ 8 s).
    The branch intersection recovers the true corner; the raw extreme reads low and late."""
    t = np.arange(0, 400, 0.5)
    true = 20 + np.where(t < 50, 0, np.where(t < 200, 0.05 * (t - 50), 7.5 - 0.01 * (t - 200)))
    probe = np.empty_like(true)
    probe[0] = true[0]
    for k in range(1, t.size):  # first-order lag, exact for a step of 0.5 s
        probe[k] = true[k] + (probe[k - 1] - true[k]) * math.exp(-0.5 / 8.0)
    zs_d, zs_t = [], []
    for seed in range(10):
        y = probe + np.random.default_rng(seed).normal(0, 0.02, t.size)
        out = get_step("rise").run({"y": Series(t, y, "C")}, {"baseline_s": 20, "method": "intersect",
                                                              "probe_tau_s": 8, "branch_s": 80})
        zs_d.append((out["delta"].value - 7.5) / out["delta"].uncertainty)
        zs_t.append((out["time"].value - 200) / out["time"].uncertainty)
    assert max(map(abs, zs_d)) < 3.5 and max(map(abs, zs_t)) < 3.5
    raw = get_step("rise").run({"y": Series(t, probe, "C")}, {"baseline_s": 20})
    assert raw["end"].value < 27.5 - 0.1 and raw["time"].value > 200  # what the correction is for


def test_paired_uses_the_common_instants_after_samples_were_removed() -> None:
    """Despiking one channel must not make the fit interpolate readings across the removed stretch."""
    from classlab.experiments.steps_generic import paired

    t = np.arange(0.0, 10.0, 0.1)
    cur = np.where(t < 3, 0.0, np.where(t < 6, 0.1, 0.0))  # switched on, then off
    x = Series(t[cur > 0], cur[cur > 0], "A")
    y = Series(t, 10 * cur, "V")
    xv, yv = paired(x, y)
    assert xv.size == x.t.size and np.array_equal(yv, 10 * xv)
    z = Series(t + 0.05, 10 * cur, "V")  # another logger's clock: interpolated inside x's range
    xv, yv = paired(x, z)
    assert xv.size == np.count_nonzero((z.t >= x.t[0]) & (z.t <= x.t[-1]))


def test_peak_xy_via_time_is_calibrated_with_a_noisy_ranger() -> None:
    """Carriage slid through a sharp image (Lorentzian, half-width 5 mm) with a ranger of σ 3 mm:
    sorting by the noisy x scrambles the peak; locating it in time and reading x(t) there does not."""
    from tests.calib import assert_calibrated

    t = np.arange(0.0, 24.0, 0.05)
    values, us = [], []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        v = 0.2 + rng.uniform(-0.01, 0.01)
        x_true = v - 0.06 + np.clip((t - 2) / 20, 0, 1) * 0.12
        light = 5 + 900 / (1 + ((x_true - v) / 0.005) ** 2) + rng.normal(0, 3, t.size)
        x = np.round((x_true + rng.normal(0, 0.003, t.size)) / 0.001) * 0.001
        out = get_step("peak_xy").run({"x": Series(t, x, "m", "distance"), "y": Series(t, light, "lx")}, {"via_time": 1})
        values.append(out["x_at_peak"].value - v)
        us.append(out["x_at_peak"].uncertainty)
    assert_calibrated(values, us, 0.0)
    assert max(us) < 0.002


def test_turbidity_time_counts_from_the_kink_not_from_leaving_the_noise() -> None:
    """Limewater clouding: I = I0·(0.15 + 0.85·e^(−k(t − t0))) after t0, 1 % noise. The first sample
    outside the noise band comes seconds after t0; the early fall extrapolated back finds t0."""
    t = np.arange(0.0, 150.0, 0.5)
    late, values = [], []
    for seed in range(15):
        rng = np.random.default_rng(seed)
        t0, k, i0 = rng.uniform(5, 20), rng.uniform(0.01, 0.03), rng.uniform(400, 1200)
        clean = i0 * (0.15 + 0.85 * np.exp(-k * np.clip(t - t0, 0, None)))
        y = clean + rng.normal(0, 0.01 * clean)
        truth = math.log(0.85 / 0.35) / k
        out = get_step("turbidity_time").run({"y": Series(t, y, "lx")}, {})["time"]
        assert abs(out.value - truth) < 3 * out.uncertainty, (seed, out, truth)
        assert out.uncertainty < 0.1 * truth
        values.append(out.value - truth)
        late.append(out.uncertainty)
    assert abs(float(np.mean(values))) < 0.5 * float(np.mean(late)) + 0.2  # no systematic lateness


def test_mean_of_what_a_lagging_probe_was_in() -> None:
    """A probe (τ = 20 s) moved between a warm and a cool zone every 120 s: the mean of its readings
    lags the air's; with probe_tau_s the air's mean is recovered within u."""
    dt, tau = 1.0, 20.0
    t = np.arange(0.0, 480.0, dt)
    air = np.where((t // 120) % 2 == 0, 27.0, 18.0)
    probe = np.empty_like(air)
    probe[0] = air[0]
    for k in range(1, t.size):  # exact first-order step response over one sample
        probe[k] = air[k - 1] + (probe[k - 1] - air[k - 1]) * math.exp(-dt / tau)
    y = Series(t, probe + np.random.default_rng(4).normal(0, 0.03, t.size), "C")
    plain = get_step("mean").run({"y": y}, {"descriptive": 1})["mean"]
    fixed = get_step("mean").run({"y": y}, {"descriptive": 1, "probe_tau_s": tau})["mean"]
    assert abs(plain.value - air.mean()) > 5 * plain.uncertainty  # the lag really biases the plain mean
    assert abs(fixed.value - air.mean()) < 2 * fixed.uncertainty and fixed.uncertainty < 0.2


def test_extremes_of_a_noisy_plateau_are_not_the_luckiest_sample() -> None:
    """Lamp on (1000 lx, 1 % noise) for 120 s between dark stretches (0.5 lx noise): the raw max is
    ~2.5 σ high and the record-wide σ (set by the dark) is far too small; the estimate is within u."""
    t = np.arange(0.0, 480.0, 1.0)
    clean = np.where((t >= 120) & (t < 240), 1000.0, 0.0)
    zs, raw_z = [], []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        y = np.clip(clean + rng.normal(0, 0.01 * clean + 0.5), 0, None)
        out = get_step("extremes").run({"y": Series(t, y, "lx")}, {})["max"]
        zs.append((out.value - 1000.0) / out.uncertainty)
        raw_z.append((y.max() - 1000.0) / 10.0)
        assert out.uncertainty < 30.0  # ≤ 3 σ of one reading
    assert max(abs(z) for z in zs) < 3.0
    assert float(np.mean(raw_z)) > 2.0  # the raw maximum really is biased high by ~2.5 σ
