"""Manual-table labs: derived values with known answers, so the units and formulas in the templates are right."""

from __future__ import annotations

import numpy as np
import pytest

from classlab.experiments.runtime import analyze

G = 9.80665


def _run(exp_id, columns, params=None):
    n = len(next(iter(columns.values())))
    table = {"trial": np.arange(1.0, n + 1), **{k: np.asarray(v, dtype=float) for k, v in columns.items()}}
    result = analyze(exp_id, table, params or {})
    assert result.valid, result.reasons
    return result.results


def test_weight_per_mass_is_g_in_newton_per_kilogram():
    m = np.array([50.0, 100.0, 150.0, 200.0])
    r = _run("PHY-J-06", {"mass_g": m, "force_N": m * G / 1000.0 + np.array([0.01, -0.01, 0.0, 0.01])})
    assert r["weight_per_mass"].unit == "N/kg" and r["weight_per_mass"].value == pytest.approx(G, rel=0.02)


def test_liquid_pressure_gradient_of_water_is_rho_g():
    depth = np.array([2.0, 4.0, 6.0, 8.0])  # cm
    r = _run("PHY-J-12", {"depth_cm": depth, "height_difference_cm": depth + np.array([0.1, -0.1, 0.0, 0.1])})
    assert r["pressure_gradient"].value == pytest.approx(1000 * G, rel=0.03)


def test_buoyancy_per_displaced_volume_of_water_is_rho_g():
    v = np.array([20.0, 40.0, 60.0, 80.0])  # mL
    weight = np.full(4, 3.0)
    r = _run("PHY-J-13", {"weight_N": weight, "reading_N": weight - v * 1e-6 * 1000 * G + 0.002 * np.array([1, -1, 1, -1]),
                          "displaced_volume_mL": v})
    assert r["buoyancy_per_volume"].unit == "N/L" and r["buoyancy_per_volume"].value == pytest.approx(G, rel=0.03)


def test_lever_moments_balance():
    f1, l1 = np.array([1.0, 2.0, 1.5]), np.array([20.0, 10.0, 16.0])
    f2, l2 = np.array([2.0, 1.0, 3.0]), np.array([10.0, 20.0, 8.0])
    r = _run("PHY-J-14", {"force1_N": f1, "arm1_cm": l1, "force2_N": f2, "arm2_cm": l2})
    assert r["moment_ratio"].value == pytest.approx(1.0, abs=1e-9)


def test_refractive_index_from_the_unit_circle_method():
    cd = np.array([3.0, 4.0, 5.0])
    r = _run("PHY-S-15", {"perpendicular_incident_cm": 1.5 * cd + np.array([0.02, -0.02, 0.0]),
                          "perpendicular_refracted_cm": cd})
    assert r["refractive_index"].value == pytest.approx(1.5, abs=0.01) and r["refractive_index"].uncertainty < 0.02


def test_oil_film_gives_a_molecule_size_of_about_a_nanometre():
    # 0.06 % solution, 80 drops per mL, film 110 squares of 1 cm²: d = 0.0006 mL / 80 / 110 cm² = 6.8e-10 m
    r = _run("PHY-S-20", {"drops_per_ml_count": [80, 80], "film_squares_count": [110, 110]}, {"concentration": 0.0006})
    assert r["molecule_size"].to("m").value == pytest.approx(0.0006e-6 / 80 / 110e-4, rel=1e-6)


def test_mitotic_index_and_yield_are_percentages():
    r = _run("BIO-J-05", {"cells_total_count": [100, 80], "cells_dividing_count": [10, 8]})
    assert r["mitotic_index"].unit == "%" and r["mitotic_index"].value == pytest.approx(10.0)
    r = _run("CHE-J-01", {"crude_mass_g": [5.0, 5.0], "refined_mass_g": [4.0, 4.2]})
    assert r["yield_percent"].value == pytest.approx(82.0)


def test_alkane_formula_from_ball_and_stick_models():
    c = np.array([1.0, 2.0, 3.0, 4.0])
    r = _run("CHE-S-08", {"carbon_atoms_count": c, "hydrogen_atoms_count": 2 * c + 2})
    assert r["hydrogen_per_carbon"].value == pytest.approx(2.0) and r["intercept"].value == pytest.approx(2.0)


def test_heart_rate_falls_with_alcohol():
    alcohol = np.array([0.0, 0.0, 2.0, 2.0, 4.0, 4.0])
    beats = np.array([50, 52, 44, 42, 35, 37])
    r = _run("BIO-J-31", {"alcohol_percent_%": alcohol, "beats_per_10s_count": beats})
    assert r["rate_change"].value == pytest.approx(6 * -3.75, rel=0.1)
    assert r["rate_without_alcohol"].value == pytest.approx(6 * 51, rel=0.05)


def test_a_manual_table_with_too_few_rows_is_invalid():
    result = analyze("PHY-S-15", {"trial": np.array([1.0]), "perpendicular_incident_cm": np.array([4.5]),
                                  "perpendicular_refracted_cm": np.array([3.0])})
    assert not result.valid and any(r.code == "too_short" for r in result.reasons)
