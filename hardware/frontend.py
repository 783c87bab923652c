"""Analog input front-ends: the divider maths / 模拟输入前端的分压计算.

Both front-ends map the input terminal voltage linearly onto the ADC pin:
``V_pin = gain · V_in + bias`` (volts). ``hardware/frontend.md`` derives the formulas and the chosen
resistor values.

* plain divider (``r_top`` from the input to the pin, ``r_bottom`` from the pin to GND):
  ``gain = r_bottom / (r_top + r_bottom)``, ``bias = 0``;
* biased divider for ±10 V (``r_top`` from the input, ``r_bottom`` to GND, ``r_bias`` to ``v_bias``),
  by Kirchhoff's current law at the pin node:
  ``V_pin = (V_in/r_top + v_bias/r_bias) / (1/r_top + 1/r_bottom + 1/r_bias)``.
"""

from __future__ import annotations

from collections.abc import Mapping


def transfer(divider: Mapping[str, float]) -> tuple[float, float]:
    """``(gain, bias)`` of a divider table (ohm, volts): ``V_pin = gain · V_in + bias``."""
    r_top, r_bottom = float(divider["r_top"]), float(divider["r_bottom"])
    if "r_bias" not in divider:
        return r_bottom / (r_top + r_bottom), 0.0
    r_bias, v_bias = float(divider["r_bias"]), float(divider["v_bias"])
    g_total = 1 / r_top + 1 / r_bottom + 1 / r_bias
    return (1 / r_top) / g_total, (v_bias / r_bias) / g_total


def pin_voltage(divider: Mapping[str, float], v_in: float) -> float:
    """Voltage on the ADC pin (V) for ``v_in`` volts at the input terminal."""
    gain, bias = transfer(divider)
    return gain * v_in + bias


def input_voltage(divider: Mapping[str, float], v_pin: float) -> float:
    """Inverse of :func:`pin_voltage`: input terminal volts for ``v_pin`` volts on the pin."""
    gain, bias = transfer(divider)
    return (v_pin - bias) / gain


def input_resistance(divider: Mapping[str, float]) -> float:
    """Resistance (ohm) the signal source sees, with ``v_bias`` an ideal voltage source."""
    r_top, r_bottom = float(divider["r_top"]), float(divider["r_bottom"])
    if "r_bias" not in divider:
        return r_top + r_bottom
    r_bias = float(divider["r_bias"])
    return r_top + 1 / (1 / r_bottom + 1 / r_bias)
