"""Motion labs: carts and blocks seen by an ultrasonic ranger, accelerometers, photogates.

Distances in m from the sensor, times in s, g = 9.80665 m/s². The ultrasonic ranger (HC-SR04-like)
reports whole millimetres at up to ~40 Hz, ±2 mm noise, a few lost echoes (read as the 4 m maximum)
and occasional spurious short echoes (off the bench or a hand).
"""

from __future__ import annotations

import numpy as np

from .base import Param, SimChannel, SimModel, dropouts, spurious
from .gates import G, GateModel, local_g, photogate

US_MAX_M = 4.0


def ultrasonic(cid: int = 0) -> SimChannel:
    return SimChannel(cid, "hc-sr04", "distance", "m", 0.001, 0.0, "H")


def accelerometer(cid: int) -> SimChannel:
    """One axis of an MPU-6050 at ±2 g: 16384 LSB per g."""
    return SimChannel(cid, "mpu6050", "acceleration", "m/s^2", G / 16384.0, 0.0, "h")


def ranger_artefacts(
    model: SimModel, d: np.ndarray, p_drop: float = 0.02, p_spur: float = 0.01
) -> np.ndarray:
    """Lost echoes and spurious short echoes (rates scale with the model's noise level, capped)."""
    k = min(model.noise, 3.0)
    d = dropouts(model.rng, d, p_drop * k, US_MAX_M)
    return spurious(model.rng, d, p_spur * k, 0.03, 0.15)


class CartOnIncline(SimModel):
    """PHY-S-04: a cart released on an inclined track, a ranger at the top end looking down the slope.

    a = g·sinθ − μ·g·cosθ while it rolls; it is held at ``x0_m`` until ``t_release_s`` (flat start) and
    stops at the bumper at ``x_end_m``. With ``accelerometer=True`` a second channel gives the cart's
    along-track accelerometer axis: specific force = a − g·sinθ plus a bias, so the acceleration is the
    rolling reading minus the at-rest (tare) reading. Truth: ``acceleration_m_s2``.
    """

    experiment = "PHY-S-04"
    rate_hz = 40.0
    PARAMS = (
        Param("angle_deg", "deg", None, 2.0, 8.0, "track inclination"),
        Param("mu", "1", None, 0.005, 0.03, "rolling-friction coefficient"),
        Param("x0_m", "m", None, 0.15, 0.30, "start distance from the ranger"),
        Param("x_end_m", "m", 1.10, doc="bumper distance from the ranger"),
        Param("t_release_s", "s", None, 1.0, 3.0, "release time"),
        Param("accelerometer", "", False, doc="add an accelerometer channel"),
        Param("accel_bias", "m/s^2", None, -0.15, 0.15, "accelerometer axis bias"),
    )
    NOISE = (0.002, 0.03)

    def _setup(self) -> None:
        p = self.p
        th = np.radians(p["angle_deg"])
        self.a = G * np.sin(th) - p["mu"] * G * np.cos(th)
        if self.a <= 0.02:
            raise ValueError("the track is too flat for this friction: the cart would not roll")
        self.g_along = G * np.sin(th)
        self.t_stop = p["t_release_s"] + np.sqrt(2 * (p["x_end_m"] - p["x0_m"]) / self.a)
        self.duration_s = float(np.ceil(self.t_stop + 1.5))
        self.channels = [ultrasonic(0)]
        if p["accelerometer"]:
            self.channels.append(accelerometer(1))
        self.truth = {
            "acceleration_m_s2": float(self.a),
            "release_s": p["t_release_s"],
            "stop_s": float(self.t_stop),
        }

    def position(self, t: np.ndarray) -> np.ndarray:
        s = np.clip(t - self.p["t_release_s"], 0.0, self.t_stop - self.p["t_release_s"])
        return self.p["x0_m"] + 0.5 * self.a * s**2

    def _clean(self, t: np.ndarray) -> np.ndarray:
        cols = [self.position(t)]
        if self.p["accelerometer"]:
            rolling = (t >= self.p["t_release_s"]) & (t < self.t_stop)
            cols.append(np.where(rolling, self.a, 0.0) - self.g_along + self.p["accel_bias"])
        return np.stack(cols, axis=1)

    def _sensors(self, t: np.ndarray, clean: np.ndarray) -> np.ndarray:
        out = super()._sensors(t, clean)
        out[:, 0] = ranger_artefacts(self, out[:, 0])
        if self.p["accelerometer"]:  # wheel rumble while rolling
            rolling = (t >= self.p["t_release_s"]) & (t < self.t_stop)
            out[rolling, 1] += self.rng.normal(0.0, 0.05 * self.noise, int(rolling.sum()))
        return out


class UniformCart(GateModel):
    """PHY-J-05 / SCI-P-08: a toy cart driving away from the ranger at a steady speed after ``t_go_s``.

    With ``gate=True`` its flag (``flag_m`` wide) also passes a photogate halfway along the run.
    Truth: ``speed_m_s``; ``flag_m`` is the analysis input.
    """

    experiment = "PHY-J-05"
    rate_hz = 20.0
    PARAMS = (
        Param("speed_m_s", "m/s", None, 0.15, 0.6, "cart speed"),
        Param("x0_m", "m", None, 0.2, 0.4, "start distance"),
        Param("t_go_s", "s", None, 1.0, 4.0, "switched on"),
        Param("run_m", "m", 1.5, doc="distance driven"),
        Param("gate", "", False, doc="add a photogate halfway"),
        Param("flag_m", "m", 0.01, doc="flag width"),
    )
    ANALYSIS_PARAMS = ("flag_m",)
    NOISE = (0.002,)

    def _setup(self) -> None:
        p = self.p
        self.t_stop = p["t_go_s"] + p["run_m"] / p["speed_m_s"]
        self.duration_s = float(np.ceil(self.t_stop + 1.0))
        self.channels = [ultrasonic(0)]
        self.truth = {"speed_m_s": float(p["speed_m_s"])}
        if p["gate"]:
            self.event_channels = [photogate(1)]
            self._finish_gates()

    def _blocks(self) -> list[tuple[int, float, float]]:
        p = self.p
        t_in = p["t_go_s"] + p["run_m"] / 2 / p["speed_m_s"]
        return [(1, float(t_in), float(t_in + p["flag_m"] / p["speed_m_s"]))]

    def _clean(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        s = np.clip(t, p["t_go_s"], self.t_stop) - p["t_go_s"]
        return (p["x0_m"] + p["speed_m_s"] * s)[:, None]

    def _sensors(self, t: np.ndarray, clean: np.ndarray) -> np.ndarray:
        out = super()._sensors(t, clean)
        out[:, 0] = ranger_artefacts(self, out[:, 0])
        return out


class ToyCart(UniformCart):
    experiment = "SCI-P-08"


class SlidingBlock(SimModel):
    """PHY-J-11: a block pushed along the bench slides to a stop: x = x0 + v0·s − ½μg·s².

    Truth: ``deceleration_m_s2`` (μg), ``mu``.
    """

    experiment = "PHY-J-11"
    rate_hz = 40.0
    PARAMS = (
        Param("mu", "1", None, 0.2, 0.5, "kinetic friction coefficient"),
        Param("v0_m_s", "m/s", None, 0.8, 1.5, "speed when the push ends"),
        Param("x0_m", "m", None, 0.2, 0.3, "start distance"),
        Param("t_push_s", "s", None, 1.0, 3.0, "push ends"),
    )
    NOISE = (0.002,)

    def _setup(self) -> None:
        p = self.p
        self.a = p["mu"] * G
        self.t_stop = p["t_push_s"] + p["v0_m_s"] / self.a
        self.duration_s = float(np.ceil(self.t_stop + 1.5))
        self.channels = [ultrasonic(0)]
        self.truth = {"deceleration_m_s2": float(self.a), "mu": float(p["mu"])}

    def _clean(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        s = np.clip(t, p["t_push_s"], self.t_stop) - p["t_push_s"]
        x = p["x0_m"] + p["v0_m_s"] * s - 0.5 * self.a * s**2
        push = t < p["t_push_s"]  # the last 0.15 s of the push: speeding up from rest
        sp = np.clip(t - (p["t_push_s"] - 0.15), 0.0, 0.15)
        x = np.where(push, p["x0_m"] - p["v0_m_s"] * 0.075 + p["v0_m_s"] * sp**2 / 0.3, x)
        return x[:, None]

    def _sensors(self, t: np.ndarray, clean: np.ndarray) -> np.ndarray:
        out = super()._sensors(t, clean)
        out[:, 0] = ranger_artefacts(self, out[:, 0])
        return out


class HookeSpring(SimModel):
    """PHY-S-02: masses hung one by one on a spring; a ranger on the floor looks up at the hanger.

    Each added ``mass_step_kg`` lowers the hanger by m·g/k, with a damped bounce. Truth:
    ``spring_constant_N_m``; ``mass_step_kg`` is the analysis input.
    """

    experiment = "PHY-S-02"
    rate_hz = 20.0
    PARAMS = (
        Param("k_N_m", "N/m", None, 10.0, 40.0, "spring constant"),
        Param("mass_step_kg", "kg", 0.05, doc="mass added each time"),
        Param("steps", "1", 6.0, doc="masses added"),
        Param("dwell_s", "s", 8.0, doc="time between additions"),
        Param("height_m", "m", None, 0.5, 0.8, "hanger above the ranger"),
        Param("hanger_kg", "kg", 0.01, doc="empty hanger"),
    )
    ANALYSIS_PARAMS = ("mass_step_kg",)
    NOISE = (0.002,)

    def _setup(self) -> None:
        p = self.p
        n = int(p["steps"])
        self.t_add = 3.0 + p["dwell_s"] * np.arange(n)
        self.duration_s = float(self.t_add[-1] + p["dwell_s"])
        self.channels = [ultrasonic(0)]
        self.truth = {"spring_constant_N_m": float(p["k_N_m"])}

    def _clean(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        k, dm = p["k_N_m"], p["mass_step_kg"]
        n_on = (t[:, None] >= self.t_add[None, :]).sum(axis=1)
        x = p["height_m"] - n_on * dm * G / k
        m = p["hanger_kg"] + n_on * dm
        w = np.sqrt(k / np.maximum(m, 1e-3))
        last = np.where(n_on > 0, self.t_add[np.clip(n_on - 1, 0, None)], 0.0)
        s = t - last
        bounce = np.where(n_on > 0, dm * G / k * np.exp(-s / 0.8) * np.cos(w * s), 0.0)
        return (x + bounce)[:, None]

    def _sensors(self, t: np.ndarray, clean: np.ndarray) -> np.ndarray:
        out = super()._sensors(t, clean)
        out[:, 0] = ranger_artefacts(self, out[:, 0], p_spur=0.0)
        return out


MODELS: dict[str, type[SimModel]] = {
    "PHY-J-05": UniformCart,
    "PHY-J-11": SlidingBlock,
    "PHY-S-02": HookeSpring,
    "PHY-S-04": CartOnIncline,
    "SCI-P-08": ToyCart,
}

__all__ = ["G", "MODELS", "accelerometer", "local_g", "ranger_artefacts", "ultrasonic"]
