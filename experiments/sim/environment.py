"""Logging labs: environment time series (temperature, light, solution conductance) over hours.

The result of a logging lab is a summary of the series: mean, minimum and maximum of each channel
(daily range, incubator stability, treatment conditions). Truth keys: ``<quantity>_mean_<unit>``,
``<quantity>_min_<unit>``, ``<quantity>_max_<unit>`` of the TRUE signal on the model's sample grid.
Several channels of one quantity are named ``temperature``, ``temperature2``, ``temperature3``...
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .base import Param, SimChannel, SimModel
from .electrical import adc_voltage, ina219
from .thermal import ds18b20

DAY_S = 86400.0


def bh1750(cid: int) -> SimChannel:
    """BH1750 ambient light sensor: 1/1.2 lx per count, saturates at 54612 lx."""
    return SimChannel(cid, "bh1750", "illuminance", "lx", 1.0 / 1.2, 0.0, "H")


def light_noise(model: SimModel, v: np.ndarray) -> np.ndarray:
    """≈1 % of the reading + 0.5 lx, never below 0 (the sensor cannot read negative light)."""
    sig = (0.01 * np.abs(v) + 0.5) * model.noise
    return np.clip(v + model.rng.normal(0.0, 1.0, v.shape) * sig, 0.0, None)


def numbered(ch: SimChannel, n: int) -> SimChannel:
    """The n-th channel (n ≥ 2) of a quantity: ``temperature`` → ``temperature2``."""
    return replace(ch, quantity=f"{ch.quantity}{n}") if n > 1 else ch


def wobble(rng: np.random.Generator, t: np.ndarray, amp: float, period_s: float, n: int = 3) -> np.ndarray:
    """Weather-like slow variation: a few random sinusoids slower than ``period_s`` (fixed per model)."""
    out = np.zeros_like(t)
    for _ in range(n):
        f = rng.uniform(0.3, 1.0) / period_s
        out += amp / n * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    return out


class EnvironmentLog(SimModel):
    """Base of the logging labs: subclasses set ``KINDS`` (per channel: "temperature", "light",
    "voltage", "current") and implement ``signals(t) -> (len(t), nch)`` (true values)."""

    KINDS: tuple[str, ...] = ("temperature",)
    rate_hz = 1.0 / 60.0
    duration_s = DAY_S

    def _setup(self) -> None:
        made: dict[str, int] = {}
        self.channels = []
        for cid, kind in enumerate(self.KINDS):
            made[kind] = made.get(kind, 0) + 1
            base = {"temperature": ds18b20, "light": bh1750, "voltage": adc_voltage, "current": ina219}[kind](
                cid
            )
            self.channels.append(numbered(replace(base, id=cid), made[kind]))
        self._phase = self.rng.uniform(0, 2 * np.pi, 8)
        self._prepare()
        grid = np.arange(0.0, self.duration_s, 1.0 / self.rate_hz)
        true = self.signals(grid)
        self.truth = {}
        for j, ch in enumerate(self.channels):
            for stat, fn in (("mean", np.mean), ("min", np.min), ("max", np.max)):
                self.truth[f"{ch.quantity}_{stat}_{ch.unit}"] = float(fn(true[:, j]))

    def _prepare(self) -> None:
        """Draw the model's fixed random features (weather) before the truth is computed."""

    def signals(self, t: np.ndarray) -> np.ndarray:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def _clean(self, t: np.ndarray) -> np.ndarray:
        return self.signals(t)

    def _sensors(self, t: np.ndarray, clean: np.ndarray) -> np.ndarray:
        out = clean.copy()
        for j, ch in enumerate(self.channels):
            if ch.unit == "lx":
                out[:, j] = light_noise(self, clean[:, j])
            else:
                sig = {"C": 0.03, "V": 0.003, "A": 5e-6}[ch.unit] * self.noise
                out[:, j] += self.rng.normal(0.0, sig, len(t))
        return out

    # helpers for subclasses ------------------------------------------------------------------
    def diurnal(self, t: np.ndarray, mean: float, swing: float, peak_h: float = 14.5) -> np.ndarray:
        """A day cycle: ``mean`` ± ``swing``/2, warmest at ``peak_h`` o'clock (t = 0 is midnight)."""
        return mean + swing / 2 * np.cos(2 * np.pi * (t / 3600.0 - peak_h) / 24.0)

    def lamp(self, t: np.ndarray, on_h: float, off_h: float, lux: float) -> np.ndarray:
        hour = (t / 3600.0) % 24.0
        return np.where((hour >= on_h) & (hour < off_h), lux, 0.0)

    def daylight(self, t: np.ndarray, peak_lx: float) -> np.ndarray:
        """Indoor daylight: a half-sine from 6 h to 18 h, dark at night."""
        hour = (t / 3600.0) % 24.0
        return peak_lx * np.clip(np.sin(np.pi * (hour - 6.0) / 12.0), 0.0, None)


class DailyAirTemperature(EnvironmentLog):
    """SCI-P-04: air temperature over a day, logged each minute; truth: daily mean, min, max."""

    experiment = "SCI-P-04"
    PARAMS = (
        Param("mean_C", "C", None, 5.0, 28.0, "daily mean"),
        Param("swing_C", "C", None, 6.0, 12.0, "day–night range"),
    )

    def signals(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        w = sum(0.6 * np.sin(2 * np.pi * t / (DAY_S / k) + self._phase[k]) / k for k in (3, 5, 7))
        return (self.diurnal(t, p["mean_C"], p["swing_C"]) + w)[:, None]


class Incubator(EnvironmentLog):
    """BIO-J-10: an incubator's thermostat holds ~37 °C with a triangle cycle (heater on/off)."""

    experiment = "BIO-J-10"
    rate_hz = 1.0 / 30.0
    duration_s = 12 * 3600.0
    PARAMS = (
        Param("set_C", "C", None, 36.0, 38.0, "set point"),
        Param("band_C", "C", None, 0.4, 1.0, "thermostat band (peak to peak)"),
        Param("cycle_s", "s", None, 600.0, 1200.0, "heater cycle"),
    )

    def signals(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        phase = (t / p["cycle_s"] + self._phase[0]) % 1.0
        tri = 2.0 * np.abs(phase - 0.5) - 0.5  # −0.5 … 0.5
        return (p["set_C"] + p["band_C"] * tri)[:, None]


class VegetationPlots(EnvironmentLog):
    """BIO-J-13: three synchronised temperature probes over bare ground, grass and shrubs.

    Bare ground has the widest day range, shrubs the narrowest and coolest.
    """

    experiment = "BIO-J-13"
    KINDS = ("temperature", "temperature", "temperature")
    rate_hz = 1.0 / 60.0
    duration_s = 8 * 3600.0
    PARAMS = (
        Param("mean_C", "C", None, 15.0, 30.0, "air mean"),
        Param("swing_C", "C", None, 6.0, 12.0, "bare-ground day range"),
    )

    def signals(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        t = t + 8 * 3600.0  # the run starts at 8 o'clock
        return np.stack(
            [
                self.diurnal(t, p["mean_C"] + 1.0, p["swing_C"]),
                self.diurnal(t, p["mean_C"], 0.7 * p["swing_C"]),
                self.diurnal(t, p["mean_C"] - 1.0, 0.45 * p["swing_C"]),
            ],
            axis=1,
        )


class RoomLog(EnvironmentLog):
    """A room's temperature and daylight over a day (plant growth, cuttings, silkworms, seeds)."""

    experiment = "BIO-J-19"
    KINDS = ("temperature", "light")
    PARAMS = (
        Param("mean_C", "C", None, 15.0, 28.0, "room mean"),
        Param("swing_C", "C", None, 2.0, 6.0, "day range"),
        Param("peak_lx", "lx", None, 300.0, 3000.0, "daylight at noon"),
    )

    def signals(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        return np.stack([self.diurnal(t, p["mean_C"], p["swing_C"]), self.daylight(t, p["peak_lx"])], axis=1)


class PlantConditions(RoomLog):
    experiment = "BIO-J-35"


class Cuttings(RoomLog):
    experiment = "BIO-J-37"


class Silkworms(EnvironmentLog):
    """BIO-J-38: rearing-room temperature only."""

    experiment = "BIO-J-38"
    PARAMS = (
        Param("mean_C", "C", None, 22.0, 27.0, "room mean"),
        Param("swing_C", "C", None, 1.0, 4.0, "day range"),
    )

    def signals(self, t: np.ndarray) -> np.ndarray:
        return self.diurnal(t, self.p["mean_C"], self.p["swing_C"])[:, None]


class Germination(EnvironmentLog):
    """BIO-J-18 / SCI-P-10: one treatment box: temperature and a lamp on a timer (light vs dark)."""

    experiment = "BIO-J-18"
    KINDS = ("temperature", "light")
    PARAMS = (
        Param("mean_C", "C", None, 8.0, 30.0, "treatment temperature"),
        Param("lamp_lx", "lx", None, 0.0, 2000.0, "lamp illuminance (0 = dark treatment)"),
        Param("on_h", "h", 8.0, doc="lamp on"),
        Param("off_h", "h", 20.0, doc="lamp off"),
    )

    def signals(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        lamp = self.lamp(t, p["on_h"], p["off_h"], p["lamp_lx"])
        temp = self.diurnal(t, p["mean_C"], 1.0) + 0.3 * (lamp > 0)  # the lamp warms the box a little
        return np.stack([temp, lamp], axis=1)


class Sprouting(Germination):
    experiment = "SCI-P-10"


class Aquarium(EnvironmentLog):
    """BIO-J-39: water temperature held by a heater thermostat and a lamp on a 12 h cycle."""

    experiment = "BIO-J-39"
    KINDS = ("temperature", "light")
    PARAMS = (
        Param("set_C", "C", None, 24.0, 28.0, "heater set point"),
        Param("band_C", "C", None, 0.3, 0.8, "thermostat band"),
        Param("lamp_lx", "lx", None, 500.0, 1500.0, "lamp illuminance at the surface"),
    )

    def signals(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        phase = (t / 1800.0 + self._phase[0]) % 1.0
        temp = p["set_C"] + p["band_C"] * (2.0 * np.abs(phase - 0.5) - 0.5)
        return np.stack([temp, self.lamp(t, 8.0, 20.0, p["lamp_lx"])], axis=1)


class WoodliceZones(EnvironmentLog):
    """BIO-J-12: the probe pair is moved through the zones of the choice chamber (light/warm, dark/cool)
    every two minutes, twice round."""

    experiment = "BIO-J-12"
    KINDS = ("temperature", "light")
    rate_hz = 1.0
    duration_s = 480.0
    PARAMS = (
        Param("warm_C", "C", None, 24.0, 30.0, "light/warm zone"),
        Param("cool_C", "C", None, 15.0, 21.0, "dark/cool zone"),
        Param("light_lx", "lx", None, 400.0, 1500.0, "lit zone"),
        Param("dark_lx", "lx", None, 0.0, 20.0, "dark zone"),
    )

    def signals(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        lit = (t // 120.0) % 2 == 0
        return np.stack(
            [np.where(lit, p["warm_C"], p["cool_C"]), np.where(lit, p["light_lx"], p["dark_lx"])], axis=1
        )

    def _clean(self, t: np.ndarray) -> np.ndarray:
        raw = self.signals(t)  # the probe needs ~20 s to follow the air after a move
        edge = t % 120.0
        w = 1.0 - np.exp(-edge / 20.0)
        prev = self.signals(np.clip(t - 120.0, 0.0, None))
        prev[t < 120.0] = raw[t < 120.0]
        out = raw.copy()
        out[:, 0] = prev[:, 0] + (raw[:, 0] - prev[:, 0]) * w
        return out


class Hydroponics(EnvironmentLog):
    """BIO-J-20: nutrient solution temperature, light, and conductance (a fixed excitation across two
    electrodes: voltage and current channels; conductance G = I/U falls as the plants take nutrients)."""

    experiment = "BIO-J-20"
    KINDS = ("temperature", "light", "voltage", "current")
    PARAMS = (
        Param("mean_C", "C", None, 18.0, 26.0, "solution mean"),
        Param("peak_lx", "lx", None, 500.0, 3000.0, "daylight at noon"),
        Param("conductance_S", "S", None, 2e-4, 6e-4, "solution conductance at the start"),
        Param("uptake_per_day", "1", None, 0.03, 0.10, "fractional conductance drop per day"),
        Param("excitation_V", "V", None, 2.0, 3.0, "electrode excitation"),
    )

    def signals(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        g = p["conductance_S"] * (1.0 - p["uptake_per_day"] * t / DAY_S)
        u = np.full_like(t, p["excitation_V"])
        return np.stack([self.diurnal(t, p["mean_C"], 2.0), self.daylight(t, p["peak_lx"]), u, u * g], axis=1)


class HydroponicControl(Hydroponics):
    """BIO-J-36: the same station under closed-loop control (lamp on 6–22 h whatever the daylight)."""

    experiment = "BIO-J-36"

    def signals(self, t: np.ndarray) -> np.ndarray:
        out = super().signals(t)
        out[:, 1] = np.maximum(out[:, 1], self.lamp(t, 6.0, 22.0, 800.0))
        return out


MODELS: dict[str, type[SimModel]] = {
    "SCI-P-04": DailyAirTemperature,
    "SCI-P-10": Sprouting,
    "BIO-J-10": Incubator,
    "BIO-J-12": WoodliceZones,
    "BIO-J-13": VegetationPlots,
    "BIO-J-18": Germination,
    "BIO-J-19": RoomLog,
    "BIO-J-20": Hydroponics,
    "BIO-J-35": PlantConditions,
    "BIO-J-36": HydroponicControl,
    "BIO-J-37": Cuttings,
    "BIO-J-38": Silkworms,
    "BIO-J-39": Aquarium,
}
