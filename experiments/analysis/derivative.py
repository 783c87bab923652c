"""Savitzky–Golay smoothed derivative / Savitzky–Golay 平滑求导.

Irregular or gappy sampling is first put on a uniform grid at the median spacing (linear
interpolation, see :func:`classlab.experiments.analysis.clean.resample_uniform`); the derivative is
the slope of a least-squares polynomial (default order 2) over a sliding window of ``window_s``
seconds, applied as one convolution (shortened to half the record when the record is shorter than
two windows). Half a window at each end is dropped rather than extrapolated, so every returned point
is a centred estimate. Units: values per second.
"""

from __future__ import annotations

import math

import numpy as np

from classlab.experiments.analysis.clean import resample_uniform
from classlab.experiments.quantity import AnalysisIssue

__all__ = ["sg_coefficients", "smoothed_derivative"]


def sg_coefficients(half: int, order: int, deriv: int, dt: float) -> np.ndarray:
    """Convolution weights (length 2·half+1) giving the ``deriv``-th derivative at the window centre."""
    if order >= 2 * half + 1:
        raise ValueError("window too short for the polynomial order")
    x = np.arange(-half, half + 1, dtype=np.float64)
    vander = np.vander(x, order + 1, increasing=True)
    pinv = np.linalg.pinv(vander)
    return pinv[deriv] * math.factorial(deriv) / dt**deriv


def smoothed_derivative(t: np.ndarray, y: np.ndarray, window_s: float, *, order: int = 2,
                        deriv: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t, smoothed y, dy/dt) on a uniform grid; t in s, dy/dt in y-units per s (``deriv``=2: per s²).

    AnalysisIssue ``too_short`` if the record has too few samples for the polynomial.
    """
    t = np.asarray(t, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if t.size < 2 * (order + 2):
        raise AnalysisIssue("too_short", f"{t.size} samples are too few for a smoothed derivative",
                            f"{t.size} 个数据点不足以求平滑导数")
    tg, yg = resample_uniform(t, y)
    dt = float(tg[1] - tg[0])
    # a record shorter than two windows gets a window of half its length (still ≥ order + 2 samples)
    window_s = min(window_s, (tg[-1] - tg[0]) / 2)
    half = max(int(round(window_s / (2 * dt))), (order + 2) // 2)
    if tg.size < 2 * half + 1 + 2:
        raise AnalysisIssue("too_short", f"the record ({tg[-1] - tg[0]:.3g} s) is shorter than two {window_s} s windows",
                            f"记录（{tg[-1] - tg[0]:.3g} 秒）短于两个 {window_s} 秒的窗口")
    c_smooth = sg_coefficients(half, order, 0, dt)
    c_deriv = sg_coefficients(half, order, deriv, dt)
    # np.convolve flips the kernel; correlate keeps the window orientation
    ys = np.correlate(yg, c_smooth, mode="valid")
    dy = np.correlate(yg, c_deriv, mode="valid")
    return tg[half:-half], ys, dy
