"""Thermal labs: heating to a boiling plateau, melting plateau, cooling, settling, logging.

Physics in °C and s; water c = 4186 J/(kg·K). Probes are first-order sensors (stainless-sheathed
DS18B20: τ ≈ 5–10 s) read at 12 bits (0.0625 °C steps) about once a second.
"""

from __future__ import annotations

import numpy as np

from .base import FirstOrderLag, Param, SimChannel, SimModel

C_WATER = 4186.0  # J/(kg·K)
P0_HPA = 1013.25
L_VAP = 40660.0  # J/mol, water
R_GAS = 8.314462618  # J/(mol·K)


def boiling_point_c(pressure_hpa: float) -> float:
    """Boiling point of pure water (°C) at air pressure ``pressure_hpa`` (Clausius–Clapeyron)."""
    inv = 1.0 / 373.15 - R_GAS * np.log(pressure_hpa / P0_HPA) / L_VAP
    return float(1.0 / inv - 273.15)


def ds18b20(cid: int = 0) -> SimChannel:
    return SimChannel(cid, "ds18b20", "temperature", "C", 0.0625, 0.0, "h")


class Boiling(SimModel):
    """PHY-J-10: a beaker of water on a burner/hot plate; the probe sees the heating ramp, then the plateau.

    The heater goes on at ``t_on_s`` after a flat start (students press go early); the water follows
    m·c·dT/dt = P − h·(T − T_air) until it reaches the local boiling point, which then holds while
    bubbles stir it (± a few hundredths of a degree). Truth: ``boiling_point_C`` (from the air pressure),
    ``heating_rate_C_per_min`` (secant 40 → 80 °C of the true water temperature), ``plateau_start_s``.
    """

    experiment = "PHY-J-10"
    rate_hz = 1.0
    PARAMS = (
        Param("power_W", "W", None, 150.0, 300.0, "heat reaching the water"),
        Param("mass_kg", "kg", None, 0.10, 0.20, "water mass"),
        Param("loss_W_per_K", "W/K", None, 0.4, 1.2, "heat loss to the room"),
        Param("pressure_hPa", "hPa", None, 950.0, 1030.0, "air pressure (sets the boiling point)"),
        Param("start_C", "C", None, 15.0, 28.0, "initial water temperature = room temperature"),
        Param("t_on_s", "s", None, 20.0, 60.0, "when the heater goes on"),
        Param("tau_s", "s", None, 5.0, 10.0, "probe time constant"),
        Param("plateau_s", "s", 240.0, doc="how long the run goes on boiling"),
    )
    NOISE = (0.03,)

    def _setup(self) -> None:
        p = self.p
        self.t_boil_C = boiling_point_c(p["pressure_hPa"])
        self.k = p["loss_W_per_K"] / (p["mass_kg"] * C_WATER)  # 1/s
        self.t_eq = p["start_C"] + p["power_W"] / p["loss_W_per_K"]
        if self.t_eq <= self.t_boil_C + 1.0:
            raise ValueError("heater too weak for these losses: the water would never boil")
        s_b = self._time_to(self.t_boil_C)
        self.t_plateau = p["t_on_s"] + s_b
        self.duration_s = float(np.ceil(self.t_plateau + p["plateau_s"]))
        self.channels = [ds18b20(0)]
        rate = (self._time_to(80.0) - self._time_to(40.0)) / 40.0  # s per °C
        self.truth = {
            "boiling_point_C": self.t_boil_C,
            "heating_rate_C_per_min": 60.0 / rate,
            "plateau_start_s": self.t_plateau,
        }
        self._probe = FirstOrderLag(self.water, p["tau_s"], self.duration_s + 60.0, dt=0.1)

    def _time_to(self, temp: float) -> float:
        """Heating time (s after the heater goes on) until the water reaches ``temp`` °C."""
        p = self.p
        return float(-np.log((self.t_eq - temp) / (self.t_eq - p["start_C"])) / self.k)

    def water(self, t: np.ndarray) -> np.ndarray:
        """True water temperature (°C) at ``t`` s."""
        p = self.p
        s = np.clip(np.asarray(t, dtype=float) - p["t_on_s"], 0.0, None)
        temp = self.t_eq + (p["start_C"] - self.t_eq) * np.exp(-self.k * s)
        return np.minimum(temp, self.t_boil_C)

    def _clean(self, t: np.ndarray) -> np.ndarray:
        return self._probe(t)[:, None]

    def _sensors(self, t: np.ndarray, clean: np.ndarray) -> np.ndarray:
        out = super()._sensors(t, clean)
        boiling = t >= self.t_plateau + 3 * self.p["tau_s"]
        out[boiling, 0] += self.rng.normal(0.0, 0.04 * max(self.noise, 0.25), int(boiling.sum()))
        return out


MODELS: dict[str, type[SimModel]] = {
    "PHY-J-10": Boiling,
}
