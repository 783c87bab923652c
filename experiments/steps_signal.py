"""Signal-shape steps / 信号形状分析步骤: plateau, period, derivative, peak, settled value, threshold, rise.

Built on :mod:`classlab.experiments.analysis`; see :mod:`classlab.experiments.steps` for the contract.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from classlab.experiments.analysis import derivative as deriv
from classlab.experiments.analysis import fit, stats
from classlab.experiments.analysis import period as periodmod
from classlab.experiments.analysis import plateau as plateaumod
from classlab.experiments.quantity import AnalysisIssue, Quantity, div_unit
from classlab.experiments.steps_generic import (
    ACCURACY,
    RESOLUTION,
    WINDOW,
    Inputs,
    resolution_of,
    smoothed,
    time_u,
    top_of,
    windowed,
)
from classlab.experiments.steptypes import Param, Series, Step


def _plateau(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    y = windowed(i, "y", p)
    smooth = None if p["smooth_s"] in ("", 0, 0.0) else float(p["smooth_s"])
    pl = plateaumod.find_plateau(y.t, y.y, max_rate=float(p["tolerance"]), min_duration_s=float(p["min_duration_s"]),
                                 smooth_s=smooth, resolution=float(p["resolution"]))
    rate, u_rate = pl.rate_before, pl.u_rate_before
    if p["band_lo"] != "" and p["band_hi"] != "":
        # the heating rate over a fixed band of values before the plateau (losses grow with T, so a
        # fixed band makes runs comparable); least-squares slope of the samples inside the band
        lo, hi = sorted((float(p["band_lo"]), float(p["band_hi"])))
        before = (y.t < pl.start) & (y.y >= lo) & (y.y <= hi)
        f = fit.linear_fit(y.t[before], y.y[before], resolution=float(p["resolution"]), what="rate in band")
        rate, u_rate = f.slope, f.u_slope
    if math.isnan(rate):
        raise AnalysisIssue("no_rise", "the record starts on the plateau: no heating/cooling before it was recorded",
                            "记录一开始就处于平台：没有记录到之前的升温/降温过程")
    return {
        "level": Quantity(pl.level, pl.u_level, y.unit),
        "start": Quantity(pl.start, pl.u_start, "s"),
        "duration": Quantity(pl.duration, pl.u_duration, "s"),
        "rate_before": Quantity(rate, u_rate, div_unit(y.unit, "s")),
    }


def _period(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    y = windowed(i, "y", p)
    k = int(p["per_period"])
    if y.unit == "level":
        from classlab.experiments.analysis.gates import blocked_intervals

        mids = blocked_intervals(y.t, y.y, int(p["blocked_level"])).mid  # pass centres: exactly periodic
        per = periodmod.period_from_edges(mids, edges_per_period=k, resolution=float(p["resolution"]))
    else:
        per = periodmod.period_from_signal(y.t, y.y, crossings_per_period=k)
    return {
        "period": Quantity(per.period, per.u_period, "s"),
        "frequency": Quantity(1 / per.period, per.u_period / per.period**2, "Hz"),
        "cycles": Quantity(float(per.cycles), 0.0, "count"),
    }


PERIOD_PARAMS = (
    *WINDOW,
    Param("per_period", "count", 1, "crossings (or gate blocks) per period: 2 for a pendulum swinging through a gate",
          "每个周期的过零（或挡光）次数：单摆穿过光电门为 2"),
    Param("blocked_level", "count", 1, "gate level meaning 'beam blocked'", "表示挡光的光电门电平"),
    Param("resolution", "s", 0.0, "gate timer resolution (s)", "光电门计时分辨率（秒）"),
)


def _derivative(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    y = windowed(i, "y", p)
    t, _, dy = deriv.smoothed_derivative(y.t, y.y, float(p["window_s"]), order=int(p["order"]))
    return {"dydt": Series(t, dy, div_unit(y.unit, "s"), f"d{y.quantity}/dt" if y.quantity else "")}


def _extremum(i: Inputs, p: dict[str, Any], sign: float) -> dict[str, Any]:
    y = windowed(i, "y", p)
    if y.t.size < 3:
        raise AnalysisIssue("too_short", "fewer than 3 samples", "少于 3 个数据点")
    t, v, u = smoothed(y, float(p["window_s"]))
    k = int(np.argmax(sign * v))
    top, u = top_of(v, k, u, y.y, sign)
    u = math.hypot(max(u, float(p["resolution"]) / math.sqrt(12)), float(p.get("accuracy", 0.0)))
    return {"value": Quantity(top, u, y.unit), "time": Quantity(float(t[k]), time_u(y, float(p["window_s"])), "s")}


EXTREMUM_PARAMS = (*WINDOW, RESOLUTION, ACCURACY, Param("window_s", "s", 0.0, "smoothing window (s); 0 = raw samples",
                                              "平滑窗口（秒）；0 = 不平滑"))


def _settled(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    """Mean of the last window once |dy/dt| (less twice its own noise) stays below ``max_rate``. If the
    reading is still creeping (a significant slope from the settling time on), the
    exponential approach is fitted and its final value used (else slope × window is added to u)."""
    y = windowed(i, "y", p)
    w = float(p["window_s"])
    if y.t.size < 6 or y.t[-1] - y.t[0] < w:
        raise AnalysisIssue("too_short", f"the record is shorter than the {w:g} s settling window",
                            f"记录短于 {w:g} 秒的稳定判断窗口")
    t, _, dy = deriv.smoothed_derivative(y.t, y.y, w)
    # noise on the rate itself: white noise through the derivative weights; "moving" must exceed it
    dt = float(t[1] - t[0]) if t.size > 1 else 1.0
    c = deriv.sg_coefficients(max(int(round(w / (2 * dt))), 2), 2, 1, dt)
    u_rate = stats.noise_sd(y.y) * float(np.sqrt(np.sum(c**2)))
    moving = np.abs(dy) - 2 * u_rate >= float(p["max_rate"])
    if moving[-1]:
        raise AnalysisIssue("not_settled", "the reading was still changing at the end — record until it is steady",
                            "结束时读数仍在变化——请记录到读数稳定为止")
    idx = np.nonzero(moving)[0]
    t_settle = float(t[idx[-1] + 1]) if idx.size else float(t[0])
    tail = y.t >= max(t_settle, y.t[-1] - w)
    res = resolution_of(y, p)
    m, u = stats.mean_se(y.y[tail], resolution=res)
    late = y.between(t_settle, None)
    if late.t.size >= 10:
        creep = fit.linear_fit(late.t, late.y, resolution=res, what="settling")
        if abs(creep.slope) > 3 * creep.u_slope:
            # still creeping towards its final value: extrapolate the exponential approach, or, if that
            # cannot be fitted, allow for about rate × window still to go
            u_creep = math.hypot(u, abs(creep.slope) * w)
            try:
                ef = fit.exp_fit(late.t, late.y, resolution=res, what="settling")
                u_exp = math.hypot(ef.u_y_inf, res / math.sqrt(12))
                good = ef.r2 >= 0.9 and ef.tau < 2 * float(late.t[-1] - late.t[0]) and u_exp < u_creep
            except AnalysisIssue:
                good = False
            if good:
                m, u = ef.y_inf, u_exp
            else:
                u = u_creep
    return {"value": Quantity(m, math.hypot(u, float(p["accuracy"])), y.unit),
            "time": Quantity(t_settle, math.hypot(time_u(y, 0.0), w / math.sqrt(12)), "s")}


def _start_value(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    """Value at the moment the reading switched on, extrapolated back along a straight line fitted to
    the first ``fit_s`` seconds after it (a DC conductance cell polarises and the current sags; the
    solution's own value is the one at immersion). The switch instant lies between the last flat
    sample and the first departed one: its spread (Δt/√12) times the slope goes into u."""
    from classlab.experiments.analysis.clean import action_start

    y = windowed(i, "y", p)
    if y.t.size < 10:
        raise AnalysisIssue("too_short", "fewer than 10 samples", "少于 10 个数据点")
    t_first = action_start(y.t, y.y, min_change=0.02 * float(np.ptp(y.y)))
    k = int(np.searchsorted(y.t, t_first))
    if k == 0:
        raise AnalysisIssue("no_baseline", "the record starts after the switch-on: start logging before connecting",
                            "记录开始时已经接通：请在接通前开始记录")
    t_on = 0.5 * (float(y.t[k - 1]) + float(y.t[k]))
    dt = float(y.t[k] - y.t[k - 1])
    a = t_first + float(p["skip_s"])
    b = a + float(p["fit_s"]) if p["fit_s"] != "" else math.inf
    seg = y.between(a, b)
    f = fit.linear_fit(seg.t, seg.y, resolution=resolution_of(y, p), what="start value")
    value = float(f.predict(t_on))
    u = math.hypot(f.u_predict(t_on), abs(f.slope) * dt / math.sqrt(12), float(p["accuracy"]))
    return {"value": Quantity(value, u, y.unit), "time": Quantity(t_on, dt / math.sqrt(12), "s"),
            "drift": Quantity(f.slope, f.u_slope, div_unit(y.unit, "s"))}


def _threshold_time(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    y = windowed(i, "y", p)
    level, direction = float(p["level"]), str(p["direction"])
    if direction not in ("rise", "fall"):
        raise AnalysisIssue("bad_param", f"direction must be 'rise' or 'fall', got {direction!r}",
                            f"direction 应为 'rise' 或 'fall'，得到 {direction!r}")
    t, v, u = smoothed(y, float(p["window_s"]))
    above = v >= level if direction == "rise" else v <= level
    hit = np.nonzero(above[1:] & ~above[:-1])[0]
    if above.size and above[0]:
        raise AnalysisIssue("already_past", f"the signal starts beyond {level:g} {y.unit}", f"信号一开始就已越过 {level:g} {y.unit}")
    if hit.size == 0:
        raise AnalysisIssue("not_reached", f"the signal never crosses {level:g} {y.unit}", f"信号从未越过 {level:g} {y.unit}")
    j = int(hit[0])
    frac = (level - v[j]) / (v[j + 1] - v[j]) if v[j + 1] != v[j] else 0.5
    tc = float(t[j] + frac * (t[j + 1] - t[j]))
    slope = (v[j + 1] - v[j]) / (t[j + 1] - t[j])
    u_t = math.hypot(u / abs(slope) if slope else math.inf, float(t[j + 1] - t[j]) / math.sqrt(12))
    return {"time": Quantity(tc, u_t, "s"), "value": Quantity(level, 0.0, y.unit)}


def _rise(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    y = windowed(i, "y", p)
    b = float(p["baseline_s"])
    base = y.t <= y.t[0] + b if y.t.size else np.zeros(0, dtype=bool)
    if np.count_nonzero(base) < 2 or y.t.size < 6:
        raise AnalysisIssue("too_short", f"need at least 2 samples in the first {b:g} s and 6 in all",
                            f"前 {b:g} 秒至少需要 2 个数据点，总共至少 6 个")
    s0, u0 = stats.mean_se(y.y[base], resolution=float(p["resolution"]))
    rest = Series(y.t[~base], y.y[~base], y.unit, y.quantity)
    sign = -1.0 if p["direction"] == "fall" else 1.0
    found = _extremum({"y": rest}, {"t_start": -math.inf, "t_end": math.inf, "resolution": p["resolution"],
                                    "window_s": p["window_s"]}, sign)
    ext, ext_t = found["value"], found["time"]
    delta = ext.value - s0
    # the largest of n noisy samples sits ~√(2 ln n) σ above the truth even with no real change
    noise_max = math.sqrt(2 * math.log(max(rest.t.size, 2))) * ext.uncertainty
    if sign * delta <= noise_max + 2 * math.hypot(u0, ext.uncertainty):
        raise AnalysisIssue("no_change", f"no clear {'rise' if sign > 0 else 'fall'} above the starting value",
                            f"相对初值没有明显的{'升高' if sign > 0 else '下降'}")
    tau = float(p["probe_tau_s"])
    if p["method"] == "intersect":
        end, when = _branch_intersection(rest, float(ext_t.value), float(p["branch_s"]),
                                         float(p["gap_s"]) if p["gap_s"] != "" else max(3 * tau, float(p["branch_s"]) / 4),
                                         sign, tau)
    elif p["method"] == "extreme":
        u_end = ext.uncertainty
        if tau > 0:  # a lagging probe rounds the kink at the extreme: it reads low by about rate × τ
            pre = rest.between(float(ext_t.value) - 3 * tau, float(ext_t.value))
            if pre.t.size >= 3:
                rate = abs(float(np.polyfit(pre.t - pre.t[0], pre.y, 1)[0]))
                u_end = math.hypot(u_end, rate * tau)
        when = Quantity(ext_t.value, math.hypot(ext_t.uncertainty, tau), "s")  # a lagging probe peaks late
        end = Quantity(ext.value, u_end, y.unit)
    else:
        raise AnalysisIssue("bad_param", f"method must be 'extreme' or 'intersect', got {p['method']!r}",
                            f"method 应为 'extreme' 或 'intersect'，得到 {p['method']!r}")
    return {"delta": Quantity(end.value - s0, math.hypot(u0, end.uncertainty), y.unit),
            "start": Quantity(s0, u0, y.unit), "end": end, "time": when}


def _branch_intersection(y: Series, t_ext: float, branch_s: float, gap_s: float, sign: float,
                         tau: float) -> tuple[Quantity, Quantity]:
    """Extreme from the two branches around it: straight lines fitted over [t_ext − branch_s,
    t_ext − gap_s] and [t_ext + gap_s, t_ext + branch_s], intersected (the thermometric-titration
    correction: a lagging probe rounds the corner but shows both lines, each delayed by τ, so the
    intersection's value is right and its time is late by τ, which is taken off). u by propagating
    both fits' covariances."""
    a = y.between(t_ext - branch_s, t_ext - gap_s)
    b = y.between(t_ext + gap_s, t_ext + branch_s)
    if a.t.size < 3 or b.t.size < 3:
        raise AnalysisIssue("too_short", "too few samples on one side of the extreme to fit its branches "
                            "(record longer after it, or shorten branch_s/gap_s)",
                            "极值一侧数据点太少，无法拟合两支直线（请在极值后多记录一段，或减小 branch_s/gap_s）")
    fa = fit.linear_fit(a.t, a.y, what="branch before the extreme")
    fb = fit.linear_fit(b.t, b.y, what="branch after the extreme")
    if not (sign * fa.slope > 0 and sign * fb.slope < fa.slope * sign):
        raise AnalysisIssue("no_corner", "the two branches around the extreme do not meet in a corner",
                            "极值两侧的两支直线没有形成转折")
    tx = (fb.intercept - fa.intercept) / (fa.slope - fb.slope)
    vx = fa.slope * tx + fa.intercept
    # derivatives of (tx, vx) w.r.t. (slope_a, intercept_a) and (slope_b, intercept_b)
    dm = fa.slope - fb.slope
    dt_a = np.array([-tx / dm, -1 / dm])
    dt_b = np.array([tx / dm, 1 / dm])
    u_t = math.sqrt(float(dt_a @ fa.cov @ dt_a + dt_b @ fb.cov @ dt_b))
    dv_a = np.array([tx, 1.0]) + fa.slope * dt_a
    dv_b = fa.slope * dt_b
    u_v = math.sqrt(float(dv_a @ fa.cov @ dv_a + dv_b @ fb.cov @ dv_b))
    return Quantity(float(vx), u_v, y.unit), Quantity(float(tx - tau), math.hypot(u_t, 0.1 * tau), "s")


def _peaks(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    """Peaks standing out by at least ``min_prominence`` (default: 6 σ of the noise) on the optionally
    smoothed signal: how many, the mean spacing between them (± standard error), and the peaks."""
    from classlab.experiments.analysis.peaks import find_peaks

    y = windowed(i, "y", p)
    if y.t.size < 5:
        raise AnalysisIssue("too_short", "fewer than 5 samples", "少于 5 个数据点")
    t, v, noise = smoothed(y, float(p["window_s"]))
    prom = float(p["min_prominence"]) if p["min_prominence"] != "" else 6 * max(noise, 1e-12)
    idx, _ = find_peaks(-v if p["direction"] == "down" else v, prom)
    if idx.size == 0:
        raise AnalysisIssue("no_peak", "no peak stands out from the noise", "没有明显高于噪声的峰")
    tp = t[idx]
    if tp.size >= 3:
        gaps = np.diff(tp)
        spacing = Quantity(float(gaps.mean()), float(gaps.std(ddof=1) / math.sqrt(gaps.size)), "s")
    elif tp.size == 2:
        spacing = Quantity(float(tp[1] - tp[0]), time_u(y, float(p["window_s"])) * math.sqrt(2), "s")
    else:
        spacing = Quantity(0.0, 0.0, "s")
    return {"count": Quantity(float(idx.size), 0.0, "count"), "spacing": spacing,
            "first": Quantity(float(tp[0]), time_u(y, float(p["window_s"])), "s"),
            "peaks": Series(tp, v[idx], y.unit, y.quantity)}


def _pulses(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    """Pulses away from the baseline (median) by more than k·σ (σ from sample-to-sample noise), with
    hysteresis (a pulse lasts while beyond k/3·σ) and same-sign pulses closer than ``min_gap_s``
    merged: count, polarity of the first, and the largest excursion (signed, relative to the baseline)."""
    y = windowed(i, "y", p)
    if y.t.size < 10:
        raise AnalysisIssue("too_short", "fewer than 10 samples", "少于 10 个数据点")
    base = float(np.median(y.y))
    sigma = max(stats.noise_sd(y.y), float(p["resolution"]) / math.sqrt(12))
    dev = y.y - base
    k_sig = float(p["k_sigma"])
    strong = np.abs(dev) > k_sig * max(sigma, 1e-12)
    if not strong.any():
        raise AnalysisIssue("no_pulse", f"no pulse above {p['k_sigma']}× the noise — move the magnet faster or closer",
                            f"没有超过噪声 {p['k_sigma']} 倍的脉冲——请更快或更近地移动磁体")
    # hysteresis: a pulse is a run of one sign beyond a third of the threshold that reaches the threshold
    weak = np.sign(dev) * (np.abs(dev) > k_sig / 3 * max(sigma, 1e-12))
    change = np.nonzero(weak != np.concatenate([[0], weak[:-1]]))[0]
    bounds = np.concatenate([change, [weak.size]])
    pulses: list[tuple[float, float, int]] = []  # (start time, end time, sign)
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        if weak[a] != 0 and strong[a:b].any():
            sg = int(weak[a])
            # same-sign pulses closer than min_gap_s are one pulse whose middle dipped
            if pulses and pulses[-1][2] == sg and y.t[a] - pulses[-1][1] < float(p["min_gap_s"]):
                pulses[-1] = (pulses[-1][0], float(y.t[b - 1]), sg)
            else:
                pulses.append((float(y.t[a]), float(y.t[b - 1]), sg))
    k = int(np.argmax(np.abs(dev)))
    return {"count": Quantity(float(len(pulses)), 0.0, "count"), "first_polarity": Quantity(float(pulses[0][2]), 0.0, "1"),
            "peak": Quantity(float(dev[k]), sigma, y.unit)}


def _extrapolated_start(y: Series, t_first: float, i0: float, u0: float) -> tuple[float, float]:
    """Start of a fall that begins with a finite slope (a kink, not a step): the first departed sample
    lags the kink by the time the fall needs to clear the noise band. A straight line fitted to the
    early fall (from the first departed sample to a third of the way down, judged on a 5-sample running median) is followed back to the
    starting level i0; the crossing is the start. A convex fall (exponential) makes the line slightly
    shallower, so the crossing is a little early: half the shift from the first departed sample is
    taken as its uncertainty, with the fit's (delta method) and i0's."""
    med = Series(y.t, _running_median(y.y, 5), y.unit, y.quantity)  # one noisy sample must not end the stretch
    lo = float(np.min(med.y[med.t >= t_first]))
    stop = i0 - (i0 - lo) / 3
    seg = (y.t >= t_first) & (y.t <= t_first + 1e-9 + _first_time_below(med, t_first, stop))
    if np.count_nonzero(seg) < 6:
        return t_first, 0.0
    ts = y.t[seg] - t_first
    f = fit.linear_fit(ts, y.y[seg], what="start of the fall")
    if not f.slope < -3 * f.u_slope:
        return t_first, 0.0
    s = (i0 - f.intercept) / f.slope
    if not -(ts[-1] + 1.0) <= s <= 0:  # not further back than the fitted stretch is long
        return t_first, 0.0
    g = np.array([-s, -1.0]) / f.slope  # ∂s/∂(slope, intercept)
    u_s = math.sqrt(max(float(g @ f.cov @ g), 0.0) + (u0 / f.slope) ** 2 + (s / 2) ** 2)
    return t_first + s, u_s


def _running_median(y: np.ndarray, k: int) -> np.ndarray:
    """Median over ``k`` neighbouring samples (ends: the samples available)."""
    h = k // 2
    pad = np.concatenate([np.full(h, y[0]), y, np.full(h, y[-1])])
    return np.median(np.lib.stride_tricks.sliding_window_view(pad, k), axis=1)


def _first_time_below(y: Series, t_from: float, level: float) -> float:
    """Seconds from ``t_from`` to the first sample at or below ``level``."""
    after = y.t >= t_from
    below = np.nonzero(after & (y.y <= level))[0]
    return float(y.t[below[0]] - t_from) if below.size else float(y.t[-1] - t_from)


def _turbidity_time(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    """Time from the start of the change to the fall to ``fraction`` of the starting value.
    Start: first sample leaving the flat start (``clean.action_start``), moved back to where the early
    fall extrapolates to the starting level (:func:`_extrapolated_start`: a fall that starts with a
    finite slope leaves the noise band late); starting value: mean before it; the fall time is
    interpolated on the (optionally smoothed) signal."""
    from classlab.experiments.analysis.clean import action_start

    y = windowed(i, "y", p)
    if y.t.size < 10:
        raise AnalysisIssue("too_short", "fewer than 10 samples", "少于 10 个数据点")
    t0 = action_start(y.t, y.y, min_change=0.02 * float(np.ptp(y.y)))
    before = y.t < t0
    if np.count_nonzero(before) < 2:
        raise AnalysisIssue("no_baseline", "the record starts with the change: record a few seconds before mixing",
                            "记录从变化开始：请在混合前先记录几秒")
    i0, u0 = stats.mean_se(y.y[before])
    t0, u_t0 = _extrapolated_start(y, t0, i0, u0)
    level = float(p["fraction"]) * i0
    t, v, u = smoothed(y, float(p["window_s"]))
    after = t >= t0
    below = after & (v <= level)
    if not below.any():
        raise AnalysisIssue("not_reached", f"the signal never fell to {p['fraction']} of its start value",
                            f"信号从未降到初值的 {p['fraction']}")
    j = int(np.argmax(below))
    if j == 0:
        raise AnalysisIssue("already_past", "the signal starts below the level", "信号一开始就低于阈值")
    frac = (level - v[j - 1]) / (v[j] - v[j - 1]) if v[j] != v[j - 1] else 0.5
    tc = float(t[j - 1] + frac * (t[j] - t[j - 1]))
    slope = (v[j] - v[j - 1]) / (t[j] - t[j - 1])
    dt = float(np.median(np.diff(y.t)))
    u_level = math.hypot(u, float(p["fraction"]) * u0)
    u_t = math.sqrt((u_level / abs(slope) if slope else dt) ** 2 + 2 * dt**2 / 12 + u_t0**2)
    elapsed = tc - t0
    if elapsed <= 0:
        raise AnalysisIssue("already_past", "the fall happened before the change started", "下降发生在变化开始之前")
    return {"time": Quantity(elapsed, u_t, "s"), "rate": Quantity(1 / elapsed, u_t / elapsed**2, "1/s")}


def _step(name: str, inputs: dict[str, str | None], outputs: tuple[str, ...], params: tuple[Param, ...], fn: Any,
          en: str, zh: str) -> Step:
    return Step(name, inputs, outputs, params, fn, en, zh)


STEPS: tuple[Step, ...] = (
    _step("peaks", {"y": None}, ("count", "spacing", "first", "peaks"),
          (*WINDOW, Param("min_prominence", None, "", "how far a peak must stand out (input unit); empty = 6 σ of the noise",
                          "峰需高出周围的幅度（输入单位）；空 = 噪声的 6 倍 σ"),
           Param("window_s", "s", 0.0, "smoothing window (s)", "平滑窗口（秒）"),
           Param("direction", None, "up", "'up' for maxima, 'down' for minima (dips)", "'up' 找极大值，'down' 找极小值（凹谷）")),
          _peaks, "Peaks with prominence: count, mean spacing, time of the first; the peaks as a series.",
          "按显著度找峰：个数、平均间隔、第一个峰的时刻；各峰组成的序列。"),
    _step("pulses", {"y": None}, ("count", "first_polarity", "peak"),
          (*WINDOW, RESOLUTION, Param("k_sigma", "1", 6.0, "a pulse exceeds this many noise σ", "脉冲需超过噪声 σ 的倍数"),
           Param("min_gap_s", "s", 0.05, "same-sign pulses closer than this are one pulse (s)", "间隔小于此值的同号脉冲视为一个（秒）")),
          _pulses, "Pulses away from the baseline (induced EMF): count, first polarity, largest signed excursion.",
          "偏离基线的脉冲（感应电动势）：个数、第一个脉冲的极性、最大（带符号）偏离。"),
    _step("turbidity_time", {"y": None}, ("time", "rate"),
          (*WINDOW, Param("fraction", "1", 0.5, "fall to this fraction of the starting value", "降到初值的此比例"),
           Param("window_s", "s", 0.0, "smoothing window (s)", "平滑窗口（秒）")),
          _turbidity_time, "Time from the start of the change until the reading falls to a fraction of its start "
          "(reaction rate ∝ 1/t).", "从开始变化到读数降到初值某一比例所用时间（反应速率 ∝ 1/t）。"),
    _step("plateau", {"y": None}, ("level", "start", "duration", "rate_before"),
          (*WINDOW, RESOLUTION,
           Param("tolerance", None, 0.02, "largest rate of change on the plateau (input unit per s)",
                 "平台上允许的最大变化率（输入单位/秒）"),
           Param("min_duration_s", "s", 30.0, "shortest plateau (s)", "最短平台时长（秒）"),
           Param("smooth_s", "s", "", "smoothing window for the rate (s); empty = automatic", "求变化率的平滑窗口（秒）；空 = 自动"),
           Param("band_lo", None, "", "rate_before over values from band_lo ... (input unit; empty = the stretch "
                 "just before the plateau)", "rate_before 取值区间下限（输入单位；空 = 平台前一段）"),
           Param("band_hi", None, "", "... to band_hi (input unit)", "rate_before 取值区间上限（输入单位）")),
          _plateau, "Longest stretch where the value stops changing (boiling, melting): level ± u, start, duration, "
          "rate before.", "数值不再变化的最长一段（沸腾、熔化）：平台值及不确定度、开始时刻、持续时间、之前的变化率。"),
    _step("period", {"y": None}, ("period", "frequency", "cycles"), PERIOD_PARAMS, _period,
          "Period of an oscillation (mean crossings; autocorrelation fallback; gate edges for a gate level).",
          "振动周期（平均值穿越；自相关后备；光电门电平用挡光边沿）。"),
    _step("derivative", {"y": None}, ("dydt",),
          (*WINDOW, Param("window_s", "s", 0.2, "smoothing window (s)", "平滑窗口（秒）"),
           Param("order", "count", 2, "polynomial order", "多项式阶数")),
          _derivative, "Savitzky–Golay smoothed rate of change dy/dt (a new series).", "Savitzky–Golay 平滑求变化率 dy/dt（新序列）。"),
    _step("peak", {"y": None}, ("value", "time"), EXTREMUM_PARAMS, lambda i, p: _extremum(i, p, 1.0),
          "Largest (optionally smoothed) value and its time; ± from the noise.", "最大值（可平滑）及其时刻；不确定度取自噪声。"),
    _step("minimum", {"y": None}, ("value", "time"), EXTREMUM_PARAMS, lambda i, p: _extremum(i, p, -1.0),
          "Smallest (optionally smoothed) value and its time.", "最小值（可平滑）及其时刻。"),
    _step("settled_value", {"y": None}, ("value", "time"),
          (*WINDOW, RESOLUTION, ACCURACY,
           Param("max_rate", None, 0.01, "steady means |dy/dt| below this (input unit per s)", "稳定指 |dy/dt| 小于此值（输入单位/秒）"),
           Param("window_s", "s", 10.0, "window (s) for the rate and the final mean", "求变化率和终值平均的窗口（秒）")),
          _settled, "Final steady reading (mean over the last window) and when it settled.", "最终稳定读数（最后窗口的平均）及稳定时刻。"),
    _step("start_value", {"y": None}, ("value", "time", "drift"),
          (*WINDOW, RESOLUTION, ACCURACY,
           Param("fit_s", "s", "", "length of the stretch after switch-on that is fitted (s); empty = to the end",
                 "接通后用于拟合的时长（秒）；空 = 到记录结束"),
           Param("skip_s", "s", 0.0, "time skipped right after switch-on (s)", "接通后跳过的时间（秒）")),
          _start_value, "Value at the moment of switch-on, extrapolated back along the drift after it "
          "(DC conductance: electrodes polarise and the current sags).",
          "沿接通后的漂移外推到接通瞬间的数值（直流电导：电极极化使电流下降）。"),
    _step("threshold_time", {"y": None}, ("time", "value"),
          (*WINDOW, Param("level", None, None, "threshold in the input unit", "阈值（输入单位）"),
           Param("direction", None, "rise", "'rise' or 'fall'", "'rise'（上升）或 'fall'（下降）"),
           Param("window_s", "s", 0.0, "smoothing window (s)", "平滑窗口（秒）")),
          _threshold_time, "Time at which the signal first crosses a level (interpolated).", "信号首次越过阈值的时刻（插值）。"),
    _step("rise", {"y": None}, ("delta", "start", "end", "time"),
          (*WINDOW, RESOLUTION, Param("baseline_s", "s", 10.0, "starting stretch averaged as the start value (s)", "作为初值平均的起始时段（秒）"),
           Param("direction", None, "rise", "'rise' (to the maximum) or 'fall' (to the minimum)", "'rise'（到最大值）或 'fall'（到最小值）"),
           Param("window_s", "s", 0.0, "smoothing window for the extreme (s)", "求极值的平滑窗口（秒）"),
           Param("probe_tau_s", "s", 0.0, "probe time constant (s): its lag at the extreme goes into u",
                 "探头时间常数（秒）：其在极值处的滞后计入不确定度"),
           Param("method", None, "extreme", "'extreme' (largest smoothed reading) or 'intersect' (the two branches' "
                 "lines meet: corrects probe lag at a sharp corner)", "'extreme'（平滑后的最大读数）或 'intersect'"
                 "（两支直线的交点：修正尖角处的探头滞后）"),
           Param("branch_s", "s", 60.0, "length of each branch fitted for 'intersect' (s)", "'intersect' 时每支拟合的时长（秒）"),
           Param("gap_s", "s", "", "time left out on each side of the extreme (s); empty = max(3 τ, branch_s/4)",
                 "极值两侧舍去的时间（秒）；空 = max(3τ, branch_s/4)")),
          _rise, "Change from the starting value to the extreme (e.g. temperature rise ΔT).", "从初值到极值的变化量（如温升 ΔT）。"),
)
