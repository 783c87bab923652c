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
