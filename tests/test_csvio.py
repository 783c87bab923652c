"""Reading session CSVs and other loggers' exports; writing the session CSV (⚑ contract)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from classlab.experiments.csvio import CsvError, normalise_header, read_csv, write_csv


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("temperature_C", ("temperature", "C")),
        ("Temperature (°C)", ("temperature", "C")),
        ("Temperatur [℃]", ("temperatur", "C")),
        ("Distance [cm]", ("distance", "cm")),
        ("voltage/V", ("voltage", "V")),
        ("acceleration_m/s^2", ("acceleration", "m/s^2")),
        ("Acceleration (m/s²)", ("acceleration", "m/s^2")),
        ("gate_level", ("gate", "level")),
        ("beaker_rest_mass_g", ("beaker_rest_mass", "g")),
        ("Position (m)", ("position", "m")),
        ("position_m", ("position", "m")),
        ("电压 (V)", ("voltage", "V")),
        ("trial", ("trial", None)),
        ("Latest: Time (s)", ("time", "s")),
        ("Run #1 Temperature (°C)", ("temperature", "C")),
        ("Run 2: Voltage (mV)", ("voltage", "mV")),
    ],
)
def test_headers_name_a_quantity_and_a_unit(header, expected):
    assert normalise_header(header) == expected


def test_session_csv_round_trip_with_bom_and_injection_guard(tmp_path):
    path = tmp_path / "s.csv"
    data = write_csv(path, {"time_s": [0.0, 0.5, 1.0], "voltage_V": [-0.25, 1.5, math.nan],
                            "note": ["=cmd|' /C calc'!A0", "+1", "ok"]})
    assert data.startswith(b"\xef\xbb\xbf") and path.read_bytes() == data
    text = data.decode("utf-8-sig")
    assert "'=cmd" in text and "'+1" in text  # text cells neutralised
    assert "-0.25" in text and "'-0.25" not in text  # numbers stay numbers
    table = read_csv(path)
    assert table.time_column == "time_s"
    np.testing.assert_array_equal(table.columns["time_s"], [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(table.columns["voltage_V"][:2], [-0.25, 1.5])
    assert math.isnan(table.columns["voltage_V"][2])


def test_write_rejects_a_table_without_time_first():
    with pytest.raises(ValueError, match="time_s or trial"):
        write_csv(None, {"voltage_V": [1.0]})


def test_excel_style_semicolons_decimal_commas_sep_line_and_crlf():
    raw = "sep=;\r\nZeit (s);Temperatur (°C);\r\n0,0;21,5;\r\n0,5;21,7;\r\n1,0;22,0;\r\n".encode("utf-8-sig")
    table = read_csv(raw)
    np.testing.assert_allclose(table.columns["time_s"], [0.0, 0.5, 1.0])
    np.testing.assert_allclose(table.columns["temperatur_C"], [21.5, 21.7, 22.0])


def test_utf16_and_gb18030_exports():
    text = "时间 (s)\t温度 (°C)\n0\t20.5\n1\t20.7\n"
    for data in (text.encode("utf-16"), text.encode("gb18030")):
        table = read_csv(data)
        np.testing.assert_allclose(table.columns["temperature_C"], [20.5, 20.7])


def test_time_in_milliseconds_is_converted_to_seconds():
    table = read_csv(b"Time (ms),Voltage (mV)\n0,1\n250,2\n500,3\n")
    np.testing.assert_allclose(table.columns["time_s"], [0.0, 0.25, 0.5])
    assert "voltage_mV" in table.columns


def test_irregular_sampling_is_kept_and_unsorted_rows_are_sorted():
    table = read_csv(b"time_s,distance_m\n0.0,1\n0.31,2\n0.05,3\n0.9,4\n")
    np.testing.assert_allclose(table.columns["time_s"], [0.0, 0.05, 0.31, 0.9])
    np.testing.assert_allclose(table.columns["distance_m"], [1, 3, 2, 4])
    assert any("sorted" in n for n in table.notes)


def test_repeated_timestamps_are_merged_by_averaging():
    table = read_csv(b"time_s,current_A\n0,1.0\n0.1,2.0\n0.1,4.0\n0.2,5.0\n")
    np.testing.assert_allclose(table.columns["time_s"], [0.0, 0.1, 0.2])
    np.testing.assert_allclose(table.columns["current_A"], [1.0, 3.0, 5.0])
    assert any("repeated" in n for n in table.notes)


def test_gaps_and_empty_cells_stay_gaps():
    rows = "\n".join(f"{t:.1f},{'' if 10 <= i < 15 else 20 + i}" for i, t in enumerate(np.arange(0, 3, 0.1)))
    rows += "\n10.0,40\n"
    table = read_csv(("time_s,temperature_C\n" + rows).encode())
    temp = table.columns["temperature_C"]
    assert int(np.isnan(temp).sum()) == 5 and table.columns["time_s"][-1] == 10.0
    assert any("gap" in n for n in table.notes)


def test_long_flat_start_is_read_unchanged():
    t = np.arange(0, 60, 0.5)
    y = np.where(t < 45, 20.0, 20.0 + (t - 45))
    data = write_csv(None, {"time_s": t, "temperature_C": y})
    table = read_csv(data)
    np.testing.assert_allclose(table.columns["temperature_C"], y)


def test_manual_table_uses_trial_as_first_column():
    table = read_csv("trial,mass_g,volume_mL\n1,10.2,4\n2,10.4,4\n".encode("utf-8-sig"))
    assert table.time_column == "trial" and "mass_g" in table.columns


def test_quoted_cells_and_neutralised_numbers_are_read():
    table = read_csv(b'"time_s","voltage_V"\n"0","\'-1.5"\n"1","2"\n')
    np.testing.assert_allclose(table.columns["voltage_V"], [-1.5, 2.0])


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "no header"), (b"time_s\n1\n", "at least one data column"),
     (b"colour,temperature_C\nred,1\n", "no data rows"), (b"speed_m/s,temperature_C\n1,2\n", "first column")],
)
def test_unusable_files_give_one_clear_error(data, message):
    with pytest.raises(CsvError, match=message):
        read_csv(data)


def test_export_table_writes_the_templates_export_columns_in_their_units(tmp_path):
    from classlab.experiments.runtime import analyze, export_table

    t = np.arange(0.0, 60.0, 0.5)
    table = {"time_s": t, "temperature_C": 20.0 + t, "colour_1": np.zeros(t.size)}
    out = export_table("PHY-J-10", table, analyze("PHY-J-10", table))
    assert list(out)[:2] == ["time_s", "temperature_C"] and "colour_1" not in out
    data = write_csv(tmp_path / "s.csv", out)
    assert read_csv(data).columns["temperature_C"][3] == pytest.approx(21.5)
    kelvin = export_table("PHY-J-10", {"time_s": t, "temperature_K": 293.15 + t})
    assert kelvin["temperature_C"][0] == pytest.approx(20.0)
