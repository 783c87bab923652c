"""Two-slit interference fringes / 双缝干涉条纹: spacing Δx from a scan of intensity against position.

Model (Fraunhofer, two slits of width a, separation d, at distance L; x measured on the scan):

    I(x) = B + A·cos²(π (x − x0)/Δx)·sinc²((x − x0)/W),   Δx = λL/d,  W = λL/a,

with ``sinc(z) = sin(πz)/(πz)``; W is the distance from the centre to the envelope's first zero. The
single-slit envelope pulls the intensity maxima towards the centre (a few % for a/d ≈ 1/4), so the
spacing of neighbouring peaks is biased short and the mean-crossing period long; fitting the whole
pattern recovers the cos² period itself.

Method: the brightest point (smoothed over 5 samples) starts the centre x0; a grid over Δx (log-spaced,
4 position steps … a third of the scan) and over W/Δx (1 … 60, or no envelope) picks the start, with
B and A solved linearly for each trial; Levenberg–Marquardt then refines (x0, Δx, 1/W) with B, A
re-solved linearly each time (variable projection). Uncertainty: ``s²(JᵀJ)⁻¹`` of the full
five-parameter model at the optimum, s² the residual variance (see :mod:`fit`), so it is what the
scatter of the points about the fitted pattern supports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from classlab.experiments.analysis.fit import _covariance, _r2
from classlab.experiments.quantity import AnalysisIssue

__all__ = ["FringeFit", "fringe_fit"]


@dataclass(frozen=True)
class FringeFit:
    """Fitted two-slit pattern; lengths in the x unit, intensities in the y unit, uncertainties 1 σ."""

    spacing: float
    u_spacing: float
    centre: float
    u_centre: float
    envelope: float  # centre → first envelope zero (inf: no envelope seen)
    u_envelope: float
    amplitude: float
    background: float
    r2: float
    n: int


def _pattern(x: np.ndarray, x0: float, dx: float, s: float) -> np.ndarray:
    u = x - x0
    return np.cos(np.pi * u / dx) ** 2 * np.sinc(u * s) ** 2


def _solve_linear(x: np.ndarray, y: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(B, A) and the residual for the nonlinear parameters θ = (x0, Δx, s)."""
    g = _pattern(x, *theta)
    basis = np.column_stack([np.ones_like(x), g])
    c, *_ = np.linalg.lstsq(basis, y, rcond=None)
    return c, y - basis @ c


def _full_jacobian(x: np.ndarray, c: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """∂I/∂(B, A, x0, Δx, s), analytic."""
    x0, dx, s = theta
    u = x - x0
    ph = np.pi * u / dx
    cos2 = np.cos(ph) ** 2
    d_cos2 = -np.sin(2 * ph)  # d cos²(ph)/d ph
    z = u * s
    sc = np.sinc(z)
    pz = np.pi * z
    safe = np.where(np.abs(pz) < 1e-8, 1.0, pz)
    d_sinc = np.where(np.abs(pz) < 1e-8, 0.0, (np.cos(pz) - np.sin(pz) / safe) / safe * np.pi)  # d sinc(z)/dz
    env = sc**2
    d_env_dz = 2 * sc * d_sinc
    a = c[1]
    d_x0 = a * (d_cos2 * (-np.pi / dx) * env + cos2 * d_env_dz * (-s))
    d_dx = a * d_cos2 * (-np.pi * u / dx**2) * env
    d_s = a * cos2 * d_env_dz * u
    return np.column_stack([np.ones_like(x), cos2 * env, d_x0, d_dx, d_s])


def _start(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    step = float(np.median(np.diff(x)))
    span = float(x[-1] - x[0])
    k = int(np.argmax(np.convolve(y, np.ones(5) / 5, mode="same")))
    x0 = float(x[k])
    u = x - x0
    inv_w = np.concatenate([[0.0], 1.0 / np.geomspace(4 * step, 20 * span, 14)])
    envs = np.sinc(np.outer(inv_w, u)) ** 2  # one row per envelope trial
    yc = y - y.mean()
    best = (-math.inf, np.array([x0, span / 4, 0.0]))
    for dx in np.geomspace(max(4 * step, span / 400), span / 3, 240):
        g = np.cos(np.pi * u / dx) ** 2 * envs
        gc = g - g.mean(axis=1, keepdims=True)
        sgg = np.einsum("ij,ij->i", gc, gc)
        explained = (gc @ yc) ** 2 / np.where(sgg > 0, sgg, np.inf)  # cost = Σyc² − explained (B, A free)
        i = int(np.argmax(explained))
        if explained[i] > best[0]:
            best = (float(explained[i]), np.array([x0, dx, inv_w[i]]))
    return best[1]


def _refine(x: np.ndarray, y: np.ndarray, theta: np.ndarray, iters: int = 60) -> np.ndarray:
    lam = 1e-3
    c, resid = _solve_linear(x, y, theta)
    cost = float(resid @ resid)
    for _ in range(iters):
        j = _full_jacobian(x, c, theta)[:, 2:]
        jtj = j.T @ j
        g = j.T @ resid
        improved = False
        for _ in range(20):
            try:
                step = np.linalg.solve(jtj + lam * np.diag(np.diag(jtj) + 1e-30), g)
            except np.linalg.LinAlgError:
                break
            trial = theta + step
            trial[2] = abs(trial[2])  # sinc² is even in s
            if trial[1] <= 0:
                lam *= 10
                continue
            c2, r2 = _solve_linear(x, y, trial)
            cost2 = float(r2 @ r2)
            if cost2 < cost:
                converged = cost - cost2 < 1e-12 * cost
                theta, c, resid, cost = trial, c2, r2, cost2
                lam = max(lam / 10, 1e-12)
                improved = True
                if converged:
                    return theta
                break
            lam *= 10
        if not improved:
            break
    return theta


def _unique_mean(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Readings at the same position (stage at rest) averaged into one point."""
    xs, inv, counts = np.unique(x, return_inverse=True, return_counts=True)
    ys = np.bincount(inv, weights=y) / counts
    return xs, ys


def fringe_fit(x: np.ndarray, y: np.ndarray, *, min_fringes: int = 3) -> FringeFit:
    """Fit the two-slit pattern to intensity ``y`` scanned along ``x``. AnalysisIssue ``too_short``
    with fewer than ``min_fringes`` fringes in the scan, ``no_period`` if no pattern is found."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = _unique_mean(x[ok], y[ok])
    if x.size < 20:
        raise AnalysisIssue("too_short", f"only {x.size} distinct positions in the scan, at least 20 needed — scan more finely",
                            f"扫描中只有 {x.size} 个不同位置，至少需要 20 个——请更细密地扫描")
    if float(np.ptp(y)) == 0:
        raise AnalysisIssue("no_period", "no fringes: the light reading is constant", "没有条纹：光照读数恒定不变")
    theta = _refine(x, y, _start(x, y))
    c, resid = _solve_linear(x, y, theta)
    x0, dx, s = (float(v) for v in theta)
    span = float(x[-1] - x[0])
    if c[1] <= 0 or span / dx < min_fringes:
        raise AnalysisIssue("too_short", f"fewer than {min_fringes} fringes in the scan — scan a wider range",
                            f"扫描范围内的条纹少于 {min_fringes} 条——请扩大扫描范围")
    jac = _full_jacobian(x, c, theta)
    w = np.ones_like(x)
    cov = _covariance(jac, w, resid, 0.0, False)
    u = np.sqrt(np.maximum(np.diag(cov), 0.0))
    if not u[3] < 0.1 * dx:
        raise AnalysisIssue("no_period", "the scan does not show a clear fringe pattern — check the alignment and the room light",
                            "扫描没有显示清晰的干涉条纹——请检查光路对准和环境光")
    env = 1.0 / s if s > 0 else math.inf
    u_env = u[4] / s**2 if s > 0 else math.inf
    return FringeFit(dx, float(u[3]), x0, float(u[2]), env, u_env, float(c[1]), float(c[0]), _r2(y, resid, w), int(x.size))
