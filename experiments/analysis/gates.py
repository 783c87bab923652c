"""Photogate timing / 光电门计时: edges, picket fence g, flag-width velocities.

A gate buffer is a Series of levels (unit ``level``): either a held level sampled with the other
channels (each edge is a row where the level changes — the session CSV's ``gate_level`` column) or
an event list whose every row is an edge. ``blocked`` is the level meaning "beam interrupted"
(1 by default). Timing uncertainty: the gate's timer ``resolution`` (s) gives resolution/√12 per
edge; fits scale by their residual scatter (see :mod:`fit`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from classlab.experiments.analysis.fit import linear_fit
from classlab.experiments.quantity import AnalysisIssue

__all__ = ["Blocks", "PicketFence", "blocked_intervals", "edges", "flag_speeds", "from_event_block", "picket_fence"]


def from_event_block(t0_s: float, events: np.ndarray, channel: int) -> tuple[np.ndarray, np.ndarray]:
    """(times in s, levels) of one channel's edges from a decoded event block (``gateway.protocol``'s
    ``Frame.events``: fields ``dt_us``, ``channel``, ``level``); ``t0_s`` is the block's reference
    tick already converted to session seconds by the gateway's clock. Timer resolution: 1 µs."""
    mine = events["channel"] == channel
    return t0_s + events["dt_us"][mine].astype(np.float64) * 1e-6, events["level"][mine].astype(np.float64)


def edges(t: np.ndarray, level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(times, level after the edge) of every change of level. A list where no two neighbouring rows
    share a level is an event list: every row is an edge (including the first)."""
    t = np.asarray(t, dtype=np.float64)
    lv = np.asarray(level, dtype=np.float64)
    ok = np.isfinite(t) & np.isfinite(lv)
    t, lv = t[ok], np.round(lv[ok])
    if t.size == 0:
        return t, lv
    change = np.concatenate([[False], lv[1:] != lv[:-1]])
    if t.size > 1 and change[1:].all():
        change[0] = True
    return t[change], lv[change]


@dataclass(frozen=True)
class Blocks:
    """Intervals with the beam blocked: start and end times (s)."""

    start: np.ndarray
    end: np.ndarray

    @property
    def duration(self) -> np.ndarray:
        return self.end - self.start

    @property
    def mid(self) -> np.ndarray:
        return (self.start + self.end) / 2


def blocked_intervals(t: np.ndarray, level: np.ndarray, blocked: int = 1) -> Blocks:
    """Complete blocked intervals (a block edge followed by an unblock edge)."""
    et, el = edges(t, level)
    on = el == blocked
    starts, ends = [], []
    pending = None
    for time, is_on in zip(et, on, strict=True):
        if is_on:
            pending = time
        elif pending is not None:
            starts.append(pending)
            ends.append(time)
            pending = None
    return Blocks(np.array(starts), np.array(ends))


def _gate_issue(n: int, need: int) -> AnalysisIssue:
    return AnalysisIssue("too_short", f"the photogate saw {n} passages, at least {need} needed — check its cable and alignment",
                         f"光电门只记录到 {n} 次挡光，至少需要 {need} 次——请检查连线和对准")


@dataclass(frozen=True)
class PicketFence:
    g: float  # acceleration, m/s²
    u_g: float
    r2: float
    t_mid: np.ndarray  # s, centre of each band-to-band interval
    v: np.ndarray  # m/s, mean speed in each interval


def picket_fence(t: np.ndarray, level: np.ndarray, spacing_m: float, *, blocked: int = 1,
                 resolution: float = 0.0) -> PicketFence:
    """Acceleration of a falling picket fence (m/s²) from its leading edges, ``spacing_m`` apart.

    Leading edge i (the i-th time the beam is blocked) is at position i·spacing; the acceleration is
    the slope of the mean speed v_i = spacing/(t_{i+1} − t_i) against the interval's midpoint time
    (a straight-line fit, uncertainty from the fit scaled by residuals, floored by the timer tick
    propagated into v). At least 4 bands are needed.
    """
    et, el = edges(t, level)
    lead = et[el == blocked]
    if lead.size < 4:
        raise _gate_issue(int(lead.size), 4)
    dt = np.diff(lead)
    if np.any(dt <= 0):
        raise AnalysisIssue("bad_time", "gate edges are not in time order", "光电门时间顺序错误")
    v = spacing_m / dt
    tm = (lead[1:] + lead[:-1]) / 2
    u_v = v * (resolution * math.sqrt(2 / 12)) / dt  # timer tick on two edges, per speed
    f = linear_fit(tm, v, resolution=float(np.mean(u_v)) * math.sqrt(12), what="picket fence")
    return PicketFence(f.slope, f.u_slope, f.r2, tm, v)


def flag_speeds(t: np.ndarray, level: np.ndarray, flag_m: float, *, blocked: int = 1,
                resolution: float = 0.0, u_flag_m: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Speed (m/s) during each blocked interval of a flag ``flag_m`` wide: (mid time s, v, u_v).

    u_v combines the timer tick (two edges, resolution/√12 each) and the flag width uncertainty.
    """
    b = blocked_intervals(t, level, blocked)
    if b.start.size == 0:
        raise _gate_issue(0, 1)
    d = b.duration
    if np.any(d <= 0):
        raise AnalysisIssue("bad_time", "a gate passage has zero duration", "挡光时间为零")
    v = flag_m / d
    u_t = resolution * math.sqrt(2 / 12)
    u = v * np.hypot(u_t / d, (u_flag_m / flag_m) if flag_m else 0.0)
    return b.mid, v, u
