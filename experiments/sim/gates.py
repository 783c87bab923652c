"""Photogate labs: pendulum, picket fence, flags and balls through gates, collisions, rotating arms,
reaction times. A gate's level is 1 while its beam is blocked; edges carry the board's 1 µs tick.

g is the local value at the school's latitude (GRS80 normal gravity), 9.78–9.81 m/s² across China.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .base import Param, SimChannel, SimModel

G = 9.80665  # standard gravity, m/s² (accelerometer scale)


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
    ANALYSIS_PARAMS: ClassVar[tuple[str, ...]] = ("flag_m",)

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
    "PHY-S-01": FlagThroughGate,
    "PHY-S-05": PicketFence,
    "PHY-S-06": LaunchSpeed,
    "PHY-S-07": Centripetal,
    "PHY-S-13": Collision,
    "PHY-S-14": Pendulum,
    "SCI-P-07": PendulumRate,
    "BIO-J-30": ReactionTime,
}
