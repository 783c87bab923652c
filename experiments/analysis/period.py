"""Period detection / 周期检测 (pendulum, oscillations, photogate swings).

From a sampled signal: the centre of each low half-cycle — midway between a downward and the next
upward crossing of the mean, each located by linear interpolation between the two samples around
it — through a hysteresis band (a Schmitt trigger of ±``hysteresis`` × the 5–95 % range, at least
±3 σ of the sample noise) so noise near the mean does not count extra crossings; centres closer than
a fraction of the autocorrelation's spacing to the previous one are dropped. Centres stay exactly
periodic when a damped swing makes the dips widen, where single edges would drift. The period is the
slope of a straight-line fit of centre time against centre number (uncertainty from the fit, see
:mod:`fit`); with too few centres the autocorrelation's first peak (parabolic interpolation) is used
instead, with uncertainty 2·dt/√12 / cycles.

From photogate events: pass the centres of the blocked intervals (``gates.blocked_intervals(...).mid``)
to :func:`period_from_edges`; a pendulum blocks the gate twice per period, so ``edges_per_period`` = 2
takes every second pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from classlab.experiments.analysis.clean import resample_uniform
from classlab.experiments.analysis.fit import linear_fit
from classlab.experiments.analysis.stats import noise_sd
from classlab.experiments.quantity import AnalysisIssue

__all__ = ["Period", "crossings", "period_from_edges", "period_from_signal"]


@dataclass(frozen=True)
class Period:
    period: float  # s
    u_period: float
    cycles: int
    method: str  # "crossings" | "autocorrelation" | "edges"


def _no_period(why: str, why_zh: str) -> AnalysisIssue:
    return AnalysisIssue("no_period", f"no repeating pattern found: {why}", f"没有找到周期性变化：{why_zh}")


def _transitions(t: np.ndarray, y: np.ndarray, hysteresis: float) -> tuple[np.ndarray, np.ndarray]:
    """Interpolated mean-crossing times and directions (+1 up, −1 down) through a Schmitt trigger."""
    lo_q, hi_q = np.percentile(y, [5, 95])
    mid = float(np.mean(y))
    band = max(hysteresis * float(hi_q - lo_q), 3 * noise_sd(y))
    # Schmitt trigger state: +1 above mid+band, -1 below mid−band, else hold
    state = np.where(y > mid + band, 1, np.where(y < mid - band, -1, 0))
    idx = np.nonzero(state)[0]
    if idx.size < 2:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    s = state[idx]
    flip = np.nonzero(s[1:] != s[:-1])[0] + 1
    js, dirs = idx[flip], s[flip]
    out = np.empty(js.size)
    for k, (j, d) in enumerate(zip(js, dirs, strict=True)):  # walk back to the pair straddling the mean
        i = int(j)
        while i > 1 and (y[i - 1] - mid) * d >= 0:
            i -= 1
        y0, y1 = y[i - 1], y[i]
        frac = (mid - y0) / (y1 - y0) if y1 != y0 else 0.5
        out[k] = t[i - 1] + frac * (t[i] - t[i - 1])
    return out, dirs.astype(np.int64)


def crossings(t: np.ndarray, y: np.ndarray, *, hysteresis: float = 0.1) -> np.ndarray:
    """Times (s) of the centres of the low half-cycles: midway between each downward mean crossing
    and the next upward one (interpolated, with a hysteresis band). For a sine these are its minima;
    for a light sensor under a pendulum, the centres of the dips — exactly periodic even when the dips
    widen as the swing dies away (a single edge would drift)."""
    t = np.asarray(t, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    times, dirs = _transitions(t, y, hysteresis)
    if times.size < 2:
        return np.zeros(0)
    down = np.nonzero(dirs[:-1] == -1)[0]
    down = down[dirs[down + 1] == 1]
    return (times[down] + times[down + 1]) / 2


def _debounce(c: np.ndarray, t: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    """Drop crossings closer than half the expected spacing to the previous kept one (noise on a slow
    crossing can trip the trigger twice). Expected spacing: autocorrelation period / k, else the median."""
    try:
        spacing = _autocorrelation(t, y, k, 2).period / k
    except AnalysisIssue:
        spacing = float(np.median(np.diff(c)))
    # one crossing per spacing (k = 1): an extra one sits half a spacing away; with k ≥ 2 the real
    # crossings may be unevenly spaced (off-centre gate), so only near-duplicates are dropped
    gap = (0.75 if k == 1 else 0.4) * spacing
    keep = [c[0]]
    for x in c[1:]:
        if x - keep[-1] >= gap:
            keep.append(x)
    return np.array(keep)


def _from_times(times: np.ndarray, method: str, what: str, resolution: float = 0.0) -> Period:
    n = np.arange(times.size, dtype=np.float64)
    f = linear_fit(n, times, resolution=resolution, what=what)
    return Period(f.slope, f.u_slope, int(times.size - 1), method)


def period_from_signal(t: np.ndarray, y: np.ndarray, *, crossings_per_period: int = 1,
                       hysteresis: float = 0.1, min_cycles: int = 3) -> Period:
    """Period (s) of a sampled oscillation. ``crossings_per_period`` = 2 for a signal that dips twice
    per period (light sensor under a pendulum). AnalysisIssue ``no_period`` if none is found."""
    t = np.asarray(t, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if t.size < 8:
        raise AnalysisIssue("too_short", f"{t.size} samples are too few to find a period", f"{t.size} 个数据点不足以求周期")
    if float(np.ptp(y)) == 0:
        raise _no_period("the signal is constant", "信号恒定不变")
    c = crossings(t, y, hysteresis=hysteresis)
    k = crossings_per_period
    if c.size >= 3:
        c = _debounce(c, t, y, k)
    if c.size >= k * min_cycles + 1:
        # every k-th crossing: k interleaved series, each giving the full period; average their fits
        fits = [_from_times(c[j::k], "crossings", "period") for j in range(k) if c[j::k].size >= 3]
        p = float(np.mean([f.period for f in fits]))
        u = math.sqrt(sum(f.u_period**2 for f in fits)) / len(fits)
        return Period(p, u, int((c.size - 1) // k), "crossings")
    return _autocorrelation(t, y, k, min_cycles)


def _autocorrelation(t: np.ndarray, y: np.ndarray, k: int, min_cycles: int) -> Period:
    tg, yg = resample_uniform(t, y)
    dt = float(tg[1] - tg[0])
    d = yg - yg.mean()
    n = d.size
    spec = np.fft.rfft(d, 2 * n)
    ac = np.fft.irfft(spec * np.conj(spec))[:n]
    if ac[0] <= 0:
        raise _no_period("the signal is constant", "信号恒定不变")
    ac = ac / ac[0]
    neg = np.nonzero(ac < 0)[0]
    if neg.size == 0:
        raise _no_period("the signal never comes back", "信号没有往复")
    start = int(neg[0])
    lag = start + int(np.argmax(ac[start : n // 2])) if n // 2 > start + 2 else -1
    if lag <= 0 or ac[lag] < 0.3 or lag + 1 >= n:
        raise _no_period("no clear repetition in the record", "记录中没有明显的重复")
    a, b, c = ac[lag - 1], ac[lag], ac[lag + 1]
    den = a - 2 * b + c
    shift = 0.5 * (a - c) / den if den != 0 else 0.0
    period = (lag + shift) * dt * k
    cycles = int((tg[-1] - tg[0]) / period)
    if cycles < 2:
        raise _no_period("fewer than 2 cycles recorded", "记录不足 2 个周期")
    return Period(period, 2 * dt / math.sqrt(12) / cycles, cycles, "autocorrelation")


def period_from_edges(edge_times: np.ndarray, *, edges_per_period: int = 1, min_cycles: int = 2,
                      resolution: float = 0.0) -> Period:
    """Period (s) from same-direction photogate edge times (s), ``resolution`` = timer tick (s)."""
    e = np.sort(np.asarray(edge_times, dtype=np.float64))
    k = edges_per_period
    if e.size < max(k * min_cycles + 1, 2 * k + 1):
        raise _no_period(f"only {e.size} gate passages", f"仅有 {e.size} 次挡光")
    fits = [_from_times(e[j::k], "edges", "period", resolution) for j in range(k) if e[j::k].size >= 3]
    p = float(np.mean([f.period for f in fits]))
    u = math.sqrt(sum(f.u_period**2 for f in fits)) / len(fits)
    return Period(p, u, int((e.size - 1) // k), "edges")
