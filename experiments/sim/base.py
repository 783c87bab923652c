"""Base classes of the physics simulators: channels, models, sensor artefacts.

A model is the physics of one lab (the "truth") plus the sensors that watch it. ``values(t)`` gives
PHYSICAL readings (noise, quantisation, lag, offsets, dropouts included) that are exactly representable
by the channel's raw integer encoding ``raw = round((value - offset) / scale)``, so a simulated board
can put them in v1 frames without loss. ``events(t0, t1)`` gives photogate edges.

Randomness: every model owns one ``numpy.random.Generator`` seeded from ``seed``; parameters left
``None`` are drawn from a realistic classroom range with it, so different seeds give different truths.
Calls must come in increasing time order (the noise stream advances), as a sampler would make them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

_DTYPE_RANGE = {
    "B": (0, 255),
    "h": (-32768, 32767),
    "H": (0, 65535),
    "i": (-(2**31), 2**31 - 1),
    "I": (0, 2**32 - 1),
}

Event = tuple[float, int, int]  # (time in s, channel id, level after the edge: 1 rising, 0 falling)


@dataclass(frozen=True)
class SimChannel:
    """One sensor channel as a board announces it in its meta message.

    ``scale`` and ``offset`` are in ``unit``: physical value = raw × scale + offset.
    """

    id: int
    sensor: str  # e.g. "ds18b20", "hc-sr04", "ads1115", "ina219", "bh1750", "photogate"
    quantity: str  # e.g. "temperature", "distance", "voltage", "gate"
    unit: str  # e.g. "C", "m", "V", "A", "lx", "level"
    scale: float
    offset: float = 0.0
    dtype: str = "h"

    @property
    def column(self) -> str:
        """Session-CSV column name ``<quantity>_<unit>``."""
        return f"{self.quantity}_{self.unit}"

    def raw(self, values: np.ndarray) -> np.ndarray:
        """Physical values → raw integers, clipped to the dtype's range (saturation)."""
        lo, hi = _DTYPE_RANGE[self.dtype]
        r = np.rint((np.asarray(values, dtype=float) - self.offset) / self.scale)
        return np.clip(r, lo, hi).astype(np.int64)

    def physical(self, raw: np.ndarray) -> np.ndarray:
        return np.asarray(raw, dtype=float) * self.scale + self.offset

    def quantise(self, values: np.ndarray) -> np.ndarray:
        """Round physical values to what the raw encoding can carry (and saturate at its ends)."""
        return self.physical(self.raw(values))


@dataclass(frozen=True)
class Param:
    """A model parameter: ``default`` None means "drawn from ``lo``..``hi`` with the model's seed"."""

    name: str
    unit: str
    default: float | bool | str | None
    lo: float = 0.0
    hi: float = 0.0
    doc: str = ""


class SimModel:
    """Base of every lab model. Subclasses set the class attributes and implement ``_clean``.

    Subclass hooks:
    - ``_setup()``: derive the physics from ``self.p`` (parameters) and fill ``self.truth``;
    - ``_clean(t) -> (len(t), nch)``: noise-free sensor-side values (probe lag etc. may be included);
    - ``_sensors(t, clean) -> (len(t), nch)``: noise and artefacts (default: Gaussian noise of
      ``NOISE[i] × noise`` per channel), quantisation is applied after it by ``values``;
    - ``_edges(t0, t1)``: photogate edges for event channels.
    """

    experiment: ClassVar[str] = ""
    rate_hz: float = 10.0
    duration_s: float = 60.0
    PARAMS: ClassVar[tuple[Param, ...]] = ()
    NOISE: ClassVar[tuple[float, ...]] = ()  # nominal 1-sigma noise per channel, in channel units
    ANALYSIS_PARAMS: ClassVar[tuple[str, ...]] = ()  # parameters a template's analysis needs (--param)

    def __init__(self, seed: int = 0, noise: float = 1.0, **params: Any) -> None:
        if noise < 0:
            raise ValueError(f"noise must be ≥ 0 (a multiple of the nominal sensor noise), got {noise}")
        known = {p.name for p in self.PARAMS}
        unknown = sorted(set(params) - known)
        if unknown:
            raise ValueError(
                f"{self.experiment}: unknown parameter(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known)) or '(none)'}"
            )
        self.seed = seed
        self.noise = float(noise)
        self.rng = np.random.default_rng(seed)
        self.p: dict[str, Any] = {}
        for prm in self.PARAMS:
            v = params.get(prm.name, prm.default)
            if v is None:
                v = float(self.rng.uniform(prm.lo, prm.hi))
            self.p[prm.name] = v
        self.channels: list[SimChannel] = []
        self.event_channels: list[SimChannel] = []
        self.truth: dict[str, float] = {}
        self._setup()

    # --- hooks -------------------------------------------------------------------------------
    def _setup(self) -> None:  # pragma: no cover - every model overrides it
        raise NotImplementedError

    def _clean(self, t: np.ndarray) -> np.ndarray:
        return np.zeros((len(t), len(self.channels)))

    def _sensors(self, t: np.ndarray, clean: np.ndarray) -> np.ndarray:
        sigma = np.asarray(self.NOISE[: clean.shape[1]], dtype=float) * self.noise
        return clean + self.rng.normal(0.0, 1.0, clean.shape) * sigma

    def _edges(self, t0: float, t1: float) -> list[Event]:
        return []

    # --- public API (docs/contracts/README.md) --------------------------------------------------
    def values(self, t: np.ndarray) -> np.ndarray:
        """Readings at times ``t`` (s from run start): array (len(t), len(channels)), physical units."""
        t = np.asarray(t, dtype=float).reshape(-1)
        out = self._sensors(t, self._clean(t))
        for j, ch in enumerate(self.channels):
            out[:, j] = ch.quantise(out[:, j])
        return out

    def events(self, t0: float, t1: float) -> list[Event]:
        """Photogate edges in [t0, t1), sorted by time."""
        return sorted(e for e in self._edges(t0, t1) if t0 <= e[0] < t1)

    def analysis_params(self) -> dict[str, float]:
        """The template inputs a student would type in (e.g. the pendulum length), from the setup."""
        return {k: float(self.p[k]) for k in self.ANALYSIS_PARAMS}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.experiment} seed={self.seed} noise={self.noise}>"


# --- shared sensor artefacts -------------------------------------------------------------------


class FirstOrderLag:
    """A first-order sensor (time constant ``tau`` s) watching the signal ``x_of_t`` (vectorised).

    The response is integrated exactly for a piecewise-linear input on a ``dt`` grid, cached, and
    interpolated; the cache grows (doubling) when asked for later times, so a live simulator calling
    it once a second stays cheap. The sensor starts settled at ``x_of_t(0)``.
    """

    def __init__(self, x_of_t: Any, tau: float, t_end: float, dt: float = 0.05) -> None:
        self.x_of_t, self.tau, self.dt = x_of_t, float(tau), float(dt)
        self._build(t_end)

    def _build(self, t_end: float) -> None:
        dt, tau = self.dt, self.tau
        grid = np.arange(0.0, t_end + dt, dt)
        x = np.asarray(self.x_of_t(grid), dtype=float)
        a = np.exp(-dt / tau)
        b0 = 1.0 - tau / dt * (1.0 - a)  # weight of the new input (first-order hold)
        b1 = tau / dt * (1.0 - a) - a  # weight of the previous input
        y = np.empty_like(x)
        yi = y[0] = x[0]
        for i in range(1, len(x)):
            yi = a * yi + b0 * x[i] + b1 * x[i - 1]
            y[i] = yi
        self.grid, self.y = grid, y

    def __call__(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        if t.size and t.max() > self.grid[-1]:
            self._build(2.0 * float(t.max()))
        return np.interp(t, self.grid, self.y)


def dropouts(rng: np.random.Generator, v: np.ndarray, p: float, fill: float) -> np.ndarray:
    """Replace a fraction ``p`` of readings by ``fill`` (a lost echo reads as the sensor's maximum)."""
    out = v.copy()
    out[rng.random(len(v)) < p] = fill
    return out


def spurious(rng: np.random.Generator, v: np.ndarray, p: float, lo: float, hi: float) -> np.ndarray:
    """Replace a fraction ``p`` of readings by uniform junk in [lo, hi] (e.g. an echo off the bench)."""
    out = v.copy()
    m = rng.random(len(v)) < p
    out[m] = rng.uniform(lo, hi, int(m.sum()))
    return out


def smooth_step(t: np.ndarray, t0: float, width: float) -> np.ndarray:
    """0 → 1 around ``t0`` over ``width`` s (a hand turning a knob is not instantaneous)."""
    if width <= 0:
        return (t >= t0).astype(float)
    return np.clip((t - t0) / width, 0.0, 1.0)
