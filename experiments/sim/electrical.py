"""Electrical labs: V–I sweeps, sources with internal resistance, capacitors, pulses, charge.

Voltages through an ESP32-class 12-bit ADC behind a 1 MΩ 2:1 divider (full scale 6.6 V, 1.61 mV per
count, an input offset of some tens of mV and ~3 mV noise); currents from an INA219-class shunt
monitor (10 µA per count with a 1 Ω shunt).
"""

from __future__ import annotations

from typing import ClassVar

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
    ``rc_s`` (R·C), ``capacitance_F``, ``charge_As`` (|Q| that flowed through R, where the
    current sensor is, during the recorded run: C·V0·R_div/(R + R_div)·(1 − e^(−run/τ)) for a discharge).
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
        run = self.duration_s - p["t_switch_s"]
        q = self.v_top * self.tau / r * (1.0 - np.exp(-run / self.tau))  # through R, over the run
        if p["mode"] == "charge":  # plus the steady current that the divider draws through R
            q += (p["supply_V"] - self.v_top) * run / r
        self.truth = {
            "time_constant_s": float(self.tau),
            "rc_s": float(r * c),
            "capacitance_F": float(c),
            "charge_As": float(q),
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


def adc_voltage_hi(cid: int = 0) -> SimChannel:
    """A 4:1 divider for cells above 6 V (electrolysis, plating supplies): 0 … 13.2 V."""
    return SimChannel(cid, "adc12-divider4", "voltage", "V", 2 * ADC_LSB_V, 0.0, "h")


def steps(t: np.ndarray, levels: np.ndarray, t0: float, dwell_s: float, ramp_s: float = 0.5) -> np.ndarray:
    """A knob turned to ``levels[k]`` at ``t0 + k·dwell_s``, ramping from the previous level over
    ``ramp_s`` (0 before ``t0``)."""
    levels = np.asarray(levels, dtype=float)
    i = np.clip(np.floor((t - t0) / dwell_s).astype(int), 0, len(levels) - 1)
    prev = np.where(i > 0, levels[np.clip(i - 1, 0, None)], 0.0)
    frac = np.clip((t - t0 - i * dwell_s) / ramp_s, 0.0, 1.0)
    return np.where(t < t0, 0.0, prev + (levels[i] - prev) * frac)


def adc_span(v: np.ndarray, ch: SimChannel, counts: int = 4095) -> np.ndarray:
    """Saturate at the ends of a 12-bit ADC whose count 0 is ``ch.offset``."""
    return np.clip(v, ch.offset, ch.offset + counts * ch.scale)


class SteppedLoad(SimModel):
    """A current stepped through ``settings`` levels up to ``i_max_A``, each held ``dwell_s`` from
    ``t_start_s`` (zero before): voltage (ADC with a residual offset) = ``voltage_of(i)``, current by the
    INA219. Subclasses give ``PARAMS``, ``voltage_of`` and ``_truth``."""

    rate_hz = 10.0
    I_LSB = 1e-4

    def _setup(self) -> None:
        p = self.p
        n = int(p["settings"])
        self.levels = np.linspace(p["i_max_A"] / n, p["i_max_A"], n)
        self.duration_s = float(p["t_start_s"] + n * p["dwell_s"] + 1.0)
        self.channels = [adc_voltage(0), ina219(1, self.I_LSB)]
        self.truth = self._truth()

    def _truth(self) -> dict[str, float]:  # pragma: no cover - every model overrides it
        raise NotImplementedError

    def voltage_of(self, i: np.ndarray) -> np.ndarray:  # pragma: no cover - every model overrides it
        raise NotImplementedError

    def _clean(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        i = steps(t, self.levels, p["t_start_s"], p["dwell_s"])
        return np.stack([self.voltage_of(i), i], axis=1)

    def _sensors(self, t: np.ndarray, clean: np.ndarray) -> np.ndarray:
        out = super()._sensors(t, clean)
        out[:, 0] = adc_clip(out[:, 0] + self.p["adc_offset_V"])
        return out


class VISweep(SteppedLoad):
    """PHY-J-09: a resistor R in a circuit with a rheostat; the student steps the current up.

    Voltage across R by the ADC (calibrated: a residual offset of a few mV), current by the INA219.
    Each setting is held ``dwell_s`` (the knob takes half a second). Truth: ``resistance_ohm``,
    ``conductance_S`` (1/R, the I–U slope).
    """

    experiment = "PHY-J-09"
    PARAMS: ClassVar[tuple[Param, ...]] = (
        Param("resistance_ohm", "ohm", None, 5.0, 20.0, "resistor under test"),
        Param("i_max_A", "A", None, 0.2, 0.3, "largest current"),
        Param("settings", "1", 6.0, doc="rheostat settings"),
        Param("dwell_s", "s", 4.0, doc="time at each setting"),
        Param("t_start_s", "s", None, 2.0, 5.0, "first setting"),
        Param("adc_offset_V", "V", None, -0.004, 0.004, "residual ADC offset after calibration"),
    )
    NOISE = (0.003, 5e-6)

    def _truth(self) -> dict[str, float]:
        r = self.p["resistance_ohm"]
        return {"resistance_ohm": float(r), "conductance_S": float(1.0 / r)}

    def voltage_of(self, i: np.ndarray) -> np.ndarray:
        return i * self.p["resistance_ohm"]

    def _sensors(self, t: np.ndarray, clean: np.ndarray) -> np.ndarray:
        # the current's noise is a third of the INA219 step (not NOISE[1]): the V–I fit sees quantisation
        sig = np.array([0.003, 0.3 * self.I_LSB]) * self.noise
        out = clean + self.rng.normal(0.0, 1.0, clean.shape) * sig
        out[:, 0] = adc_clip(out[:, 0] + self.p["adc_offset_V"])
        return out


class OhmsLaw(VISweep):
    """PHY-J-21: fixed R, the voltage is stepped; the I–U line goes through the origin (slope 1/R)."""

    experiment = "PHY-J-21"


class Resistivity(VISweep):
    """PHY-S-10: a nichrome wire of length L and diameter d; ρ = R·πd²/(4L).

    Truth adds ``resistivity_ohm_m``; ``length_m`` and ``diameter_m`` are analysis inputs.
    """

    experiment = "PHY-S-10"
    PARAMS = (
        Param("resistivity_ohm_m", "ohm*m", None, 1.0e-6, 1.1e-6, "nichrome"),
        Param("length_m", "m", None, 0.4, 0.8, "wire length between the clips"),
        Param("diameter_m", "m", None, 0.4e-3, 0.6e-3, "wire diameter (micrometer)"),
        Param("i_max_A", "A", None, 0.4, 0.6, "largest current"),
        Param("settings", "1", 6.0, doc="rheostat settings"),
        Param("dwell_s", "s", 4.0, doc="time at each setting"),
        Param("t_start_s", "s", None, 2.0, 5.0, "first setting"),
        Param("adc_offset_V", "V", None, -0.004, 0.004, "residual ADC offset after calibration"),
    )
    ANALYSIS_PARAMS = ("length_m", "diameter_m")

    def _setup(self) -> None:
        p = self.p
        p["resistance_ohm"] = p["resistivity_ohm_m"] * p["length_m"] / (np.pi * p["diameter_m"] ** 2 / 4)
        super()._setup()

    def _truth(self) -> dict[str, float]:
        return {**super()._truth(), "resistivity_ohm_m": float(self.p["resistivity_ohm_m"])}


class SeriesParallel(SimModel):
    """PHY-J-20: two resistors in series from a cell; the voltmeter is moved across R1, R2 and both
    (about 8 s each, open leads reading 0 V in between); the current is the same everywhere.

    Truth: ``voltage_1_V``, ``voltage_2_V``, ``voltage_total_V`` (= U1 + U2), ``current_A``.
    """

    experiment = "PHY-J-20"
    rate_hz = 10.0
    PARAMS = (
        Param("emf_V", "V", None, 2.8, 3.1, "two dry cells"),
        Param("r1_ohm", "ohm", None, 5.0, 15.0, "R1"),
        Param("r2_ohm", "ohm", None, 5.0, 15.0, "R2"),
        Param("adc_offset_V", "V", None, -0.004, 0.004, "residual ADC offset after calibration"),
    )
    NOISE = (0.003, 3e-5)
    WINDOWS = ((2.0, 10.0), (12.0, 20.0), (22.0, 30.0))

    def _setup(self) -> None:
        p = self.p
        self.i = p["emf_V"] / (p["r1_ohm"] + p["r2_ohm"] + 0.5)  # 0.5 Ω: cells and wires
        self.u = (self.i * p["r1_ohm"], self.i * p["r2_ohm"], self.i * (p["r1_ohm"] + p["r2_ohm"]))
        self.duration_s = 32.0
        self.channels = [adc_voltage(0), ina219(1, 1e-4)]
        self.truth = {
            "voltage_1_V": self.u[0],
            "voltage_2_V": self.u[1],
            "voltage_total_V": self.u[2],
            "voltage_residual_V": 0.0,  # U − U1 − U2
            "current_A": float(self.i),
        }

    def _clean(self, t: np.ndarray) -> np.ndarray:
        v = np.zeros_like(t)
        for (a, b), u in zip(self.WINDOWS, self.u, strict=True):
            v[(t >= a) & (t < b)] = u
        return np.stack([v, np.full_like(t, self.i)], axis=1)

    def _sensors(self, t: np.ndarray, clean: np.ndarray) -> np.ndarray:
        out = super()._sensors(t, clean)
        out[:, 0] = adc_clip(out[:, 0] + self.p["adc_offset_V"])
        return out


class SourceSweep(SteppedLoad):
    """PHY-S-12: a cell with EMF E and internal resistance r under a stepped load; U = E − I·r.

    The first setting is open circuit (I = 0). Truth: ``emf_V``, ``internal_resistance_ohm``.
    """

    experiment = "PHY-S-12"
    PARAMS: ClassVar[tuple[Param, ...]] = (
        Param("emf_V", "V", None, 1.45, 1.6, "one dry cell"),
        Param("r_int_ohm", "ohm", None, 0.5, 2.0, "internal resistance"),
        Param("i_max_A", "A", None, 0.3, 0.5, "largest load current"),
        Param("settings", "1", 6.0, doc="load settings after open circuit"),
        Param("dwell_s", "s", 4.0, doc="time at each setting"),
        Param("t_start_s", "s", None, 2.0, 4.0, "first load"),
        Param("adc_offset_V", "V", None, -0.004, 0.004, "residual ADC offset after calibration"),
    )
    NOISE = (0.003, 3e-5)

    def _truth(self) -> dict[str, float]:
        return {"emf_V": float(self.p["emf_V"]), "internal_resistance_ohm": float(self.p["r_int_ohm"])}

    def voltage_of(self, i: np.ndarray) -> np.ndarray:
        return self.p["emf_V"] - i * self.p["r_int_ohm"]


class GalvanicCell(SourceSweep):
    """CHE-S-07: a Zn | Cu cell (~1.1 V) with a large internal resistance; currents of a few mA."""

    experiment = "CHE-S-07"
    PARAMS = (
        Param("emf_V", "V", None, 0.95, 1.1, "Zn–Cu cell"),
        Param("r_int_ohm", "ohm", None, 20.0, 80.0, "internal resistance (electrolyte)"),
        Param("i_max_A", "A", None, 0.005, 0.010, "largest load current"),
        Param("settings", "1", 6.0, doc="load settings after open circuit"),
        Param("dwell_s", "s", 5.0, doc="time at each setting"),
        Param("t_start_s", "s", None, 2.0, 4.0, "first load"),
        Param("adc_offset_V", "V", None, -0.004, 0.004, "residual ADC offset after calibration"),
    )
    NOISE = (0.003, 5e-6)
    I_LSB = 1e-5


class FuelCell(SourceSweep):
    """CHE-S-11: a small hydrogen fuel cell: U = E − b·ln(1 + I/i0) − I·r (activation + ohmic losses).

    Truth: ``open_circuit_V``, ``max_power_W`` and ``current_at_max_power_A`` of the true curve over the
    swept currents (the power peak lies inside the sweep).
    """

    experiment = "CHE-S-11"
    PARAMS = (
        Param("emf_V", "V", None, 0.9, 1.0, "open-circuit voltage"),
        Param("tafel_V", "V", None, 0.03, 0.06, "activation-loss slope b"),
        Param("i0_A", "A", None, 0.002, 0.005, "exchange-current scale"),
        Param("r_int_ohm", "ohm", None, 1.0, 2.0, "ohmic resistance"),
        Param("settings", "1", 10.0, doc="load settings after open circuit"),
        Param("dwell_s", "s", 4.0, doc="time at each setting"),
        Param("t_start_s", "s", None, 2.0, 4.0, "first load"),
        Param("adc_offset_V", "V", None, -0.004, 0.004, "residual ADC offset after calibration"),
    )

    def _setup(self) -> None:
        p = self.p
        i = np.linspace(0.0, 1.2, 24001)
        pw = i * self._u(i)
        k = int(np.argmax(pw))
        p["i_max_A"] = float(min(2.0 * i[k], 0.6))
        super()._setup()
        self.truth = {
            "open_circuit_V": float(p["emf_V"]),
            "max_power_W": float(pw[k]),
            "current_at_max_power_A": float(i[k]),
        }

    def _u(self, i: np.ndarray) -> np.ndarray:
        p = self.p
        return p["emf_V"] - p["tafel_V"] * np.log1p(i / p["i0_A"]) - i * p["r_int_ohm"]

    def voltage_of(self, i: np.ndarray) -> np.ndarray:
        return np.clip(self._u(i), 0.0, None)


class SteadyReading(SimModel):
    """PHY-J-07 / PHY-J-08 / CHE-J-04 / CHE-J-06 / SCI-P-09: a steady circuit read for a while.

    The probes are connected at ``t_on_s`` (0 before: the long flat start of a logger left running).
    Truth: ``voltage_V``, ``current_A`` (at connection), ``resistance_ohm`` = U/I, ``conductance_S`` = I/U.
    With ``drift_per_s`` (DC polarisation of electrodes) the current sags after connection; the truth is
    still the solution's own resistance, which an analysis must extrapolate back to (or avoid with AC).
    """

    experiment = "PHY-J-08"
    rate_hz = 10.0
    duration_s = 30.0
    PARAMS = (
        Param("voltage_V", "V", None, 1.4, 4.6, "source (one to three dry cells)"),
        Param("resistance_ohm", "ohm", None, 10.0, 100.0, "load"),
        Param("t_on_s", "s", None, 2.0, 8.0, "probes connected"),
        Param("drift_per_s", "1/s", 0.0, doc="fractional drift of the current (electrode polarisation)"),
        Param("adc_offset_V", "V", None, -0.004, 0.004, "residual ADC offset after calibration"),
    )
    NOISE = (0.003, 5e-6)
    I_LSB = 1e-4  # INA219 with a 0.1 Ω shunt: ±3.2 A

    def _setup(self) -> None:
        self.channels = [adc_voltage(0), ina219(1, self.I_LSB)]
        self.truth = self._truth()

    def _truth(self) -> dict[str, float]:
        """The circuit's own values at the moment the probes touch (before any electrode polarisation)."""
        p = self.p
        i0 = p["voltage_V"] / p["resistance_ohm"]
        return {
            "voltage_V": float(p["voltage_V"]),
            "current_A": float(i0),
            "resistance_ohm": float(p["resistance_ohm"]),
            "conductance_S": float(1.0 / p["resistance_ohm"]),
        }

    def _current(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        return (
            p["voltage_V"]
            / p["resistance_ohm"]
            * (1.0 - p["drift_per_s"] * np.clip(t - p["t_on_s"], 0, None))
        )

    def _clean(self, t: np.ndarray) -> np.ndarray:
        on = t >= self.p["t_on_s"]
        return np.stack([np.where(on, self.p["voltage_V"], 0.0), np.where(on, self._current(t), 0.0)], axis=1)

    def _sensors(self, t: np.ndarray, clean: np.ndarray) -> np.ndarray:
        out = super()._sensors(t, clean)
        out[:, 0] = adc_clip(out[:, 0] + self.p["adc_offset_V"])
        return out


class Ammeter(SteadyReading):
    experiment = "PHY-J-07"


class MetalConductance(SteadyReading):
    """CHE-J-04: a conductivity tester (3 V) across a metal strip in series with a 22–47 Ω limiter."""

    experiment = "CHE-J-04"
    PARAMS = (
        Param("voltage_V", "V", None, 2.9, 3.1, "tester cells"),
        Param("resistance_ohm", "ohm", None, 22.0, 47.0, "limiter + strip"),
        Param("t_on_s", "s", None, 2.0, 8.0, "probes connected"),
        Param("drift_per_s", "1/s", 0.0, doc="no drift for metals"),
        Param("adc_offset_V", "V", None, -0.004, 0.004, "residual ADC offset after calibration"),
    )
    I_LSB = 1e-5  # 1 Ω shunt: ±0.32 A, enough for 3 V across ≥ 22 Ω


class SaltSolution(SteadyReading):
    """CHE-J-06: the conductance of the prepared salt solution between two electrodes (a few kΩ);
    DC excitation polarises the electrodes, so the current sags slowly."""

    experiment = "CHE-J-06"
    PARAMS = (
        Param("voltage_V", "V", None, 2.9, 3.1, "excitation"),
        Param("resistance_ohm", "ohm", None, 500.0, 3000.0, "solution between the electrodes"),
        Param("t_on_s", "s", None, 2.0, 8.0, "electrodes dipped"),
        Param("drift_per_s", "1/s", None, 0.001, 0.003, "polarisation"),
        Param("adc_offset_V", "V", None, -0.004, 0.004, "residual ADC offset after calibration"),
    )
    NOISE = (0.003, 2e-6)
    I_LSB = 1e-6


class ConductorTest(SteadyReading):
    """SCI-P-09: a bulb-and-battery tester with an object in the gap; conductors pass ~0.1 A."""

    experiment = "SCI-P-09"
    PARAMS = (
        Param("voltage_V", "V", None, 2.9, 3.1, "two dry cells"),
        Param("resistance_ohm", "ohm", None, 15.0, 40.0, "bulb + object (a conductor)"),
        Param("t_on_s", "s", None, 2.0, 8.0, "object put in the gap"),
        Param("drift_per_s", "1/s", 0.0, doc="no drift"),
        Param("adc_offset_V", "V", None, -0.004, 0.004, "residual ADC offset after calibration"),
    )
    I_LSB = 1e-4


MODELS: dict[str, type[SimModel]] = {
    "PHY-J-07": Ammeter,
    "PHY-J-08": SteadyReading,
    "PHY-J-09": VISweep,
    "PHY-J-20": SeriesParallel,
    "PHY-J-21": OhmsLaw,
    "PHY-S-08": RCCircuit,
    "PHY-S-10": Resistivity,
    "PHY-S-12": SourceSweep,
    "CHE-J-04": MetalConductance,
    "CHE-J-06": SaltSolution,
    "CHE-S-07": GalvanicCell,
    "CHE-S-11": FuelCell,
    "SCI-P-09": ConductorTest,
}
