"""Input cleaning for real recordings / 真实记录数据的清理.

Other loggers' CSVs arrive unsorted, with repeated timestamps, gaps, NaN cells, a long flat stretch
before the student pressed go, or a sensor stuck at its full-scale limit. These functions fix what
can be fixed without inventing data, and raise :class:`AnalysisIssue` for what cannot.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from classlab.experiments.analysis.stats import infer_resolution, noise_sd
from classlab.experiments.quantity import AnalysisIssue

__all__ = [
    "CleanReport", "action_start", "check_saturation", "clean", "find_gaps", "outliers", "resample_uniform",
]


@dataclass(frozen=True)
class CleanReport:
    """What :func:`clean` did: dropped non-finite rows, merged repeated timestamps, gaps found."""

    dropped: int
    merged: int
    reordered: bool
    gaps: tuple[tuple[float, float], ...]


def find_gaps(t: np.ndarray, factor: float = 5.0) -> list[tuple[float, float]]:
    """(start, end) of intervals longer than ``factor`` × the median sample spacing (t sorted, in s)."""
    t = np.asarray(t, dtype=np.float64)
    if t.size < 3:
        return []
    dt = np.diff(t)
    med = float(np.median(dt[dt > 0])) if np.any(dt > 0) else 0.0
    if med <= 0:
        return []
    idx = np.nonzero(dt > factor * med)[0]
    return [(float(t[i]), float(t[i + 1])) for i in idx]


def clean(t: np.ndarray, y: np.ndarray, *, gap_factor: float = 5.0) -> tuple[np.ndarray, np.ndarray, CleanReport]:
    """Drop NaN/inf rows, sort by time (stable), merge repeated timestamps (mean of their values).

    Returns new arrays (time in s, values) and a :class:`CleanReport`. Vectorised: one argsort and one
    ``np.unique`` + ``np.bincount`` for the merge.
    """
    t = np.asarray(t, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ok = np.isfinite(t) & np.isfinite(y)
    dropped = int(t.size - np.count_nonzero(ok))
    t, y = t[ok], y[ok]
    reordered = bool(t.size > 1 and np.any(np.diff(t) < 0))
    if reordered:
        order = np.argsort(t, kind="stable")
        t, y = t[order], y[order]
    merged = 0
    if t.size > 1 and np.any(np.diff(t) == 0):
        ut, inverse, counts = np.unique(t, return_inverse=True, return_counts=True)
        y = np.bincount(inverse, weights=y) / counts
        merged = int(t.size - ut.size)
        t = ut
    return t, y, CleanReport(dropped, merged, reordered, tuple(find_gaps(t, gap_factor)))


def outliers(y: np.ndarray, *, t: np.ndarray | None = None, window: int = 7, k: float = 5.0,
             min_dev: float = 0.0) -> np.ndarray:
    """Boolean mask of spikes: samples farther than ``max(k·σ, min_dev)`` from the trend-corrected
    running median of ``window`` samples (each neighbour moved along the window's median slope), σ the
    robust (MAD) spread of the residuals. Suits ultrasonic spurious echoes on a moving cart.

    A spike also shifts its neighbours' medians, so each pass removes only samples whose residual is
    the largest in their window and that are not between their nearest kept neighbours (a steady
    motion's samples are), and the medians are recomputed without them (up to 5 passes).
    """
    y = np.asarray(y, dtype=np.float64)
    mask = np.zeros(y.size, dtype=bool)
    if y.size < window:
        return mask
    half = window // 2
    # offsets in time when given (gaps, irregular sampling), else in samples
    tt = np.arange(y.size, dtype=np.float64) if t is None else np.asarray(t, dtype=np.float64)
    # each sample's window: centred, or shifted inward at the ends (no padding that could copy a spike)
    first = np.clip(np.arange(y.size) - half, 0, y.size - window)
    idx = first[:, None] + np.arange(window)[None, :]
    tw = tt[idx]
    offs = tw - tt[:, None]
    for _ in range(5):
        work = np.where(mask, np.nan, y)
        win = work[idx]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN window gives NaN: fine here
            # local trend: median slope in the window, so a moving target is not a spike
            with np.errstate(divide="ignore", invalid="ignore"):
                slope = np.nanmedian(np.diff(win, axis=1) / np.diff(tw, axis=1), axis=1)
            slope = np.where(np.isfinite(slope), slope, 0.0)
            med = np.nanmedian(win - offs * slope[:, None], axis=1)
        resid = np.abs(work - med)
        finite = np.isfinite(resid)
        if not finite.any():
            break
        sigma = 1.4826 * float(np.median(resid[finite]))
        floor = 1e-9 * float(np.nanmax(np.abs(work)))  # noise-free data: rounding is not a spike
        bad = finite & (resid > max(k * sigma, min_dev, floor))
        if not bad.any():
            break
        score = np.where(finite, resid, -1.0)
        local_max = np.max(np.lib.stride_tricks.sliding_window_view(np.pad(score, half, mode="edge"), window), axis=1)
        # a spike is a local extreme among its nearest kept neighbours (a knee in real motion lies between
        # them and is not a spike); two spikes in a row go one per pass
        thr = max(k * sigma, min_dev, floor)
        pos = np.arange(y.size)
        prev = np.concatenate([[-1], np.maximum.accumulate(np.where(~mask, pos, -1))[:-1]])
        nxt = np.concatenate([np.minimum.accumulate(np.where(~mask, pos, y.size)[::-1])[::-1][1:], [y.size]])
        d_prev = np.where(prev >= 0, y - y[np.clip(prev, 0, None)], np.nan)
        d_next = np.where(nxt < y.size, y - y[np.clip(nxt, None, y.size - 1)], np.nan)
        with np.errstate(invalid="ignore"):
            between = d_prev * d_next < 0  # NaN at the ends compares False: an end sample is never "between"
        far = np.fmax(np.abs(d_prev), np.abs(d_next)) > thr
        new = bad & (score >= local_max) & ~between & far
        if not new.any():
            break
        mask |= new
    return mask


def resample_uniform(t: np.ndarray, y: np.ndarray, dt: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Linear interpolation onto a uniform grid (step ``dt`` s, default the median spacing)."""
    t = np.asarray(t, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if t.size < 2:
        return t.copy(), y.copy()
    step = float(np.median(np.diff(t))) if dt is None else float(dt)
    if step <= 0:
        raise AnalysisIssue("bad_time", "time stamps do not increase", "时间戳没有递增")
    n = int(np.floor((t[-1] - t[0]) / step + 1e-9)) + 1
    grid = t[0] + step * np.arange(n)
    return grid, np.interp(grid, t, y)


def action_start(t: np.ndarray, y: np.ndarray, *, k_sigma: float = 6.0, min_change: float = 0.0,
                 baseline_s: float | None = None) -> float:
    """Time (s) at which the signal leaves its initial flat stretch (the student pressed go late).

    Baseline: median of the first ``baseline_s`` seconds (default the first 5 % of the record, at
    least 5 samples); noise σ from second differences of the whole record. The action starts at the
    first sample that departs from the baseline by more than ``max(k_sigma·σ, min_change)``, moved
    back to just after the last sample still within the flat band (2 σ, or one quantisation step)
    before it (so the returned sample is the first one that has left the flat level). Returns ``t[0]`` if the record starts
    moving at once; AnalysisIssue ``no_action`` if it never leaves the baseline.
    """
    t = np.asarray(t, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if t.size < 10:
        return float(t[0]) if t.size else 0.0
    if baseline_s is None:
        nb = max(5, t.size // 20)
    else:
        nb = max(5, int(np.searchsorted(t, t[0] + baseline_s)))
    # noise that grows with the reading (a light sensor's % noise) is larger on a bright flat start
    # than over the whole record: take the larger of the two
    sigma = max(noise_sd(y), noise_sd(y[: max(nb, 10)]))
    thr = max(k_sigma * sigma, min_change)
    if thr <= 0:
        thr = float(np.ptp(y)) * 0.01
    # the baseline window must not reach past a short flat start (2 s of 0 V before the switch in a
    # 5-minute record): cut it where the record first leaves the level of its first 5 samples
    left = np.nonzero(np.abs(y - float(np.median(y[:5]))) > thr)[0]
    if left.size and left[0] >= 5 and float(np.ptp(y[: left[0]])) < thr:  # a flat prefix, then a step
        nb = min(nb, int(left[0]))
    base = float(np.median(y[:nb]))
    far = np.nonzero(np.abs(y - base) > thr)[0]
    if far.size == 0:
        raise AnalysisIssue(
            "no_action",
            "the signal never changes from its starting value — was the experiment started?",
            "信号始终没有变化——实验是否已开始？",
        )
    i = int(far[0])
    band = max(2 * sigma, thr / k_sigma, infer_resolution(y[:i]) if i >= 2 else 0.0)  # flicker by one step is flat
    near = np.nonzero(np.abs(y[:i] - base) <= band)[0]
    j = int(near[-1]) + 1 if near.size else 0  # the first sample that has left the flat level
    return float(t[j])


def check_saturation(y: np.ndarray, *, full_scale_min: float | None = None, full_scale_max: float | None = None,
                     tol: float = 0.0, min_fraction: float = 0.02, min_runs: int = 3, auto: bool = True) -> None:
    """AnalysisIssue ``saturated`` if the sensor sat at a limit.

    Two tests: (1) a stated full-scale limit: at least ``min_fraction`` of samples within ``tol`` of
    it; (2) no stated limit: the record's own extreme value is hit in at least ``min_runs`` separate
    runs of identical samples covering ``min_fraction`` of the record, the runs separated by excursions
    of more than a quarter of the range — a clipped oscillation hits its rail every cycle, whereas a
    physical plateau (boiling water, flickering by one quantisation step) is a single stretch.
    With ``auto`` False only test (1) runs: a reading that physically rests at the record's extreme
    again and again (0 lx in dark fringes, 0 V on open leads between placements) is not clipping.
    """
    y = np.asarray(y, dtype=np.float64)
    y = y[np.isfinite(y)]
    if y.size < 10:
        return
    for limit, name in ((full_scale_max, "max"), (full_scale_min, "min")):
        if limit is not None and np.count_nonzero(np.abs(y - limit) <= tol) >= min_fraction * y.size:
            _saturated(limit, name)
    if not auto:
        return
    for extreme, name in ((float(y.max()), "max"), (float(y.min()), "min")):
        at = y == extreme
        count = int(np.count_nonzero(at))
        if count < max(min_fraction * y.size, 2 * min_runs):
            continue
        # runs at the extreme that are separated by a real excursion (> a quarter of the range away)
        far = np.abs(y - extreme) > 0.25 * float(np.ptp(y))
        starts = np.nonzero(at & ~np.concatenate([[False], at[:-1]]))[0]
        separated = np.unique(np.cumsum(far)[starts]).size
        if separated >= min_runs:
            _saturated(extreme, name)


def _saturated(limit: float, name: str) -> None:
    raise AnalysisIssue(
        "saturated",
        f"the sensor was at its {name} limit ({limit:g}) for part of the record — move it or change its range",
        f"传感器在部分时间达到{'上' if name == 'max' else '下'}限（{limit:g}）——请调整位置或量程",
    )
