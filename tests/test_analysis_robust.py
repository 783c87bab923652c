"""Every step on degenerate data (empty, one sample, NaN, constant, shuffled, huge) either raises an
AnalysisIssue with a code and bilingual text or returns finite numbers — never another exception."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from classlab.experiments.quantity import AnalysisIssue, Quantity
from classlab.experiments.steps import STEPS, Series, get_step
from tests.test_analysis_steps import GOOD


def _variants(s: Series) -> dict[str, Series]:
    rng = np.random.default_rng(0)
    n = s.t.size
    order = rng.permutation(n)
    nan_y = s.y.copy()
    nan_y[::3] = np.nan
    return {
        "empty": Series(s.t[:0], s.y[:0], s.unit, s.quantity),
        "one": Series(s.t[:1], s.y[:1], s.unit, s.quantity),
        "three": Series(s.t[:3], s.y[:3], s.unit, s.quantity),
        "all_nan": Series(s.t, np.full(n, np.nan), s.unit, s.quantity),
        "some_nan": Series(s.t, nan_y, s.unit, s.quantity),
        "constant": Series(s.t, np.full(n, 1.0), s.unit, s.quantity),
        "zeros": Series(s.t, np.zeros(n), s.unit, s.quantity),
        "shuffled": Series(s.t[order], s.y[order], s.unit, s.quantity),
        "same_time": Series(np.zeros(n), s.y, s.unit, s.quantity),
        "huge": Series(s.t, s.y * 1e12, s.unit, s.quantity),
    }


WITH_SERIES = sorted(n for n, (inputs, _, _) in GOOD.items() if any(isinstance(v, Series) for v in inputs.values()))
MUTATIONS: list[tuple[str, str]] = [(name, v) for name in WITH_SERIES for v in (
    "empty", "one", "three", "all_nan", "some_nan", "constant", "zeros", "shuffled", "same_time", "huge")]


@pytest.mark.parametrize(("name", "variant"), MUTATIONS)
def test_degenerate_inputs_never_crash(name: str, variant: str) -> None:
    inputs, params, _ = GOOD[name]
    bad: dict[str, Any] = {k: (_variants(v)[variant] if isinstance(v, Series) else v) for k, v in inputs.items()}
    try:
        out = get_step(name).run(bad, params)
    except AnalysisIssue as e:
        assert e.code and e.en and e.zh
        return
    for key, value in out.items():
        if isinstance(value, Quantity):
            assert np.isfinite(value.value) and np.isfinite(value.uncertainty), key
        else:
            assert np.all(np.isfinite(value.y)) and np.all(np.isfinite(value.t)), key


def test_the_sweep_covers_every_step_with_a_series_input() -> None:
    assert set(GOOD) == set(STEPS)
    # the steps left out take single values only (covered in test_analysis_steps)
    for name in set(STEPS) - set(WITH_SERIES):
        assert all(isinstance(v, Quantity) for v in GOOD[name][0].values())
