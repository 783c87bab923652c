"""Thermal labs: the template's analysis recovers the simulator's truth (see tests/sciencelib.py)."""

from __future__ import annotations

import pytest

from tests.sciencelib import Expect, Lab, assert_recovers, cases

TRIM = "trim_flat keeps the last flat sample: exp_fit τ biased ~1 % (STEPS_WANTED, from S)"
BAND = "plateau.rate_before is not a defined band; heating rate not constant (STEPS_WANTED, from S)"

LABS = [
    Lab(
        "PHY-J-03",
        (
            Expect("temperature", "settled_C", "C", max_u=0.2),
            Expect("response_time", "tau_s", "s", max_rel_u=0.2, known_issue=TRIM),
        ),
    ),
    Lab(
        "PHY-J-10",
        (
            Expect("boiling_point", "boiling_point_C", "C", max_u=0.2),
            Expect("heating_rate", "heating_rate_C_per_min", "C/min", max_rel_u=0.2, known_issue=BAND),
        ),
    ),
    Lab(
        "PHY-S-21",
        (
            Expect("mean_temperature", "mean_C", "C", max_u=0.2),
            Expect("temperature_range", "range_C", "C", max_u=0.2),
        ),
    ),
]


@pytest.mark.parametrize(("lab", "seed", "noise"), cases(LABS))
def test_analysis_recovers_the_truth(lab: Lab, seed: int, noise: float) -> None:
    assert_recovers(lab, seed, noise)


@pytest.mark.parametrize(("lab", "seed", "noise"), cases(LABS, known=True))
def test_known_gaps(lab: Lab, seed: int, noise: float) -> None:
    assert_recovers(lab, seed, noise)
