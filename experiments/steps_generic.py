"""Generic analysis steps / 通用分析步骤 (fits, statistics, cleaning, derivative, plateau, period, peaks).

Each step is a small function ``fn(inputs, params) -> outputs`` wrapped in a :class:`Step` with its
slots, parameters and bilingual description; see :mod:`classlab.experiments.steps`.
Common parameters: ``t_start``/``t_end`` (s) restrict the time window; ``resolution`` is the
instrument's quantisation step in the input's unit (0 = unknown), used as an uncertainty floor.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from classlab.experiments.analysis import clean as cleanmod
from classlab.experiments.analysis import derivative as deriv
from classlab.experiments.analysis import fit, stats
from classlab.experiments.quantity import AnalysisIssue, Quantity, div_unit, mul_unit
from classlab.experiments.steptypes import Param, Series, Step

Inputs = dict[str, Any]

T_START = Param("t_start", "s", -math.inf, "start of the time window (s)", "时间窗口起点（秒）")
T_END = Param("t_end", "s", math.inf, "end of the time window (s)", "时间窗口终点（秒）")
RESOLUTION = Param("resolution", None, 0.0, "instrument resolution (quantisation step) in the input's unit",
                   "仪器分辨率（量化步长），与输入同单位")
ACCURACY = Param("accuracy", None, 0.0, "instrument accuracy in the input's unit (a fixed calibration error, "
                 "e.g. ADC offset; combined in quadrature)", "仪器准确度（输入单位；固定的校准误差，如 ADC 偏移；按方和根合成）")
X_ACCURACY = Param("x_accuracy", None, 0.0, "accuracy of x (fixed error, x's unit)", "x 的准确度（固定误差，x 的单位）")
X_RESOLUTION = Param("x_resolution", None, 0.0, "quantisation step of x (x's unit); one fixed error per setting",
                     "x 的量化步长（x 的单位）；每个设定值一个固定误差")
MIN_R2 = Param("min_r2", "1", 0.9, "minimum r² for the fit to count as valid", "拟合有效所需的最小 r²")
WINDOW = (T_START, T_END)


def resolution_of(y: Series, p: dict[str, Any]) -> float:
    """The stated ``resolution`` param, else the quantisation step the whole series shows."""
    stated = float(p.get("resolution", 0.0) or 0.0)
    return stated if stated > 0 else stats.infer_resolution(y.y)


def series(inputs: Inputs, slot: str) -> Series:
    """The Series in ``slot`` (AnalysisIssue ``wrong_kind`` if a Quantity was wired there)."""
    value = inputs[slot]
    if not isinstance(value, Series):
        raise AnalysisIssue("wrong_kind", f"input {slot!r} must be a data series, not a single value",
                            f"输入 {slot!r} 应为数据序列而非单个数值")
    return value


def windowed(inputs: Inputs, slot: str, p: dict[str, Any]) -> Series:
    """Series in ``slot``, cleaned (NaN, order, repeats) and cut to [t_start, t_end]."""
    s = series(inputs, slot)
    t, y, _ = cleanmod.clean(s.t, s.y)
    lo = float(p.get("t_start", -math.inf))
    hi = float(p.get("t_end", math.inf))
    keep = (t >= lo) & (t <= hi)
    return Series(t[keep], y[keep], s.unit, s.quantity)


def quantity_in(inputs: Inputs, slot: str) -> Quantity:
    value = inputs[slot]
    if isinstance(value, Quantity):
        return value
    raise AnalysisIssue("wrong_kind", f"input {slot!r} must be a single value", f"输入 {slot!r} 应为单个数值")


def paired(x: Series, y: Series) -> tuple[np.ndarray, np.ndarray]:
    """Values of ``x`` and ``y`` at the same instants: ``x`` interpolated onto ``y``'s times inside
    ``x``'s time range (two channels of one logger share time stamps, so this is exact for them)."""
    if x.t.size < 2:
        raise AnalysisIssue("too_short", "the x channel has fewer than 2 samples", "x 通道少于 2 个数据点")
    if x.t.shape == y.t.shape and np.array_equal(x.t, y.t):
        return x.y, y.y
    # one logger, samples removed from one channel (despike, trim): pair the common instants only —
    # interpolating across a removed stretch would invent readings there
    common, ix, iy = np.intersect1d(x.t, y.t, assume_unique=False, return_indices=True)
    if common.size >= 0.9 * min(x.t.size, y.t.size):
        return x.y[ix], y.y[iy]
    inside = (y.t >= x.t[0]) & (y.t <= x.t[-1])
    return np.interp(y.t[inside], x.t, x.y), y.y[inside]


# --- steps -------------------------------------------------------------------------------------------


def _linear_fit(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    y = windowed(i, "y", p)
    if "x" in i:
        x = windowed(i, "x", {"t_start": p["t_start"], "t_end": p["t_end"]})
        xv, yv = paired(x, y)
        xunit = x.unit
    else:
        xv, yv, xunit = y.t, y.y, "s"
    f = fit.linear_fit(xv, yv, resolution=float(p["resolution"]), x_resolution=float(p["x_resolution"]),
                       what="linear fit")
    fit.require_r2(f.r2, float(p["min_r2"]), "linear fit")
    u_int = math.hypot(f.u_intercept, float(p["accuracy"]), f.slope * float(p["x_accuracy"]))
    return {
        "slope": Quantity(f.slope, f.u_slope, div_unit(y.unit, xunit)),
        "intercept": Quantity(f.intercept, u_int, y.unit),
        "r2": Quantity(f.r2, 0.0, "1"),
    }


def _exp_fit(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    y = windowed(i, "y", p)
    if p["from_extreme"] in ("max", "min") and y.t.size:
        k = int(np.argmax(y.y) if p["from_extreme"] == "max" else np.argmin(y.y))
        y = y.between(float(y.t[k]), None)
    if float(p["skip_s"]) > 0 and y.t.size:
        y = y.between(float(y.t[0]) + float(p["skip_s"]), None)
    target = p["final"]
    f = fit.exp_fit(y.t, y.y, resolution=float(p["resolution"]),
                    y_inf=None if target in ("", "fit") else float(target))
    fit.require_r2(f.r2, float(p["min_r2"]), "exponential fit")
    return {
        "tau": Quantity(f.tau, f.u_tau, "s"),
        "rate": Quantity(1.0 / f.tau, f.u_tau / f.tau**2, "1/s"),
        "final": Quantity(f.y_inf, f.u_y_inf, y.unit),
        "initial": Quantity(f.y0, f.u_y0, y.unit),
        "r2": Quantity(f.r2, 0.0, "1"),
    }


def _mean(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    y = windowed(i, "y", p)
    m, u = stats.mean_se(y.y, resolution=resolution_of(y, p), descriptive=bool(int(p["descriptive"])))
    tau = float(p["probe_tau_s"])
    if tau > 0 and y.t.size >= 10:
        # a first-order probe reads T with T_true = T + τ·dT/dt, so over the record
        # mean(T_true) = mean(T) + τ·(T_end − T_start)/duration (ends: means of 5 samples); τ taken ±25 %
        (a, ua), (b, ub) = stats.mean_se(y.y[:5], correlated=False), stats.mean_se(y.y[-5:], correlated=False)
        span = float(y.t[-1] - y.t[0])
        corr = tau * (b - a) / span
        m += corr
        u = math.hypot(u, tau * math.hypot(ua, ub) / span, 0.25 * corr)
    sd = float(np.std(y.y, ddof=1))
    return {"mean": Quantity(m, math.hypot(u, float(p["accuracy"])), y.unit), "std": Quantity(sd, sd / math.sqrt(2 * (y.y.size - 1)), y.unit),
            "n": Quantity(float(y.y.size), 0.0, "count")}


def smoothed(y: Series, window_s: float) -> tuple[np.ndarray, np.ndarray, float]:
    """(t, values, 1-sigma noise of one value): raw if window 0, else Savitzky–Golay smoothed
    (order 2 over ``window_s``; the noise through the smoothing weights)."""
    sigma = stats.noise_sd(y.y)
    if window_s <= 0 or y.t.size < 12:
        return y.t, y.y, sigma
    t, ys, _ = deriv.smoothed_derivative(y.t, y.y, window_s)
    dt = float(t[1] - t[0]) if t.size > 1 else 1.0
    half = max(int(round(window_s / (2 * dt))), 2)
    c = deriv.sg_coefficients(half, 2, 0, dt)
    return t, ys, sigma * float(np.sqrt(np.sum(c**2)))


def time_u(y: Series, window_s: float) -> float:
    """Uncertainty (s) of an instant picked from samples: the sample spacing and the smoothing window,
    each as a uniform spread (÷√12)."""
    dt = float(np.median(np.diff(y.t))) if y.t.size > 1 else 0.0
    return math.hypot(dt, window_s / 2) / math.sqrt(12)


def _extreme(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    y = windowed(i, "y", p)
    if y.y.size < 3:
        raise AnalysisIssue("too_short", "fewer than 3 samples", "少于 3 个数据点")
    w = float(p["window_s"])
    t, v, noise = smoothed(y, w)
    k_max, k_min = int(np.argmax(v)), int(np.argmin(v))
    ut = time_u(y, w)
    res, acc = float(p["resolution"]) / math.sqrt(12), float(p["accuracy"])
    hi, u_hi = top_of(v, k_max, noise, y.y, 1.0)
    lo, u_lo = top_of(v, k_min, noise, y.y, -1.0)
    u_hi, u_lo = math.hypot(max(u_hi, res), acc), math.hypot(max(u_lo, res), acc)
    return {"max": Quantity(hi, u_hi, y.unit), "min": Quantity(lo, u_lo, y.unit),
            "t_max": Quantity(float(t[k_max]), ut, "s"), "t_min": Quantity(float(t[k_min]), ut, "s"),
            "range": Quantity(hi - lo, math.hypot(u_hi, u_lo), y.unit)}


def top_of(v: np.ndarray, k: int, noise: float, raw: np.ndarray, sign: float) -> tuple[float, float]:
    """The true extreme near the extreme sample ``k`` of (smoothed) values ``v`` and its u.

    The noise is taken locally (20 raw samples on each side, the larger: a light sensor's noise grows with
    the reading, so the record-wide σ is too small at its bright top). The extreme of m samples that
    are level within the noise sits beyond the true top by the expected largest of m normal
    deviates (m = samples within 4σ of it); the top lies between that and the extreme sample itself:
    the middle is taken, with half the span and σ in u."""
    n = v.size
    scale = noise / stats.noise_sd(raw) if stats.noise_sd(raw) > 0 else 1.0  # smoothing's noise reduction
    # each side separately: next to a step (lamp switched on) one side is the quiet dark
    sides = [raw[max(k - 20, 0): k + 1], raw[k: min(k + 21, n)]]
    sigma = max([noise] + [stats.noise_sd(sd) * scale for sd in sides if sd.size >= 6])
    top = float(v[k])
    m = int(np.count_nonzero(sign * (top - v) <= 4 * sigma))
    # expected excess of the largest of m normal deviates (leading terms of the Gumbel limit)
    r = math.sqrt(2 * math.log(m)) if m > 2 else 0.0
    excess = sigma * (r - (math.log(math.log(m)) + math.log(4 * math.pi)) / (2 * r)) if m > 2 else 0.0
    excess = max(excess, 0.0)
    return top - sign * excess / 2, math.hypot(sigma, excess / 2)


def _despike(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    s = windowed(i, "y", p)
    keep = np.ones(s.t.size, dtype=bool)
    if p["max_value"] != "":
        keep &= s.y < float(p["max_value"])
    if p["min_value"] != "":
        keep &= s.y > float(p["min_value"])
    t, y = s.t[keep], s.y[keep]
    if t.size >= 7 and float(p["k_sigma"]) > 0:
        spikes = cleanmod.outliers(y, t=t, k=float(p["k_sigma"]), min_dev=float(p["min_dev"]))
        t, y = t[~spikes], y[~spikes]
    if t.size < 2:
        raise AnalysisIssue("too_short", "nothing is left after removing spikes and out-of-range readings",
                            "去除异常值和超量程读数后没有剩余数据")
    return {"y": Series(t, y, s.unit, s.quantity), "removed": Quantity(float(s.t.size - t.size), 0.0, "count")}


def _rms(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    y = windowed(i, "y", p)
    v, u = stats.rms(y.y, resolution=float(p["resolution"]))
    return {"rms": Quantity(v, math.hypot(u, float(p["accuracy"])), y.unit)}


def _integral(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    y = windowed(i, "y", p)
    v, u = stats.trapezoid(y.t, y.y, resolution=float(p["resolution"]))
    if int(p["absolute"]):
        v = abs(v)
    return {"total": Quantity(v, u, mul_unit(y.unit, "s"))}


def _clean(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    s = series(i, "y")
    t, y, rep = cleanmod.clean(s.t, s.y, gap_factor=float(p["gap_factor"]))
    if rep.gaps and p["max_gap_s"] != "" and max(b - a for a, b in rep.gaps) > float(p["max_gap_s"]):
        a, b = max(rep.gaps, key=lambda g: g[1] - g[0])
        raise AnalysisIssue("gaps", f"the record has a gap from {a:.3g} s to {b:.3g} s", f"记录在 {a:.3g}–{b:.3g} 秒之间中断")
    return {"out": Series(t, y, s.unit, s.quantity),
            "dropped": Quantity(float(rep.dropped), 0.0, "count"), "merged": Quantity(float(rep.merged), 0.0, "count")}


def _trim_flat(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    s = windowed(i, "y", {})
    if s.t.size < 10:
        return {"y": s}
    change = float(p["threshold"]) * float(np.ptp(s.y))
    t0 = cleanmod.action_start(s.t, s.y, min_change=change)
    t1 = math.inf
    if p["ends"] == "both":
        t1 = -cleanmod.action_start(-s.t[::-1], s.y[::-1], min_change=change)
    elif p["ends"] != "start":
        raise AnalysisIssue("bad_param", f"trim_flat: ends must be 'start' or 'both', got {p['ends']!r}",
                            f"trim_flat：ends 应为 'start' 或 'both'，得到 {p['ends']!r}")
    keep = (s.t >= t0) & (s.t <= t1)
    return {"y": Series(s.t[keep], s.y[keep], s.unit, s.quantity)}


def _check_saturation(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    s = series(i, "y")
    lo = None if p["full_scale_min"] == "" else float(p["full_scale_min"])
    hi = None if p["full_scale_max"] == "" else float(p["full_scale_max"])
    cleanmod.check_saturation(s.y, full_scale_min=lo, full_scale_max=hi, tol=float(p["tol"]),
                             auto=bool(int(p["auto"])))
    out = windowed(i, "y", {})
    if out.t.size == 0:
        raise AnalysisIssue("too_short", "the series has no valid samples", "数据序列没有有效数据点")
    return {"out": out}


def _require_samples(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    s = windowed(i, "y", p)
    need = int(p["min_samples"])
    span = float(s.t[-1] - s.t[0]) if s.t.size else 0.0
    if s.t.size < need or span < float(p["min_duration_s"]):
        raise AnalysisIssue(
            "too_short",
            f"{s.t.size} samples over {span:.3g} s; the lab needs ≥ {need} samples over ≥ {p['min_duration_s']} s",
            f"共 {s.t.size} 个数据点、{span:.3g} 秒；本实验至少需要 {need} 个数据点、{p['min_duration_s']} 秒",
        )
    return {"out": s, "duration": Quantity(span, 0.0, "s")}


def _as_pair(a: Any, b: Any) -> tuple[Any, Any, np.ndarray | None]:
    """Values of a and b ready for an elementwise operation, and the common time base (None if both are
    single values). A Series b is interpolated onto a Series a's times when they differ."""
    if isinstance(a, Series) and isinstance(b, Series):
        if a.t.shape == b.t.shape and np.array_equal(a.t, b.t):
            return a.y, b.y, a.t
        xb, ya = paired(b, a)
        inside = (a.t >= b.t[0]) & (a.t <= b.t[-1])
        return ya, xb, a.t[inside]
    if isinstance(a, Series):
        return a.y, b.value, a.t
    if isinstance(b, Series):
        return a.value, b.y, b.t
    return a.value, b.value, None


def _binary(i: Inputs, op: str) -> dict[str, Any]:
    a, b = i["a"], i["b"]
    if op in ("subtract", "add") and a.unit != b.unit:
        b = b.to(a.unit)
    va, vb, t = _as_pair(a, b)
    unit = {"divide": div_unit, "multiply": mul_unit}.get(op, lambda x, _y: x)(a.unit, b.unit)
    if t is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            y = {"divide": np.divide, "multiply": np.multiply, "subtract": np.subtract, "add": np.add}[op](va, vb)
        ok = np.isfinite(y)
        if not ok.any():
            raise AnalysisIssue("bad_value", f"{op}: no finite result (division by zero?)", f"{op}：没有有效结果（除以零？）")
        name = a.quantity if isinstance(a, Series) else b.quantity
        return {"y": Series(t[ok], np.broadcast_to(y, t.shape)[ok], unit, name)}
    ua, ub = a.uncertainty, b.uncertainty
    if op == "subtract":
        return {"y": Quantity(va - vb, math.hypot(ua, ub), unit)}
    if op == "add":
        return {"y": Quantity(va + vb, math.hypot(ua, ub), unit)}
    if op == "multiply":
        return {"y": Quantity(va * vb, math.hypot(ua * vb, ub * va), unit)}
    if vb == 0:
        raise AnalysisIssue("bad_value", "division by zero", "除数为零")
    return {"y": Quantity(va / vb, math.hypot(ua / vb, ub * va / vb**2), unit)}


def _reciprocal(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    a = i["a"]
    unit = div_unit("1", a.unit) if a.unit not in ("1", "") else "1"
    if isinstance(a, Series):
        ok = a.y != 0
        if not ok.any():
            raise AnalysisIssue("bad_value", "reciprocal of zero", "零的倒数")
        return {"y": Series(a.t[ok], 1.0 / a.y[ok], unit, a.quantity)}
    if a.value == 0:
        raise AnalysisIssue("bad_value", "reciprocal of zero", "零的倒数")
    return {"y": Quantity(1.0 / a.value, a.uncertainty / a.value**2, unit)}


def _scale(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    a, k = i["a"], float(p["factor"])
    unit = str(p["unit"]) or a.unit
    if isinstance(a, Series):
        return {"y": Series(a.t, a.y * k, unit, a.quantity)}
    return {"y": Quantity(a.value * k, abs(k) * a.uncertainty, unit)}


def _step(name: str, inputs: dict[str, str | None], outputs: tuple[str, ...], params: tuple[Param, ...], fn: Any,
          en: str, zh: str, optional: tuple[str, ...] = ()) -> Step:
    return Step(name, inputs, outputs, params, fn, en, zh, optional)


STEPS: tuple[Step, ...] = (
    _step("linear_fit", {"y": None, "x": None}, ("slope", "intercept", "r2"),
          (*WINDOW, RESOLUTION, MIN_R2, ACCURACY, X_ACCURACY, X_RESOLUTION),
          _linear_fit, "Straight-line fit of y against x (or against time if x is not given); slope ± u, intercept ± u.",
          "y 对 x（未给 x 时对时间）作直线拟合；给出斜率、截距及其不确定度。", optional=("x",)),
    _step("linear_fit_xy", {"x": None, "y": None}, ("slope", "intercept", "r2"),
          (*WINDOW, RESOLUTION, MIN_R2, ACCURACY, X_ACCURACY, X_RESOLUTION),
          _linear_fit, "Straight-line fit of y against x (paired by time), e.g. U–I → resistance.",
          "y 对 x（按时间配对）作直线拟合，如 U–I 求电阻。"),
    _step("exp_fit", {"y": None}, ("tau", "rate", "final", "initial", "r2"),
          (*WINDOW, RESOLUTION, Param("min_r2", "1", 0.95, "minimum r²", "最小 r²"),
           Param("from_extreme", None, "", "'max' or 'min': start at the largest/smallest value (a cooling curve "
                 "from its peak); empty = the window's start", "'max' 或 'min'：从最大/最小值处开始（如从峰值开始的冷却曲线）；空 = 窗口起点"),
           Param("skip_s", "s", 0.0, "then skip this long (s), e.g. a few probe time constants", "再跳过这段时间（秒），如几个探头时间常数"),
           Param("final", None, "fit", "final value: 'fit' or a number in y's unit (e.g. 0 for a discharge)",
                 "终值：'fit' 表示拟合，或给定数值（如放电为 0）")),
          _exp_fit, "Exponential approach/decay y = y∞ + (y0 − y∞)·e^(−t/τ); τ ± u.",
          "指数趋近/衰减拟合 y = y∞ + (y0 − y∞)·e^(−t/τ)；给出 τ 及不确定度。"),
    _step("mean", {"y": None}, ("mean", "std", "n"),
          (*WINDOW, RESOLUTION, ACCURACY,
           Param("descriptive", "1", 0, "1 = the mean of the recorded values themselves (a day's log): their swing is "
                 "not noise", "1 = 所记录数值本身的平均（如全天记录）：其变化不算噪声"),
           Param("probe_tau_s", "s", 0.0, "time constant of a lagging probe (s): the mean of what it was in "
                 "(T + τ·dT/dt), ±25 % of the correction in u; 0 = none",
                 "滞后探头的时间常数（秒）：给出被测对象本身的平均（T + τ·dT/dt），修正量的 25 % 计入不确定度；0 = 不修正")), _mean,
          "Mean ± standard error (corrected for correlated samples), standard deviation, count.",
          "平均值 ± 标准误差（考虑相邻数据相关）、标准差、数据个数。"),
    _step("extremes", {"y": None}, ("max", "min", "t_max", "t_min", "range"),
          (*WINDOW, RESOLUTION, ACCURACY, Param("window_s", "s", 0.0, "smoothing window before taking extremes (s); "
                                                "0 = raw samples", "取极值前的平滑窗口（秒）；0 = 不平滑")), _extreme,
          "Largest and smallest value, their times, and the range.", "最大值、最小值、出现时刻及变化范围。"),
    _step("rms", {"y": None}, ("rms",), (*WINDOW, RESOLUTION, ACCURACY), _rms, "Root mean square.", "均方根值。"),
    _step("integral", {"y": None}, ("total",),
          (*WINDOW, RESOLUTION, Param("absolute", "1", 0, "1 = report the size |∫y dt| (a discharge current reads negative)",
                                      "1 = 取绝对值 |∫y dt|（放电电流读数为负）")), _integral,
          "Trapezoid integral over time (e.g. charge Q = ∫I dt).", "对时间的梯形积分（如电荷量 Q = ∫I dt）。"),
    _step("clean", {"y": None}, ("out", "dropped", "merged"),
          (Param("gap_factor", "1", 5.0, "a gap is a spacing > this × the median spacing", "间隔超过中位间隔的此倍数即视为中断"),
           Param("max_gap_s", "s", "", "longest gap allowed (s); empty = any", "允许的最长中断（秒）；空 = 不限")),
          _clean, "Drop empty cells, sort by time, merge repeated time stamps, check gaps.",
          "删除空值、按时间排序、合并重复时间戳、检查中断。"),
    _step("trim_flat", {"y": None}, ("y",),
          (Param("ends", None, "start", "'start' or 'both': which flat ends to drop", "'start' 或 'both'：去掉哪一端的平直段"),
           Param("threshold", "1", 0.02, "smallest change that counts, as a fraction of the range",
                 "视为变化的最小幅度（占总变化范围的比例）")),
          _trim_flat, "Drop the flat stretch before the student pressed go (and after the end).",
          "去掉学生开始实验前（及结束后）的平直段。"),
    _step("despike", {"y": None}, ("y", "removed"),
          (*WINDOW, Param("max_value", None, "", "drop readings at or above this (e.g. 3.9 m: lost echoes); empty = none",
                          "去掉不小于此值的读数（如 3.9 米：回波丢失）；空 = 不限"),
           Param("min_value", None, "", "drop readings at or below this; empty = none", "去掉不大于此值的读数；空 = 不限"),
           Param("k_sigma", "1", 5.0, "spike = farther than this many σ from the local trend (0 = off)",
                 "偏离局部趋势超过此倍数 σ 视为尖峰（0 = 不检查）"),
           Param("min_dev", None, 0.0, "smallest deviation that counts as a spike (input unit)", "视为尖峰的最小偏离（输入单位）")),
          _despike, "Remove out-of-range readings and single-sample spikes (ultrasonic lost/short echoes).",
          "去除超量程读数和单点尖峰（超声回波丢失/误回波）。"),
    _step("check_saturation", {"y": None}, ("out",),
          (Param("full_scale_min", None, "", "sensor's lower limit (input unit); empty = unknown", "传感器下限（空 = 未知）"),
           Param("full_scale_max", None, "", "sensor's upper limit (input unit); empty = unknown", "传感器上限（空 = 未知）"),
           Param("tol", None, 0.0, "tolerance around the limit", "极限附近的容差"),
           Param("auto", "1", 1, "1 = also flag repeated runs at the record's own extreme; 0 = check only the stated limits",
                 "1 = 同时检查反复停留在记录自身极值的情况；0 = 只检查给定的量程极限")),
          _check_saturation, "Fail if the sensor sat at its limit (clipped signal).", "若传感器达到量程极限（削顶）则判为无效。"),
    _step("require_samples", {"y": None}, ("out", "duration"),
          (*WINDOW, Param("min_samples", "count", 10, "fewest samples", "最少数据点"),
           Param("min_duration_s", "s", 0.0, "shortest record (s)", "最短记录时长（秒）")),
          _require_samples, "Fail if the record is too short.", "记录过短则判为无效。"),
    _step("divide", {"a": None, "b": None}, ("y",), (), lambda i, p: _binary(i, "divide"),
          "a / b (series elementwise, single values with propagated uncertainty), e.g. density = m / V.",
          "a / b（序列逐点计算，单值传递不确定度），如密度 = m / V。"),
    _step("multiply", {"a": None, "b": None}, ("y",), (), lambda i, p: _binary(i, "multiply"),
          "a × b, e.g. power = U × I.", "a × b，如功率 = U × I。"),
    _step("subtract", {"a": None, "b": None}, ("y",), (), lambda i, p: _binary(i, "subtract"),
          "a − b (same dimension), e.g. buoyant force = G − F.", "a − b（同量纲），如浮力 = G − F。"),
    _step("add", {"a": None, "b": None}, ("y",), (), lambda i, p: _binary(i, "add"),
          "a + b (same dimension).", "a + b（同量纲）。"),
    _step("reciprocal", {"a": None}, ("y",), (), _reciprocal,
          "1 / a (e.g. rate ∝ 1/t; 1/u + 1/v for a lens).", "1 / a（如速率 ∝ 1/t；透镜 1/u + 1/v）。"),
    _step("scale", {"a": None}, ("y",),
          (Param("factor", "1", None, "multiplying factor", "乘数"),
           Param("unit", None, "", "unit of the result (empty = unchanged)", "结果的单位（空 = 不变）")),
          _scale, "a × a constant factor, with a new unit if given.", "乘以常数，可指定新单位。"),
)
