"""The physics simulators keep their contract (docs/contracts/README.md) and their physics."""

from __future__ import annotations

import numpy as np
import pytest

from classlab.experiments.sim import SimModel, get_model, simulate_table, simulated_experiments
from classlab.experiments.sim.thermal import boiling_point_c

FIRST = ("PHY-J-10", "PHY-S-04", "PHY-S-08")


def test_the_gateway_models_exist() -> None:
    assert set(FIRST) <= set(simulated_experiments())


def test_unknown_id_and_parameter_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="no simulator for experiment 'XYZ'.*PHY-J-10"):
        get_model("XYZ")
    with pytest.raises(ValueError, match="unknown parameter.*bogus.*known:"):
        get_model("PHY-J-10", bogus=1)


@pytest.mark.parametrize("exp_id", simulated_experiments())
def test_contract_shape_and_raw_encoding(exp_id: str) -> None:
    m = get_model(exp_id, seed=2)
    assert isinstance(m, SimModel) and m.experiment == exp_id
    assert m.rate_hz > 0 and m.duration_s > 0 and m.truth
    assert m.channels or m.event_channels
    ids = [c.id for c in m.channels + m.event_channels]
    assert len(ids) == len(set(ids))
    t = np.arange(0.0, m.duration_s, 1.0 / m.rate_hz)
    if m.channels:
        half = len(t) // 2
        v = np.concatenate([m.values(t[:half]), m.values(t[half:])])  # chunked, as a board samples
        assert v.shape == (len(t), len(m.channels)) and np.isfinite(v).all()
        for j, ch in enumerate(m.channels):
            assert np.array_equal(ch.physical(ch.raw(v[:, j])), v[:, j]), (
                "values must survive the raw encoding"
            )
    ev = m.events(0.0, m.duration_s)
    assert ev == sorted(ev)
    gate_ids = {c.id for c in m.event_channels}
    assert all(e[1] in gate_ids and e[2] in (0, 1) for e in ev)


@pytest.mark.parametrize("exp_id", simulated_experiments())
def test_seeds_are_reproducible_and_differ(exp_id: str) -> None:
    a, ta, _ = simulate_table(exp_id, seed=5)
    b, tb, _ = simulate_table(exp_id, seed=5)
    c, tc, _ = simulate_table(exp_id, seed=6)
    assert ta == tb and ta != tc
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)
    assert a["time_s"].ndim == 1 and np.all(np.diff(a["time_s"]) >= 0)
    assert all(len(v) == len(a["time_s"]) for v in a.values())


def test_boiling_point_follows_air_pressure() -> None:
    assert boiling_point_c(1013.25) == pytest.approx(100.0, abs=1e-9)
    assert boiling_point_c(900.0) == pytest.approx(96.7, abs=0.2)  # ~1000 m altitude
    m = get_model("PHY-J-10", seed=1, pressure_hPa=980.0)
    assert m.truth["boiling_point_C"] == pytest.approx(99.0, abs=0.1)


def test_boiling_probe_lags_then_plateaus_on_the_ds18b20_grid() -> None:
    m = get_model("PHY-J-10", seed=3, tau_s=8.0)
    t = np.arange(0.0, m.duration_s, 1.0)
    v = m.values(t)[:, 0]
    assert np.allclose(np.round(v / 0.0625), v / 0.0625)
    assert v[: int(m.p["t_on_s"]) - 1].std() < 0.1  # flat start before the heater goes on
    tp = m.truth["plateau_start_s"]
    late = v[t > tp + 60]
    assert abs(late.mean() - m.truth["boiling_point_C"]) < 0.05
    # during the ramp the probe reads below the water by about rate × τ
    mid = (t > m.p["t_on_s"] + 60) & (t < tp - 30)
    clean = m._clean(t)[:, 0]
    assert np.all(clean[mid] < m.water(t[mid]))


def test_cart_distance_is_a_parabola_with_ultrasonic_artefacts() -> None:
    m = get_model("PHY-S-04", seed=4, noise=2.0, accelerometer=True)
    a = m.truth["acceleration_m_s2"]
    th = np.radians(m.p["angle_deg"])
    assert a == pytest.approx(9.80665 * (np.sin(th) - m.p["mu"] * np.cos(th)))
    t = np.arange(0.0, m.duration_s, 1.0 / m.rate_hz)
    v = m.values(t)
    d = v[:, 0]
    assert (d == 4.0).sum() >= 1  # a lost echo reads as the maximum range
    rolling = (t > m.p["t_release_s"] + 0.1) & (t < m.truth["stop_s"] - 0.1) & (d < 2.0) & (d > 0.16)
    coef = np.polyfit(t[rolling], d[rolling], 2)
    assert 2 * coef[0] == pytest.approx(a, rel=0.15)
    rest = t < m.p["t_release_s"] - 0.1
    roll = (t > m.p["t_release_s"] + 0.1) & (t < m.truth["stop_s"] - 0.1)
    assert v[roll, 1].mean() - v[rest, 1].mean() == pytest.approx(a, abs=0.05)


@pytest.mark.parametrize("mode", ["discharge", "charge"])
def test_rc_curve_has_the_stated_time_constant(mode: str) -> None:
    m = get_model("PHY-S-08", seed=7, mode=mode, noise=0.0)
    tau = m.truth["time_constant_s"]
    assert tau == pytest.approx(m.truth["rc_s"], rel=0.01) and tau < m.truth["rc_s"]
    t0 = m.p["t_switch_s"]
    t = np.array([t0, t0 + tau])
    v = m.values(t)[:, 0] - m.p["adc_offset_V"]
    i = m.values(t)[:, 1]
    if mode == "discharge":
        assert v[1] / v[0] == pytest.approx(np.exp(-1), abs=0.003)
        assert i[0] < 0
    else:
        assert v[1] / m.truth["initial_voltage_V"] == pytest.approx(1 - np.exp(-1), abs=0.003)
        assert i[0] > 0
    assert np.all(m.values(np.array([0.0, 1e6]))[:, 0] <= 6.6)


@pytest.mark.parametrize("exp_id", simulated_experiments())
def test_default_runs_stay_inside_every_sensor_range(exp_id: str) -> None:
    """Saturation is an artefact to ask for (a bad-data case), never an accident of the defaults."""
    for seed in range(4):
        m = get_model(exp_id, seed=seed)
        if not m.channels:
            continue
        t = np.arange(0.0, m.duration_s, max(1.0 / m.rate_hz, m.duration_s / 3000))
        v = m.values(t)
        for j, ch in enumerate(m.channels):
            lo, hi = {"h": (-32768, 32767), "H": (0, 65535), "i": (-(2**31), 2**31 - 1)}[ch.dtype]
            raw = ch.raw(v[:, j])
            assert raw.max() < hi and (lo == 0 or raw.min() > lo), (seed, ch)
            if ch.sensor.startswith("adc12"):
                assert raw.max() < 4095, (seed, ch)
            if ch.sensor == "bh1750":
                assert v[:, j].max() < 54612, (seed, ch)


@pytest.mark.parametrize("exp_id", [i for i in simulated_experiments() if get_model(i).event_channels])
def test_events_in_chunks_equal_events_at_once(exp_id: str) -> None:
    """A simulated board asks for edges frame by frame; no edge may be lost or repeated at a boundary."""
    m = get_model(exp_id, seed=9)
    whole = m.events(0.0, m.duration_s)
    cuts = np.linspace(0.0, m.duration_s, 37)
    chunked = [e for a, b in zip(cuts[:-1], cuts[1:], strict=True) for e in m.events(float(a), float(b))]
    assert whole and chunked == whole
    for ch in m.event_channels:  # levels alternate per gate, starting with a block
        lv = [e[2] for e in whole if e[1] == ch.id]
        assert lv[0] == 1 and all(a != b for a, b in zip(lv, lv[1:], strict=False))
