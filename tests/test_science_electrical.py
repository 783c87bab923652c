"""Electrical labs: the template's analysis recovers the simulator's truth (see tests/sciencelib.py)."""

from __future__ import annotations

import pytest

from tests.sciencelib import Expect, Lab, assert_recovers, cases

LABS = [
    Lab("PHY-J-07", (Expect("current", "current_A", "A", max_rel_u=0.02),)),
    Lab("PHY-J-08", (Expect("voltage", "voltage_V", "V", max_rel_u=0.02),)),
    Lab("PHY-J-09", (Expect("resistance", "resistance_ohm", "ohm", max_rel_u=0.03),)),
    Lab(
        "PHY-J-21",
        (
            Expect("resistance", "resistance_ohm", "ohm", max_rel_u=0.03),
            Expect("conductance", "conductance_S", "A/V", max_rel_u=0.03),
        ),
    ),
    Lab(
        "PHY-S-08",
        (
            Expect("time_constant", "time_constant_s", "s", max_rel_u=0.03),
            Expect("capacitance", "capacitance_F", "F", max_rel_u=0.05),
            Expect("charge", "charge_As", "As", max_rel_u=0.05),
        ),
        params={"resistance_ohm": "resistance_ohm"},
    ),
    Lab(
        "PHY-S-08",
        (
            Expect("time_constant", "time_constant_s", "s", max_rel_u=0.03),
            Expect("capacitance", "capacitance_F", "F", max_rel_u=0.05),
        ),
        sim={"mode": "charge"},
        params={"resistance_ohm": "resistance_ohm"},
    ),
    Lab(
        "PHY-S-10",
        (
            Expect("resistance", "resistance_ohm", "ohm", max_rel_u=0.03),
            Expect("resistivity", "resistivity_ohm_m", "ohm*m", max_rel_u=0.1),
        ),
        params={"length_m": "length_m", "diameter_m": "diameter_m"},
    ),
    Lab(
        "PHY-S-12",
        (
            Expect("emf", "emf_V", "V", max_rel_u=0.02),
            Expect("internal_resistance", "internal_resistance_ohm", "ohm", max_rel_u=0.1),
        ),
    ),
    Lab(
        "CHE-S-07",
        (
            Expect("emf", "emf_V", "V", max_rel_u=0.02),
            Expect("internal_resistance", "internal_resistance_ohm", "ohm", max_rel_u=0.1),
        ),
    ),
    Lab(
        "PHY-S-18",
        (
            Expect("primary_voltage", "primary_rms_V", "V", max_rel_u=0.02),
            Expect("secondary_voltage", "secondary_rms_V", "V", max_rel_u=0.02),
            Expect("voltage_ratio", "ratio", "1", max_rel_u=0.03),
        ),
        params={"n1": "n1", "n2": "n2"},
    ),
    Lab(
        "CHE-J-04",
        (
            Expect("current", "current_A", "A", max_rel_u=0.02),
            Expect("voltage", "voltage_V", "V", max_rel_u=0.02),
            Expect("resistance", "resistance_ohm", "ohm", max_rel_u=0.03),
            Expect("conductance", "conductance_S", "A/V", max_rel_u=0.03),
        ),
    ),
    Lab(
        "SCI-P-09",
        (
            Expect("current", "current_A", "A", max_rel_u=0.02),
            Expect("voltage", "voltage_V", "V", max_rel_u=0.02),
            Expect("resistance", "resistance_ohm", "ohm", max_rel_u=0.03),
            Expect("conductance", "conductance_S", "A/V", max_rel_u=0.03),
        ),
    ),
    Lab(
        "CHE-J-06",
        (
            Expect("current", "current_A", "A", max_rel_u=0.05),
            Expect("voltage", "voltage_V", "V", max_rel_u=0.02),
            Expect("resistance", "resistance_ohm", "ohm", max_rel_u=0.05),
            Expect("conductance", "conductance_S", "A/V", max_rel_u=0.05),
        ),
    ),
    Lab(
        "CHE-J-07",
        (
            Expect("charge", "charge_As", "As", max_rel_u=0.02),
            Expect("hydrogen_volume", "hydrogen_mL", "mL", max_rel_u=0.02),
            Expect("mean_voltage", "mean_voltage_V", "V", max_rel_u=0.02),
        ),
    ),
    Lab(
        "CHE-S-10",
        (
            Expect("charge", "charge_As", "As", max_rel_u=0.02),
            Expect("copper_mass", "copper_mass_g", "g", max_rel_u=0.02),
        ),
    ),
    Lab(
        "CHE-S-11",
        (
            Expect("open_circuit_voltage", "open_circuit_V", "V", max_rel_u=0.02),
            Expect("max_power", "max_power_W", "W", max_rel_u=0.05),
        ),
    ),
    Lab(
        "PHY-J-19",
        (
            Expect("peak_emf", "peak_emf_V", "V", max_rel_u=0.25),
            Expect("first_polarity", "first_polarity", "1", exact=True),
            Expect("pulse_count", "pulse_count", "count", exact=True),
        ),
    ),
    Lab(
        "PHY-S-17",
        (
            Expect("peak_emf", "peak_emf_V", "V", max_rel_u=0.25),
            Expect("first_polarity", "first_polarity", "1", exact=True),
            Expect("pulse_count", "pulse_count", "count", exact=True),
        ),
    ),
    Lab(
        "PHY-J-20",
        (
            Expect("voltage_1", "voltage_1_V", "V", max_rel_u=0.02),
            Expect("voltage_2", "voltage_2_V", "V", max_rel_u=0.02),
            Expect("voltage_total", "voltage_total_V", "V", max_rel_u=0.02),
            Expect("voltage_residual", "voltage_residual_V", "V", max_u=0.02),
            Expect("current", "current_A", "A", max_rel_u=0.02),
        ),
    ),
]


@pytest.mark.parametrize(("lab", "seed", "noise"), cases(LABS))
def test_analysis_recovers_the_truth(lab: Lab, seed: int, noise: float) -> None:
    assert_recovers(lab, seed, noise)
