"""Steps on switch/gate events / 基于开关与光电门事件的分析步骤: values at switching, delays between
two gates, momentum in a collision. Gate Series have unit ``level``; 1 = on/blocked (``blocked_level``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from classlab.experiments.analysis import gates, stats
from classlab.experiments.quantity import AnalysisIssue, Quantity
from classlab.experiments.steps_generic import WINDOW, Inputs, windowed
from classlab.experiments.steptypes import Param, Step

BLOCKED = Param("blocked_level", "count", 1, "level meaning 'on' / 'beam blocked'", "表示“接通/挡光”的电平")
TICK = Param("resolution", "s", 1e-4, "timer resolution (s)", "计时分辨率（秒）")


def _rising(gate: Any, on: int) -> tuple[np.ndarray, np.ndarray]:
    et, el = gates.edges(gate.t, gate.y)
    return et[el == on], et[el != on]


def _at(times: np.ndarray, y: Any) -> np.ndarray:
    if y.t.size < 2:
        raise AnalysisIssue("too_short", f"the {y.quantity or 'value'} channel has fewer than 2 samples",
                            f"{y.quantity or '数值'}通道少于 2 个数据点")
    inside = (times >= y.t[0]) & (times <= y.t[-1])
    return np.interp(times[inside], y.t, y.y)


def _mean_q(v: np.ndarray, noise: float, unit: str) -> Quantity:
    if v.size == 1:
        return Quantity(float(v[0]), noise, unit)
    m, u = stats.mean_se(v, correlated=False)
    return Quantity(m, math.hypot(u, noise / math.sqrt(v.size)), unit)


def _edge_values(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    """y at the moments the switch turned on and off (e.g. thermostat temperatures), mean ± u."""
    gate, y = windowed(i, "gate", p), windowed(i, "y", p)
    on_t, off_t = _rising(gate, int(p["blocked_level"]))
    v_on, v_off = _at(on_t, y), _at(off_t, y)
    if v_on.size == 0 or v_off.size == 0:
        raise AnalysisIssue("no_switching", "the switch did not both turn on and off during the record",
                            "记录期间开关没有完成一次接通和断开")
    noise = max(stats.noise_sd(y.y), float(p["y_resolution"]) / math.sqrt(12))
    return {"on": _mean_q(v_on, noise, y.unit), "off": _mean_q(v_off, noise, y.unit),
            "count": Quantity(float(v_on.size), 0.0, "count")}


def _edge_delay(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    """Time from each gate_a 'on' edge to the next gate_b 'on' edge (reaction time, gate-to-gate)."""
    on = int(p["blocked_level"])
    a, _ = _rising(windowed(i, "gate_a", p), on)
    b, _ = _rising(windowed(i, "gate_b", p), on)
    if a.size == 0 or b.size == 0:
        raise AnalysisIssue("too_short", "one of the gates never switched", "有一个光电门从未被触发")
    j = np.searchsorted(b, a, side="left")
    ok = j < b.size
    delays = b[j[ok]] - a[ok]
    delays = delays[delays >= 0]
    if delays.size == 0:
        raise AnalysisIssue("too_short", "no gate_b edge follows a gate_a edge", "第二个光电门没有在第一个之后触发")
    tick = float(p["resolution"]) * math.sqrt(2 / 12)
    return {"delay": _mean_q(delays, tick, "s"), "count": Quantity(float(delays.size), 0.0, "count")}


def _momentum(i: Inputs, p: dict[str, Any]) -> dict[str, Any]:
    """Cart A passes gate 1 before hitting B; then B and A pass gate 2 (B first). One pass at gate 2
    means they stuck together. Speeds = flag width / blocked time."""
    flag = float(p["flag_m"])
    if not flag > 0:
        raise AnalysisIssue("bad_param", "flag_m must be positive", "flag_m 应为正数")
    kw = {"blocked": int(p["blocked_level"]), "resolution": float(p["resolution"]), "u_flag_m": float(p["u_flag_m"])}
    g1, g2 = windowed(i, "gate_a", p), windowed(i, "gate_b", p)
    _, v1, u1 = gates.flag_speeds(g1.t, g1.y, flag, **kw)
    _, v2, u2 = gates.flag_speeds(g2.t, g2.y, flag, **kw)
    ma, mb, um = float(p["mass_a_kg"]), float(p["mass_b_kg"]), float(p["u_mass_kg"])
    va, ua = float(v1[0]), float(u1[0])
    vb_after, ub_after = float(v2[0]), float(u2[0])
    if v2.size >= 2:
        va_after, ua_after = float(v2[1]), float(u2[1])
        p_after = ma * va_after + mb * vb_after
        u_after = math.sqrt((ma * ua_after) ** 2 + (mb * ub_after) ** 2 + (um * va_after) ** 2 + (um * vb_after) ** 2)
        ke_after = 0.5 * ma * va_after**2 + 0.5 * mb * vb_after**2
    else:  # stuck together
        va_after, ua_after = vb_after, ub_after
        p_after = (ma + mb) * vb_after
        u_after = math.hypot((ma + mb) * ub_after, math.sqrt(2) * um * vb_after)
        ke_after = 0.5 * (ma + mb) * vb_after**2
    p_before = ma * va
    u_before = math.hypot(ma * ua, um * va)
    ke_before = 0.5 * ma * va**2
    ratio = ke_after / ke_before
    u_ratio = ratio * math.hypot(2 * ua / va, 2 * ub_after / vb_after)
    return {"p_before": Quantity(p_before, u_before, "kg*m/s"), "p_after": Quantity(p_after, u_after, "kg*m/s"),
            "v_a_before": Quantity(va, ua, "m/s"), "v_a_after": Quantity(va_after, ua_after, "m/s"),
            "v_b_after": Quantity(vb_after, ub_after, "m/s"), "ke_ratio": Quantity(ratio, u_ratio, "1")}


def _step(name: str, inputs: dict[str, str | None], outputs: tuple[str, ...], params: tuple[Param, ...], fn: Any,
          en: str, zh: str) -> Step:
    return Step(name, inputs, outputs, params, fn, en, zh)


STEPS: tuple[Step, ...] = (
    _step("edge_values", {"gate": "level", "y": None}, ("on", "off", "count"),
          (*WINDOW, BLOCKED, Param("y_resolution", None, 0.0, "resolution of y (y unit)", "y 的分辨率（y 单位）")),
          _edge_values, "Value of y when a switch turns on and off (e.g. a thermostat's switching temperatures).",
          "开关接通与断开时 y 的数值（如温控器的动作温度）。"),
    _step("edge_delay", {"gate_a": "level", "gate_b": "level"}, ("delay", "count"), (*WINDOW, BLOCKED, TICK),
          _edge_delay, "Delay from each gate_a 'on' edge to the next gate_b 'on' edge (reaction time, gate to gate).",
          "从第一个光电门触发到第二个光电门下一次触发的时间（反应时间、两门间隔）。"),
    _step("momentum", {"gate_a": "level", "gate_b": "level"},
          ("p_before", "p_after", "v_a_before", "v_a_after", "v_b_after", "ke_ratio"),
          (*WINDOW, Param("mass_a_kg", "kg", None, "mass of cart A (kg)", "小车 A 的质量（千克）"),
           Param("mass_b_kg", "kg", None, "mass of cart B (kg)", "小车 B 的质量（千克）"),
           Param("u_mass_kg", "kg", 0.0005, "uncertainty of each mass (kg)", "质量的不确定度（千克）"),
           Param("flag_m", "m", 0.01, "flag width (m)", "挡光片宽度（米）"),
           Param("u_flag_m", "m", 0.0001, "uncertainty of the flag width (m)", "挡光片宽度不确定度（米）"), BLOCKED, TICK),
          _momentum, "Momentum before and after a collision: A through gate 1, then B and A through gate 2.",
          "碰撞前后的动量：A 先过光电门 1，碰后 B、A 依次过光电门 2。"),
)
