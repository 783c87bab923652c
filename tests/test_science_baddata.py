"""Every sensor template on simulated data: a good run is valid; bad data is invalid WITH a reason
(too short, no plateau, saturated, wrong channel, wrong units) — never an exception, never a
confident wrong number. (Results computed from typed-in params alone, e.g. a turns ratio, may still be
reported; ``valid`` is what must be false.)"""

from __future__ import annotations

import numpy as np
import pytest

from classlab.experiments.runtime import analyze
from classlab.experiments.sim import simulate_table, simulated_experiments
from classlab.experiments.template import load
from tests.sciencelib import reasons, sensor_template_ids

SENSOR = sensor_template_ids()


def _analyze(exp_id: str, table: dict[str, np.ndarray], given: dict[str, float]) -> dict:
    tpl = load(exp_id)
    params = {k: v for k, v in given.items() if k in tpl.params}
    return analyze(exp_id, table, params).to_json()


def test_every_sensor_template_has_a_simulator() -> None:
    missing = sorted(set(SENSOR) - set(simulated_experiments()))
    assert not missing, f"sensor templates without a physics model: {missing}"


@pytest.mark.parametrize("exp_id", SENSOR)
def test_a_good_simulated_run_is_valid(exp_id: str) -> None:
    table, _, given = simulate_table(exp_id, seed=21)
    res = _analyze(exp_id, table, given)
    assert res["valid"], res["reasons"]
    wanted = {r.name for r in load(exp_id).results.values() if not r.optional}
    assert wanted <= set(res["results"]), f"missing results {wanted - set(res['results'])}"


@pytest.mark.parametrize("exp_id", SENSOR)
def test_too_short(exp_id: str) -> None:
    table, _, given = simulate_table(exp_id, seed=22)
    keep = min(4, len(table["time_s"]) // 2)  # a single-pass gate lab has only two edges
    short = {k: v[:keep] for k, v in table.items()}
    res = _analyze(exp_id, short, given)
    assert not res["valid"], res
    assert "too_short" in reasons(res), res["reasons"]


@pytest.mark.parametrize("exp_id", SENSOR)
def test_wrong_channel(exp_id: str) -> None:
    table, _, given = simulate_table(exp_id, seed=23)
    other = {"time_s": table["time_s"]}
    for i, (_k, v) in enumerate(x for x in table.items() if x[0] != "time_s"):
        other[f"pressure{i + 1 if i else ''}_hPa"] = v  # a logger that recorded something else
    res = _analyze(exp_id, other, given)
    assert not res["valid"]
    assert "missing_channel" in reasons(res), res["reasons"]


_WRONG = {"C": "V", "V": "A", "A": "V", "m": "s", "lx": "V", "level": "m", "deg": "m", "m/s^2": "V"}


@pytest.mark.parametrize("exp_id", SENSOR)
def test_wrong_units(exp_id: str) -> None:
    table, _, given = simulate_table(exp_id, seed=24)
    wrong = {"time_s": table["time_s"]}
    for k, v in table.items():
        if k != "time_s":
            q, u = k.rsplit("_", 1) if "/" not in k else k.split("_", 1)
            wrong[f"{q}_{_WRONG[u]}"] = v
    res = _analyze(exp_id, wrong, given)
    assert not res["valid"]
    assert "wrong_units" in reasons(res), res["reasons"]


def _run(exp_id: str, seed: int, keep=None, **sim) -> tuple[dict, dict]:
    table, truth, given = simulate_table(exp_id, seed=seed, **sim)
    if keep is not None:
        k = keep(table, truth)
        table = {c: v[k] for c, v in table.items()}
    return _analyze(exp_id, table, given), truth


@pytest.mark.parametrize("seed", [31, 32])
def test_no_plateau_when_the_water_never_boils(seed: int) -> None:
    res, _ = _run("PHY-J-10", seed, keep=lambda t, tr: t["time_s"] < tr["plateau_start_s"] - 20)
    assert not res["valid"] and "no_plateau" in reasons(res)
    assert "boiling_point" not in res["results"]


def test_no_motion_before_the_cart_is_released() -> None:
    res, _ = _run("PHY-S-04", 33, keep=lambda t, tr: t["time_s"] < tr["release_s"])
    assert not res["valid"] and "acceleration" not in res["results"]
    assert reasons(res) & {"no_action", "too_short", "poor_fit"}, res["reasons"]


def _not_confidently_wrong(res: dict, name: str, truth: float) -> None:
    """Either invalid with a 'saturated' reason, or (if reported) right within 3 u."""
    if res["valid"] and name in res["results"]:
        got = res["results"][name]
        assert abs(got["value"] - truth) <= 3 * got["uncertainty"], (
            f"confident wrong number: {got} vs {truth}"
        )
    else:
        assert "saturated" in reasons(res), res["reasons"]


def test_saturated_voltmeter() -> None:
    res, truth = _run("PHY-J-08", 34, voltage_V=8.0)  # above the 6.6 V the divider ADC can read
    _not_confidently_wrong(res, "voltage", truth["voltage_V"])


def test_saturated_transformer_secondary() -> None:
    res, truth = _run("PHY-S-18", 35, n2=1000.0)  # secondary peaks beyond the ±13.2 V input range
    _not_confidently_wrong(res, "secondary_voltage", truth["secondary_rms_V"])


def test_rc_start_above_full_scale_still_gives_the_right_time_constant() -> None:
    """The first seconds of a 7.5 V discharge are clipped at 6.6 V; the analysis must not be fooled.
    Coverage over ten seeds: every |z| ≤ 4 and at least 8 of 10 within 2 u (95 % expected)."""
    z = []
    for seed in range(30, 40):
        res, truth = _run("PHY-S-08", seed, supply_V=7.5)
        assert res["valid"] or "saturated" in reasons(res), res["reasons"]
        if res["valid"]:
            q = res["results"]["time_constant"]
            z.append((q["value"] - truth["time_constant_s"]) / q["uncertainty"])
    assert z, "no seed gave a result"
    assert max(abs(v) for v in z) <= 4 and sum(abs(v) <= 2 for v in z) >= 0.8 * len(z), z


@pytest.mark.parametrize("seed", [41, 42, 43])
def test_a_very_short_slide_is_not_confidently_wrong(seed: int) -> None:
    """μ = 0.5: the block stops after 0.2–0.3 s (8–12 ranger readings)."""
    res, truth = _run("PHY-J-11", seed, mu=0.5, noise=3.0)
    if res["valid"]:
        got = res["results"]["deceleration"]
        assert abs(got["value"] - truth["deceleration_m_s2"]) <= 3 * got["uncertainty"], (got, truth)
    else:
        assert reasons(res) & {"too_short", "poor_fit", "no_action"}, res["reasons"]


def test_saturated_light_sensor_in_full_sun() -> None:
    res, truth = _run("SCI-P-06", 37, sun_lx=90000.0)  # the BH1750 stops at 54612 lx
    _not_confidently_wrong(res, "illuminance_mean", truth["illuminance_mean_lx"])


def test_saturated_light_sensor_with_the_lamp_too_close() -> None:
    res, truth = _run("BIO-J-21", 38, k_lx_m2=3000.0)  # 0.15 m → 130000 lx at the first mark
    _not_confidently_wrong(res, "k", truth["k_lx_m2"])


def test_saturated_voltmeter_in_a_vi_sweep() -> None:
    res, truth = _run("PHY-J-09", 39, resistance_ohm=40.0)  # 0.3 A × 40 Ω = 12 V > 6.6 V
    _not_confidently_wrong(res, "resistance", truth["resistance_ohm"])
