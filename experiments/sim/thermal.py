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
    ``heating_rate_C_per_min`` (least-squares slope of the true water temperature
    over 40 → 80 °C: with losses the rate falls as the water warms), ``plateau_start_s``.
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
        # the heating rate is not constant (losses grow with T): define it as the least-squares slope
        # of the water temperature over the 40 → 80 °C band
        band = np.linspace(p["t_on_s"] + self._time_to(40.0), p["t_on_s"] + self._time_to(80.0), 2001)
        rate = np.polyfit(band, self.water(band), 1)[0]
        self.truth = {
            "boiling_point_C": self.t_boil_C,
            "heating_rate_C_per_min": float(60.0 * rate),
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


class Immersion(SimModel):
    """PHY-J-03 / SCI-P-01: a probe in room air is dipped into a water bath at ``t_in_s``.

    The reading approaches the bath temperature as T∞ + (T0 − T∞)·e^(−t/τ). Truth: ``settled_C`` (the
    bath), ``tau_s`` (probe time constant), ``immersion_s``. The bath itself drifts towards the room
    by ``drift_C_per_min`` (a beaker of hot water cools), so "the settled value" is the bath at the end.
    """

    experiment = "PHY-J-03"
    rate_hz = 2.0
    PARAMS = (
        Param("bath_C", "C", None, 2.0, 70.0, "water bath temperature"),
        Param("room_C", "C", None, 16.0, 28.0, "air temperature"),
        Param("tau_s", "s", None, 4.0, 12.0, "probe time constant in water"),
        Param("t_in_s", "s", None, 5.0, 20.0, "when the probe goes in"),
        Param("drift_C_per_min", "C/min", 0.0, doc="bath drift"),
        Param("run_s", "s", 90.0, doc="run length after immersion"),
    )
    NOISE = (0.03,)

    def _setup(self) -> None:
        p = self.p
        self.duration_s = float(p["t_in_s"] + p["run_s"])
        self.channels = [ds18b20(0)]
        self.truth = {
            "settled_C": float(self.bath(np.array([self.duration_s]))[0]),
            "tau_s": float(p["tau_s"]),
            "immersion_s": float(p["t_in_s"]),
        }
        self._probe = FirstOrderLag(self.medium, p["tau_s"], self.duration_s + 30.0, dt=0.05)

    def bath(self, t: np.ndarray) -> np.ndarray:
        return self.p["bath_C"] + self.p["drift_C_per_min"] / 60.0 * t

    def medium(self, t: np.ndarray) -> np.ndarray:
        """What the probe is in: air before ``t_in_s``, then the bath."""
        return np.where(t < self.p["t_in_s"], self.p["room_C"], self.bath(t))

    def _clean(self, t: np.ndarray) -> np.ndarray:
        return self._probe(t)[:, None]


class HotColdWater(Immersion):
    """SCI-P-01: the same dip into hot, room or cold water (primary science)."""

    experiment = "SCI-P-01"


class CombustionBath(Immersion):
    """CHE-J-08: the water bath (~80 °C, held by a hot plate) that sets the phosphorus' temperature."""

    experiment = "CHE-J-08"
    PARAMS = (
        Param("bath_C", "C", None, 75.0, 85.0, "water bath temperature"),
        Param("room_C", "C", None, 16.0, 28.0, "air temperature"),
        Param("tau_s", "s", None, 4.0, 12.0, "probe time constant in water"),
        Param("t_in_s", "s", None, 5.0, 20.0, "when the probe goes in"),
        Param("drift_C_per_min", "C/min", 0.0, doc="held by a hot plate"),
        Param("run_s", "s", 180.0, doc="run length after immersion"),
    )


class MeltingIce(SimModel):
    """SCI-P-02: crushed ice from a freezer warms in the room: rises to 0 °C, holds while melting, rises.

    Heat inflow ∝ (T_room − T); the plateau lasts until the latent heat is in. Truth: ``melting_point_C``
    (0.0), ``plateau_start_s``, ``plateau_end_s``.
    """

    experiment = "SCI-P-02"
    rate_hz = 1.0
    PARAMS = (
        Param("start_C", "C", None, -12.0, -4.0, "ice from the freezer"),
        Param("room_C", "C", None, 18.0, 28.0, "room temperature"),
        Param("k_per_s", "1/s", None, 0.004, 0.008, "warming rate constant of the ice (solid)"),
        Param("melt_s", "s", None, 300.0, 480.0, "how long the melting takes"),
        Param("tau_s", "s", None, 5.0, 10.0, "probe time constant"),
        Param("after_s", "s", 120.0, doc="run length after all the ice has melted"),
    )
    NOISE = (0.03,)

    def _setup(self) -> None:
        p = self.p
        self.t0 = float(-np.log(p["room_C"] / (p["room_C"] - p["start_C"])) / p["k_per_s"])
        self.t1 = self.t0 + p["melt_s"]
        self.duration_s = float(np.ceil(self.t1 + p["after_s"]))
        self.channels = [ds18b20(0)]
        self.truth = {
            "melting_point_C": 0.0,
            "plateau_start_s": self.t0,
            "plateau_end_s": self.t1,
            "melting_duration_s": float(p["melt_s"]),
        }
        self._probe = FirstOrderLag(self.ice, p["tau_s"], self.duration_s + 30.0, dt=0.1)

    def ice(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        room, k = p["room_C"], p["k_per_s"]
        solid = room + (p["start_C"] - room) * np.exp(-k * t)
        water = room - room * np.exp(-2.0 * k * np.clip(t - self.t1, 0.0, None))  # water, stirred
        return np.where(t < self.t0, solid, np.where(t < self.t1, 0.0, water))

    def _clean(self, t: np.ndarray) -> np.ndarray:
        return self._probe(t)[:, None]


class Cooling(SimModel):
    """SCI-P-03: hot water in a cup cools by Newton's law T = Ta + (T0 − Ta)·e^(−t/τ).

    The probe starts in room air and is put into the cup at ``t_in_s``. Truth: ``tau_s`` (cooling time
    constant, larger = better insulation), ``ambient_C``, ``initial_C`` (water at ``t_in_s``).
    """

    experiment = "SCI-P-03"
    rate_hz = 1.0
    PARAMS = (
        Param("start_C", "C", None, 60.0, 85.0, "water temperature when poured"),
        Param("room_C", "C", None, 16.0, 28.0, "room temperature"),
        Param("cool_tau_s", "s", None, 400.0, 1200.0, "cooling time constant of the cup"),
        Param("tau_s", "s", None, 5.0, 10.0, "probe time constant"),
        Param("t_in_s", "s", None, 10.0, 30.0, "when the probe goes in"),
        Param("run_s", "s", 900.0, doc="run length after the probe goes in"),
    )
    NOISE = (0.03,)

    def _setup(self) -> None:
        p = self.p
        self.duration_s = float(p["t_in_s"] + p["run_s"])
        self.channels = [ds18b20(0)]
        self.truth = {
            "cooling_constant_1_s": 1.0 / float(p["cool_tau_s"]),
            "tau_s": float(p["cool_tau_s"]),
            "ambient_C": float(p["room_C"]),
            "initial_C": float(p["start_C"]),
        }
        self._probe = FirstOrderLag(self.medium, p["tau_s"], self.duration_s + 30.0, dt=0.1)

    def water(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        s = np.clip(t - p["t_in_s"], 0.0, None)
        return p["room_C"] + (p["start_C"] - p["room_C"]) * np.exp(-s / p["cool_tau_s"])

    def medium(self, t: np.ndarray) -> np.ndarray:
        return np.where(t < self.p["t_in_s"], self.p["room_C"], self.water(t))

    def _clean(self, t: np.ndarray) -> np.ndarray:
        return self._probe(t)[:, None]


class FoodCalorimetry(SimModel):
    """BIO-J-25: burning a food sample under a can of water; the water warms, then cools slowly.

    Heat reaching the water ``E·m_food·η`` arrives over ``burn_s`` (smooth), then the can loses heat.
    Truth: ``temperature_rise_C`` (true peak − start), ``energy_J_per_g`` as a student computes it
    (c·m_water·ΔT / m_food, i.e. the heat that reached the water), and analysis inputs
    ``water_mass_kg`` and ``food_mass_g``.
    """

    experiment = "BIO-J-25"
    rate_hz = 1.0
    PARAMS = (
        Param("water_mass_kg", "kg", None, 0.05, 0.10, "water in the can"),
        Param("food_mass_g", "g", None, 0.5, 1.0, "food sample"),
        Param("energy_J_per_g", "J/g", None, 15000.0, 25000.0, "food energy content"),
        Param("efficiency", "1", None, 0.2, 0.4, "fraction that reaches the water"),
        Param("start_C", "C", None, 16.0, 26.0, "water start temperature"),
        Param("t_light_s", "s", None, 10.0, 30.0, "when the sample is lit"),
        Param("burn_s", "s", None, 40.0, 90.0, "burning time"),
        Param("loss_per_s", "1/s", None, 0.0005, 0.0015, "cooling constant of the can"),
        Param("tau_s", "s", None, 5.0, 10.0, "probe time constant"),
    )
    ANALYSIS_PARAMS = ("water_mass_kg", "food_mass_g")
    NOISE = (0.03,)

    def _setup(self) -> None:
        p = self.p
        self.heat_J = p["energy_J_per_g"] * p["food_mass_g"] * p["efficiency"]
        self.duration_s = float(np.ceil(p["t_light_s"] + p["burn_s"] + 180.0))
        self.channels = [ds18b20(0)]
        self._probe = FirstOrderLag(self.water, p["tau_s"], self.duration_s + 30.0, dt=0.1)
        grid = np.arange(0.0, self.duration_s, 0.1)
        rise = float(self.water(grid).max() - p["start_C"])
        self.truth = {
            "temperature_rise_C": rise,
            "energy_J_per_g": C_WATER * p["water_mass_kg"] * rise / p["food_mass_g"],
        }

    def water(self, t: np.ndarray) -> np.ndarray:
        """Water temperature: heat in at a raised-cosine rate over the burn, Newton loss throughout."""
        p = self.p
        dt = 0.1
        grid = np.arange(0.0, float(np.max(t, initial=0.0)) + 2 * dt, dt)
        s = (grid - p["t_light_s"]) / p["burn_s"]
        power = np.where((s >= 0) & (s <= 1), 1 - np.cos(2 * np.pi * np.clip(s, 0, 1)), 0.0)
        power *= self.heat_J / p["burn_s"]  # W, integrates to heat_J
        dT_in = power * dt / (C_WATER * p["water_mass_kg"])
        temp = np.empty_like(grid)
        a = np.exp(-p["loss_per_s"] * dt)
        excess = 0.0
        for i, d in enumerate(dT_in):  # excess over the start (room) temperature decays
            excess = excess * a + d
            temp[i] = excess
        return np.interp(t, grid, temp + p["start_C"])

    def _clean(self, t: np.ndarray) -> np.ndarray:
        return self._probe(t)[:, None]


class ThermometricTitration(SimModel):
    """CHE-J-05: base dripped at a steady rate into acid; neutralisation warms the mix until the
    equivalence point, after which cold excess base cools it slightly.

    Truth: ``equivalence_s`` (time of the true maximum), ``temperature_rise_C`` (max − start).
    """

    experiment = "CHE-J-05"
    rate_hz = 1.0
    PARAMS = (
        Param("start_C", "C", None, 16.0, 26.0, "solutions at room temperature"),
        Param("rise_C", "C", None, 4.0, 8.0, "temperature rise at equivalence"),
        Param("t_start_s", "s", None, 10.0, 30.0, "first drop"),
        Param("t_eq_s", "s", None, 150.0, 250.0, "equivalence reached after the first drop"),
        Param("fall_C_per_s", "C/s", None, 0.005, 0.015, "cooling after equivalence"),
        Param("tau_s", "s", None, 5.0, 10.0, "probe time constant"),
    )
    NOISE = (0.03,)

    def _setup(self) -> None:
        p = self.p
        self.t_peak = p["t_start_s"] + p["t_eq_s"]
        self.duration_s = float(np.ceil(self.t_peak + 150.0))
        self.channels = [ds18b20(0)]
        self._probe = FirstOrderLag(self.mix, p["tau_s"], self.duration_s + 30.0, dt=0.1)
        self.truth = {"equivalence_s": float(self.t_peak), "temperature_rise_C": float(p["rise_C"])}

    def mix(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        up = np.clip((t - p["t_start_s"]) / p["t_eq_s"], 0.0, 1.0) * p["rise_C"]
        down = np.clip(t - self.t_peak, 0.0, None) * p["fall_C_per_s"]
        return p["start_C"] + up - down

    def _clean(self, t: np.ndarray) -> np.ndarray:
        return self._probe(t)[:, None]


class GasTemperature(SimModel):
    """PHY-S-21 (Boyle's law, assistive): the gas temperature in the syringe while it is compressed in
    steps; each quick compression warms the gas a little, which relaxes back to the room.

    Truth: ``mean_C`` (of the true gas temperature over the run), ``max_deviation_C`` (largest |T − room|), ``range_C`` (max − min),
    ``room_C``.
    """

    experiment = "PHY-S-21"
    rate_hz = 1.0
    PARAMS = (
        Param("room_C", "C", None, 16.0, 28.0, "room temperature"),
        Param("steps", "1", 5.0, doc="compressions"),
        Param("bump_C", "C", None, 0.2, 0.6, "warming right after a compression"),
        Param("relax_s", "s", None, 8.0, 20.0, "relaxation time back to the room"),
        Param("step_s", "s", 40.0, doc="time between compressions"),
        Param("tau_s", "s", None, 5.0, 10.0, "probe time constant"),
    )
    NOISE = (0.03,)

    def _setup(self) -> None:
        p = self.p
        self.times = 20.0 + p["step_s"] * np.arange(int(p["steps"]))
        self.duration_s = float(self.times[-1] + p["step_s"])
        self.channels = [ds18b20(0)]
        grid = np.arange(0.0, self.duration_s, 0.1)
        g = self.gas(grid)
        self._probe = FirstOrderLag(self.gas, p["tau_s"], self.duration_s + 30.0, dt=0.1)
        self.truth = {
            "mean_C": float(g.mean()),
            "max_deviation_C": float(np.abs(g - p["room_C"]).max()),
            "range_C": float(g.max() - g.min()),
            "room_C": float(p["room_C"]),
        }

    def gas(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        s = t[:, None] - self.times[None, :]
        bumps = np.where(s >= 0, p["bump_C"] * np.exp(-np.clip(s, 0, None) / p["relax_s"]), 0.0)
        return p["room_C"] + bumps.sum(axis=1)

    def _clean(self, t: np.ndarray) -> np.ndarray:
        return self._probe(t)[:, None]


MODELS: dict[str, type[SimModel]] = {
    "PHY-J-03": Immersion,
    "PHY-J-10": Boiling,
    "PHY-S-21": GasTemperature,
    "SCI-P-01": HotColdWater,
    "SCI-P-02": MeltingIce,
    "SCI-P-03": Cooling,
    "CHE-J-05": ThermometricTitration,
    "CHE-J-08": CombustionBath,
    "BIO-J-25": FoodCalorimetry,
}
