"""Steps on one quantity against another / 两个量之间关系的分析步骤: peak position, spatial period,
spring constant from steady positions. Two Series are paired by time (see ``steps_generic.paired``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from classlab.experiments.analysis import clean as cleanmod
from classlab.experiments.analysis import derivative as deriv
from classlab.experiments.analysis import fit, stats
from classlab.experiments.analysis import fringes as fringemod
from classlab.experiments.analysis import period as periodmod
from classlab.experiments.quantity import AnalysisIssue, Quantity
from classlab.experiments.steps_generic import WINDOW, Inputs, paired, windowed
from classlab.experiments.steptypes import Param, Step

G = 9.80665


def _sorted_pairs(i: Inputs, p: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, str, str]:
    x, y = windowed(i, "x", p), windowed(i, "y", p)
    xv, yv = paired(x, y)
    order = np.argsort(xv, kind="stable")
    return xv[order], yv[order], x.unit, y.unit


def _parabola_peak(x: np.ndarray, y: np.ndarray, centre: float, half: float) -> tuple[float, float, float, float]:
    """(x_peak, u_x, y_peak, u_y) of a parabola fitted to the points within ±half of ``centre``."""
    near = np.abs(x - centre) <= half
    if np.count_nonzero(near) < 4 or np.unique(x[near]).size < 3:
        raise AnalysisIssue("too_short", "too few points around the peak — scan more finely near it",
                            "峰值附近数据点太少——请在峰值附近更细密地扫描")
    f = fit.poly_fit(x[near], y[near], 2, x_ref=centre, what="peak fit")
    c0, b, c = (float(v) for v in f.coef)
    if c >= 0:
        raise AnalysisIssue("no_peak", "the data have no maximum inside the scanned range", "扫描范围内没有极大值")
    xp = -b / (2 * c)
    if abs(xp) > half:
        raise AnalysisIssue("no_peak", "the maximum lies at the edge of the scan — extend the range",
                            "极大值位于扫描范围边缘——请扩大扫描范围")
    gx = np.array([0.0, -1 / (2 * c), b / (2 * c * c)])
    gy = np.array([1.0, -b / (2 * c), b * b / (4 * c * c)])
    u_x = math.sqrt(max(float(gx @ f.cov @ gx), 0.0))
    u_y = math.sqrt(max(float(gy @ f.cov @ gy), 0.0))
    return centre + xp, u_x, c0 - b * b / (4 * c), u_y


def _peak_xy(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    """Peak of y against x: parabolas fitted within ±window and ±window/2 of the highest point; the
    narrower one gives the values, and the difference between the two (the peak is not exactly a
    parabola) is added to the fit uncertainty (delta method on the parabola's covariance).
    With ``via_time`` the peak is located in time instead (:func:`_peak_via_time`)."""
    if int(p["via_time"]):
        return _peak_via_time(i, p)
    x, y, xu, yu = _sorted_pairs(i, p)
    if x.size < 5 or float(np.ptp(x)) == 0:
        raise AnalysisIssue("too_short", "too few distinct x values to locate a peak", "x 取值太少，无法确定峰值位置")
    half = float(p["window"]) if p["window"] not in ("", 0, 0.0) else 0.1 * float(np.ptp(x))
    k = int(np.argmax(np.convolve(y, np.ones(5) / 5, mode="same")))  # a single noisy sample does not win
    x1, ux1, y1, uy1 = _parabola_peak(x, y, float(x[k]), half)
    try:
        x2, ux2, y2, uy2 = _parabola_peak(x, y, x1, half / 2)
    except AnalysisIssue:  # too few points for the narrow fit: keep the wide one
        x2, ux2, y2, uy2 = x1, ux1, y1, uy1
    return {"x_at_peak": Quantity(x2, math.hypot(ux2, x2 - x1), xu), "peak": Quantity(y2, math.hypot(uy2, y2 - y1), yu)}


def _peak_via_time(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    """A noisy position (ultrasonic ranger, σ of mm) scanned through a narrow peak: sorting by the noisy
    x scrambles the peak and biases it. The clock has no such error, so the peak is located in time
    (same two parabolas as above, the x window turned into time by the scan speed there), and x at that
    instant is read from a straight line fitted to x(t) over the same time window (noise averaged);
    u(x) = hypot(line's u at that instant, speed × u(t_peak))."""
    xs, ys = windowed(i, "x", p), windowed(i, "y", p)
    common, ix, iy = np.intersect1d(xs.t, ys.t, return_indices=True)
    if common.size < 10:
        raise AnalysisIssue("too_short", "x and y share fewer than 10 time stamps (record them together)",
                            "x 与 y 共同的时间点少于 10 个（请同时记录）")
    t, x, y = common, xs.y[ix], ys.y[iy]
    ys5 = np.convolve(y, np.ones(5) / 5, mode="same")
    k = int(np.argmax(ys5))
    # the peak region (smoothed y above the middle of its range), contiguous around k: its scan speed
    high = ys5 > (ys5.max() + ys5.min()) / 2
    a, b = k, k
    while a > 0 and high[a - 1]:
        a -= 1
    while b < t.size - 1 and high[b + 1]:
        b += 1
    near = slice(max(a - 2, 0), min(b + 3, t.size))
    speed = fit.linear_fit(t[near], x[near], what="scan speed").slope if t[near].size >= 3 else 0.0
    half_x = float(p["window"]) if p["window"] not in ("", 0, 0.0) else 0.1 * float(np.ptp(x))
    if not abs(speed) > 0 or not math.isfinite(half_x / abs(speed)):
        raise AnalysisIssue("no_peak", "the position does not change through the peak — move the carriage steadily",
                            "经过峰值时位置没有变化——请匀速移动")
    half_t = half_x / abs(speed)
    t1, ut1, y1, uy1 = _parabola_peak(t, y, float(t[k]), half_t)
    try:
        t2, ut2, y2, uy2 = _parabola_peak(t, y, t1, half_t / 2)
    except AnalysisIssue:
        t2, ut2, y2, uy2 = t1, ut1, y1, uy1
    u_t = math.hypot(ut2, t2 - t1)
    around = np.abs(t - t2) <= half_t
    line = fit.linear_fit(t[around] - t2, x[around], what="position near the peak")
    x_pk = float(line.intercept)
    u_x = math.hypot(line.u_intercept, line.slope * u_t)
    return {"x_at_peak": Quantity(x_pk, u_x, xs.unit), "peak": Quantity(y2, math.hypot(uy2, y2 - y1), ys.unit)}


def _period_xy(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    x, y, xu, _ = _sorted_pairs(i, p)
    keep = np.concatenate([[True], np.diff(x) > 0])  # repeated x: keep the first
    per = periodmod.period_from_signal(x[keep], y[keep], crossings_per_period=1)
    return {"period": Quantity(per.period, per.u_period, xu), "cycles": Quantity(float(per.cycles), 0.0, "count")}


def _fringes(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    """Two-slit pattern fitted as a whole (see :mod:`analysis.fringes`): the cos² period, not the
    envelope-shifted peak spacing."""
    x, y, xu, _ = _sorted_pairs(i, p)
    f = fringemod.fringe_fit(x, y, min_fringes=int(p["min_fringes"]))
    fit.require_r2(f.r2, float(p["min_r2"]), "fringe pattern")
    return {"spacing": Quantity(f.spacing, f.u_spacing, xu), "centre": Quantity(f.centre, f.u_centre, xu),
            "envelope": Quantity(f.envelope, f.u_envelope, xu), "r2": Quantity(f.r2, 0.0, "1")}


def steady_levels(t: np.ndarray, x: np.ndarray, *, min_steady_s: float, max_rate: float) -> list[tuple[float, float, float]]:
    """(mean, u, mid time) of each stretch where |dx/dt| < max_rate lasting ≥ min_steady_s."""
    dt = float(np.median(np.diff(t)))
    # long enough that the rate's own noise (σ·√(12/N³)/dt) stays below max_rate/4, at most min_steady_s
    n_needed = (12 * (4 * stats.noise_sd(x) / (max_rate * dt)) ** 2) ** (1 / 3)
    window = min(max(min_steady_s / 2, 3 * dt, n_needed * dt), min_steady_s)
    tg, _, dx = deriv.smoothed_derivative(t, x, window)
    flat = np.abs(dx) < max_rate
    edges = np.diff(np.concatenate([[0], flat.astype(np.int8), [0]]))
    levels = []
    for a, b in zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0] - 1, strict=True):
        t0, t1 = tg[a] + window / 2, tg[b] - window / 2
        if t1 - t0 < min_steady_s / 2:
            continue
        inside = (t >= t0) & (t <= t1)
        if np.count_nonzero(inside) >= 3:
            m, u = stats.mean_se(x[inside])
            levels.append((m, u, (t0 + t1) / 2))
    return levels


def _levels(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    """Steady readings in time order (a meter moved across R1, R2, then both): stretches where
    |dy/dt| < tolerance lasting ≥ min_duration_s; neighbouring stretches at the same level are one
    reading; with ``skip_zero`` stretches at 0 (open leads between placements) are left out."""
    y = windowed(i, "y", p)
    if y.t.size < 10:
        raise AnalysisIssue("too_short", "fewer than 10 samples", "少于 10 个数据点")
    found = steady_levels(y.t, y.y, min_steady_s=float(p["min_duration_s"]), max_rate=float(p["tolerance"]))
    noise = stats.noise_sd(y.y)
    merged: list[tuple[float, float, float]] = []
    for lv in found:
        if merged and abs(lv[0] - merged[-1][0]) < 5 * max(math.hypot(lv[1], merged[-1][1]), noise):
            continue
        merged.append(lv)
    if int(p["skip_zero"]):
        merged = [lv for lv in merged if abs(lv[0]) > 5 * max(lv[1], noise)]
    need = 3
    if len(merged) < need:
        raise AnalysisIssue("too_short", f"found {len(merged)} steady readings, {need} needed — hold each reading "
                            f"for at least {p['min_duration_s']} s", f"只找到 {len(merged)} 个稳定读数，需要 {need} 个"
                            f"——每个读数请保持至少 {p['min_duration_s']} 秒")
    acc = float(p["accuracy"])
    q = [Quantity(m, math.hypot(u, acc), y.unit) for m, u, _ in merged[:need]]
    return {"first": q[0], "second": q[1], "third": q[2], "count": Quantity(float(len(merged)), 0.0, "count")}


def _spring(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    """Hooke's law from an ultrasonic ranger watching the hanger while equal masses are added: the
    steady positions step by Δx = m·g/k. Steady stretches are found as in ``plateau``; their levels are
    fitted against the step number; k = m·g/|slope|."""
    x = windowed(i, "x", p)
    keep = x.y < float(p["max_range_m"]) - 1e-9
    t, y = x.t[keep], x.y[keep]
    if t.size >= 7:  # spurious short echoes
        spikes = cleanmod.outliers(y, t=t, min_dev=0.003)
        t, y = t[~spikes], y[~spikes]
    if t.size < 20:
        raise AnalysisIssue("too_short", "too few valid distance readings", "有效距离读数太少")
    levels = steady_levels(t, y, min_steady_s=float(p["min_steady_s"]), max_rate=float(p["max_rate"]))
    # merge neighbours that did not really move (no mass added between them)
    merged: list[tuple[float, float, float]] = []
    for lv in levels:
        if merged and abs(lv[0] - merged[-1][0]) < max(5 * math.hypot(lv[1], merged[-1][1]), 0.002):
            continue
        merged.append(lv)
    if len(merged) < 3:
        raise AnalysisIssue("too_short", f"found {len(merged)} steady positions, at least 3 needed (add masses one by one, "
                            "wait until the hanger is still)", f"只找到 {len(merged)} 个静止位置，至少需要 3 个（逐个加砝码，等吊篮静止）")
    n = np.arange(len(merged), dtype=np.float64)
    pos = np.array([m[0] for m in merged])
    f = fit.linear_fit(n, pos, sigma=np.array([max(m[1], 1e-6) for m in merged]), what="spring steps")
    fit.require_r2(f.r2, float(p["min_r2"]), "spring steps")
    m_step = float(p["mass_step_kg"])
    if not m_step > 0:
        raise AnalysisIssue("bad_param", "mass_step_kg must be positive", "mass_step_kg 应为正数")
    k = m_step * G / abs(f.slope)
    u_k = k * math.hypot(f.u_slope / abs(f.slope), float(p["u_mass_kg"]) / m_step)
    return {"k": Quantity(k, u_k, "N/m"), "r2": Quantity(f.r2, 0.0, "1"),
            "steps": Quantity(float(len(merged)), 0.0, "count")}


def _step(name: str, inputs: dict[str, str | None], outputs: tuple[str, ...], params: tuple[Param, ...], fn: Any,
          en: str, zh: str) -> Step:
    return Step(name, inputs, outputs, params, fn, en, zh)


STEPS: tuple[Step, ...] = (
    _step("peak_xy", {"x": None, "y": None}, ("x_at_peak", "peak"),
          (*WINDOW, Param("window", None, "", "half-width around the highest point for the parabola (x unit); "
                          "empty = 10 % of the range", "最高点两侧用于抛物线拟合的半宽（x 单位）；空 = 范围的 10 %"),
           Param("via_time", "1", 0, "1 = locate the peak in time and read x there from a line fitted to x(t) "
                 "(noisy x such as an ultrasonic ranger)", "1 = 在时间上定位峰值，再由 x(t) 的直线拟合读出该时刻的 x"
                 "（x 噪声大时，如超声测距）")),
          _peak_xy, "Where y is largest as a function of x (e.g. angle of brightest reflection, sharpest image).",
          "y 随 x 变化的极大值位置（如反射最亮的角度、成像最清晰的位置）。"),
    _step("period_xy", {"x": None, "y": None}, ("period", "cycles"), WINDOW, _period_xy,
          "Spatial period of y against x (e.g. fringe spacing Δx).", "y 随 x 的空间周期（如条纹间距 Δx）。"),
    _step("fringes", {"x": None, "y": None}, ("spacing", "centre", "envelope", "r2"),
          (*WINDOW, Param("min_fringes", "1", 3, "fewest fringes the scan must cover", "扫描至少应覆盖的条纹数"),
           Param("min_r2", "1", 0.8, "minimum r² of the fitted pattern", "拟合图样的最小 r²")),
          _fringes, "Two-slit fringe spacing Δx: I = B + A·cos²(π(x−x0)/Δx)·sinc²((x−x0)/W) fitted to the whole scan "
          "(the single-slit envelope does not bias Δx); also the centre x0 and the envelope's first zero W = λL/a.",
          "双缝干涉条纹间距 Δx：对整个扫描拟合 I = B + A·cos²(π(x−x0)/Δx)·sinc²((x−x0)/W)（单缝包络不影响 Δx）；"
          "同时给出中心 x0 和包络第一零点 W = λL/a。"),
    _step("levels", {"y": None}, ("first", "second", "third", "count"),
          (*WINDOW, Param("min_duration_s", "s", 2.0, "shortest steady reading (s)", "最短稳定读数时长（秒）"),
           Param("tolerance", None, 0.01, "steady means |dy/dt| below this (input unit per s)", "稳定指 |dy/dt| 小于此值（输入单位/秒）"),
           Param("skip_zero", "1", 1, "1 = leave out readings at zero (open leads between placements)",
                 "1 = 忽略为零的读数（换接时表笔断开）"),
           Param("accuracy", None, 0.0, "instrument accuracy (input unit), combined in quadrature", "仪器准确度（输入单位），按方和根合成")),
          _levels, "The first three steady readings in time order, each mean ± u (meter moved across R1, R2, both).",
          "按时间顺序的前三个稳定读数，各为平均值 ± 不确定度（电压表依次接在 R1、R2、两者两端）。"),
    _step("spring_constant", {"x": "m"}, ("k", "r2", "steps"),
          (*WINDOW, Param("mass_step_kg", "kg", None, "mass added at each step (kg)", "每次增加的质量（千克）"),
           Param("u_mass_kg", "kg", 0.0005, "uncertainty of each mass (kg)", "每个砝码质量的不确定度（千克）"),
           Param("min_steady_s", "s", 2.0, "shortest still stretch (s)", "最短静止时段（秒）"),
           Param("max_rate", None, 0.005, "still means |dx/dt| below this (m/s)", "静止指 |dx/dt| 小于此值（米/秒）"),
           Param("max_range_m", "m", 4.0, "reading of a lost echo (m)", "回波丢失时的读数（米）"),
           Param("min_r2", "1", 0.98, "minimum r² of position against step", "位置对步数拟合的最小 r²")),
          _spring, "Spring constant k = m·g/Δx from the steady hanger positions after each added mass.",
          "由每次加砝码后吊篮的静止位置求劲度系数 k = m·g/Δx。"),
)
