"""Each simulator's stated truth follows from its own noise-free signals (checked without the analysis
library, so a science-test failure can be told apart from a simulator bug)."""

from __future__ import annotations

import numpy as np
import pytest

from classlab.experiments.sim import get_model, simulate_table, simulated_experiments
from classlab.experiments.sim.environment import EnvironmentLog
from classlab.experiments.sim.gates import G, local_g


def clean(exp_id: str, dt: float = 0.001, seed: int = 3, **params):
    m = get_model(exp_id, seed=seed, noise=0.0, **params)
    t = np.arange(0.0, m.duration_s, dt)
    return m, t, m._clean(t)


def test_local_g_spans_china() -> None:
    assert local_g(18.0) == pytest.approx(9.786, abs=0.002)
    assert local_g(45.0) == pytest.approx(9.806, abs=0.002)


@pytest.mark.parametrize("seed", [1, 2])
def test_pendulum_light_dips_and_gate_centres_have_the_true_period(seed: int) -> None:
    m, t, v = clean("PHY-S-14", dt=1e-4, seed=seed, sensor="light")
    y = v[:, 0]
    i = np.nonzero((y[1:-1] < y[:-2]) & (y[1:-1] <= y[2:]) & (y[1:-1] < 200))[0] + 1
    assert np.diff(t[i][::2]).mean() == pytest.approx(m.truth["period_s"], abs=2e-4)
    assert m.truth["period_s"] > 2 * np.pi * np.sqrt(m.p["length_m"] / m.truth["g_m_s2"])  # amplitude effect
    g = get_model("PHY-S-14", seed=seed, noise=0.0)
    ev = np.array(g.events(0, g.duration_s))
    centres = (ev[ev[:, 2] == 1, 0] + ev[ev[:, 2] == 0, 0]) / 2
    assert np.diff(centres[::2]).mean() == pytest.approx(g.truth["period_s"], abs=1e-5)


def test_picket_fence_edges_are_free_fall() -> None:
    m = get_model("PHY-S-05", seed=4, noise=0.0)
    ev = np.array(m.events(0, m.duration_s))
    lead = ev[ev[:, 2] == 1, 0]
    fallen = m.p["gap_m"] + m.p["spacing_m"] * np.arange(lead.size)
    assert lead - m.p["t_drop_s"] == pytest.approx(np.sqrt(2 * fallen / m.truth["g_m_s2"]), abs=1e-6)


@pytest.mark.parametrize("exp_id", ["PHY-J-19", "PHY-S-17"])
def test_induction_pulses(exp_id: str) -> None:
    m, t, v = clean(exp_id, dt=1e-3)
    y = v[:, 0] - m.p["amp_offset_mV"] * 1e-3
    above = np.abs(y) > 0.2 * np.abs(m.truth["peak_emf_V"])
    starts = np.nonzero(above & ~np.concatenate([[False], above[:-1]]))[0]
    assert starts.size == m.truth["pulse_count"]
    assert np.sign(y[starts[0] + 5]) == m.truth["first_polarity"]
    k = int(np.argmax(np.abs(y)))
    assert y[k] == pytest.approx(m.truth["peak_emf_V"], rel=1e-3)
    if exp_id == "PHY-S-17":  # in, out, in, out: signs alternate
        signs = np.sign(y[starts + 5])
        assert np.all(signs[1:] == -signs[:-1])


def test_inverse_square_light() -> None:
    m, t, v = clean("BIO-J-21", dt=0.01)
    d, e = v[:, 0], v[:, 1]
    k = (e - m.truth["ambient_lx"]) * (d - m.truth["source_offset_m"]) ** 2
    assert k == pytest.approx(np.full_like(k, m.truth["k_lx_m2"]), rel=1e-9)


def test_double_slit_fringe_spacing() -> None:
    """I = I0·cos²(πx/Δx)·sinc²(β) + background. (The sinc² envelope pulls the maxima inward by a few
    % — real physics an analysis must not mistake for Δx; the cos² factor has exactly Δx.)"""
    m, t, v = clean("PHY-S-16", dt=0.002)
    x, e = v[:, 0], v[:, 1]
    beta = np.pi * m.p["slit_width_m"] * x / (m.truth["wavelength_m"] * m.p["screen_distance_m"])
    env = np.sinc(beta / np.pi) ** 2
    ok = env > 0.05
    cos2 = (e[ok] - m.p["room_lx"]) / (m.p["peak_lx"] * env[ok])
    assert cos2 == pytest.approx(np.cos(np.pi * x[ok] / m.truth["fringe_spacing_m"]) ** 2, abs=1e-9)
    assert m.truth["wavelength_m"] == pytest.approx(
        m.truth["fringe_spacing_m"] * m.p["slit_separation_m"] / m.p["screen_distance_m"]
    )
    i = np.nonzero((e[1:-1] > e[:-2]) & (e[1:-1] >= e[2:]) & (e[1:-1] > 0.3 * e.max()))[0] + 1
    assert np.median(np.diff(x[i])) == pytest.approx(m.truth["fringe_spacing_m"], rel=0.06)


@pytest.mark.parametrize("exp_id", ["PHY-J-17", "BIO-J-32"])
def test_lens_image_is_sharpest_at_the_image_distance(exp_id: str) -> None:
    m, t, v = clean(exp_id, dt=0.002)
    k = int(np.argmax(v[:, 1]))
    assert v[k, 0] == pytest.approx(m.truth["image_distance_m"], abs=2e-4)
    f, u = m.truth["focal_length_m"], m.p["object_distance_m"]
    assert 1 / f == pytest.approx(1 / u + 1 / m.truth["image_distance_m"])


def test_reflection_peak_at_the_incidence_angle() -> None:
    m, t, v = clean("PHY-J-15", dt=0.002)
    assert v[int(np.argmax(v[:, 1])), 0] == pytest.approx(m.truth["reflection_angle_deg"], abs=0.05)


def test_thermostat_switches_at_its_thresholds() -> None:
    m, t, v = clean("PHY-S-19", dt=0.1)
    temp, relay = v[:, 0], v[:, 1]
    off = np.nonzero((relay[:-1] == 1) & (relay[1:] == 0))[0]
    on = np.nonzero((relay[:-1] == 0) & (relay[1:] == 1))[0]
    assert off.size >= 2 and on.size >= 2
    assert temp[off] == pytest.approx(np.full(off.size, m.truth["switch_off_C"]), abs=0.05)
    assert temp[on] == pytest.approx(np.full(on.size, m.truth["switch_on_C"]), abs=0.05)


def test_collision_conserves_momentum_and_gate_times_match_speeds() -> None:
    m = get_model("PHY-S-13", seed=5, noise=0.0)
    tr = m.truth
    assert tr["momentum_after_kg_m_s"] == pytest.approx(tr["momentum_before_kg_m_s"])
    assert 0 < tr["kinetic_energy_ratio"] <= 1 + 1e-12
    ev = np.array(m.events(0, m.duration_s))
    d = m.p["flag_m"]
    g1 = ev[ev[:, 1] == 0]
    g2 = ev[ev[:, 1] == 1]
    assert d / (g1[1, 0] - g1[0, 0]) == pytest.approx(tr["velocity_a_before_m_s"], rel=1e-3)
    assert d / (g2[1, 0] - g2[0, 0]) == pytest.approx(tr["velocity_b_after_m_s"], rel=1e-3)
    assert d / (g2[3, 0] - g2[2, 0]) == pytest.approx(tr["velocity_a_after_m_s"], rel=1e-3)


@pytest.mark.parametrize(
    ("exp_id", "params"),
    [
        ("PHY-S-08", {"mode": "discharge"}),
        ("PHY-S-08", {"mode": "charge"}),
        ("CHE-J-07", {}),
        ("CHE-S-10", {}),
    ],
)
def test_charge_is_the_integral_of_the_current(exp_id: str, params: dict) -> None:
    m, t, v = clean(exp_id, dt=1e-3, **params)
    q = np.trapezoid(np.abs(v[:, 1]), t) + (m.duration_s - t[-1]) * abs(v[-1, 1])
    assert q == pytest.approx(m.truth["charge_As"], rel=2e-3)


def test_rc_curve_time_constant() -> None:
    m, t, v = clean("PHY-S-08", dt=0.01)
    s = t > m.p["t_switch_s"] + 0.1
    slope = np.polyfit(t[s][:2000], np.log(v[s][:2000, 0]), 1)[0]
    assert -1 / slope == pytest.approx(m.truth["time_constant_s"], rel=1e-6)


def test_boiling_heating_rate_band_and_plateau() -> None:
    m = get_model("PHY-J-10", seed=8, noise=0.0)
    tt = np.arange(0.0, m.duration_s, 0.05)
    w = m.water(tt)
    band = (w >= 40) & (w <= 80)
    assert 60 * np.polyfit(tt[band], w[band], 1)[0] == pytest.approx(
        m.truth["heating_rate_C_per_min"], rel=2e-3
    )
    assert w[tt > m.truth["plateau_start_s"]] == pytest.approx(m.truth["boiling_point_C"])


def test_melting_plateau_at_zero_between_the_stated_times() -> None:
    m = get_model("SCI-P-02", seed=8, noise=0.0)
    tt = np.arange(0.0, m.duration_s, 0.5)
    ice = m.ice(tt)
    inside = (tt > m.truth["plateau_start_s"] + 1) & (tt < m.truth["plateau_end_s"] - 1)
    assert np.all(ice[inside] == 0.0) and ice[0] < -3 and ice[-1] > 1
    assert m.truth["melting_duration_s"] == pytest.approx(
        m.truth["plateau_end_s"] - m.truth["plateau_start_s"]
    )


def test_cart_accelerometer_reads_specific_force() -> None:
    m, t, v = clean("PHY-S-04", dt=0.01, accelerometer=True)
    rolling = (t > m.p["t_release_s"] + 0.05) & (t < m.truth["stop_s"] - 0.05)
    at_rest = t < m.p["t_release_s"] - 0.05
    assert v[rolling, 1].mean() - v[at_rest, 1].mean() == pytest.approx(m.truth["acceleration_m_s2"])
    assert v[at_rest, 1].mean() == pytest.approx(
        -G * np.sin(np.radians(m.p["angle_deg"])) + m.p["accel_bias"]
    )


ENV = [i for i in simulated_experiments() if isinstance(get_model(i), EnvironmentLog)]


@pytest.mark.parametrize("exp_id", ENV)
def test_logging_truth_is_the_summary_of_the_true_signal(exp_id: str) -> None:
    m = get_model(exp_id, seed=2, noise=0.0)
    t = np.arange(0.0, m.duration_s, 1.0 / m.rate_hz)
    true = m.signals(t)
    for j, ch in enumerate(m.channels):
        assert m.truth[f"{ch.quantity}_mean_{ch.unit}"] == pytest.approx(true[:, j].mean())
        assert m.truth[f"{ch.quantity}_max_{ch.unit}"] == pytest.approx(true[:, j].max())


def test_steady_reading_truth_is_at_connection() -> None:
    m, t, v = clean("CHE-J-06", dt=0.01)
    k = int(np.argmax(t >= m.p["t_on_s"]))
    assert v[k, 1] == pytest.approx(m.truth["current_A"], rel=1e-3)
    assert v[-1, 1] < 0.99 * m.truth["current_A"]  # polarisation


def test_simulate_table_gate_only_starts_idle_at_zero() -> None:
    table, _, _ = simulate_table("PHY-S-13", seed=1)
    assert table["time_s"][0] == 0.0 and table["gate_level"][0] == 0 and table["gate2_level"][0] == 0
    assert np.all(np.diff(table["time_s"]) > 0)
