"""Motion labs: carts and blocks seen by an ultrasonic ranger, accelerometers, photogates.

Distances in m from the sensor, times in s, g = 9.80665 m/s². The ultrasonic ranger (HC-SR04-like)
reports whole millimetres at up to ~40 Hz, ±2 mm noise, a few lost echoes (read as the 4 m maximum)
and occasional spurious short echoes (off the bench or a hand).
"""

from __future__ import annotations

import numpy as np

from .base import Param, SimChannel, SimModel, dropouts, spurious

G = 9.80665
US_MAX_M = 4.0


def ultrasonic(cid: int = 0) -> SimChannel:
    return SimChannel(cid, "hc-sr04", "distance", "m", 0.001, 0.0, "H")


def accelerometer(cid: int) -> SimChannel:
    """One axis of an MPU-6050 at ±2 g: 16384 LSB per g."""
    return SimChannel(cid, "mpu6050", "acceleration", "m/s2", G / 16384.0, 0.0, "h")


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
        Param("accel_bias", "m/s2", None, -0.15, 0.15, "accelerometer axis bias"),
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


MODELS: dict[str, type[SimModel]] = {
    "PHY-S-04": CartOnIncline,
}
