"""Mean ± standard error, RMS, trapezoid integral / 平均值与标准误差、均方根、梯形积分.

Uncertainty method: the standard error of a mean is ``sd / √n_eff`` where ``n_eff`` corrects for
correlated neighbouring samples (lag-1 autocorrelation ρ: ``n_eff = n (1 − ρ)/(1 + ρ)``, only when
ρ > 0). When the readings' spread is below half the quantisation step the noise does not dither
the quantisation, averaging cannot beat it, and the uncertainty is at least ``resolution / √12``.
"""

from __future__ import annotations

import math

import numpy as np

from classlab.experiments.quantity import AnalysisIssue

__all__ = ["effective_n", "infer_resolution", "mean_se", "noise_sd", "rms", "trapezoid"]


def _finite(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    return y[np.isfinite(y)]


def _need(n: int, k: int, what: str) -> None:
    if n < k:
        raise AnalysisIssue(
            "too_short",
            f"{what}: {n} usable values, at least {k} needed",
            f"{what}：只有 {n} 个有效数值，至少需要 {k} 个",
        )


def effective_n(y: np.ndarray) -> float:
    """Number of independent samples, from the lag-1 autocorrelation of ``y`` (≤ len(y))."""
    y = _finite(y)
    n = y.size
    if n < 4:
        return float(n)
    d = y - y.mean()
    den = float(np.dot(d, d))
    if den == 0:
        return float(n)
    rho = float(np.dot(d[:-1], d[1:]) / den)
    if rho <= 0:
        return float(n)
    rho = min(rho, 0.99)
    return max(2.0, n * (1 - rho) / (1 + rho))


def _digit_step(v: float) -> float:
    """The coarser of a value's last decimal place (0.0123 → 1e-4) and its binary fraction (36.8125 → 1/16)."""
    v = abs(v)
    decimal = v * 1e-12
    k0 = math.floor(-math.log10(v))  # 10^-k0 ≤ v: start at the value's leading digit
    for k in range(k0, k0 + 15):
        step = 10.0 ** (-k)
        if abs(v / step - round(v / step)) < 1e-6:
            decimal = step
            break
    for k in range(0, 12):  # sensors with binary fractions (DS18B20: 1/16 °C) show a coarser dyadic step
        if abs(v * 2**k - round(v * 2**k)) < 1e-9:
            return max(decimal, 2.0**-k)
    return decimal


def infer_resolution(y: np.ndarray) -> float:
    """The quantisation step the readings show: the smallest of the gaps between distinct values and
    the finest digit any value needs (:func:`_digit_step`; 0.0330 A → 0.001 A, 36.8125 °C → 1/16 °C).
    A guess, used only when the template does not state the resolution."""
    u = np.unique(_finite(y))
    steps = [_digit_step(float(v)) for v in u[np.linspace(0, u.size - 1, min(u.size, 50)).astype(int)] if v != 0] \
        if u.size else []
    if u.size >= 2:
        steps.append(float(np.min(np.diff(u))))
    return min(steps) if steps else 0.0


def mean_se(y: np.ndarray, *, resolution: float = 0.0, correlated: bool = True, descriptive: bool = False,
            what: str = "mean") -> tuple[float, float]:
    """Mean and its standard uncertainty (see module docstring). Needs ≥ 2 finite values.

    ``resolution`` 0 means "infer it from the readings" (:func:`infer_resolution`). ``descriptive``:
    the mean of the recorded values themselves (a day's temperature log), whose own swing is not
    noise: u = noise σ/√n from sample-to-sample differences, floored at resolution/√12.
    """
    y = _finite(y)
    _need(y.size, 2, what)
    if resolution <= 0:
        resolution = infer_resolution(y)
    if descriptive:
        return float(y.mean()), max(noise_sd(y) / math.sqrt(y.size), resolution / math.sqrt(12))
    n_eff = effective_n(y) if correlated else float(y.size)
    sd = float(np.std(y, ddof=1))
    se = sd / math.sqrt(n_eff)
    if sd >= resolution / 2:  # noise dithers the quantisation: averaging beats the step
        return float(y.mean()), se
    return float(y.mean()), max(se, resolution / math.sqrt(12))


def noise_sd(y: np.ndarray) -> float:
    """Sample-to-sample noise (standard deviation) from second differences, robust to slow trends.

    For white noise σ, the second difference has variance 6σ²; the median absolute deviation is used
    (×1.4826) so steps and spikes do not inflate it.
    """
    y = _finite(y)
    if y.size < 4:
        return 0.0
    d2 = np.diff(y, 2)
    return float(1.4826 * np.median(np.abs(d2 - np.median(d2))) / math.sqrt(6))


def rms(y: np.ndarray, *, resolution: float = 0.0, what: str = "RMS") -> tuple[float, float]:
    """Root mean square of ``y`` and its standard uncertainty.

    Uncertainty: the RMS of a signal with additive white noise σ over n samples changes by about
    σ/√n (first-order propagation of Σy²), σ from :func:`noise_sd`, floored at resolution/√12.
    """
    y = _finite(y)
    _need(y.size, 4, what)
    value = float(np.sqrt(np.mean(y**2)))
    sigma = max(noise_sd(y), resolution / math.sqrt(12))
    return value, sigma / math.sqrt(y.size)


def trapezoid(t: np.ndarray, y: np.ndarray, *, resolution: float = 0.0, what: str = "integral") -> tuple[float, float]:
    """∫y dt by the trapezoid rule (e.g. charge Q = ∫I dt) and its standard uncertainty.

    Uncertainty: white noise σ per sample (from :func:`noise_sd`, floored at resolution/√12)
    propagated through the trapezoid weights, ``σ·√Σwᵢ²``, plus the same quantisation as a possible
    constant offset over the whole span ``(resolution/√12)·span`` in quadrature, and for each step in
    the signal (a switch closing between two samples) ``|jump|·Δt/√12``.
    """
    t = np.asarray(t, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ok = np.isfinite(t) & np.isfinite(y)
    t, y = t[ok], y[ok]
    _need(t.size, 2, what)
    dt = np.diff(t)
    value = float(np.sum(dt * (y[1:] + y[:-1]) / 2))
    w = np.zeros_like(t)
    w[1:] += dt / 2
    w[:-1] += dt / 2
    sigma = max(noise_sd(y), resolution / math.sqrt(12))
    span = float(t[-1] - t[0])
    u = math.hypot(sigma * math.sqrt(float(np.sum(w**2))), resolution / math.sqrt(12) * span)
    # steps (a switch closing): the trapezoid assumes a straight line between the two samples around
    # the jump, but it happened somewhere in between — error up to |jump|·Δt/2, uniform → |jump|·Δt/√12
    d = np.abs(np.diff(y))
    jumps = d > max(10 * sigma, 5 * float(np.median(d)) if d.size else 0.0)
    if np.any(jumps):
        u = math.hypot(u, float(np.sqrt(np.sum((d[jumps] * dt[jumps]) ** 2))) / math.sqrt(12))
    return value, u
