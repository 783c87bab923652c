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

