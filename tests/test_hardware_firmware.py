"""The pin maps are exactly what the firmware reads, and hardware/ and firmware/ agree on the facts."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from classlab.firmware import config as fwconfig
from classlab.firmware.drivers import NAMES
from classlab.firmware.tools import deploy
from classlab.hardware import boards, pinmap
from classlab.hardware.drivers import DRIVERS


@pytest.mark.parametrize("path", pinmap.shipped(), ids=lambda p: p.stem)
def test_deploy_writes_the_pin_map_unchanged_as_board_config(path: Path) -> None:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    cfg = deploy.board_config(path, raw["board"]["type"])
    assert cfg == raw


def test_each_board_type_deploys_a_shipped_pin_map_of_its_type() -> None:
    for board, name in deploy.DEFAULT_PINMAP.items():
        assert pinmap.load(pinmap.find(name))["board"]["type"] == board


def test_firmware_and_hardware_know_the_same_drivers_and_facts() -> None:
    assert set(NAMES) == set(DRIVERS)
    assert set(fwconfig.ESP32_ADC2) == set(boards.ESP32.adc2)
    assert set(fwconfig.BOARD_TYPES) == set(boards.BOARDS)



def test_calibrate_then_deploy_sends_the_calibration_to_the_board(tmp_path: Path) -> None:
    """`classlab calibrate` (no --file) keeps the result in the user's data dir, never in the package;
    the deploy plan sends the calibrated channels in board_config.json and the firmware applies them."""
    import os

    from classlab.gateway.cli import main
    from classlab.hardware import calibration

    shipped = calibration.default_path("esp32-station")
    before = shipped.read_bytes()
    assert deploy.calibration_for("esp32-station") == []  # the shipped file is identity: nothing to send
    assert main(["calibrate", "esp32-station", "--channel", "0", "--reference", "0", "--reference", "99.6",
                 "--reading", "0.4", "--reading", "99.1", "--by", "王老师"]) == 0
    user = calibration.user_path("esp32-station")
    assert user.is_file() and str(user).startswith(os.environ["CLASSLAB_DATA_DIR"])
    assert shipped.read_bytes() == before
    sent = deploy.calibration_for("esp32-station")
    assert [c["id"] for c in sent] == [0] and sent[0]["by"] == "王老师"
    assert sent[0]["scale"] == pytest.approx(99.6 / 98.7, rel=1e-9)
    # the board's config composes it into the meta it publishes (firmware/config.py)
    meta_ch = [{"id": 0, "quantity": "temperature", "unit": "C", "scale": 0.0625, "offset": 0.0}]
    fwconfig.apply_calibration(meta_ch, sent)
    assert meta_ch[0]["scale"] == pytest.approx(0.0625 * 99.6 / 98.7)
    site = tmp_path / "site_config.py"
    site.write_text('SITE = "school-a"\nBOARD = "lab1-01"\n')
    p = deploy.plan("esp32", "/dev/ttyUSB0", None, site, tmp_path / "out", mpremote=["mpremote"])
    assert p.board_config["calibration"] == sent
