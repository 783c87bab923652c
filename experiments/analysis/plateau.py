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
from classlab.experiments.analysis.stats import infer_resolution, mean_se, noise_sd
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
    window: float = 0.0  # s, smoothing window used to find the flat core
    u_start: float = 0.0  # s
    u_end: float = 0.0  # s

    @property
    def u_duration(self) -> float:
        return math.hypot(self.u_start, self.u_end)

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
    if resolution <= 0:
        resolution = infer_resolution(y)  # the whole record shows the step better than a flat stretch
    level, u = mean_se(y[inside], resolution=resolution, what="plateau")
    drift = linear_fit(t[inside], y[inside], resolution=resolution, what="plateau drift")
    if abs(drift.slope) > 2 * drift.u_slope:
        u = math.hypot(u, abs(drift.slope) * (t1 - t0) / math.sqrt(12))
    core0, core1 = t0, t1
    band = 3 * noise_sd(y) + resolution / 2
    span = min(window, min_duration_s)
    t0, u0 = _edge(t, y, level, band, core0, span, before=True)
    t1, u1 = _edge(t, y, level, band, core1, span, before=False)
    before = t < core0 - window / 2
    rate, u_rate = math.nan, math.nan
    if np.count_nonzero(before) >= 5:
        tb, yb = t[before], y[before]
        # the heating stretch: the last part before the plateau where the slope is steady
        pre = linear_fit(tb[tb >= tb[-1] - max(min_duration_s, (tb[-1] - tb[0]) / 2)],
                         yb[tb >= tb[-1] - max(min_duration_s, (tb[-1] - tb[0]) / 2)], resolution=resolution)
        rate, u_rate = pre.slope, pre.u_slope
    return Plateau(level, u, t0, t1, int(np.count_nonzero(inside)), rate, u_rate, window, u0, u1)


def _edge(t: np.ndarray, y: np.ndarray, level: float, band: float, core_edge: float, span: float,
          before: bool) -> tuple[float, float]:
    """Time (s) and u where the plateau begins (``before``) or ends.

    Where a ramp leads into (or out of) the plateau, its straight-line fit over ``span`` seconds of
    samples clearly off the level (> 3 bands) is intersected with the level: a lagging probe shows the
    ramp delayed by its time constant at both ends, so a duration between two intersections is not
    shortened by the lag. The fit over the nearer half span gives the edge; its difference from the
    full-span one (the ramp's curvature) goes into u. Without such a ramp (the record starts or ends boiling) the edge is the
    first/last raw sample still within ``band`` of the level, walking out from the core (three
    samples in a row outside end the walk)."""
    dt = float(np.median(np.diff(t)))
    side = t < core_edge if before else t > core_edge
    off = side & (np.abs(y - level) > 3 * band)
    found: list[tuple[float, float]] = []
    if np.count_nonzero(off) >= 4:
        idx = np.nonzero(off)[0]
        ramp_t, ramp_y = t[idx], y[idx]
        for width in (span, span / 2):  # the nearer half shows how much the ramp's curvature matters
            sel = ramp_t >= ramp_t[-1] - width if before else ramp_t <= ramp_t[0] + width
            if np.count_nonzero(sel) < 4:
                break
            f = linear_fit(ramp_t[sel], ramp_y[sel], what="ramp into the plateau")
            if f.slope == 0:
                break
            tx = (level - f.intercept) / f.slope
            lo, hi = (ramp_t[sel][-1], core_edge) if before else (core_edge, ramp_t[sel][0])
            if not lo - dt <= tx <= hi + dt:
                break
            found.append((float(tx), f.u_predict(tx) / abs(f.slope)))
    # walk out from the core on raw samples
    order = np.nonzero(side)[0][::-1] if before else np.nonzero(side)[0]
    edge, outside = core_edge, 0
    for i in order:
        if abs(y[i] - level) <= band:
            edge, outside = float(t[i]), 0
        else:
            outside += 1
            if outside >= 3:
                break
    if found:
        tx, u_fit = found[-1]
        curvature = abs(found[-1][0] - found[0][0])
        # the rounded corner between the intersection and where the readings join the level (probe
        # lag, a knee that is not sharp) is where the edge could be: half its width goes into u
        corner = abs(tx - edge) / 2
        return tx, math.sqrt(u_fit**2 + curvature**2 + corner**2 + dt**2 / 12)
    return edge, dt / math.sqrt(12)
