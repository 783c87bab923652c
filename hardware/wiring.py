"""Wiring guides generated from the pin maps (zh-CN + English) / 由引脚表生成的接线说明.

``hardware/wiring/<board id>.md`` is rendered from the pin map by :func:`render`, so the text, the pin
numbers and the embedded diagrams (:mod:`classlab.hardware.diagram`) always agree with what the firmware
reads. Regenerate everything with ``python -m classlab.hardware.wiring``; a test fails when a guide is
out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from classlab.hardware import frontend
from classlab.hardware.boards import facts
from classlab.hardware.drivers import DRIVERS

WIRING_DIR = Path(__file__).resolve().parent / "wiring"

# per driver: (zh steps, en steps); placeholders are the sensor's pins, bus pins and resistor values
STEPS: dict[str, tuple[list[str], list[str]]] = {
    "ds18b20": (
        ["红线 VDD → 3V3，黑线 GND → GND", "黄线 DQ → {data}", "4.7 kΩ 电阻跨接 DQ 与 3V3（上拉）"],
        ["red VDD → 3V3, black GND → GND", "yellow DQ → {data}", "4.7 kΩ resistor from DQ to 3V3 (pull-up)"],
    ),
    "ntc": (
        ["NTC 一端 → 3V3，另一端 → {adc}", "R_fixed {r_fixed} 从 {adc} 接到 GND"],
        ["NTC from 3V3 to {adc}", "R_fixed {r_fixed} from {adc} to GND"],
    ),
    "bh1750": (
        ["VCC → 3V3，GND → GND", "SDA → {sda}，SCL → {scl}", "ADDR → GND 时地址 0x23，→ 3V3 时 0x5C（本表：{address}）"],
        ["VCC → 3V3, GND → GND", "SDA → {sda}, SCL → {scl}", "ADDR to GND gives 0x23, to 3V3 0x5C (this map: {address})"],
    ),
    "ldr": (
        ["光敏电阻一端 → 3V3，另一端 → {adc}", "R_fixed {r_fixed} 从 {adc} 接到 GND（越亮电压越高）"],
        ["photoresistor from 3V3 to {adc}", "R_fixed {r_fixed} from {adc} to GND (brighter gives a higher voltage)"],
    ),
    "hcsr04": (
        ["VCC → 5 V（{v5}），GND → GND", "Trig → {trig}",
         "Echo → R_top {r_top} → {echo}；R_bottom {r_bottom} 从 {echo} 接到 GND（5 V 分到 {v_pin}）",
         "切勿把 Echo 直接接到 GPIO"],
        ["VCC → 5 V ({v5}), GND → GND", "Trig → {trig}",
         "Echo → R_top {r_top} → {echo}; R_bottom {r_bottom} from {echo} to GND (5 V becomes {v_pin})",
         "never connect Echo straight to a GPIO"],
    ),
    "photogate": (
        ["VCC → 3V3（不要接 5 V，输出才不会超过 3.3 V），GND → GND", "DO（数字输出）→ {gate}",
         "挡光时模块上的指示灯会变化，据此检查方向"],
        ["VCC → 3V3 (not 5 V, so the output stays ≤ 3.3 V), GND → GND", "DO (digital out) → {gate}",
         "the module's LED changes when the slot is blocked: use it to check the wiring"],
    ),
    "mpu6050": (
        ["VCC → 3V3，GND → GND", "SDA → {sda}，SCL → {scl}", "AD0 → GND 时地址 0x68，→ 3V3 时 0x69（本表：{address}）",
         "把模块牢固地固定在小车上，X 轴沿运动方向"],
        ["VCC → 3V3, GND → GND", "SDA → {sda}, SCL → {scl}", "AD0 to GND gives 0x68, to 3V3 0x69 (this map: {address})",
         "fix the module firmly to the trolley, X axis along the motion"],
    ),
    "adc_divider": (
        ["输入端子 + → R_top {r_top} → {adc}", "R_bottom {r_bottom} 从 {adc} 接到 GND；输入端子 − → GND",
         "BAT54S 钳位（到 3V3 与 GND）和 100 nF 电容接在 {adc} 上",
         "量程 {range}，对应引脚 {v_range}；原理见 [frontend.md](../frontend.md)"],
        ["input terminal + → R_top {r_top} → {adc}", "R_bottom {r_bottom} from {adc} to GND; input terminal − → GND",
         "BAT54S clamp (to 3V3 and GND) and 100 nF capacitor at {adc}",
         "range {range} gives {v_range} on the pin; see [frontend.md](../frontend.md)"],
    ),
    "adc_bipolar": (
        ["输入端子 + → R_top {r_top} → 节点", "节点 → R_bottom {r_bottom} → GND；节点 → R_bias {r_bias} → 3V3",
         "节点 → {adc}；BAT54S 钳位与 100 nF 电容接在节点上；输入端子 − → GND",
         "量程 {range}，对应引脚 {v_range}（0 V 输入时为 {v_zero}）；原理见 [frontend.md](../frontend.md)"],
        ["input terminal + → R_top {r_top} → node", "node → R_bottom {r_bottom} → GND; node → R_bias {r_bias} → 3V3",
         "node → {adc}; BAT54S clamp and 100 nF capacitor at the node; input terminal − → GND",
         "range {range} gives {v_range} on the pin ({v_zero} at 0 V in); see [frontend.md](../frontend.md)"],
    ),
    "ina219": (
        ["VCC → 3V3，GND → GND", "SDA → {sda}，SCL → {scl}；A0、A1 决定地址（本表：{address}）",
         "VIN+ 与 VIN− 串联进被测电路：电流从 VIN+ 流入、从 VIN− 流出", "被测电路的负极接 GND，才能测母线电压（≤ 26 V）"],
        ["VCC → 3V3, GND → GND", "SDA → {sda}, SCL → {scl}; A0, A1 set the address (this map: {address})",
         "VIN+ and VIN− in series with the circuit under test: current enters at VIN+, leaves at VIN−",
         "connect the circuit's negative to GND to measure its bus voltage (≤ 26 V)"],
    ),
}
CALIBRATION = {"temperature": "two_point", "voltage": "known_resistor", "current": "known_resistor",
               "distance": "reference_distance", "illuminance": "reference_light",
               "acceleration": "two_point"}


def _ohm(r: float) -> str:
    return f"{r / 1000:g} kΩ" if r >= 1000 else f"{r:g} Ω"


def _values(pm: dict[str, Any], s: dict[str, Any]) -> dict[str, str]:
    board = facts(pm["board"]["type"])
    gp = "GPIO" if board.type == "esp32" else "GP"
    v: dict[str, str] = {role: f"{gp}{pin}" for role, pin in s.get("pins", {}).items()}
    v["v5"] = "VIN, 5 V from USB" if board.type == "esp32" else "VBUS, pin 40"
    buses = {b["id"]: b for b in pm.get("i2c", [])}
    if "i2c" in s and s["i2c"] in buses:
        v["sda"], v["scl"] = f"{gp}{buses[s['i2c']]['sda']}", f"{gp}{buses[s['i2c']]['scl']}"
        v["address"] = f"0x{s['address']:02X}"
    for key in ("ntc", "ldr"):
        if key in s:
            v["r_fixed"] = _ohm(s[key]["r_fixed"])
    if "divider" in s:
        div = s["divider"]
        for k in ("r_top", "r_bottom", "r_bias"):
            if k in div:
                v[k] = _ohm(div[k])
        v["v_pin"] = f"{frontend.pin_voltage(div, float(s.get('supply_v', 3.3))):.2f} V"
        v["v_zero"] = f"{frontend.pin_voltage(div, 0.0):.2f} V"
        if "input_range" in s:
            lo, hi = s["input_range"]
            v["range"] = f"{lo:g}…{hi:g} V"
            v["v_range"] = f"{frontend.pin_voltage(div, lo):.2f}…{frontend.pin_voltage(div, hi):.2f} V"
    return v


def render(pm: dict[str, Any]) -> str:
    """The bilingual wiring guide of one pin map, as Markdown."""
    b, board = pm["board"], facts(pm["board"]["type"])
    bid = b["id"]
    gp = "GPIO" if board.type == "esp32" else "GP"
    out = [f"# {b['name_zh']} / {b['name_en']} — 接线说明 / wiring guide", "",
           f"<!-- generated from hardware/pinmaps/{bid}.toml by `python -m classlab.hardware.wiring`; "
           f"do not edit by hand -->", "",
           f"开发板 / board: **{board.name_zh} / {board.name_en}**. 引脚表 / pin map: "
           f"[`pinmaps/{bid}.toml`](../pinmaps/{bid}.toml). 物料 / parts: [`bom/{bid}.csv`](../bom/{bid}.csv).", "",
           "**先断电再接线；接好后对照接线图检查，再插 USB。不接市电，GPIO 上不得超过 3.3 V。**  ",
           "**Unplug before wiring; check against the diagram before plugging in USB. Never mains; nothing "
           "above 3.3 V on a GPIO.** See [safety / 安全](../README.md#safety-for-school-use--学校使用安全须知).", "",
           f"![{bid} wiring diagram / 接线图](img/{bid}.svg)", "",
           "## 引脚总表 / Pin table", "", "| pin / 引脚 | sensor / 传感器 | role / 功能 |", "|---|---|---|"]
    for bus in pm.get("i2c", []):
        users = ", ".join(s["name"] for s in pm["sensor"] if s.get("i2c") == bus["id"] and "address" in s)
        out.append(f"| {gp}{bus['sda']} | I2C{bus['id']} ({users}) | SDA, {bus['freq'] // 1000} kHz |")
        out.append(f"| {gp}{bus['scl']} | I2C{bus['id']} ({users}) | SCL |")
    for s in pm["sensor"]:
        for role, pin in s.get("pins", {}).items():
            adc = f" ({board.adc[pin]})" if role == "adc" and pin in board.adc else ""
            out.append(f"| {gp}{pin}{adc} | {s['name']} | {role} |")
    out += ["", "I²C: SDA 与 SCL 各接 4.7 kΩ 上拉到 3V3（多数模块已自带）。 / SDA and SCL each need a 4.7 kΩ "
            "pull-up to 3V3 (most modules have them on board).", ""]
    for s in pm["sensor"]:
        d = DRIVERS[s["driver"]]
        v = _values(pm, s)
        zh, en = STEPS[s["driver"]]
        chans = ", ".join(f"ch{c['id']} {c['quantity']} ({c['unit']})" for c in s["channels"])
        methods = sorted({CALIBRATION[c["quantity"]] for c in s["channels"] if c["quantity"] in CALIBRATION})
        out += [f"## {s['name']} — {d.label_zh} / {d.label_en}", "",
                f"![{s['name']}](img/{bid}-{s['name']}.png)", "", "**接线**", ""]
        out += [f"{i}. {step.format(**v)}" for i, step in enumerate(zh, start=1)]
        out += ["", "**Wiring**", ""]
        out += [f"{i}. {step.format(**v)}" for i, step in enumerate(en, start=1)]
        out += ["", f"通道 / channels: {chans}."]
        if methods:
            out.append("校准 / calibration: " + ", ".join(f"[`{m}`](../calibration.md#{m.replace('_', '-')})"
                                                        for m in methods) + ".")
        out.append("")
    return "\n".join(out)


def regenerate(dest: Path = WIRING_DIR) -> list[Path]:
    """Rewrite every wiring guide and diagram from the shipped pin maps."""
    from classlab.hardware import diagram
    from classlab.hardware.pinmap import load, shipped

    written = diagram.regenerate(dest / "img")
    for path in shipped():
        pm = load(path)
        md = dest / f"{pm['board']['id']}.md"
        md.write_text(render(pm), encoding="utf-8")
        written.append(md)
    return written


if __name__ == "__main__":
    for p in regenerate():
        print(p)
    sys.exit(0)
