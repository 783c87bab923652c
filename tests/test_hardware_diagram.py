"""Wiring diagrams: a file is produced, it names every sensor, Chinese renders, shipped ones are current."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from PIL import Image

from classlab.gateway.cli import main
from classlab.hardware import diagram, pinmap
from tests.conftest import ROOT

IMG = ROOT / "hardware" / "wiring" / "img"


@pytest.fixture(scope="module")
def esp32() -> dict:
    return pinmap.load(pinmap.find("esp32-station"))


def test_figure_labels_every_sensor_with_the_cjk_font(esp32: dict) -> None:
    fig = diagram.build(esp32)
    texts = [t for t in fig.axes[0].texts]
    joined = "\n".join(t.get_text() for t in texts)
    for s in esp32["sensor"]:
        assert f"{s['name']}  ({s['driver']})" in joined
    assert esp32["board"]["name_zh"] in joined and "GPIO34 ADC1_CH6" in joined
    title = next(t for t in texts if esp32["board"]["name_zh"] in t.get_text())
    assert title.get_fontfamily()[0] == diagram.FONT


def test_svg_is_written_without_missing_glyphs_and_names_every_sensor(tmp_path: Path, esp32: dict) -> None:
    out = tmp_path / "esp32.svg"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        diagram.draw(esp32, out)
    assert not [w for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)], \
        [str(w.message) for w in caught]
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    ids = set(re.findall(r'id="sensor-([a-z0-9_-]+)"', svg))
    assert ids == {s["name"] for s in esp32["sensor"]}
    assert f"pinmap-sha256:{diagram.pinmap_digest(esp32)}" in svg


def test_png_and_single_sensor(tmp_path: Path, esp32: dict) -> None:
    out = diagram.draw(esp32, tmp_path / "sonar.png", ["sonar"], dpi=60)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(out) as im:
        assert im.width > 500 and im.height > 100
        colours = im.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) > 20          # not a blank canvas
        assert im.text["Description"] == f"pinmap-sha256:{diagram.pinmap_digest(esp32)}"
    texts = "\n".join(t.get_text() for t in diagram.build(esp32, ["sonar"]).axes[0].texts)
    assert "sonar" in texts and "probe" not in texts and "R_top 10 kΩ, R_bottom 15 kΩ" in texts
    with pytest.raises(ValueError, match="nope"):
        diagram.build(esp32, ["nope"])


@pytest.mark.parametrize("path", pinmap.shipped(), ids=lambda p: p.stem)
def test_shipped_diagrams_were_drawn_from_the_current_pin_maps(path: Path) -> None:
    pm = pinmap.load(path)
    digest = f"pinmap-sha256:{diagram.pinmap_digest(pm)}"
    bid = pm["board"]["id"]
    stale = "stale: run `python -m classlab.hardware.diagram`"
    assert digest in (IMG / f"{bid}.svg").read_text(encoding="utf-8"), stale
    for s in pm["sensor"]:
        with Image.open(IMG / f"{bid}-{s['name']}.png") as im:
            assert im.text["Description"] == digest, stale


def test_cli_diagram(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pico.svg"
    assert main(["hardware", "diagram", "pico-station", "-o", str(out)]) == 0
    assert out.stat().st_size > 10_000 and str(out) in capsys.readouterr().out
    assert main(["hardware", "diagram", "pico-station", "-o", str(tmp_path / "x.pdf")]) == 2
    assert ".svg or .png" in capsys.readouterr().err
