"""Fits on synthetic data with a known answer: estimates within ~3 u, u matching the spread over seeds."""

from __future__ import annotations

import numpy as np
import pytest

from classlab.experiments.analysis import fit
from classlab.experiments.quantity import AnalysisIssue
from tests.calib import assert_calibrated

SEEDS = range(40)


@pytest.mark.parametrize("sigma", [0.05, 0.5])
def test_linear_fit_unweighted_recovers_slope_and_intercept(sigma: float) -> None:
    slopes, u_s, inters, u_i = [], [], [], []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        x = np.linspace(0, 10, 30)
        y = 2.5 * x - 1.0 + rng.normal(0, sigma, x.size)
        f = fit.linear_fit(x, y)
        slopes.append(f.slope)
        u_s.append(f.u_slope)
        inters.append(f.intercept)
        u_i.append(f.u_intercept)
        assert f.u_predict(0.0) == pytest.approx(f.u_intercept)
    assert_calibrated(slopes, u_s, 2.5)
    assert_calibrated(inters, u_i, -1.0)


def test_linear_fit_weighted_uses_the_weights() -> None:
    vals, us, naive = [], [], []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        x = np.linspace(1, 10, 40)
        sig = 0.02 * x**2  # noise grows with x
        y = 0.7 * x + 3 + rng.normal(0, sig)
        f = fit.linear_fit(x, y, sigma=sig)
        vals.append(f.slope)
        us.append(f.u_slope)
        naive.append(fit.linear_fit(x, y).slope)
    assert_calibrated(vals, us, 0.7)
    assert np.std(vals) < np.std(naive)  # weighting helps when noise differs


def test_linear_fit_absolute_sigma_takes_sigma_as_given() -> None:
    x = np.linspace(0, 1, 11)
    f = fit.linear_fit(x, 3 * x, sigma=np.full(x.size, 0.1), absolute_sigma=True)
    expected = 0.1 / np.sqrt(np.sum((x - x.mean()) ** 2))
    assert f.u_slope == pytest.approx(expected)


def test_quantisation_floor_keeps_uncertainty_above_zero() -> None:
    x = np.arange(20.0)
    y = np.round(0.5 * x)  # perfectly quantised: residuals alone would look small
    f = fit.linear_fit(x, np.full(20, 3.0), resolution=1.0)
    assert f.u_slope > 0 and f.u_intercept > 0
    assert fit.linear_fit(x, y, resolution=1.0).u_slope >= fit.linear_fit(x, y).u_slope


def test_linear_fit_failures_have_codes() -> None:
    with pytest.raises(AnalysisIssue) as e:
        fit.linear_fit([1.0, 2.0], [1.0, 2.0])
    assert e.value.code == "too_short" and e.value.zh
    with pytest.raises(AnalysisIssue) as e:
        fit.linear_fit([1.0, np.nan, 3.0, np.nan], [1.0, 2.0, 3.0, 4.0])
    assert e.value.code == "too_short"
    with pytest.raises(AnalysisIssue) as e:
        fit.linear_fit([2.0, 2.0, 2.0, 2.0], [1.0, 2.0, 3.0, 4.0])
    assert e.value.code == "degenerate"
    with pytest.raises(AnalysisIssue) as e:
        fit.require_r2(0.4, 0.9, "test")
    assert e.value.code == "poor_fit"
    with pytest.raises(AnalysisIssue):
        fit.require_r2(float("nan"), 0.9, "test")


@pytest.mark.parametrize(("y_inf", "tau", "sigma"), [(20.0, 30.0, 0.1), (80.0, 12.0, 0.3), (0.0, 0.7, 0.01)])
def test_exp_fit_recovers_time_constant(y_inf: float, tau: float, sigma: float) -> None:
    taus, us, infs, u_inf = [], [], [], []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        t = np.linspace(0, 5 * tau, 200) + 3.0
        y = y_inf + (95.0 - y_inf) * np.exp(-(t - 3.0) / tau) + rng.normal(0, sigma, t.size)
        f = fit.exp_fit(t, y)
        taus.append(f.tau)
        us.append(f.u_tau)
        infs.append(f.y_inf)
        u_inf.append(f.u_y_inf)
        assert f.r2 > 0.99
    assert_calibrated(taus, us, tau)
    assert_calibrated(infs, u_inf, y_inf)


def test_exp_fit_with_known_final_value() -> None:
    taus, us = [], []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        t = np.arange(0, 3, 0.01)
        y = 4.8 * np.exp(-t / 0.47) + rng.normal(0, 0.02, t.size)
        f = fit.exp_fit(t, y, y_inf=0.0)
        taus.append(f.tau)
        us.append(f.u_tau)
        assert f.y_inf == 0.0
    assert_calibrated(taus, us, 0.47)


def test_exp_fit_rejects_data_without_an_exponential() -> None:
    rng = np.random.default_rng(1)
    t = np.linspace(0, 10, 100)
    with pytest.raises(AnalysisIssue) as e:
        fit.exp_fit(t, 5 + rng.normal(0, 0.1, t.size))  # flat noise: tau runs to an edge of the search
    assert e.value.code == "poor_fit"
    with pytest.raises(AnalysisIssue) as e:
        fit.exp_fit(t[:5], t[:5])
    assert e.value.code == "too_short"


def test_poly_fit_recovers_acceleration() -> None:
    accs, us = [], []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        t = np.arange(0, 1.5, 0.025)
        x = 0.2 + 0.05 * t + 0.5 * 0.8 * t**2 + rng.normal(0, 0.002, t.size)
        f = fit.poly_fit(t, x, 2)
        accs.append(2 * f.coef[2])
        us.append(2 * f.u_coef[2])
    assert_calibrated(accs, us, 0.8)


@pytest.mark.parametrize("fit_offset", [True, False])
def test_inverse_square_fit(fit_offset: bool) -> None:
    ks, uk, d0s, ud0 = [], [], [], []
    d0_true = 0.03 if fit_offset else 0.0
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        d = np.linspace(0.1, 0.8, 40)
        e = 40.0 / (d - d0_true) ** 2 + 15.0
        e = e + rng.normal(0, 0.01 * e + 1.0)  # 1 % + 1 lx noise, as a light sensor
        f = fit.inverse_square_fit(d, e, fit_offset=fit_offset, sigma=0.01 * e + 1.0)
        ks.append(f.k)
        uk.append(f.u_k)
        d0s.append(f.d0)
        ud0.append(f.u_d0)
    assert_calibrated(ks, uk, 40.0)
    if fit_offset:
        assert_calibrated(d0s, ud0, d0_true)


def test_inverse_square_fit_failures() -> None:
    with pytest.raises(AnalysisIssue) as e:
        fit.inverse_square_fit(np.full(10, 0.3), np.arange(10.0))
    assert e.value.code == "degenerate"
    with pytest.raises(AnalysisIssue) as e:
        fit.inverse_square_fit(np.array([0.1, 0.2, 0.3]), np.array([3.0, 2.0, 1.0]))
    assert e.value.code == "too_short"


def test_x_quantisation_per_setting_is_propagated() -> None:
    """Current read in 0.1 mA steps at 5 settings: the step error is shared by all samples of a setting,
    so the slope's u must include it (the residual scatter alone is far too small)."""
    vals, us, naive = [], [], []
    for seed in range(60):
        rng = np.random.default_rng(seed)
        i_true = np.repeat(np.linspace(0.002, 0.010, 5) + rng.uniform(-1e-3, 1e-3, 5), 40)
        i_read = np.round(i_true / 1e-4) * 1e-4
        v = 100.0 * i_true + rng.normal(0, 0.001, i_true.size)
        f = fit.linear_fit(i_read, v, x_resolution=1e-4)
        vals.append(f.slope)
        us.append(f.u_slope)
        naive.append(fit.linear_fit(i_read, v).u_slope)
    assert_calibrated(vals, us, 100.0)
    assert np.mean(naive) < 0.3 * np.mean(us)
