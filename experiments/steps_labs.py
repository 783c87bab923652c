"""Lab-level analysis steps / 实验专用分析步骤, built from :mod:`classlab.experiments.analysis`.

Gate inputs are Series in unit ``level`` (1 = beam blocked by default, ``blocked_level`` to change).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from classlab.experiments.analysis import clean as cleanmod
from classlab.experiments.analysis import fit, gates
from classlab.experiments.analysis import period as periodmod
from classlab.experiments.quantity import AnalysisIssue, Quantity, div_unit, mul_unit
from classlab.experiments.steps_generic import (
    ACCURACY,
    MIN_R2,
    RESOLUTION,
    WINDOW,
    X_ACCURACY,
    X_RESOLUTION,
    Inputs,
    paired,
    windowed,
)
from classlab.experiments.steptypes import Param, Series, Step

BLOCKED = Param("blocked_level", "count", 1, "gate level meaning 'beam blocked'", "表示挡光的光电门电平")
TICK = Param("resolution", "s", 1e-4, "gate timer resolution (s)", "光电门计时分辨率（秒）")


def _positive(name: str, value: float, unit: str) -> float:
    if not value > 0:
        raise AnalysisIssue("bad_param", f"{name} must be a positive number of {unit}, got {value}",
                            f"{name} 应为正数（单位 {unit}），得到 {value}")
    return value


def _pendulum_g(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    y = windowed(i, "y", p)
    length = _positive("length_m", float(p["length_m"]), "m")
    k = int(p["per_period"])
    if y.unit == "level":
        mids = gates.blocked_intervals(y.t, y.y, int(p["blocked_level"])).mid  # pass centres: exactly periodic
        per = periodmod.period_from_edges(mids, edges_per_period=k, resolution=float(p["resolution"]))
    else:
        per = periodmod.period_from_signal(y.t, y.y, crossings_per_period=k)
    big_t, u_t = per.period, per.u_period
    g = 4 * math.pi**2 * length / big_t**2
    u_g = g * math.hypot(float(p["u_length_m"]) / length, 2 * u_t / big_t)
    return {"g": Quantity(g, u_g, "m/s^2"), "period": Quantity(big_t, u_t, "s")}


def _picket_fence(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    gate = windowed(i, "gate", p)
    pf = gates.picket_fence(gate.t, gate.y, _positive("spacing_m", float(p["spacing_m"]), "m"),
                            blocked=int(p["blocked_level"]), resolution=float(p["resolution"]))
    fit.require_r2(pf.r2, float(p["min_r2"]), "picket fence")
    return {"g": Quantity(pf.g, pf.u_g, "m/s^2"), "r2": Quantity(pf.r2, 0.0, "1"),
            "speeds": Series(pf.t_mid, pf.v, "m/s", "speed")}


def _gate_speed(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    gate = windowed(i, "gate", p)
    tm, v, u = gates.flag_speeds(gate.t, gate.y, _positive("flag_m", float(p["flag_m"]), "m"),
                                 blocked=int(p["blocked_level"]), resolution=float(p["resolution"]),
                                 u_flag_m=float(p["u_flag_m"]))
    return {"speed": Quantity(float(v[0]), float(u[0]), "m/s"), "speeds": Series(tm, v, "m/s", "speed"),
            "passages": Quantity(float(v.size), 0.0, "count")}


def _two_gates(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    """Speeds at the first passage of gate A and of gate B (or the first two passages of A)."""
    flag = _positive("flag_m", float(p["flag_m"]), "m")
    kw = {"blocked": int(p["blocked_level"]), "resolution": float(p["resolution"]), "u_flag_m": float(p["u_flag_m"])}
    a = windowed(i, "gate_a", p)
    ta, va, ua = gates.flag_speeds(a.t, a.y, flag, **kw)
    if "gate_b" in i:
        b = windowed(i, "gate_b", p)
        tb, vb, ub = gates.flag_speeds(b.t, b.y, flag, **kw)
        t1, v1, u1, t2, v2, u2 = ta[0], va[0], ua[0], tb[0], vb[0], ub[0]
    else:
        if va.size < 2:
            raise AnalysisIssue("too_short", "one gate saw only one passage; two are needed",
                                "光电门只记录到一次挡光，需要两次")
        t1, v1, u1, t2, v2, u2 = ta[0], va[0], ua[0], ta[1], va[1], ua[1]
    dt = float(t2 - t1)
    if dt <= 0:
        raise AnalysisIssue("bad_time", "the second gate was passed before the first", "第二个光电门先于第一个被挡光")
    acc = (v2 - v1) / dt
    u_acc = math.hypot(u1, u2) / dt
    return {"v1": Quantity(float(v1), float(u1), "m/s"), "v2": Quantity(float(v2), float(u2), "m/s"),
            "acceleration": Quantity(float(acc), float(u_acc), "m/s^2"), "interval": Quantity(dt, 0.0, "s")}


def _quadratic(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    y = windowed(i, "y", p)
    f = fit.poly_fit(y.t, y.y, 2, resolution=float(p["resolution"]), min_points=6, what="quadratic fit")
    fit.require_r2(f.r2, float(p["min_r2"]), "quadratic fit")
    u = f.u_coef
    return {"acceleration": Quantity(2 * float(f.coef[2]), 2 * float(u[2]), div_unit(y.unit, "s2")),
            "velocity": Quantity(float(f.coef[1]), float(u[1]), div_unit(y.unit, "s")),
            "r2": Quantity(f.r2, 0.0, "1")}


def _cart(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    """Ultrasonic cart run: drop lost echoes (≥ max range) and spikes, trim the flat start and the stop
    at the bumper (plus ``margin_s`` each side), then fit x = x0 + v0·t + a·t²/2."""
    x = windowed(i, "x", p)
    keep = x.y < float(p["max_range_m"]) - 1e-9
    t, y = x.t[keep], x.y[keep]
    if t.size >= 7:
        spikes = cleanmod.outliers(y, t=t, min_dev=3 * float(p["resolution"]))
        t, y = t[~spikes], y[~spikes]
    if t.size < 10:
        raise AnalysisIssue("too_short", f"only {t.size} valid distance readings — is the ranger aimed at the cart?",
                            f"只有 {t.size} 个有效距离读数——测距仪是否对准小车？")
    change = 0.02 * float(np.ptp(y))
    t0 = cleanmod.action_start(t, y, min_change=change)
    t1 = -cleanmod.action_start(-t[::-1], y[::-1], min_change=change)
    m = float(p["margin_s"])
    moving = (t >= t0 + m) & (t <= t1 - m)
    f = fit.poly_fit(t[moving], y[moving], 2, resolution=float(p["resolution"]), min_points=8, what="cart position fit")
    fit.require_r2(f.r2, float(p["min_r2"]), "cart position fit")
    u = f.u_coef
    return {"acceleration": Quantity(2 * float(f.coef[2]), 2 * float(u[2]), "m/s^2"),
            "velocity": Quantity(float(f.coef[1]), float(u[1]), "m/s"), "r2": Quantity(f.r2, 0.0, "1"),
            "moving": Series(t[moving], y[moving], "m", x.quantity)}


def _emf_internal(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    v, cur = windowed(i, "v", p), windowed(i, "i", p)
    x, y = paired(cur, v)
    if x.size >= 3 and float(np.ptp(x)) < float(p["min_current_span"]):
        raise AnalysisIssue("too_short", f"the current only varied by {np.ptp(x):.3g} A — change the load over a wider range",
                            f"电流只变化了 {np.ptp(x):.3g} A——请在更大范围内改变负载")
    f = fit.linear_fit(x, y, resolution=float(p["resolution"]), x_resolution=float(p["x_resolution"]), what="U–I fit")
    fit.require_r2(f.r2, float(p["min_r2"]), "U–I fit")
    u_emf = math.hypot(f.u_intercept, float(p["accuracy"]), f.slope * float(p["x_accuracy"]))
    return {"emf": Quantity(f.intercept, u_emf, "V"), "r": Quantity(-f.slope, f.u_slope, "ohm"),
            "r2": Quantity(f.r2, 0.0, "1")}


def _inverse_square(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    x, y = windowed(i, "x", p), windowed(i, "y", p)
    d, e = paired(x, y)
    res = float(p["resolution"])
    floor = max(res, 1e-9 * float(np.max(np.abs(e), initial=0.0))) or 1.0  # all-zero readings: equal weights
    f = fit.inverse_square_fit(d, e, fit_offset=bool(int(p["fit_offset"])), fit_background=True, resolution=res,
                               sigma=float(p["rel_noise"]) * np.abs(e) + floor)
    fit.require_r2(f.r2, float(p["min_r2"]), "inverse-square fit")
    return {"k": Quantity(f.k, f.u_k, mul_unit(y.unit, "m2")), "offset": Quantity(f.background, f.u_background, y.unit),
            "d0": Quantity(f.d0, f.u_d0, "m"), "r2": Quantity(f.r2, 0.0, "1")}


def _step(name: str, inputs: dict[str, str | None], outputs: tuple[str, ...], params: tuple[Param, ...], fn: Any,
          en: str, zh: str, optional: tuple[str, ...] = ()) -> Step:
    return Step(name, inputs, outputs, params, fn, en, zh, optional)


STEPS: tuple[Step, ...] = (
    _step("pendulum_g", {"y": None}, ("g", "period"),
          (*WINDOW, Param("length_m", "m", None, "pendulum length, pivot to centre of the bob (m)", "摆长：悬点到摆球球心（米）"),
           Param("u_length_m", "m", 0.002, "uncertainty of the length (m)", "摆长的不确定度（米）"),
           Param("per_period", "count", 2, "gate blocks (or light dips) per period: 2 when the bob swings through",
                 "每个周期挡光（或光强下降）次数：摆球来回穿过为 2"), BLOCKED, TICK),
          _pendulum_g, "g = 4π²L/T² from the period of a light or photogate signal.", "由光照或光电门信号的周期求 g = 4π²L/T²。"),
    _step("picket_fence_g", {"gate": "level"}, ("g", "r2", "speeds"),
          (*WINDOW, Param("spacing_m", "m", 0.01, "distance between the leading edges of the bands (m)", "相邻挡光条前沿间距（米）"),
           BLOCKED, TICK, Param("min_r2", "1", 0.99, "minimum r² of v(t)", "v(t) 拟合最小 r²")),
          _picket_fence, "g from a picket fence dropped through a photogate: v(t) from band times, slope = g.",
          "栅栏片穿过光电门：由各挡光条时刻得 v(t)，斜率即 g。"),
    _step("gate_speed", {"gate": "level"}, ("speed", "speeds", "passages"),
          (*WINDOW, Param("flag_m", "m", 0.01, "width of the flag on the cart (m)", "挡光片宽度（米）"),
           Param("u_flag_m", "m", 0.0001, "uncertainty of the flag width (m)", "挡光片宽度不确定度（米）"), BLOCKED, TICK),
          _gate_speed, "Speed = flag width / blocked time, at the first passage (and every passage as a series).",
          "速度 = 挡光片宽度 / 挡光时间（第一次通过；全部通过为序列）。"),
    _step("two_gate_acceleration", {"gate_a": "level", "gate_b": "level"}, ("v1", "v2", "acceleration", "interval"),
          (*WINDOW, Param("flag_m", "m", 0.01, "width of the flag (m)", "挡光片宽度（米）"),
           Param("u_flag_m", "m", 0.0001, "uncertainty of the flag width (m)", "挡光片宽度不确定度（米）"), BLOCKED, TICK),
          _two_gates, "Speeds at two gates (or two passages of one) and a = (v2 − v1)/Δt.",
          "两个光电门（或同一光电门两次）处的速度及 a = (v2 − v1)/Δt。", optional=("gate_b",)),
    _step("quadratic_fit", {"y": None}, ("acceleration", "velocity", "r2"),
          (*WINDOW, RESOLUTION, Param("min_r2", "1", 0.98, "minimum r²", "最小 r²")),
          _quadratic, "Position s(t) = s0 + v0·t + ½a·t²: acceleration and starting velocity.",
          "位置 s(t) = s0 + v0·t + ½a·t²：加速度与初速度。"),
    _step("cart_acceleration", {"x": "m"}, ("acceleration", "velocity", "r2", "moving"),
          (*WINDOW, Param("resolution", "m", 0.001, "ranger resolution (m)", "测距分辨率（米）"),
           Param("max_range_m", "m", 4.0, "reading of a lost echo (m)", "回波丢失时的读数（米）"),
           Param("margin_s", "s", 0.05, "time dropped at each end of the motion (s)", "运动两端各舍去的时间（秒）"),
           Param("min_r2", "1", 0.98, "minimum r²", "最小 r²")),
          _cart, "Cart seen by an ultrasonic ranger: clean the echoes, keep the rolling part, a = 2c of a quadratic fit.",
          "超声测距观察小车：剔除异常回波，保留运动段，二次拟合得加速度 a = 2c。"),
    _step("emf_internal", {"v": "V", "i": "A"}, ("emf", "r", "r2"),
          (*WINDOW, RESOLUTION, MIN_R2, ACCURACY, X_ACCURACY, X_RESOLUTION,
           Param("min_current_span", "A", 0.0, "smallest spread of currents accepted (A)", "可接受的最小电流变化范围（安）")),
          _emf_internal, "Terminal voltage against current U = E − I·r: EMF E and internal resistance r.",
          "路端电压与电流 U = E − I·r：电动势 E 与内阻 r。"),
    _step("inverse_square_fit", {"x": "m", "y": None}, ("k", "offset", "d0", "r2"),
          (*WINDOW, RESOLUTION, MIN_R2,
           Param("fit_offset", "1", 1, "1 = also fit the source position offset d0", "1 = 同时拟合光源位置偏移 d0"),
           Param("rel_noise", "1", 0.01, "sensor noise as a fraction of the reading (weights)", "传感器噪声占读数的比例（用于加权）")),
          _inverse_square, "E = k/(d − d0)² + background (light against distance).", "E = k/(d − d0)² + 背景（光照随距离变化）。"),
)
