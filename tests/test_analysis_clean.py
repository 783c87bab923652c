"""Cleaning real recordings, statistics, quantities and units."""

from __future__ import annotations

import math

import numpy as np
import pytest

from classlab.experiments.analysis import clean, stats
from classlab.experiments.quantity import (
    AnalysisIssue,
    Quantity,
    compatible,
    convert,
    dimension,
    div_unit,
    mul_unit,
)
from tests.calib import assert_calibrated


def test_clean_sorts_merges_and_drops() -> None:
    t = np.array([0.0, 2.0, 1.0, 1.0, 3.0, np.nan, 4.0, 20.0])
    y = np.array([1.0, 3.0, 2.0, 4.0, np.nan, 9.0, 5.0, 6.0])
    tc, yc, rep = clean.clean(t, y)
    assert list(tc) == [0.0, 1.0, 2.0, 4.0, 20.0]
    assert list(yc) == [1.0, 3.0, 3.0, 5.0, 6.0]  # the two rows at t = 1 s averaged
    assert rep.dropped == 2 and rep.merged == 1 and rep.reordered
    assert rep.gaps == ((4.0, 20.0),)


def test_find_gaps_and_resample() -> None:
    t = np.concatenate([np.arange(0, 10, 0.1), np.arange(15, 20, 0.1)])
    assert clean.find_gaps(t) == [(pytest.approx(9.9), 15.0)]
    tg, yg = clean.resample_uniform(np.array([0.0, 1.0, 3.0]), np.array([0.0, 1.0, 3.0]), 0.5)
    assert list(tg) == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0] and np.allclose(yg, tg)


def test_action_start_after_a_long_flat_start() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(0, 120, 0.5)
    y = np.where(t < 70, 21.0, 21.0 + 0.5 * (t - 70)) + rng.normal(0, 0.05, t.size)
    t0 = clean.action_start(t, y)
    assert 68 <= t0 <= 71
    assert clean.action_start(t, 21.0 + 0.5 * t) == 0.0  # moving from the first sample
    with pytest.raises(AnalysisIssue) as e:
        clean.action_start(t, 21.0 + rng.normal(0, 0.05, t.size))
    assert e.value.code == "no_action"


def test_action_start_after_a_short_flat_start() -> None:
    """2 s at 0 V before the supply is switched on in a 4-minute record (less than the default 5 %
    baseline window): the flat start is still found, and trim_flat both ends keeps only the on level."""
    t = np.arange(0, 240, 0.2)
    y = np.where((t >= 2) & (t < 236), 11.6, 0.0) + np.random.default_rng(2).normal(0, 0.003, t.size)
    assert 1.9 <= clean.action_start(t, y) <= 2.1
    assert 235.7 <= -clean.action_start(-t[::-1], y[::-1]) <= 235.9  # last sample on


def test_outliers_find_spikes_not_motion() -> None:
    t = np.arange(0, 3, 0.025)
    y = np.round((0.2 + 0.4 * t**2 + np.random.default_rng(1).normal(0, 0.002, t.size)) / 0.001) * 0.001
    y[[10, 11, 50, 119]] = [4.0, 0.05, 0.03, 0.04]  # a lost echo and short echoes, one at the very end
    mask = clean.outliers(y, min_dev=0.003)
    assert set(np.nonzero(mask)[0]) == {10, 11, 50, 119}


def test_saturation() -> None:
    t = np.linspace(0, 10, 1000)
    clipped = np.clip(3 * np.sin(2 * np.pi * t), -2, 2)
    with pytest.raises(AnalysisIssue) as e:
        clean.check_saturation(clipped)
    assert e.value.code == "saturated" and "量程" in e.value.zh
    with pytest.raises(AnalysisIssue):
        clean.check_saturation(np.minimum(t * 10000, 65535.0), full_scale_max=65535.0)
    # a boiling plateau flickering by one quantisation step is not saturation
    boil = np.round(np.where(t < 5, 20 + 16 * t, 100 + np.random.default_rng(0).normal(0, 0.03, t.size)) / 0.0625) * 0.0625
    clean.check_saturation(boil)
    clean.check_saturation(3 * np.sin(2 * np.pi * t))


def test_saturation_auto_off_checks_only_stated_limits() -> None:
    """Dark fringes and open leads rest at 0 again and again: flagged by the heuristic, not with auto off."""
    t = np.linspace(0, 10, 1000)
    dark = np.maximum(np.round(400 * np.cos(2 * np.pi * t) ** 2 - 40), 0.0)
    with pytest.raises(AnalysisIssue):
        clean.check_saturation(dark, full_scale_max=54612.0)
    clean.check_saturation(dark, full_scale_max=54612.0, auto=False)
    with pytest.raises(AnalysisIssue) as e:  # the stated limit is still checked
        clean.check_saturation(np.minimum(dark * 200, 54612.0), full_scale_max=54612.0, tol=1.0, auto=False)
    assert "54612" in e.value.en


def test_mean_se_is_calibrated_and_corrects_for_correlation() -> None:
    means, us, means_c, us_c = [], [], [], []
    for seed in range(60):
        rng = np.random.default_rng(seed)
        white = 5 + rng.normal(0, 0.3, 200)
        m, u = stats.mean_se(white)
        means.append(m)
        us.append(u)
        # probe lag: first-order filtered noise, strongly correlated neighbours
        e = rng.normal(0, 0.3, 2000)
        red = np.empty_like(e)
        acc = 0.0
        for i, x in enumerate(e):
            acc = 0.9 * acc + 0.1 * x
            red[i] = acc
        m, u = stats.mean_se(5 + red[200:])
        means_c.append(m)
        us_c.append(u)
    assert_calibrated(means, us, 5.0)
    assert_calibrated(means_c, us_c, 5.0)
    # quantisation without dithering noise: the floor holds
    _, u = stats.mean_se(np.full(50, 3.0), resolution=0.1)
    assert u == pytest.approx(0.1 / math.sqrt(12))
    with pytest.raises(AnalysisIssue) as e:
        stats.mean_se(np.array([1.0]))
    assert e.value.code == "too_short"


def test_rms_and_trapezoid() -> None:
    t = np.arange(0, 1, 1e-4)
    v, u = stats.rms(2 * math.sqrt(2) * np.sin(2 * np.pi * 50 * t))
    assert v == pytest.approx(2.0, rel=1e-3) and u < 1e-3
    vals, us = [], []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        tt = np.sort(rng.uniform(0, 10, 300))
        i = 0.5 * np.exp(-tt / 3) + rng.normal(0, 0.01, tt.size)
        q, uq = stats.trapezoid(tt, i)
        vals.append(q - 0.5 * 3 * (math.exp(-tt[0] / 3) - math.exp(-tt[-1] / 3)))  # minus the exact area
        us.append(uq)
    assert_calibrated(vals, us, 0.0, ratio=(0.5, 2.5))  # trapezoid error on a curve adds a little spread


def test_quantity_and_units() -> None:
    q = Quantity(1.5, 0.02, "V")
    assert q.to_json() == {"value": 1.5, "uncertainty": 0.02, "unit": "V"}
    assert q.to("mV") == Quantity(1500.0, 20.0, "mV")
    assert Quantity(25.0, 0.1, "C").to("K").value == pytest.approx(298.15)
    assert Quantity(25.0, 0.1, "C").to("K").uncertainty == pytest.approx(0.1)
    with pytest.raises(AnalysisIssue) as e:
        Quantity(float("nan"), 0.1, "V")
    assert e.value.code == "not_finite"
    with pytest.raises(AnalysisIssue) as e:
        convert([1.0], "A", "V")
    assert e.value.code == "wrong_units" and e.value.zh
    with pytest.raises(AnalysisIssue):
        convert([1.0], "furlong", "m")
    assert convert([212.0], "degF", "C")[0] == pytest.approx(100.0)
    assert compatible("mV", "V") and compatible("cm", "m") and not compatible("A", "V")
    assert not compatible("level", "1") and not compatible("%", "1") and compatible("anything", None)
    assert div_unit("V", "A") == "ohm" and div_unit("m", "s") == "m/s" and div_unit("m", "s2") == "m/s^2"
    assert div_unit("C", "s") == "C/s" and div_unit("g", "cm3") == "g/cm3" and div_unit("V", "V") == "1"
    assert mul_unit("V", "A") == "W" and mul_unit("A", "s") == "As" and mul_unit("lx", "m2") == "lx*m2"
    assert dimension("mV") == "m2 kg s-3 A-1" and dimension("%") == "1 [percent]"
    assert convert([1.0], "C/min", "C/s")[0] == pytest.approx(1 / 60)


def test_identical_quantised_readings_still_have_an_uncertainty() -> None:
    assert stats.infer_resolution(np.full(30, 0.0123)) == pytest.approx(1e-4)
    assert stats.infer_resolution(np.array([1.0, 1.25, 1.5, 1.25])) == pytest.approx(0.25)
    m, u = stats.mean_se(np.full(30, 0.0123))
    assert m == pytest.approx(0.0123) and u == pytest.approx(1e-4 / math.sqrt(12))


def test_descriptive_mean_of_a_logged_day() -> None:
    t = np.arange(0, 86400, 60.0)
    temp = 20 + 5 * np.sin(2 * np.pi * t / 86400) + np.random.default_rng(0).normal(0, 0.09, t.size)
    _, u_stat = stats.mean_se(temp)
    m, u = stats.mean_se(temp, descriptive=True)
    assert abs(m - 20) < 0.05 and u < 0.01 < u_stat  # the swing is the record, not noise
