"""Motion labs (ultrasonic, photogates, light gate, accelerometer): the template's analysis recovers the
simulator's truth (see tests/sciencelib.py)."""

from __future__ import annotations

import pytest

from tests.sciencelib import Expect, Lab, assert_recovers, cases

LABS = [
    Lab("PHY-S-01", (Expect("speed", "speed_m_s", "m/s", max_rel_u=0.03),), params={"flag_m": "flag_m"}),
    Lab("PHY-S-04", (Expect("acceleration", "acceleration_m_s2", "m/s^2", max_rel_u=0.05),)),
    Lab("PHY-S-05", (Expect("g", "g_m_s2", "m/s^2", max_rel_u=0.01),), params={"spacing_m": "spacing_m"}),
    Lab(
        "PHY-S-06",
        (Expect("launch_speed", "speed_m_s", "m/s", max_rel_u=0.03),),
        params={"flag_m": "flag_m", "table_height_m": "table_height_m"},
    ),
    Lab(
        "PHY-S-14",
        (
            Expect("g", "g_m_s2", "m/s^2", max_rel_u=0.01),
            Expect("period", "period_s", "s", max_rel_u=0.01),
        ),
        params={"length_m": "length_m"},
    ),
    Lab(
        "PHY-S-14",
        (
            Expect("g_light", "g_m_s2", "m/s^2", max_rel_u=0.01),
            Expect("period_light", "period_s", "s", max_rel_u=0.01),
        ),
        sim={"sensor": "light"},
        params={"length_m": "length_m"},
    ),
    Lab(
        "SCI-P-07",
        (Expect("period", "period_s", "s", max_rel_u=0.01),),
        params={"length_m": "length_m"},
    ),
    Lab(
        "PHY-S-07",
        (
            Expect("angular_velocity", "angular_velocity_rad_s", "1/s", max_rel_u=0.02),
            Expect("centripetal_acceleration", "centripetal_acceleration_m_s2", "m/s^2", max_rel_u=0.05),
        ),
        params={"radius_m": "radius_m"},
    ),
    Lab(
        "PHY-J-04",
        (
            Expect("interval", "interval_s", "s", max_rel_u=0.1),  # pushes differ by ±15 %: u is the SE
            Expect("trials", "trials", "count", exact=True),
        ),
    ),
    Lab(
        "BIO-J-30",
        (
            Expect("reaction_time", "reaction_time_s", "s", max_rel_u=0.2),
            Expect("trials", "trials", "count", exact=True),
        ),
    ),
    Lab(
        "PHY-S-02",
        (Expect("spring_constant", "spring_constant_N_m", "N/m", max_rel_u=0.05),),
        params={"mass_step_kg": "mass_step_kg"},
    ),
    Lab(
        "PHY-S-13",
        (
            Expect("momentum_before", "momentum_before_kg_m_s", "kg*m/s", max_rel_u=0.03),
            Expect("momentum_after", "momentum_after_kg_m_s", "kg*m/s", max_rel_u=0.03),
            Expect("velocity_a_before", "velocity_a_before_m_s", "m/s", max_rel_u=0.03),
            Expect("velocity_a_after", "velocity_a_after_m_s", "m/s", max_rel_u=0.03),
            Expect("velocity_b_after", "velocity_b_after_m_s", "m/s", max_rel_u=0.03),
            Expect("kinetic_energy_ratio", "kinetic_energy_ratio", "1", max_rel_u=0.05),
        ),
        params={"mass_a_kg": "mass_a_kg", "mass_b_kg": "mass_b_kg", "flag_m": "flag_m"},
    ),
    Lab(
        "PHY-J-05",
        (
            Expect("speed_ranger", "speed_m_s", "m/s", max_rel_u=0.03),
            Expect("speed_gate", "speed_m_s", "m/s", max_rel_u=0.03),
        ),
        sim={"gate": True},
        params={"flag_m": "flag_m"},
    ),
    Lab("SCI-P-08", (Expect("speed", "speed_m_s", "m/s", max_rel_u=0.03),)),
    # wood on wood (μ = 0.25): the block slides for 0.3–0.6 s, 12–25 ranger readings; at 3× ranger
    # noise a single slide cannot give 25 % — the coverage test below checks it stays honest
    Lab(
        "PHY-J-11",
        (
            Expect("deceleration", "deceleration_m_s2", "m/s^2", max_rel_u=0.25),
            Expect("friction_coefficient", "mu", "1", max_rel_u=0.25),
        ),
        sim={"mu": 0.25},
        noises=(0.5, 1.0),  # at 3× noise: test_sliding_block_with_a_poor_ranger
    ),
]


@pytest.mark.parametrize(("lab", "seed", "noise"), cases(LABS))
def test_analysis_recovers_the_truth(lab: Lab, seed: int, noise: float) -> None:
    assert_recovers(lab, seed, noise)


def test_sliding_block_with_a_poor_ranger() -> None:
    """3× ranger noise on a 0.5 s slide: the estimate may be poor, but its u must say so. Over ten seeds
    every |z| ≤ 4 and at least 80 % within 2 u (or the run is invalid with a reason)."""
    from tests.sciencelib import reasons, run_lab

    lab = Lab("PHY-J-11", (), sim={"mu": 0.25})
    z = []
    for seed in range(11, 21):
        res, truth, _ = run_lab(lab, seed, 3.0)
        if not res["valid"]:
            assert reasons(res), res
            continue
        q = res["results"]["deceleration"]
        z.append((q["value"] - truth["deceleration_m_s2"]) / q["uncertainty"])
    assert len(z) >= 7 and max(map(abs, z)) <= 4 and sum(abs(v) <= 2 for v in z) >= 0.8 * len(z), z
