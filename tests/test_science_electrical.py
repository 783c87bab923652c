"""Electrical labs: the template's analysis recovers the simulator's truth (see tests/sciencelib.py)."""

from __future__ import annotations

import pytest

from tests.sciencelib import Expect, Lab, assert_recovers, cases

TYPE_B = "no Type-B (ADC offset / INA219 step) term in u (STEPS_WANTED, from S)"

LABS = [
    Lab("PHY-J-07", (Expect("current", "current_A", "A", max_rel_u=0.02),)),
    Lab("PHY-J-08", (Expect("voltage", "voltage_V", "V", max_rel_u=0.02, known_issue=TYPE_B),)),
    Lab("PHY-J-09", (Expect("resistance", "resistance_ohm", "ohm", max_rel_u=0.03, known_issue=TYPE_B),)),
    Lab("PHY-J-21", (
        Expect("resistance", "resistance_ohm", "ohm", max_rel_u=0.03, known_issue=TYPE_B),
        Expect("conductance", "conductance_S", "A/V", max_rel_u=0.03, known_issue=TYPE_B),
    )),
]


@pytest.mark.parametrize(("lab", "seed", "noise"), cases(LABS))
def test_analysis_recovers_the_truth(lab: Lab, seed: int, noise: float) -> None:
    assert_recovers(lab, seed, noise)


@pytest.mark.parametrize(("lab", "seed", "noise"), cases(LABS, known=True))
def test_known_gaps(lab: Lab, seed: int, noise: float) -> None:
    assert_recovers(lab, seed, noise)
