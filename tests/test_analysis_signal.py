"""Plateau, period, smoothed derivative and peaks on synthetic signals with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from classlab.experiments.analysis import derivative, fringes, peaks, period, plateau
from classlab.experiments.quantity import AnalysisIssue
from tests.calib import assert_calibrated

SEEDS = range(30)


def heating_curve(rng: np.random.Generator, level: float, noise: float, quantum: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Water heated at a slowing rate to ``level`` (reached at 400 s), then boiling until 900 s; 1 Hz."""
    t = np.arange(0.0, 900.0, 1.0)
    rise = 20 + (level - 20) * (1 - np.exp(-t / 250)) / (1 - np.exp(-400 / 250))
    y = np.where(t < 400, rise, level) + rng.normal(0, noise, t.size)
    if quantum:
        y = np.round(y / quantum) * quantum
    return t, y


@pytest.mark.parametrize(("noise", "quantum"), [(0.05, 0.0), (0.2, 0.0), (0.03, 0.0625)])
def test_plateau_level_is_calibrated(noise: float, quantum: float) -> None:
    levels, us = [], []
    for seed in SEEDS:
        t, y = heating_curve(np.random.default_rng(seed), 99.3, noise, quantum)
        p = plateau.find_plateau(t, y, max_rate=0.2 / 60, min_duration_s=120, resolution=quantum)
        assert abs(p.start - 400) < 4 * p.u_start + 1 and p.end >= t[-1] - 5 and p.duration > 450
        assert p.rate_before > 0
        levels.append(p.level)
        us.append(p.u_level)
    assert_calibrated(levels, us, 99.3)


def test_plateau_melting_from_below() -> None:
    rng = np.random.default_rng(3)
    t = np.arange(0.0, 1200.0, 2.0)
    y = np.where(t < 200, -8 + 8 * t / 200, np.where(t < 800, 0.0, (t - 800) * 0.02)) + rng.normal(0, 0.05, t.size)
    p = plateau.find_plateau(t, y, max_rate=0.2 / 60, min_duration_s=120)
    assert abs(p.level) < 3 * p.u_level
    assert 180 < p.start < 300 and 700 < p.end < 820


def test_no_plateau_and_too_short() -> None:
    t = np.arange(0.0, 600.0, 1.0)
    y = 20 + 0.1 * t + np.random.default_rng(0).normal(0, 0.05, t.size)
    with pytest.raises(AnalysisIssue) as e:
        plateau.find_plateau(t, y, max_rate=0.2 / 60, min_duration_s=120)
    assert e.value.code == "no_plateau" and "平台" in e.value.zh
    with pytest.raises(AnalysisIssue) as e:
        plateau.find_plateau(t[:60], y[:60], max_rate=0.2 / 60, min_duration_s=120)
    assert e.value.code == "too_short"


@pytest.mark.parametrize(("per", "noise"), [(1.7, 0.05), (0.43, 0.2)])
def test_period_from_sine_crossings(per: float, noise: float) -> None:
    vals, us = [], []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        t = np.sort(rng.uniform(0, 20, 2000))  # irregular sampling
        y = 3 + np.sin(2 * np.pi * t / per + seed) + rng.normal(0, noise, t.size)
        p = period.period_from_signal(t, y)
        assert p.method == "crossings"
        vals.append(p.period)
        us.append(p.u_period)
    assert_calibrated(vals, us, per)


def test_period_of_light_dips_twice_per_swing() -> None:
    vals, us = [], []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        t = np.arange(0, 25, 0.005)
        phase = np.mod(t + 0.1 * seed, 1.0) # bob passes every 1.0 s: period 2.0 s
        y = 600 - 500 * np.exp(-(((phase - 0.5) / 0.03) ** 2)) + rng.normal(0, 3, t.size)
        p = period.period_from_signal(t, y, crossings_per_period=2)
        vals.append(p.period)
        us.append(p.u_period)
    assert_calibrated(vals, us, 2.0)


def test_period_autocorrelation_fallback_and_failures() -> None:
    t = np.arange(0, 2.5, 0.01)
    y = np.sin(2 * np.pi * t / 1.0)
    p = period._autocorrelation(t, y, 1, 2)
    assert p.method == "autocorrelation" and abs(p.period - 1.0) < 3 * p.u_period + 0.01
    with pytest.raises(AnalysisIssue) as e:
        period.period_from_signal(t, np.full(t.size, 2.0))
    assert e.value.code == "no_period"
    with pytest.raises(AnalysisIssue) as e:
        period.period_from_signal(t, np.linspace(0, 1, t.size))  # a ramp never repeats
    assert e.value.code == "no_period"
    with pytest.raises(AnalysisIssue) as e:
        period.period_from_signal(t[:5], y[:5])
    assert e.value.code == "too_short"


def test_period_from_edges_every_second_edge() -> None:
    vals, us = [], []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        n = np.arange(20)
        # the gate is off-centre: blocks alternate 0.8 s and 1.2 s apart, period 2.0 s
        times = n // 2 * 2.0 + (n % 2) * 0.8 + rng.normal(0, 1e-3, n.size)
        p = period.period_from_edges(times, edges_per_period=2, resolution=1e-4)
        vals.append(p.period)
        us.append(p.u_period)
    assert_calibrated(vals, us, 2.0)
    with pytest.raises(AnalysisIssue) as e:
        period.period_from_edges(np.array([0.0, 1.0, 2.0]), edges_per_period=2)
    assert e.value.code == "no_period"


def test_smoothed_derivative_of_a_parabola() -> None:
    rng = np.random.default_rng(0)
    t = np.sort(rng.uniform(0, 10, 800))
    y = 0.3 * t**2 + rng.normal(0, 0.01, t.size)
    tg, ys, dy = derivative.smoothed_derivative(t, y, 1.0)
    assert tg[0] > 0.4 and tg[-1] < 9.6  # half a window dropped at each end
    assert np.max(np.abs(dy - 0.6 * tg)) < 0.1
    assert np.max(np.abs(ys - 0.3 * tg**2)) < 0.05
    _, _, d2 = derivative.smoothed_derivative(t, y, 2.0, deriv=2)
    assert abs(np.median(d2) - 0.6) < 0.05
    with pytest.raises(AnalysisIssue) as e:
        derivative.smoothed_derivative(t[:5], y[:5], 1.0)
    assert e.value.code == "too_short"


def test_sg_coefficients_are_exact_on_polynomials() -> None:
    c = derivative.sg_coefficients(5, 2, 1, 0.1)
    x = np.arange(-5, 6) * 0.1
    assert np.dot(c, 2 + 3 * x + 4 * x**2) == pytest.approx(3.0)


def test_peaks_with_prominence() -> None:
    x = np.linspace(0, 10, 2001)
    y = 5 * np.exp(-((x - 3) ** 2) / 0.1) + 2 * np.exp(-((x - 7) ** 2) / 0.1) + 0.5 * np.sin(40 * x)
    idx, prom = peaks.find_peaks(y, min_prominence=1.5)
    assert [round(x[i], 1) for i in idx] == [3.0, 7.0]
    # height above the lower of the two bases, ripple (±0.5) included on both
    assert prom[0] == pytest.approx(6.0, abs=0.3) and prom[1] == pytest.approx(3.0, abs=0.3)
    small, _ = peaks.find_peaks(y)
    assert small.size > 10  # every ripple is a peak without a prominence threshold


def test_peaks_flat_top_and_edges() -> None:
    y = np.array([0, 1, 3, 3, 3, 1, 0, 2, 0], dtype=float)
    idx, prom = peaks.find_peaks(y)
    assert list(idx) == [3, 7] and list(prom) == [3.0, 2.0]
    assert peaks.find_peaks(np.array([1.0, 2.0]))[0].size == 0
    assert peaks.find_peaks(np.arange(10.0))[0].size == 0


def two_slit_scan(rng: np.random.Generator, dx: float, w: float, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Photodiode scanned over ±15 mm in 10 µm steps: I = 5 + 500·cos²(πx/Δx)·sinc²(x/W) + noise (lx)."""
    x = np.round(np.linspace(-0.015, 0.015, 3001) / 1e-5) * 1e-5 + rng.uniform(-1e-4, 1e-4)
    y = 5 + 500 * np.cos(np.pi * x / dx) ** 2 * np.sinc(x / w) ** 2 + rng.normal(0, noise, x.size)
    return x, np.maximum(y, 0.0)


@pytest.mark.parametrize(("dx", "ratio"), [(0.0019, 6.0), (0.0037, 4.0), (0.0029, 3.0)])
def test_fringe_spacing_is_calibrated_despite_the_envelope(dx: float, ratio: float) -> None:
    """d/a = ratio: the envelope moves the maxima inwards, neighbouring-peak spacing is biased; the fit is not."""
    values, us = [], []
    for seed in range(12):
        x, y = two_slit_scan(np.random.default_rng(seed), dx, dx * ratio, 6.0)
        f = fringes.fringe_fit(x, y)
        assert abs(f.envelope - dx * ratio) < 5 * f.u_envelope
        values.append(f.spacing)
        us.append(f.u_spacing)
    assert_calibrated(values, us, dx)
    assert float(np.mean(us)) < 0.002 * dx
    # the peak-to-peak spacing near the centre really is biased (why the whole pattern is fitted)
    x, y = two_slit_scan(np.random.default_rng(0), dx, dx * ratio, 0.0)
    k = np.nonzero((y[1:-1] > y[:-2]) & (y[1:-1] >= y[2:]) & (np.abs(x[1:-1]) < 1.5 * dx))[0] + 1
    assert float(np.mean(np.diff(x[k]))) < 0.995 * dx


def test_fringe_fit_refuses_a_flat_or_too_short_scan() -> None:
    x = np.linspace(0, 0.002, 200)
    with pytest.raises(AnalysisIssue) as e:
        fringes.fringe_fit(x, np.full(x.size, 30.0))
    assert e.value.code == "no_period"
    with pytest.raises(AnalysisIssue) as e:
        fringes.fringe_fit(x, 10 + 100 * np.cos(np.pi * x / 0.0015) ** 2)
    assert e.value.code == "too_short"
