"""Peak finding with prominence / 带显著度的峰值查找.

A peak is a local maximum (the middle of a flat top); its prominence is its height above the higher
of the two lowest points between it and the nearest higher sample on each side (or the record's end).
"Nearest higher sample" is found for all samples at once with a monotonic stack; the minima between
use a sparse table of range minima, so the whole search is O(n log n) with numpy.
"""

from __future__ import annotations

import numpy as np

__all__ = ["find_peaks"]


def _nearest_higher(y: np.ndarray, reverse: bool) -> np.ndarray:
    n = y.size
    out = np.full(n, -1 if not reverse else n, dtype=np.int64)
    stack: list[int] = []
    order = range(n - 1, -1, -1) if reverse else range(n)
    for i in order:
        while stack and y[stack[-1]] <= y[i]:
            stack.pop()
        if stack:
            out[i] = stack[-1]
        stack.append(i)
    return out


class _RangeMin:
    def __init__(self, y: np.ndarray) -> None:
        self.levels = [y]
        k = 1
        while 2 * k <= y.size:
            prev = self.levels[-1]
            self.levels.append(np.minimum(prev[:-k], prev[k:]))
            k *= 2

    def query(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """min(y[lo:hi+1]) for index arrays with lo <= hi."""
        length = hi - lo + 1
        j = np.floor(np.log2(length)).astype(np.int64)
        out = np.empty(lo.size)
        for level in np.unique(j):
            sel = j == level
            arr = self.levels[level]
            out[sel] = np.minimum(arr[lo[sel]], arr[hi[sel] - (1 << level) + 1])
        return out


def find_peaks(y: np.ndarray, min_prominence: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Indices of peaks of ``y`` and their prominences (same unit as y), prominence ≥ ``min_prominence``."""
    y = np.asarray(y, dtype=np.float64)
    n = y.size
    if n < 3:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    # local maxima incl. flat tops: compress runs of equal values
    keep = np.concatenate([[True], y[1:] != y[:-1]])
    first = np.nonzero(keep)[0]
    last = np.concatenate([first[1:] - 1, [n - 1]])
    v = y[first]
    if v.size < 3:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    is_max = np.zeros(v.size, dtype=bool)
    is_max[1:-1] = (v[1:-1] > v[:-2]) & (v[1:-1] > v[2:])
    cand = np.nonzero(is_max)[0]
    if cand.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    left = _nearest_higher(v, reverse=False)[cand]
    right = _nearest_higher(v, reverse=True)[cand]
    rm = _RangeMin(v)
    lmin = rm.query(np.maximum(left, 0), cand)
    rmin = rm.query(cand, np.minimum(right, v.size - 1))
    prom = v[cand] - np.maximum(lmin, rmin)
    ok = prom >= min_prominence
    idx = (first[cand] + last[cand]) // 2
    return idx[ok], prom[ok]
