"""Checks that an estimator's stated uncertainty is honest, over many seeded runs."""

from __future__ import annotations

import numpy as np


def assert_calibrated(values: list[float], uncertainties: list[float], truth: float, *, z_max: float = 3.5,
                      ratio: tuple[float, float] = (0.5, 2.0)) -> None:
    """Every estimate within ``z_max`` of its own standard uncertainty of the truth, and the mean stated
    uncertainty within a factor ~2 of the empirical spread of the estimates over the seeds."""
    v = np.asarray(values, dtype=float)
    u = np.asarray(uncertainties, dtype=float)
    assert np.all(u > 0), "an uncertainty of zero claims a perfect measurement"
    z = (v - truth) / u
    assert np.max(np.abs(z)) <= z_max, f"estimate off by {np.max(np.abs(z)):.1f} sigma: {v} vs {truth}"
    spread = float(np.std(v, ddof=1))
    stated = float(np.sqrt(np.mean(u**2)))
    assert ratio[0] <= stated / spread <= ratio[1], f"stated u {stated:.3g} vs spread over seeds {spread:.3g}"
