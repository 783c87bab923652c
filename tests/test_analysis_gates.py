"""Photogate timing: edges, picket fence g, flag-width speeds."""

from __future__ import annotations

import numpy as np
import pytest

from classlab.experiments.analysis import gates
from classlab.experiments.quantity import AnalysisIssue
from tests.calib import assert_calibrated

G = 9.80665


def fence_events(rng: np.random.Generator, jitter: float, bands: int = 10, spacing: float = 0.05,
                 drop: float = 0.1, tick: float = 1e-5) -> tuple[np.ndarray, np.ndarray]:
    """Leading/trailing edge times of a picket fence falling from rest ``drop`` m above the gate."""
    lead = np.arange(bands) * spacing + drop
    trail = lead + spacing / 2
    t = np.sqrt(2 * np.concatenate([lead, trail]) / G) + rng.normal(0, jitter, 2 * bands)
    t = np.round(t / tick) * tick
    lv = np.concatenate([np.ones(bands), np.zeros(bands)])
    order = np.argsort(t)
    return t[order], lv[order]


def held_level(t_edges: np.ndarray, lv: np.ndarray, rate: float, t_end: float) -> tuple[np.ndarray, np.ndarray]:
    """The session-CSV shape: sampled rows plus a row at each edge, level held between edges."""
    ts = np.arange(0, t_end, 1 / rate)
    t = np.sort(np.concatenate([ts, t_edges]))
    idx = np.searchsorted(t_edges, t, side="right") - 1
    level = np.where(idx >= 0, lv[np.clip(idx, 0, None)], 1 - lv[0])
    return t, level


def test_edges_from_event_list_and_from_held_level() -> None:
    te = np.array([0.1, 0.2, 0.35, 0.5])
    lv = np.array([1.0, 0.0, 1.0, 0.0])
    t, level = gates.edges(te, lv)
    assert list(t) == list(te) and list(level) == [1, 0, 1, 0]
    th, lh = held_level(te, lv, 100.0, 1.0)
    t2, l2 = gates.edges(th, lh)
    assert np.allclose(t2, te) and list(l2) == [1, 0, 1, 0]
    b = gates.blocked_intervals(th, lh)
    assert np.allclose(b.duration, [0.1, 0.15]) and np.allclose(b.mid, [0.15, 0.425])
    b0 = gates.blocked_intervals(th, 1 - lh, blocked=0)
    assert np.allclose(b0.duration, [0.1, 0.15])


@pytest.mark.parametrize("jitter", [2e-5, 1e-4])
def test_picket_fence_g_is_calibrated(jitter: float) -> None:
    vals, us = [], []
    for seed in range(40):
        t, lv = fence_events(np.random.default_rng(seed), jitter)
        pf = gates.picket_fence(t, lv, 0.05, resolution=1e-5)
        assert pf.r2 > 0.99 and pf.v.size == 9
        vals.append(pf.g)
        us.append(pf.u_g)
    assert_calibrated(vals, us, G)


def test_picket_fence_through_held_level_columns() -> None:
    t, lv = fence_events(np.random.default_rng(0), 2e-5)
    th, lh = held_level(t, lv, 50.0, 0.6)
    pf = gates.picket_fence(th, lh, 0.05, resolution=1e-5)
    assert abs(pf.g - G) < 4 * pf.u_g


def test_picket_fence_needs_four_bands() -> None:
    t, lv = fence_events(np.random.default_rng(0), 1e-5, bands=3)
    with pytest.raises(AnalysisIssue) as e:
        gates.picket_fence(t, lv, 0.05)
    assert e.value.code == "too_short" and "光电门" in e.value.zh


def test_flag_speeds() -> None:
    vals, us = [], []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        v_true, flag, tick = 0.62, 0.012, 1e-4
        t0 = 1.0
        te = np.round(np.array([t0, t0 + flag / v_true]) / tick) * tick + rng.uniform(-tick / 2, tick / 2, 2)
        tm, v, u = gates.flag_speeds(te, np.array([1, 0]), flag, resolution=tick)
        vals.append(v[0])
        us.append(u[0])
    assert_calibrated(vals, us, 0.62)
    with pytest.raises(AnalysisIssue) as e:
        gates.flag_speeds(np.array([0.0, 1.0]), np.array([0, 0]), 0.01)
    assert e.value.code == "too_short"


def test_picket_fence_from_real_event_frames() -> None:
    """Edges packed by the firmware's Framer, decoded by the gateway's numpy decoder, then timed."""
    from classlab.firmware.frame import Framer
    from classlab.gateway.protocol import decode

    t, lv = fence_events(np.random.default_rng(2), 0.0, tick=1e-6)
    dts = [int(round(x * 1e6)) for x in t - t[0]]
    framer = Framer()
    half = len(dts) // 2  # two frames, as a board would send them
    frames = [
        bytes(framer.pack_events(1000, 2000, 0, [3], dts[:half], [3] * half, [int(v) for v in lv[:half]], half)),
        bytes(framer.pack_events(1000 + dts[half], 2000, 0, [3], [d - dts[half] for d in dts[half:]],
                                 [3] * (len(dts) - half), [int(v) for v in lv[half:]], len(dts) - half)),
    ]
    times, levels = [], []
    for raw, t0 in zip(frames, (t[0], t[0] + dts[half] * 1e-6), strict=True):
        f = decode(raw)
        et, el = gates.from_event_block(t0, f.events, 3)
        times.append(et)
        levels.append(el)
    pf = gates.picket_fence(np.concatenate(times), np.concatenate(levels), 0.05, resolution=1e-6)
    assert abs(pf.g - G) < max(4 * pf.u_g, 1e-3)
