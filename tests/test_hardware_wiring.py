"""Wiring guides are generated from the pin maps and every link and image in them exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from classlab.hardware import pinmap, wiring
from tests.conftest import ROOT

HW = ROOT / "hardware"


@pytest.mark.parametrize("path", pinmap.shipped(), ids=lambda p: p.stem)
def test_guide_is_current_and_covers_every_sensor(path: Path) -> None:
    pm = pinmap.load(path)
    guide = HW / "wiring" / f"{pm['board']['id']}.md"
    text = guide.read_text(encoding="utf-8")
    assert text == wiring.render(pm), "stale: run `python -m classlab.hardware.wiring`"
    for s in pm["sensor"]:
        assert f"## {s['name']} — " in text
        assert f"img/{pm['board']['id']}-{s['name']}.png" in text
    # the pins in the text are the pin map's
    gp = "GPIO" if pm["board"]["type"] == "esp32" else "GP"
    for s in pm["sensor"]:
        for pin in s.get("pins", {}).values():
            assert f"{gp}{pin}" in text
    assert "接线" in text and "Wiring" in text


@pytest.mark.parametrize("doc", sorted((HW / "wiring").glob("*.md")) + [HW / "README.md", HW / "calibration.md",
                                                                         HW / "frontend.md"], ids=lambda p: p.name)
def test_relative_links_and_anchors_resolve(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
        assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"
    for target, anchor in re.findall(r"\]\(([^):]+\.md)#([^)]+)\)", text):
        dest = (doc.parent / target).read_text(encoding="utf-8")
        if f'<a id="{anchor}"></a>' not in dest:
            headings = [_slug(h) for h in re.findall(r"^#+ (.+)$", dest, flags=re.M)]
            assert anchor in headings, f"{doc.name}: no anchor #{anchor} in {target}"


def _slug(heading: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    s = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return s.replace(" ", "-")


def test_every_driver_has_bilingual_steps() -> None:
    from classlab.hardware.drivers import DRIVERS

    assert set(wiring.STEPS) == set(DRIVERS)
    for zh, en in wiring.STEPS.values():
        assert len(zh) == len(en)
        assert any(re.search(r"[\u4e00-\u9fff]", z) for z in zh) and zh != en
