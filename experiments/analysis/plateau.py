"""Plateau detection / 平台检测 (boiling, melting: the temperature stops changing).

Method: the smoothed derivative (Savitzky–Golay over ``smooth_s``; by default a window long enough
that the derivative's own noise is below a quarter of ``max_rate``, at most ``min_duration_s``) marks samples where
``|dT/dt| < max_rate`` (blips shorter than half a window inside are bridged); the longest such stretch lasting at least ``min_duration_s`` is the plateau.
Half a smoothing window is trimmed from each end (the approach to the plateau is not plateau). The
level is the mean of the raw samples in it; its uncertainty is the standard error (corrected for
correlated samples, floored at resolution/√12, see :mod:`stats`) combined in quadrature with the
drift over the plateau, ``|slope|·duration/√12``, when a linear fit shows a significant slope.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from classlab.experiments.analysis.derivative import smoothed_derivative
from classlab.experiments.analysis.fit import linear_fit
from classlab.experiments.analysis.stats import mean_se, noise_sd
from classlab.experiments.quantity import AnalysisIssue

__all__ = ["Plateau", "find_plateau"]


@dataclass(frozen=True)
class Plateau:
    level: float
    u_level: float
    start: float  # s
    end: float  # s
    n: int
    rate_before: float  # mean dT/dt (units/s) over the stretch before the plateau (nan if none)
    u_rate_before: float
    window: float = 0.0  # s, smoothing window: each end is known to about ±window/2

    @property
    def u_edge(self) -> float:
        """Standard uncertainty (s) of the start or end time (uniform over one window)."""
        return self.window / math.sqrt(12)

    @property
    def duration(self) -> float:
        return self.end - self.start


def find_plateau(t: np.ndarray, y: np.ndarray, *, max_rate: float, min_duration_s: float,
                 smooth_s: float | None = None, resolution: float = 0.0) -> Plateau:
    """Longest stretch with |dy/dt| < ``max_rate`` (y-units per s) lasting ≥ ``min_duration_s`` s.

    AnalysisIssue ``no_plateau`` if there is none; ``too_short`` if the record is too short to tell.
    """
    t = np.asarray(t, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if t.size < 10 or t[-1] - t[0] < min_duration_s:
        raise AnalysisIssue(
            "too_short",
            f"the record ({(t[-1] - t[0]) if t.size else 0:.3g} s) is shorter than a plateau needs ({min_duration_s:g} s)",
            f"记录（{(t[-1] - t[0]) if t.size else 0:.3g} 秒）短于判断平台所需的 {min_duration_s:g} 秒",
        )
    dt = float(np.median(np.diff(t)))
    if smooth_s is not None:
        window = smooth_s
    else:
        # long enough that the rate's own noise (slope of N samples: σ·√(12/N³)/dt) is ≤ max_rate/4
        n_needed = (12 * (4 * noise_sd(y) / (max_rate * dt)) ** 2) ** (1 / 3)
        window = min(max(min_duration_s / 4, 5 * dt, n_needed * dt), min_duration_s)
    tg, _, dy = smoothed_derivative(t, y, window)
    flat = np.abs(dy) < max_rate
    # a blip shorter than half a window inside a flat stretch is noise on the rate, not the end of it
    gaps = np.diff(np.concatenate([[1], flat.astype(np.int8), [1]]))
    for a, b in zip(np.nonzero(gaps == -1)[0], np.nonzero(gaps == 1)[0], strict=True):
        if 0 < a and b < flat.size and tg[b - 1] - tg[a] < window / 2:
            flat[a:b] = True
    # runs of True in `flat`
    edges = np.diff(np.concatenate([[0], flat.astype(np.int8), [0]]))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0] - 1
    if starts.size:
        lengths = tg[ends] - tg[starts]
        k = int(np.argmax(lengths))
        t0, t1 = float(tg[starts[k]]) + window / 2, float(tg[ends[k]]) - window / 2
    else:
        t0, t1 = 0.0, -1.0
    if t1 - t0 < min_duration_s:
        raise AnalysisIssue(
            "no_plateau",
            f"no stretch of at least {min_duration_s:g} s where the value changes by less than {max_rate * 60:.3g} per minute",
            f"没有找到持续至少 {min_duration_s:g} 秒、每分钟变化小于 {max_rate * 60:.3g} 的平台",
        )
    inside = (t >= t0) & (t <= t1)
    level, u = mean_se(y[inside], resolution=resolution, what="plateau")
    drift = linear_fit(t[inside], y[inside], resolution=resolution, what="plateau drift")
    if abs(drift.slope) > 2 * drift.u_slope:
        u = math.hypot(u, abs(drift.slope) * (t1 - t0) / math.sqrt(12))
    before = t < t0 - window / 2
    rate, u_rate = math.nan, math.nan
    if np.count_nonzero(before) >= 5:
        tb, yb = t[before], y[before]
        # the heating stretch: the last part before the plateau where the slope is steady
        pre = linear_fit(tb[tb >= tb[-1] - max(min_duration_s, (tb[-1] - tb[0]) / 2)],
                         yb[tb >= tb[-1] - max(min_duration_s, (tb[-1] - tb[0]) / 2)], resolution=resolution)
        rate, u_rate = pre.slope, pre.u_slope
    return Plateau(level, u, t0, t1, int(np.count_nonzero(inside)), rate, u_rate, window)
