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


def local_g(latitude_deg: float) -> float:
    """Gravitational acceleration (m/s²) at sea level and ``latitude_deg`` (GRS80 normal gravity)."""
    s1 = np.sin(np.radians(latitude_deg)) ** 2
    s2 = np.sin(np.radians(2 * latitude_deg)) ** 2
    return float(9.780327 * (1 + 0.0053024 * s1 - 0.0000058 * s2))


def photogate(cid: int, n: int = 1) -> SimChannel:
    """Photogate ``n`` (column ``gate_level``, ``gate2_level``...): level 1 = beam blocked."""
    return SimChannel(cid, "photogate", "gate" if n == 1 else f"gate{n}", "level", 1.0, 0.0, "B")


class GateModel(SimModel):
    """Base of photogate labs: ``_blocks()`` returns (channel id, start s, end s) of every time a beam
    is blocked; edges get the board's 1 µs tick and ~10 µs of beam-edge jitter (× noise)."""

    JITTER_S = 10e-6
    _events: list[tuple[float, int, int]] = []  # noqa: RUF012 - replaced per instance by _finish_gates

    def _finish_gates(self) -> None:
        ev: list[tuple[float, int, int]] = []
        for cid, a, b in self._blocks():
            ja, jb = self.rng.normal(0.0, self.JITTER_S * self.noise, 2)
            ev.append((round(a + ja, 6), cid, 1))
            ev.append((round(b + jb, 6), cid, 0))
        self._events = sorted(ev)

    def _blocks(self) -> list[tuple[int, float, float]]:  # pragma: no cover - subclasses override
        raise NotImplementedError

    def _edges(self, t0: float, t1: float) -> list[tuple[float, int, int]]:
        return [e for e in self._events if t0 <= e[0] < t1]


class Pendulum(GateModel):
    """PHY-S-14: a simple pendulum through a photogate at the bottom (two blocks per period), or a
    light-dependent resistor under the bob (``sensor="light"``: a dip at each pass, 200 Hz).

    θ(t) = θ0·e^(−t/τd)·sin(ω(t − t_release)), ω = √(g/L)/(1 + θ0²/16). Local g from the latitude.
    The student measures L with a ruler: the analysis input ``length_m`` is L rounded to 1 mm.
    Truth: ``g_m_s2``, ``period_s`` (true period at this amplitude).
    """

    experiment = "PHY-S-14"
    rate_hz = 200.0
    PARAMS = (
        Param("length_m", "m", None, 0.40, 1.00, "string + bob radius"),
        Param("amplitude_deg", "deg", None, 3.0, 5.0, "release angle"),
        Param("latitude_deg", "deg", None, 20.0, 45.0, "school latitude (sets g)"),
        Param("bob_m", "m", 0.02, doc="bob diameter"),
        Param("decay_s", "s", None, 150.0, 400.0, "amplitude decay time"),
        Param("t_release_s", "s", None, 1.0, 4.0, "release"),
        Param("swings", "1", 20.0, doc="periods recorded"),
        Param("sensor", "", "gate", doc="'gate' or 'light'"),
    )
    ANALYSIS_PARAMS = ("length_m",)
    NOISE = (1.5,)

    def _setup(self) -> None:
        p = self.p
        if p["sensor"] not in ("gate", "light"):
            raise ValueError(f"sensor must be 'gate' or 'light', got {p['sensor']!r}")
        self.g = local_g(p["latitude_deg"])
        th0 = np.radians(p["amplitude_deg"])
        self.omega = np.sqrt(self.g / p["length_m"]) / (1 + th0**2 / 16)
        self.period = 2 * np.pi / self.omega
        self.duration_s = float(np.ceil(p["t_release_s"] + (p["swings"] + 0.5) * self.period))
        self.truth = {"g_m_s2": self.g, "period_s": float(self.period)}
        if p["sensor"] == "gate":
            self.event_channels = [photogate(0)]
            self._finish_gates()
        else:
            self.channels = [SimChannel(0, "ldr", "illuminance", "lx", 0.25, 0.0, "H")]

    def analysis_params(self) -> dict[str, float]:
        return {"length_m": round(float(self.p["length_m"]), 3)}

    def x_bob(self, t: np.ndarray) -> np.ndarray:
        """Horizontal bob displacement (m) from the lowest point."""
        p = self.p
        s = np.clip(t - p["t_release_s"], 0.0, None)
        th = np.radians(p["amplitude_deg"]) * np.exp(-s / p["decay_s"]) * np.cos(self.omega * s)
        return p["length_m"] * np.sin(th)

    def _blocks(self) -> list[tuple[int, float, float]]:
        p = self.p
        k = np.arange(int(2 * p["swings"]) + 1)
        tc = p["t_release_s"] + (0.5 + k) * self.period / 2  # passes through the bottom
        vmax = (
            p["length_m"] * np.radians(p["amplitude_deg"]) * np.exp(-(tc - p["t_release_s"]) / p["decay_s"])
        )
        half = p["bob_m"] / 2 / (vmax * self.omega)
        return [
            (0, float(a), float(b)) for a, b in zip(tc - half, tc + half, strict=True) if b < self.duration_s
        ]

    def _clean(self, t: np.ndarray) -> np.ndarray:
        x = self.x_bob(t)
        return (300.0 - 220.0 * np.exp(-0.5 * (x / self.p["bob_m"]) ** 2))[:, None]


class PendulumRate(Pendulum):
    """SCI-P-07: the same pendulum in primary science: the result is its period."""

    experiment = "SCI-P-07"


class PicketFence(GateModel):
    """PHY-S-05: a picket-fence card dropped through a photogate (mechanical energy: ½v² = gh).

    Bands ``spacing_m`` apart (leading edge to leading edge), opaque for ``bar_fraction`` of it; the
    first leading edge starts ``gap_m`` above the beam; the card falls freely from ``t_drop_s``.
    Truth: ``g_m_s2`` (local g).
    """

    experiment = "PHY-S-05"
    PARAMS = (
        Param("spacing_m", "m", 0.02, doc="band pitch"),
        Param("bar_fraction", "1", 0.5, doc="opaque part of a band"),
        Param("bands", "1", 10.0, doc="number of opaque bands"),
        Param("gap_m", "m", None, 0.005, 0.03, "first edge above the beam"),
        Param("latitude_deg", "deg", None, 20.0, 45.0, "school latitude (sets g)"),
        Param("t_drop_s", "s", None, 1.0, 3.0, "release"),
    )
    ANALYSIS_PARAMS = ("spacing_m",)

    def _setup(self) -> None:
        p = self.p
        self.g = local_g(p["latitude_deg"])
        self.event_channels = [photogate(0)]
        last = p["gap_m"] + p["bands"] * p["spacing_m"]
        self.duration_s = float(np.ceil(self._at(last) + 1.0))
        self.truth = {"g_m_s2": self.g}
        self._finish_gates()

    def _at(self, fallen_m: np.ndarray | float) -> np.ndarray:
        return self.p["t_drop_s"] + np.sqrt(2 * np.asarray(fallen_m) / self.g)

    def _blocks(self) -> list[tuple[int, float, float]]:
        p = self.p
        k = np.arange(int(p["bands"]))
        lead = p["gap_m"] + k * p["spacing_m"]
        return [
            (0, float(a), float(b))
            for a, b in zip(self._at(lead), self._at(lead + p["bar_fraction"] * p["spacing_m"]), strict=True)
        ]


class FlagThroughGate(GateModel):
    """PHY-S-01: a cart with a flag ``flag_m`` wide rolls down an incline through one gate.

    v ≈ d/Δt; for uniform acceleration it is exactly the speed at the middle TIME of the passage.
    Truth: ``speed_m_s`` (that speed).
    """

    experiment = "PHY-S-01"
    PARAMS = (
        Param("flag_m", "m", None, 0.005, 0.02, "flag width"),
        Param("accel_m_s2", "m/s^2", None, 0.3, 1.0, "cart acceleration"),
        Param("distance_m", "m", None, 0.3, 0.8, "release point to gate"),
        Param("t_release_s", "s", None, 1.0, 3.0, "release"),
    )
    ANALYSIS_PARAMS = ("flag_m",)

    def _setup(self) -> None:
        p = self.p
        a = p["accel_m_s2"]
        self.t_in = p["t_release_s"] + np.sqrt(2 * p["distance_m"] / a)
        self.t_out = p["t_release_s"] + np.sqrt(2 * (p["distance_m"] + p["flag_m"]) / a)
        self.duration_s = float(np.ceil(self.t_out + 1.0))
        self.event_channels = [photogate(0)]
        self.truth = {"speed_m_s": float(p["flag_m"] / (self.t_out - self.t_in))}
        self._finish_gates()

    def _blocks(self) -> list[tuple[int, float, float]]:
        return [(0, float(self.t_in), float(self.t_out))]


class LaunchSpeed(FlagThroughGate):
    """PHY-S-06: a ball leaves the ramp through a gate at the table's edge (launch speed v0);
    ``flag_m`` is the ball's diameter. Truth adds ``range_m`` = v0·√(2h/g) for ``table_height_m``."""

    experiment = "PHY-S-06"
    PARAMS = (
        Param("flag_m", "m", None, 0.015, 0.025, "ball diameter"),
        Param("speed_m_s", "m/s", None, 0.8, 2.0, "launch speed"),
        Param("table_height_m", "m", None, 0.7, 0.9, "table height"),
        Param("t_release_s", "s", None, 1.0, 3.0, "ball arrives"),
    )
    ANALYSIS_PARAMS = ("flag_m", "table_height_m")

    def _setup(self) -> None:
        p = self.p
        self.t_in = p["t_release_s"]
        self.t_out = p["t_release_s"] + p["flag_m"] / p["speed_m_s"]
        self.duration_s = float(np.ceil(self.t_out + 1.0))
        self.event_channels = [photogate(0)]
        v0 = float(p["speed_m_s"])
        self.truth = {"speed_m_s": v0, "range_m": v0 * float(np.sqrt(2 * p["table_height_m"] / G))}
        self._finish_gates()


class GateInterval(GateModel):
    """PHY-J-04: a cart pushed through two gates ``gate_distance_m`` apart, ``trials`` times.

    Truth: ``interval_s`` (mean over trials of gate-1 block to gate-2 block), ``trials``.
    """

    experiment = "PHY-J-04"
    PARAMS = (
        Param("gate_distance_m", "m", None, 0.3, 0.6, "between the gates"),
        Param("speed_m_s", "m/s", None, 0.3, 0.8, "typical push"),
        Param("flag_m", "m", 0.01, doc="flag width"),
        Param("trials", "1", 5.0, doc="passes"),
    )

    def _setup(self) -> None:
        p = self.p
        n = int(p["trials"])
        self.v = p["speed_m_s"] * self.rng.uniform(0.85, 1.15, n)
        self.t0 = 2.0 + 5.0 * np.arange(n)
        self.intervals = p["gate_distance_m"] / self.v
        self.duration_s = float(self.t0[-1] + 5.0)
        self.event_channels = [photogate(0, 1), photogate(1, 2)]
        self.truth = {"interval_s": float(self.intervals.mean()), "trials": float(n)}
        self._finish_gates()

    def _blocks(self) -> list[tuple[int, float, float]]:
        out = []
        for t0, dt, v in zip(self.t0, self.intervals, self.v, strict=True):
            w = self.p["flag_m"] / v
            out += [(0, float(t0), float(t0 + w)), (1, float(t0 + dt), float(t0 + dt + w))]
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


class Centripetal(GateModel):
    """PHY-S-07: an arm spun by a motor; its flag passes a gate once a revolution and an accelerometer
    (±8 g) at ``radius_m`` reads the centripetal acceleration ω²r.

    Truth: ``angular_velocity_rad_s``, ``centripetal_acceleration_m_s2``.
    """

    experiment = "PHY-S-07"
    rate_hz = 50.0
    duration_s = 12.0
    PARAMS = (
        Param("omega_rad_s", "rad/s", None, 4.0, 10.0, "angular velocity"),
        Param("radius_m", "m", None, 0.10, 0.25, "accelerometer radius"),
        Param("flag_radius_m", "m", 0.3, doc="flag radius"),
        Param("flag_m", "m", 0.01, doc="flag width"),
        Param("t_spin_s", "s", 2.0, doc="motor at speed"),
    )
    ANALYSIS_PARAMS = ("radius_m",)
    NOISE = (0.1,)

    def _setup(self) -> None:
        p = self.p
        w = p["omega_rad_s"]
        self.channels = [SimChannel(0, "mpu6050", "acceleration", "m/s^2", G / 4096.0, 0.0, "h")]
        self.event_channels = [photogate(1)]
        self.truth = {
            "angular_velocity_rad_s": float(w),
            "centripetal_acceleration_m_s2": float(w**2 * p["radius_m"]),
            "period_s": float(2 * np.pi / w),
        }
        self._finish_gates()

    def _blocks(self) -> list[tuple[int, float, float]]:
        p = self.p
        per = 2 * np.pi / p["omega_rad_s"]
        w = p["flag_m"] / (p["omega_rad_s"] * p["flag_radius_m"])
        tc = np.arange(p["t_spin_s"] + 0.3, self.duration_s - w, per)
        return [(1, float(a), float(a + w)) for a in tc]

    def _clean(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        ramp = np.clip(t / p["t_spin_s"], 0.0, 1.0)  # spinning up before the gate sees it
        return ((p["omega_rad_s"] * ramp) ** 2 * p["radius_m"])[:, None]


class Collision(GateModel):
    """PHY-S-13: on an air track cart A (flag) passes gate 1, hits cart B at rest; B and then A pass
    gate 2. ``restitution`` 0 = they stick (Velcro), ~0.9 = magnetic bumpers. m_A ≥ m_B so A goes on.

    Truth: ``velocity_a_before_m_s``, ``velocity_a_after_m_s``, ``velocity_b_after_m_s``,
    ``momentum_before_kg_m_s``, ``momentum_after_kg_m_s`` (equal: no friction), ``kinetic_energy_ratio``.
    Analysis inputs: ``mass_a_kg``, ``mass_b_kg``, ``flag_m``.
    """

    experiment = "PHY-S-13"
    PARAMS = (
        Param("mass_a_kg", "kg", None, 0.3, 0.5, "cart A"),
        Param("mass_b_kg", "kg", None, 0.15, 0.25, "cart B"),
        Param("speed_m_s", "m/s", None, 0.3, 0.6, "A before"),
        Param("restitution", "1", None, 0.0, 0.95, "coefficient of restitution"),
        Param("flag_m", "m", 0.01, doc="flag width (both carts)"),
        Param("t_go_s", "s", 2.0, doc="A through gate 1"),
    )
    ANALYSIS_PARAMS = ("mass_a_kg", "mass_b_kg", "flag_m")

    def _setup(self) -> None:
        p = self.p
        ma, mb, v, e = p["mass_a_kg"], p["mass_b_kg"], p["speed_m_s"], p["restitution"]
        self.va = (ma - e * mb) / (ma + mb) * v
        self.vb = (1 + e) * ma / (ma + mb) * v
        self.event_channels = [photogate(0, 1), photogate(1, 2)]
        t_hit = p["t_go_s"] + 0.3 / v
        self.t_b2 = t_hit + 0.3 / self.vb
        self.t_a2 = t_hit + 0.3 / self.va + 0.12 / self.va  # A's flag is 12 cm behind B's
        self.duration_s = float(np.ceil(self.t_a2 + p["flag_m"] / self.va + 1.0))
        p0, p1 = ma * v, ma * self.va + mb * self.vb
        self.truth = {
            "velocity_a_before_m_s": float(v),
            "velocity_a_after_m_s": float(self.va),
            "velocity_b_after_m_s": float(self.vb),
            "momentum_before_kg_m_s": float(p0),
            "momentum_after_kg_m_s": float(p1),
            "kinetic_energy_ratio": float((ma * self.va**2 + mb * self.vb**2) / (ma * v**2)),
        }
        self._finish_gates()

    def _blocks(self) -> list[tuple[int, float, float]]:
        p = self.p
        d, t0 = p["flag_m"], p["t_go_s"]
        return [
            (0, t0, t0 + d / p["speed_m_s"]),
            (1, float(self.t_b2), float(self.t_b2 + d / self.vb)),
            (1, float(self.t_a2), float(self.t_a2 + d / self.va)),
        ]


class ReactionTime(GateModel):
    """BIO-J-30: the board lights an LED (channel ``gate``: 1 = LED on) at random moments; the student
    breaks a light beam (``gate2``) as soon as they see it. Truth: ``reaction_time_s`` (mean)."""

    experiment = "BIO-J-30"
    PARAMS = (
        Param("mean_s", "s", None, 0.18, 0.30, "the student's mean reaction time"),
        Param("trials", "1", 8.0, doc="stimuli"),
    )

    def _setup(self) -> None:
        p = self.p
        n = int(p["trials"])
        self.t_led = 2.0 + np.cumsum(self.rng.uniform(2.0, 4.0, n))
        self.rt = p["mean_s"] * np.exp(self.rng.normal(0.0, 0.15, n) - 0.5 * 0.15**2)
        self.duration_s = float(np.ceil(self.t_led[-1] + 2.0))
        self.event_channels = [photogate(0, 1), photogate(1, 2)]
        self.truth = {"reaction_time_s": float(self.rt.mean()), "trials": float(n)}
        self._finish_gates()

    def _blocks(self) -> list[tuple[int, float, float]]:
        out = []
        for a, r in zip(self.t_led, self.rt, strict=True):
            out += [(0, float(a), float(a + 1.0)), (1, float(a + r), float(a + r + 0.3))]
        return out


MODELS: dict[str, type[SimModel]] = {
    "PHY-J-04": GateInterval,
    "PHY-J-05": UniformCart,
    "PHY-J-11": SlidingBlock,
    "PHY-S-01": FlagThroughGate,
    "PHY-S-02": HookeSpring,
    "PHY-S-04": CartOnIncline,
    "PHY-S-05": PicketFence,
    "PHY-S-06": LaunchSpeed,
    "PHY-S-07": Centripetal,
    "PHY-S-13": Collision,
    "PHY-S-14": Pendulum,
    "SCI-P-07": PendulumRate,
    "SCI-P-08": ToyCart,
    "BIO-J-30": ReactionTime,
}
