"""Electrical labs: V–I sweeps, sources with internal resistance, capacitors, pulses, charge.

Voltages through an ESP32-class 12-bit ADC behind a 1 MΩ 2:1 divider (full scale 6.6 V, 1.61 mV per
count, an input offset of some tens of mV and ~3 mV noise); currents from an INA219-class shunt
monitor (10 µA per count with a 1 Ω shunt).
"""

from __future__ import annotations

import numpy as np

from .base import Param, SimChannel, SimModel

ADC_FULL_V = 6.6
ADC_LSB_V = ADC_FULL_V / 4095.0
DIVIDER_OHM = 1.0e6


def adc_voltage(cid: int = 0) -> SimChannel:
    return SimChannel(cid, "adc12-divider", "voltage", "V", ADC_LSB_V, 0.0, "h")


def ina219(cid: int = 1, lsb_a: float = 1e-5) -> SimChannel:
    return SimChannel(cid, "ina219", "current", "A", lsb_a, 0.0, "h")


def adc_clip(v: np.ndarray) -> np.ndarray:
    """The ADC reads 0 … full scale: anything outside saturates."""
    return np.clip(v, 0.0, ADC_FULL_V)


class RCCircuit(SimModel):
    """PHY-S-08: a capacitor charging or discharging through a resistor; V across C, i through R.

    The voltmeter divider (1 MΩ) sits across C, so the curve's time constant is C·(R ∥ R_div), a hair
    below R·C. The switch is thrown at ``t_switch_s`` after a flat start. Current is signed: positive
    while charging, negative while discharging. Truth: ``time_constant_s`` (of the curve),
    ``rc_s`` (R·C), ``capacitance_F``, ``charge_C`` (|Q| moved through R).
    """

    experiment = "PHY-S-08"
    rate_hz = 20.0
    PARAMS = (
        Param("resistance_ohm", "ohm", None, 1000.0, 3300.0, "series resistor"),
        Param("capacitance_F", "F", None, 1.0e-3, 4.7e-3, "capacitor"),
        Param("supply_V", "V", None, 4.5, 5.2, "source voltage"),
        Param("mode", "", "discharge", doc="'discharge' or 'charge'"),
        Param("t_switch_s", "s", None, 2.0, 6.0, "when the switch is thrown"),
        Param("adc_offset_V", "V", None, 0.01, 0.04, "ADC input offset"),
        Param("taus", "1", 7.0, doc="run length after the switch, in time constants"),
    )
    ANALYSIS_PARAMS = ("resistance_ohm",)
    NOISE = (0.003, 5e-6)

    def _setup(self) -> None:
        p = self.p
        if p["mode"] not in ("charge", "discharge"):
            raise ValueError(f"mode must be 'charge' or 'discharge', got {p['mode']!r}")
        r, c = p["resistance_ohm"], p["capacitance_F"]
        r_par = r * DIVIDER_OHM / (r + DIVIDER_OHM)
        self.tau = c * r_par
        self.v_top = p["supply_V"] * (DIVIDER_OHM / (r + DIVIDER_OHM) if p["mode"] == "charge" else 1.0)
        self.duration_s = float(np.ceil(p["t_switch_s"] + p["taus"] * self.tau))
        self.channels = [adc_voltage(0), ina219(1)]
        self.truth = {
            "time_constant_s": float(self.tau),
            "rc_s": float(r * c),
            "capacitance_F": float(c),
            "charge_C": float(c * self.v_top),
            "initial_voltage_V": float(self.v_top),
        }

    def _clean(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        s = np.clip(t - p["t_switch_s"], 0.0, None)
        e = np.exp(-s / self.tau)
        on = t >= p["t_switch_s"]
        r = p["resistance_ohm"]
        if p["mode"] == "discharge":
            v = self.v_top * e
            i = np.where(on, -v / r, 0.0)
        else:
            v = self.v_top * (1.0 - e)
            i = np.where(on, (p["supply_V"] - v) / r, 0.0)
        return np.stack([v, i], axis=1)

    def _sensors(self, t: np.ndarray, clean: np.ndarray) -> np.ndarray:
        out = super()._sensors(t, clean)
        out[:, 0] = adc_clip(out[:, 0] + self.p["adc_offset_V"])
        return out


MODELS: dict[str, type[SimModel]] = {
    "PHY-S-08": RCCircuit,
}
