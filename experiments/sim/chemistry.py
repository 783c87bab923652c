"""Chemistry and biochemistry labs: turbidity clocks, colour changes, conductometric titration, and the
charge of electrolysis and electroplating (Q = ∫I dt → gas volume, plated mass).

Transmitted light through a cuvette (LED + photodiode, ``illuminance_lx``) falls as a precipitate or
colour forms: I = I0·10^(−A). Temperatures from a DS18B20 in the bath.
"""

from __future__ import annotations

import numpy as np

from .base import FirstOrderLag, Param, SimModel
from .electrical import adc_voltage, adc_voltage_hi, ina219
from .environment import light_noise
from .light import photodiode
from .thermal import ds18b20


class Colorimetry(SimModel):
    """Base: channel 0 transmitted light (photodiode), channel 1 bath temperature (if ``BATH``)."""

    BATH = True
    rate_hz = 2.0

    def _channels(self) -> None:
        self.channels = [photodiode(0)] + ([ds18b20(1)] if self.BATH else [])

    def _sensors(self, t: np.ndarray, clean: np.ndarray) -> np.ndarray:
        out = clean.copy()
        out[:, 0] = light_noise(self, clean[:, 0])
        if self.BATH:
            out[:, 1] += self.rng.normal(0.0, 0.03 * self.noise, len(t))
        return out

    def bath(self, t: np.ndarray) -> np.ndarray:
        return np.full_like(t, self.p["bath_C"])


class LimewaterTurbidity(Colorimetry):
    """BIO-J-24: breath (or room air) bubbled through limewater from ``t_start_s``; CaCO₃ turbidity
    cuts the transmitted light: I = I0·exp(−k·(t − t_start)) down to a floor.

    Truth: ``threshold_time_s`` (after ``t_start_s``, to fall to half of I0), ``initial_lx``.
    """

    experiment = "BIO-J-24"
    BATH = False
    PARAMS = (
        Param("initial_lx", "lx", None, 400.0, 1200.0, "clear limewater"),
        Param("k_per_s", "1/s", None, 0.005, 0.03, "turbidity growth (exhaled air: fast)"),
        Param("floor", "1", 0.15, doc="fraction left when fully milky"),
        Param("t_start_s", "s", None, 5.0, 20.0, "bubbling starts"),
    )

    def _setup(self) -> None:
        p = self.p
        tail = 1.0 - p["floor"]
        self.t_half = float(np.log(tail / (0.5 - p["floor"])) / p["k_per_s"])
        self.duration_s = float(np.ceil(p["t_start_s"] + 2.5 * self.t_half + 10.0))
        self._channels()
        self.truth = {"threshold_time_s": self.t_half, "initial_lx": float(p["initial_lx"])}

    def _clean(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        s = np.clip(t - p["t_start_s"], 0.0, None)
        frac = p["floor"] + (1.0 - p["floor"]) * np.exp(-p["k_per_s"] * s)
        return (p["initial_lx"] * frac)[:, None]


class SulfurClock(Colorimetry):
    """CHE-S-06: Na₂S₂O₃ + H₂SO₄ mixed at ``mix_time_s``: clear for an induction time, then sulfur
    clouds the cuvette (logistic fall of transmitted light); the bath temperature is logged.

    Truth: ``time_to_threshold_s`` (from mixing — the clock includes the induction time — to the light
    at half of I0), ``rate_1_s`` (its inverse), ``bath_C``; ``mix_time_s`` is the analysis input (when
    the acid went in, on the logger's clock).
    """

    experiment = "CHE-S-06"
    PARAMS = (
        Param("initial_lx", "lx", None, 400.0, 1200.0, "clear solution"),
        Param("induction_s", "s", None, 20.0, 90.0, "time until sulfur appears"),
        Param("fall_s", "s", None, 5.0, 15.0, "how fast it clouds"),
        Param("bath_C", "C", None, 15.0, 50.0, "water bath"),
        Param("mix_time_s", "s", None, 3.0, 10.0, "acid added (the student notes when)"),
    )
    ANALYSIS_PARAMS = ("mix_time_s",)

    def _setup(self) -> None:
        p = self.p
        self.t_half = float(p["induction_s"] + p["fall_s"] * np.log(3.5))  # 0.1 + 0.9·g = 0.5
        self.duration_s = float(np.ceil(p["mix_time_s"] + p["induction_s"] + 8 * p["fall_s"] + 10.0))
        self._channels()
        self.truth = {
            "time_to_threshold_s": self.t_half,
            "rate_1_s": 1.0 / self.t_half,
            "bath_C": float(p["bath_C"]),
        }

    def _clean(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        s = t - p["mix_time_s"] - p["induction_s"]
        # clear until the induction time ends, then a logistic fall 1 → 0.1 (some light still gets through)
        g = np.where(s <= 0, 1.0, 2.0 / (1.0 + np.exp(np.clip(s / p["fall_s"], 0, 50))))
        frac = 0.1 + 0.9 * g
        return np.stack([p["initial_lx"] * frac, self.bath(t)], axis=1)


class EquilibriumColour(Colorimetry):
    """CHE-S-12: a coloured equilibrium (e.g. [CoCl₄]²⁻ ⇌ [Co(H₂O)₆]²⁺) moved from a cold to a hot bath
    at ``t_hot_s``; the colour (transmitted light) follows the temperature with the probe and
    solution lag.

    Truth: ``transmitted_cold_lx``, ``transmitted_hot_lx``, ``bath_cold_C``, ``bath_hot_C``.
    """

    experiment = "CHE-S-12"
    rate_hz = 1.0
    PARAMS = (
        Param("cold_C", "C", None, 2.0, 10.0, "ice bath"),
        Param("hot_C", "C", None, 60.0, 80.0, "hot bath"),
        Param("cold_lx", "lx", None, 500.0, 900.0, "transmitted light, cold (pink: clearer)"),
        Param("hot_lx", "lx", None, 100.0, 300.0, "transmitted light, hot (blue: darker at this LED)"),
        Param("t_hot_s", "s", 120.0, doc="moved to the hot bath"),
        Param("tau_s", "s", None, 20.0, 40.0, "solution warming time constant"),
    )

    def _setup(self) -> None:
        p = self.p
        self.duration_s = 360.0
        self._channels()
        self._sol = FirstOrderLag(self.bath, p["tau_s"], self.duration_s + 30.0, dt=0.1)
        self.truth = {
            "transmitted_cold_lx": float(p["cold_lx"]),
            "transmitted_hot_lx": float(p["hot_lx"]),
            "bath_cold_C": float(p["cold_C"]),
            "bath_hot_C": float(p["hot_C"]),
        }

    def bath(self, t: np.ndarray) -> np.ndarray:
        return np.where(t < self.p["t_hot_s"], self.p["cold_C"], self.p["hot_C"])

    def _clean(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        sol = self._sol(t)
        x = (sol - p["cold_C"]) / (p["hot_C"] - p["cold_C"])
        return np.stack([p["cold_lx"] + (p["hot_lx"] - p["cold_lx"]) * x, sol], axis=1)


class StarchDigestion(Colorimetry):
    """BIO-J-22: starch + iodine (dark blue) with saliva at ~37 °C: as amylase digests the starch the
    colour fades and transmitted light rises: I = I_end − (I_end − I_0)·e^(−(t − t_add)/τ).

    Truth: ``tau_s`` (colour-fading time constant), ``bath_C``.
    """

    experiment = "BIO-J-22"
    PARAMS = (
        Param("bath_C", "C", None, 35.0, 39.0, "water bath"),
        Param("dark_lx", "lx", None, 30.0, 100.0, "blue-black starch–iodine"),
        Param("clear_lx", "lx", None, 500.0, 1000.0, "digested"),
        Param("fade_tau_s", "s", None, 60.0, 180.0, "fading time constant"),
        Param("t_add_s", "s", None, 5.0, 20.0, "saliva added"),
    )

    def _setup(self) -> None:
        p = self.p
        self.duration_s = float(np.ceil(p["t_add_s"] + 6 * p["fade_tau_s"]))
        self._channels()
        self.truth = {"tau_s": float(p["fade_tau_s"]), "bath_C": float(p["bath_C"])}

    def _clean(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        s = np.clip(t - p["t_add_s"], 0.0, None)
        e = p["clear_lx"] - (p["clear_lx"] - p["dark_lx"]) * np.exp(-s / p["fade_tau_s"])
        return np.stack([e, self.bath(t)], axis=1)


class ConductometricTitration(SimModel):
    """CHE-S-13: NaOH dripped at a steady rate into HCl between two electrodes (fixed excitation).
    Conductance falls (H⁺ replaced by Na⁺) to a minimum at equivalence, then rises (excess OH⁻); the
    mixture warms to a maximum there too. Channels ``voltage_V``, ``current_A``, ``temperature_C``.

    Truth: ``equivalence_s`` (V minimum of G = I/U), ``temperature_rise_C``.
    """

    experiment = "CHE-S-13"
    rate_hz = 2.0
    PARAMS = (
        Param("excitation_V", "V", None, 2.0, 3.0, "electrode excitation"),
        Param("g_start_S", "S", None, 2e-3, 4e-3, "conductance of the acid"),
        Param("g_min_frac", "1", None, 0.25, 0.4, "conductance at equivalence, fraction of the start"),
        Param("g_rise_per_s", "1", None, 0.003, 0.006, "rise after equivalence, fraction of start per s"),
        Param("t_start_s", "s", None, 5.0, 15.0, "first drop"),
        Param("t_eq_s", "s", None, 120.0, 240.0, "drip time to equivalence"),
        Param("room_C", "C", None, 16.0, 26.0, "room"),
        Param("rise_C", "C", None, 3.0, 6.0, "warming at equivalence"),
        Param("tau_s", "s", None, 5.0, 10.0, "probe time constant"),
    )
    NOISE = (0.003, 5e-6, 0.03)

    def _setup(self) -> None:
        p = self.p
        self.t_peak = p["t_start_s"] + p["t_eq_s"]
        self.duration_s = float(np.ceil(self.t_peak + 0.8 * p["t_eq_s"]))
        self.channels = [adc_voltage(0), ina219(1, 1e-5), ds18b20(2)]
        self._probe = FirstOrderLag(self.mix_temp, p["tau_s"], self.duration_s + 30.0, dt=0.1)
        self.truth = {"equivalence_s": float(self.t_peak), "temperature_rise_C": float(p["rise_C"])}

    def conductance(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        x = np.clip((t - p["t_start_s"]) / p["t_eq_s"], 0.0, None)
        down = p["g_start_S"] * (1.0 - (1.0 - p["g_min_frac"]) * np.clip(x, 0.0, 1.0))
        up = p["g_start_S"] * p["g_rise_per_s"] * np.clip(t - self.t_peak, 0.0, None)
        return down + up

    def mix_temp(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        up = np.clip((t - p["t_start_s"]) / p["t_eq_s"], 0.0, 1.0) * p["rise_C"]
        down = np.clip(t - self.t_peak, 0.0, None) * 0.01
        return p["room_C"] + up - down

    def _clean(self, t: np.ndarray) -> np.ndarray:
        u = np.full_like(t, self.p["excitation_V"])
        return np.stack([u, u * self.conductance(t), self._probe(t)], axis=1)


class Electrolysis(SimModel):
    """CHE-J-07: electrolysis of water from a 9–12 V supply; the current sags as bubbles cover the
    electrodes. Charge Q = ∫I dt. Truth: ``charge_As``, ``hydrogen_mL`` = Q/(2F)·Vm (Vm 24.0 L/mol),
    ``mean_voltage_V``.
    """

    experiment = "CHE-J-07"
    rate_hz = 5.0
    PARAMS = (
        Param("supply_V", "V", None, 9.0, 12.0, "cell voltage"),
        Param("current_A", "A", None, 0.15, 0.35, "initial current"),
        Param("sag", "1", None, 0.05, 0.2, "fractional current drop over the run"),
        Param("t_on_s", "s", None, 3.0, 10.0, "switch on"),
        Param("run_s", "s", None, 240.0, 420.0, "time switched on"),
    )
    NOISE = (0.006, 1e-4)
    FARADAY = 96485.33212
    Z = 2.0  # electrons per H2
    VM_L = 24.0

    def _setup(self) -> None:
        p = self.p
        self.t_off = p["t_on_s"] + p["run_s"]
        self.duration_s = float(np.ceil(self.t_off + 10.0))
        self.channels = [adc_voltage_hi(0), ina219(1, 1e-4)]
        grid = np.arange(0.0, self.duration_s + 1e-9, 0.01)
        q = float(np.trapezoid(self._current(grid), grid))
        self.truth = {"charge_As": q, "mean_voltage_V": float(p["supply_V"]), **self._products(q)}

    def _products(self, q: float) -> dict[str, float]:
        return {"hydrogen_mL": q / (self.Z * self.FARADAY) * self.VM_L * 1000.0}

    def _current(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        on = (t >= p["t_on_s"]) & (t < self.t_off)
        s = np.clip((t - p["t_on_s"]) / p["run_s"], 0.0, 1.0)
        return np.where(on, p["current_A"] * (1.0 - p["sag"] * s), 0.0)

    def _clean(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        on = (t >= p["t_on_s"]) & (t < self.t_off)
        return np.stack([np.where(on, p["supply_V"], 0.0), self._current(t)], axis=1)


class Electroplating(Electrolysis):
    """CHE-S-10: copper plating; m_theory = Q·M/(zF) with M = 63.546 g/mol, z = 2.
    Truth adds ``copper_mass_g``."""

    experiment = "CHE-S-10"
    PARAMS = (
        Param("supply_V", "V", None, 3.0, 6.0, "plating supply"),
        Param("current_A", "A", None, 0.2, 0.5, "initial current"),
        Param("sag", "1", None, 0.0, 0.1, "fractional current drop over the run"),
        Param("t_on_s", "s", None, 3.0, 10.0, "switch on"),
        Param("run_s", "s", None, 300.0, 600.0, "time switched on"),
    )

    def _products(self, q: float) -> dict[str, float]:
        return {"copper_mass_g": q * 63.546 / (2.0 * self.FARADAY)}


MODELS: dict[str, type[SimModel]] = {
    "BIO-J-22": StarchDigestion,
    "BIO-J-24": LimewaterTurbidity,
    "CHE-J-07": Electrolysis,
    "CHE-S-06": SulfurClock,
    "CHE-S-10": Electroplating,
    "CHE-S-12": EquilibriumColour,
    "CHE-S-13": ConductometricTitration,
}
