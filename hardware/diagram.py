"""Wiring diagrams drawn from a pin map (matplotlib, SVG or PNG) / 由引脚表生成接线图.

The board is a box on the left with one row per GPIO in use; each sensor is a box on the right with
its bilingual name, channels and resistor values; a line joins every pin to the sensor role it feeds
(orange analog, green digital, blue I²C). Labels use Noto Sans CJK SC (Debian ``fonts-noto-cjk``),
set explicitly, so Chinese renders; a missing font is a clear error, never a box of tofu.

Each file records the SHA-256 of the pin map it was drawn from (SVG/PNG metadata ``Description``), so
a test can prove the shipped diagrams match the shipped pin maps. Regenerate them all with
``python -m classlab.hardware.diagram``.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

from classlab.hardware import frontend  # noqa: E402
from classlab.hardware.boards import facts  # noqa: E402
from classlab.hardware.drivers import DRIVERS  # noqa: E402

FONT = "Noto Sans CJK SC"
FONTS = [FONT, "DejaVu Sans"]
KIND_COLOURS = {"adc": "#d9730d", "in": "#2e8b57", "out": "#2e8b57", "io": "#2e8b57", "i2c": "#1f5fbf"}
WIRING_DIR = Path(__file__).resolve().parent / "wiring"
ROW = 0.42  # inch per row
DETAIL_STEP = 0.2  # inch between detail lines in a sensor box


class FontMissing(RuntimeError):
    """The CJK font is not installed."""


@dataclass
class Link:
    pin: int
    pin_label: str
    sensor: str
    role: str
    kind: str


def pinmap_digest(pm: dict[str, Any]) -> str:
    """SHA-256 of the pin map's canonical JSON (what the diagram was drawn from)."""
    return hashlib.sha256(json.dumps(pm, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _ohm(r: float) -> str:
    return f"{r / 1000:g} kΩ" if r >= 1000 else f"{r:g} Ω"


def _links(pm: dict[str, Any], sensors: list[dict[str, Any]]) -> list[Link]:
    buses = {b["id"]: b for b in pm.get("i2c", [])}
    out = []
    for s in sensors:
        d = DRIVERS[s["driver"]]
        kinds = {**d.roles, **d.optional_roles}
        if d.i2c and s["i2c"] in buses:
            bus = buses[s["i2c"]]
            out.append(Link(bus["sda"], f"I2C{bus['id']} SDA", s["name"], "SDA", "i2c"))
            out.append(Link(bus["scl"], f"I2C{bus['id']} SCL", s["name"], "SCL", "i2c"))
        for role, pin in s.get("pins", {}).items():
            out.append(Link(pin, role, s["name"], role, kinds[role]))
    return out


def _details(s: dict[str, Any]) -> list[str]:
    d = DRIVERS[s["driver"]]
    lines = [f"{d.label_zh}", f"{d.label_en}"]
    if d.i2c:
        lines.append(f"I²C 0x{s['address']:02X}")
    if "divider" in s:
        div = s["divider"]
        txt = f"R_top {_ohm(div['r_top'])}, R_bottom {_ohm(div['r_bottom'])}"
        if "r_bias" in div:
            txt += f", R_bias {_ohm(div['r_bias'])} → {div['v_bias']:g} V"
        lines.append(txt)
    if "input_range" in s and "divider" in s:
        lo, hi = s["input_range"]
        plo, phi = (frontend.pin_voltage(s["divider"], v) for v in (lo, hi))
        lines.append(f"{lo:g}…{hi:g} V → pin {plo:.2f}…{phi:.2f} V")
    if "ntc" in s:
        lines.append(f"NTC {_ohm(s['ntc']['r_nominal'])} B{s['ntc']['beta']:g}, R_fixed {_ohm(s['ntc']['r_fixed'])}")
    if "ldr" in s:
        lines.append(f"LDR + R_fixed {_ohm(s['ldr']['r_fixed'])} to GND")
    if "shunt_ohm" in s:
        lines.append(f"shunt {s['shunt_ohm']:g} Ω")
    supply = s.get("supply_v", 3.3)
    lines.append(f"VCC {supply:g} V (供电), GND")
    chans = ", ".join(f"ch{c['id']} {c['quantity']} ({c['unit']})" for c in s["channels"])
    lines.append(chans)
    return lines


def _check_font() -> None:
    try:
        font_manager.findfont(font_manager.FontProperties(family=FONT), fallback_to_default=False)
    except ValueError:
        raise FontMissing(f"font {FONT!r} not found: install Debian package fonts-noto-cjk "
                          f"(apt-get install fonts-noto-cjk) / 缺少中文字体，请安装 fonts-noto-cjk") from None


def build(pm: dict[str, Any], sensors: list[str] | None = None) -> Figure:
    """The wiring diagram of ``pm`` (all sensors, or only those named in ``sensors``)."""
    _check_font()
    chosen = [s for s in pm["sensor"] if sensors is None or s["name"] in sensors]
    if sensors is not None and len(chosen) != len(set(sensors)):
        missing = set(sensors) - {s["name"] for s in chosen}
        raise ValueError(f"no sensor named {sorted(missing)} in {pm['board']['id']}")
    links = _links(pm, chosen)
    board = facts(pm["board"]["type"])
    pins: list[tuple[int, str]] = []
    for lk in links:
        if lk.pin not in [p for p, _ in pins]:
            pins.append((lk.pin, lk.pin_label if lk.kind == "i2c" else ""))
    box_rows = [max(sum(1 for lk in links if lk.sensor == s["name"]) + 1,
                    math.ceil((len(_details(s)) * DETAIL_STEP + 0.55) / ROW)) for s in chosen]
    n_rows = max(len(pins) + 3, sum(box_rows) + len(chosen) - 1)
    height = n_rows * ROW + 1.6
    fig = Figure(figsize=(12, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 12)
    ax.set_ylim(0, height)
    ax.axis("off")
    text_kw: dict[str, Any] = {"fontfamily": FONTS}
    ax.text(6, height - 0.35, f"{pm['board']['name_zh']} / {pm['board']['name_en']} — 接线图 / wiring",
            ha="center", va="center", fontsize=13, fontweight="bold", **text_kw)
    ax.text(6, height - 0.7, f"{pm['board']['id']} · {board.name_zh} / {board.name_en}",
            ha="center", va="center", fontsize=9, color="#555555", **text_kw)
    top = height - 1.1
    # board
    b_h = (len(pins) + 3) * ROW
    ax.add_patch(FancyBboxPatch((0.4, top - b_h), 2.6, b_h, boxstyle="round,pad=0.02", fc="#eef3f8",
                                ec="#34495e", lw=1.5))
    ax.text(1.7, top - 0.3, pm["board"]["type"].upper(), ha="center", va="center", fontsize=11,
            fontweight="bold", **text_kw)
    pin_y = {}
    for i, (pin, label) in enumerate(pins):
        y = top - (i + 1.3) * ROW
        pin_y[pin] = y
        name = f"GPIO{pin}" if board.type == "esp32" else f"GP{pin}"
        adc = f" {board.adc[pin]}" if pin in board.adc and any(
            lk.pin == pin and lk.kind == "adc" for lk in links) else ""
        ax.text(2.9, y, f"{name}{adc} {label}".strip(), ha="right", va="center", fontsize=9, **text_kw)
        ax.plot([3.0], [y], "o", color="#34495e", ms=4)
    y_pow = top - (len(pins) + 1.5) * ROW
    ax.text(1.7, y_pow, "3V3 · 5V(VIN/VBUS) · GND", ha="center", va="center", fontsize=8, color="#555555",
            **text_kw)
    # sensors
    y = top
    for s, rows in zip(chosen, box_rows, strict=True):
        h = rows * ROW
        ax.add_patch(FancyBboxPatch((6.2, y - h), 5.4, h, boxstyle="round,pad=0.02", fc="#fbf7ee",
                                    ec="#7a5c1e", lw=1.2, gid=f"sensor-{s['name']}"))
        ax.text(6.35, y - 0.22, f"{s['name']}  ({s['driver']})", ha="left", va="center", fontsize=10,
                fontweight="bold", **text_kw)
        details = _details(s)
        for j, line in enumerate(details):
            ax.text(7.6, y - 0.5 - j * DETAIL_STEP, line, ha="left", va="center", fontsize=7.5, **text_kw)
        mine = [lk for lk in links if lk.sensor == s["name"]]
        for k, lk in enumerate(mine):
            ry = y - 0.55 - k * ROW
            colour = KIND_COLOURS[lk.kind]
            ax.plot([3.0, 4.6, 6.2], [pin_y[lk.pin], ry, ry], color=colour, lw=1.4)
            ax.text(6.3, ry, lk.role, ha="left", va="bottom", fontsize=8, color=colour, **text_kw)
        y -= h + ROW
    ax.text(0.4, 0.35, "颜色 / colours: 橙 analog (ADC) · 绿 digital · 蓝 I²C.  所有传感器 GND 共地 / all grounds "
            "common.  超过 3.3 V 的信号必须经分压 / anything above 3.3 V must go through a divider.",
            ha="left", va="center", fontsize=7.5, color="#555555", **text_kw)
    return fig


def draw(pm: dict[str, Any], out: str | Path, sensors: list[str] | None = None, dpi: int = 110) -> Path:
    """Write the diagram of ``pm`` to ``out`` (``.svg`` or ``.png``, ``dpi`` for PNG); returns the path."""
    out = Path(out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png"):
        raise ValueError(f"diagram output must be .svg or .png, got {out.name!r}")
    fig = build(pm, sensors)
    meta: dict[str, Any] = {"Title": f"{pm['board']['id']} wiring",
                            "Description": f"pinmap-sha256:{pinmap_digest(pm)}"}
    # reproducible output: no timestamp, no library version
    meta.update({"Date": None, "Creator": None} if fmt == "svg" else {"Software": None})
    out.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.hashsalt": "classlab", "svg.fonttype": "path"}):
        fig.savefig(out, format=fmt, dpi=dpi, metadata=meta)
    return out


def regenerate(dest: Path = WIRING_DIR / "img") -> list[Path]:
    """Redraw the shipped diagrams: one per board, one per sensor of each board."""
    from classlab.hardware.pinmap import load, shipped

    written = []
    for path in shipped():
        pm = load(path)
        bid = pm["board"]["id"]
        written.append(draw(pm, dest / f"{bid}.svg"))
        for s in pm["sensor"]:
            written.append(draw(pm, dest / f"{bid}-{s['name']}.png", [s["name"]], dpi=80))
    return written


if __name__ == "__main__":
    for p in regenerate():
        print(p)
    sys.exit(0)
