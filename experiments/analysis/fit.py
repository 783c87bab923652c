"""Least-squares fits with parameter uncertainties / 带参数不确定度的最小二乘拟合.

Uncertainty method (all fits): the parameter covariance is ``s² (JᵀWJ)⁻¹`` where ``J`` is the model's
Jacobian at the optimum and ``s²`` the residual variance ``Σw r² / (n − p)`` — i.e. the scatter of the
data about the fit sets the scale (what scipy calls ``absolute_sigma=False``). When the caller states
the instrument ``resolution`` (quantisation step, in y units), ``s²`` is not allowed below the
quantisation variance ``resolution² / 12``, so perfectly quantised data never claim zero uncertainty.
With ``absolute_sigma=True`` the given per-point ``sigma`` are taken as true (no residual scaling).

Non-linear models with one non-linear parameter (exponential rate, inverse-square offset) are solved
by variable projection: for each trial value of the non-linear parameter the linear ones follow from
a linear least-squares solve; a log-spaced scan brackets the minimum and golden-section search
polishes it. This needs no starting guess and cannot wander off, so scipy is not needed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from classlab.experiments.quantity import AnalysisIssue

__all__ = [
    "ExpFit", "InverseSquareFit", "LinearFit", "PolyFit", "exp_fit", "inverse_square_fit", "linear_fit", "poly_fit",
    "require_r2",
]


def _too_short(n: int, need: int, what: str) -> AnalysisIssue:
    return AnalysisIssue(
        "too_short",
        f"{what}: {n} usable points, at least {need} needed — record for longer or check the sensor",
        f"{what}：只有 {n} 个有效数据点，至少需要 {need} 个——请延长记录时间或检查传感器",
    )


def _clean_xy(x: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones_like(y) if w is None else np.asarray(w, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y) & np.isfinite(w) & (w > 0)
    return x[ok], y[ok], w[ok]


def _r2(y: np.ndarray, resid: np.ndarray, w: np.ndarray) -> float:
    ybar = np.sum(w * y) / np.sum(w)
    sst = float(np.sum(w * (y - ybar) ** 2))
    ssr = float(np.sum(w * resid**2))
    return 1.0 - ssr / sst if sst > 0 else 0.0


def _covariance(jac: np.ndarray, w: np.ndarray, resid: np.ndarray, resolution: float, absolute: bool) -> np.ndarray:
    n, p = jac.shape
    jw = jac * w[:, None]
    try:
        inv = np.linalg.inv(jac.T @ jw)
    except np.linalg.LinAlgError:
        raise AnalysisIssue(
            "degenerate", "the data do not determine the fit (all x the same?)", "数据无法确定拟合（自变量全部相同？）"
        ) from None
    if absolute:
        return inv
    s2 = float(np.sum(w * resid**2)) / (n - p) if n > p else math.inf
    # quantisation floor, expressed in the weighted scale (weights relative to their mean)
    s2 = max(s2, (resolution**2 / 12.0) * float(np.mean(w)))
    return inv * s2


@dataclass(frozen=True)
class LinearFit:
    """y = slope·x + intercept, with standard uncertainties and covariance (slope, intercept)."""

    slope: float
    intercept: float
    u_slope: float
    u_intercept: float
    cov: np.ndarray
    r2: float
    n: int
    residual_sd: float

    def predict(self, x: np.ndarray | float) -> np.ndarray:
        return self.slope * np.asarray(x, dtype=np.float64) + self.intercept

    def u_predict(self, x: float) -> float:
        """Standard uncertainty of the fitted line at ``x`` (from the covariance)."""
        v = self.cov[0, 0] * x * x + 2 * self.cov[0, 1] * x + self.cov[1, 1]
        return math.sqrt(max(v, 0.0))


def linear_fit(
    x: np.ndarray,
    y: np.ndarray,
    sigma: np.ndarray | None = None,
    *,
    resolution: float = 0.0,
    x_resolution: float = 0.0,
    absolute_sigma: bool = False,
    min_points: int = 3,
    what: str = "linear fit",
) -> LinearFit:
    """Straight-line least squares (weights ``1/sigma²`` if ``sigma`` is given).

    ``x_resolution``: quantisation step of x. Readings taken at one setting share one quantisation
    error (it does not average out over the samples of that setting), so x is grouped into levels of
    that step and each level's error (step/√12) is propagated through the fit as a fixed shift of all
    its points: cov += slope²·(step²/12)·A·M·Mᵀ·A, with A = (JᵀWJ)⁻¹ and M the per-level sums of W·J.
    Raises AnalysisIssue ``too_short`` (fewer than ``min_points`` finite points) or ``degenerate``.
    """
    w = None if sigma is None else 1.0 / np.asarray(sigma, dtype=np.float64) ** 2
    x, y, w = _clean_xy(x, y, w)
    n = int(x.size)
    if n < max(min_points, 3):
        raise _too_short(n, max(min_points, 3), what)
    xm = float(np.sum(w * x) / np.sum(w))  # centre x for numerical stability
    jac = np.column_stack([x - xm, np.ones_like(x)])
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(jac * sw[:, None], y * sw, rcond=None)
    resid = y - jac @ coef
    cov_c = _covariance(jac, w, resid, resolution, absolute_sigma)
    if x_resolution > 0:
        _, level = np.unique(np.round(x / x_resolution), return_inverse=True)
        m = np.zeros((int(level.max()) + 1, 2))
        np.add.at(m, level, jac * w[:, None])
        a = np.linalg.inv(jac.T @ (jac * w[:, None]))
        cov_c = cov_c + coef[0] ** 2 * (x_resolution**2 / 12) * (a @ m.T @ m @ a)
    # back from centred (b, a_c) to (slope, intercept = a_c − b·xm)
    tr = np.array([[1.0, 0.0], [-xm, 1.0]])
    cov = tr @ cov_c @ tr.T
    slope, intercept = float(coef[0]), float(coef[1] - coef[0] * xm)
    return LinearFit(
        slope,
        intercept,
        math.sqrt(cov[0, 0]),
        math.sqrt(cov[1, 1]),
        cov,
        _r2(y, resid, w),
        n,
        float(np.sqrt(np.sum(resid**2) / max(n - 2, 1))),
    )


@dataclass(frozen=True)
class PolyFit:
    """y = Σ coef[k]·(x − x_ref)^k, coefficients lowest order first, with covariance."""

    coef: np.ndarray
    cov: np.ndarray
    x_ref: float
    r2: float
    n: int

    @property
    def u_coef(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))


def poly_fit(x: np.ndarray, y: np.ndarray, deg: int, *, x_ref: float | None = None, resolution: float = 0.0,
             min_points: int | None = None, what: str = "polynomial fit") -> PolyFit:
    """Least-squares polynomial of degree ``deg`` in (x − x_ref) (x_ref default: first x).

    E.g. position of a cart s(t) = s0 + v0·t + ½a·t²: ``coef[2]·2`` is the acceleration.
    """
    x, y, w = _clean_xy(x, y, None)
    need = max(min_points or 0, deg + 2)
    if x.size < need:
        raise _too_short(int(x.size), need, what)
    ref = float(x[0]) if x_ref is None else float(x_ref)
    jac = np.vander(x - ref, deg + 1, increasing=True)
    coef, *_ = np.linalg.lstsq(jac, y, rcond=None)
    resid = y - jac @ coef
    cov = _covariance(jac, w, resid, resolution, False)
    return PolyFit(coef, cov, ref, _r2(y, resid, w), int(x.size))


def require_r2(r2: float, min_r2: float, what: str) -> None:
    """AnalysisIssue ``poor_fit`` if the coefficient of determination is below ``min_r2``."""
    if not r2 >= min_r2:
        raise AnalysisIssue(
            "poor_fit",
            f"{what}: the data do not follow the expected curve (r² = {r2:.3f} < {min_r2}); check the setup and repeat",
            f"{what}：数据与预期曲线不符（r² = {r2:.3f} < {min_r2}）；请检查装置后重做",
        )


def _golden(f: Callable[[float], float], a: float, b: float, iters: int = 60) -> float:
    g = (math.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(iters):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return (a + b) / 2


def _varpro(
    basis: Callable[[float], np.ndarray], y: np.ndarray, w: np.ndarray, grid: np.ndarray, log: bool
) -> tuple[float, np.ndarray, bool]:
    """Minimise Σw(y − B(θ)c)² over θ (scan + golden) and c (linear). Returns θ, c, at_edge."""
    sw = np.sqrt(w)

    def cost(theta: float) -> float:
        b = basis(theta)
        c, *_ = np.linalg.lstsq(b * sw[:, None], y * sw, rcond=None)
        return float(np.sum(w * (y - b @ c) ** 2))

    costs = np.array([cost(float(g)) for g in grid])
    i = int(np.nanargmin(costs))
    at_edge = i in (0, grid.size - 1)
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    if log:
        theta = math.exp(_golden(lambda u: cost(math.exp(u)), math.log(lo), math.log(hi)))
    else:
        theta = _golden(cost, float(lo), float(hi))
    b = basis(theta)
    c, *_ = np.linalg.lstsq(b * sw[:, None], y * sw, rcond=None)
    return theta, c, at_edge


@dataclass(frozen=True)
class ExpFit:
    """y(t) = y_inf + (y0 − y_inf)·exp(−(t − t_ref)/tau); uncertainties are 1 sigma."""

    tau: float
    u_tau: float
    y_inf: float
    u_y_inf: float
    y0: float
    u_y0: float
    t_ref: float
    r2: float
    n: int

    def predict(self, t: np.ndarray) -> np.ndarray:
        return self.y_inf + (self.y0 - self.y_inf) * np.exp(-(np.asarray(t) - self.t_ref) / self.tau)


def exp_fit(
    t: np.ndarray,
    y: np.ndarray,
    *,
    resolution: float = 0.0,
    y_inf: float | None = None,
    min_points: int = 8,
    what: str = "exponential fit",
) -> ExpFit:
    """Exponential approach or decay towards ``y_inf`` (fitted unless given, e.g. 0 V for a discharge).

    ``tau`` must lie between a tenth of the sample spacing·3 and ~5× the record span, else ``too_short``
    (the record does not show enough of the curve). Uncertainty: Jacobian covariance scaled by the
    residual variance (module docstring).
    """
    t, y, w = _clean_xy(t, y, None)
    n = int(t.size)
    if n < min_points:
        raise _too_short(n, min_points, what)
    t_ref = float(t[0])
    tt = t - t_ref
    span = float(tt[-1] - tt[0]) if n else 0.0
    dt = float(np.median(np.diff(tt))) if n > 1 else 0.0
    if span <= 0 or dt <= 0:
        raise _too_short(n, min_points, what)
    free_inf = y_inf is None
    target = 0.0 if y_inf is None else float(y_inf)
    yy = y - target

    def basis(k: float) -> np.ndarray:
        e = np.exp(-k * tt)
        return np.column_stack([np.ones_like(tt), e]) if free_inf else e[:, None]

    grid = np.geomspace(0.2 / span, 1.0 / (2 * dt), 80)
    k, c, at_edge = _varpro(basis, yy, w, grid, log=True)
    if at_edge:
        raise AnalysisIssue(
            "poor_fit",
            f"{what}: no exponential curve with a time constant inside the record ({span:.3g} s) — record longer or check the sensor",
            f"{what}：记录（{span:.3g} 秒）中看不出指数变化——请延长记录或检查传感器",
        )
    e = np.exp(-k * tt)
    if free_inf:
        yinf, amp = float(c[0]), float(c[1])
        jac = np.column_stack([np.ones_like(tt), e, -amp * tt * e])
    else:
        yinf, amp = target, float(c[0])
        jac = np.column_stack([e, -amp * tt * e])
    resid = yy - basis(k) @ c
    cov = _covariance(jac, w, resid, resolution, False)
    u_k = math.sqrt(cov[-1, -1])
    if free_inf:
        u_inf, u_amp = math.sqrt(cov[0, 0]), math.sqrt(cov[0, 0] + cov[1, 1] + 2 * cov[0, 1])
    else:
        u_inf, u_amp = 0.0, math.sqrt(cov[0, 0])
    amp_u = math.sqrt(cov[1, 1] if free_inf else cov[0, 0])
    if abs(amp) < 3 * amp_u or u_k > 0.5 * k:
        raise AnalysisIssue(
            "poor_fit",
            f"{what}: the change is too small against the noise to give a time constant",
            f"{what}：变化量相对噪声太小，无法得到时间常数",
        )
    return ExpFit(1.0 / k, u_k / k**2, yinf, u_inf, yinf + amp, u_amp, t_ref, _r2(yy, resid, w), n)


@dataclass(frozen=True)
class InverseSquareFit:
    """E(d) = k / (d − d0)² + background."""

    k: float
    u_k: float
    d0: float
    u_d0: float
    background: float
    u_background: float
    r2: float
    n: int


def inverse_square_fit(
    d: np.ndarray,
    e: np.ndarray,
    *,
    fit_offset: bool = True,
    fit_background: bool = True,
    sigma: np.ndarray | None = None,
    resolution: float = 0.0,
    min_points: int = 5,
    what: str = "inverse-square fit",
) -> InverseSquareFit:
    """Fit E = k/(d − d0)² (+ background). ``d0`` is the source/sensor position offset (same unit as d).

    ``d0`` is searched in (min(d) − 5·span, min(d) − span/1000): the source must lie before the nearest
    reading. ``sigma``: per-point noise in E's unit (relative values suffice: light sensors' noise grows
    with the reading, so pass e.g. ``0.01·E + resolution``); weights ``1/sigma²``. Jacobian covariance
    scaled by the weighted residual variance.
    """
    d, e, w = _clean_xy(d, e, None if sigma is None else 1.0 / np.asarray(sigma, dtype=np.float64) ** 2)
    w = w / np.mean(w) if w.size else w
    n = int(d.size)
    need = max(min_points, 2 + int(fit_offset) + int(fit_background))
    if n < need:
        raise _too_short(n, need, what)
    span = float(d.max() - d.min())
    if span <= 0:
        raise AnalysisIssue("degenerate", f"{what}: all distances are equal", f"{what}：所有距离都相同")

    def basis(d0: float) -> np.ndarray:
        inv = 1.0 / (d - d0) ** 2
        return np.column_stack([inv, np.ones_like(d)]) if fit_background else inv[:, None]

    if fit_offset:
        dmin = float(d.min())
        gaps = np.geomspace(span / 1000, 5 * span, 80)  # d0 = dmin − gap
        gap, c, at_edge = _varpro(lambda g: basis(dmin - g), e, w, gaps, log=True)
        if at_edge and gap < span / 100:
            raise AnalysisIssue("poor_fit", f"{what}: the data do not fall off as 1/d²", f"{what}：数据不符合 1/d² 衰减")
        d0 = dmin - gap
    else:
        d0 = 0.0
        sw = np.sqrt(w)
        c, *_ = np.linalg.lstsq(basis(0.0) * sw[:, None], e * sw, rcond=None)
    k = float(c[0])
    bg = float(c[1]) if fit_background else 0.0
    inv = 1.0 / (d - d0) ** 2
    cols = [inv]
    if fit_offset:
        cols.append(2 * k / (d - d0) ** 3)
    if fit_background:
        cols.append(np.ones_like(d))
    jac = np.column_stack(cols)
    resid = e - basis(d0) @ c
    cov = _covariance(jac, w, resid, resolution, False)
    u = np.sqrt(np.diag(cov))
    u_d0 = float(u[1]) if fit_offset else 0.0
    u_bg = float(u[-1]) if fit_background else 0.0
    return InverseSquareFit(k, float(u[0]), d0, u_d0, bg, u_bg, _r2(e, resid, w), n)
