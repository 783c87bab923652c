"""`classlab calibrate`: guided, step-by-step channel calibration / 分步引导的通道校准.

Answers come from ``--reference``/``--reading`` pairs, from ``--from-csv FILE`` (columns ``reference``,
``reading``, optionally ``channel``), or, on a terminal, from prompts that walk the teacher through the
procedure of ``hardware/calibration.md``. Without a terminal and without answers the command stops with
one clear line instead of waiting for input that will never come.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classlab.gateway.cli import CommandError, UsageError
from classlab.hardware import calibration, pinmap

Ask = Callable[[str], str]
Say = Callable[[str], None]


@dataclass(frozen=True)
class Step:
    """One reference point of a procedure: what to set up, and the suggested reference value."""

    en: str
    zh: str
    default: float | None


# procedure per method: the steps and what the reference value is (with the channel's unit)
PROCEDURES: dict[str, list[Step]] = {
    "two_point": [
        Step("Put the probe in stirred ice water (crushed ice + a little water) and wait 2 minutes",
             "把探头放入搅拌中的冰水混合物（碎冰加少量水），等待 2 分钟", 0.0),
        Step("Put the probe in boiling water, not touching the pot, and wait 1 minute; the reference is the "
             "local boiling point (100 °C at 101.3 kPa, about −0.28 °C per −1 kPa)",
             "把探头放入沸水中（不要碰锅壁），等待 1 分钟；参考值为当地沸点（101.3 kPa 时为 100 °C，气压每降 1 kPa 约降 0.28 °C）",
             100.0),
    ],
    "one_point": [
        Step("Put the sensor at the reference condition and wait until the reading is steady",
             "把传感器置于参考条件下，等读数稳定", None),
    ],
    "known_resistor": [
        Step("Connect the known reference (a fresh cell or the lab supply measured with a multimeter, or a "
             "known resistor in series for current: I = V/R) and wait until the reading is steady",
             "接入已知参考（用万用表测得的新电池或学生电源；测电流时串联已知电阻，I = V/R），等读数稳定", None),
        Step("Change to a second, clearly different reference value (or press Enter at the reference prompt "
             "to finish with one point)", "换成第二个明显不同的参考值（若只做单点，参考值处直接回车结束）", None),
    ],
    "reference_distance": [
        Step("Place a flat board (≥ 20 × 20 cm) square to the sensor at 0.200 m, measured with a tape "
             "measure from the front of the transducers", "在距探头正面 0.200 m 处（卷尺测量）正对放置平板（≥ 20 × 20 cm）", 0.2),
        Step("Move the board to 1.000 m", "把平板移到 1.000 m 处", 1.0),
    ],
    "reference_light": [
        Step("Put the reference lux meter beside the sensor, facing the same way, under dim light",
             "把标准照度计放在传感器旁、朝向相同，置于较暗的光照下", None),
        Step("Repeat under bright light (desk lamp close by)", "在较亮的光照下（台灯靠近）重复", None),
    ],
}
# steps that depend on the quantity as well as the method: (method, quantity) -> steps
QUANTITY_PROCEDURES: dict[tuple[str, str], list[Step]] = {
    ("two_point", "acceleration"): [
        Step("Lay the station so that this axis points straight up and keep it still; the reference is the "
             "local g (Beijing 9.801, Shanghai 9.794, Guangzhou 9.788 m/s²)",
             "放置实验站使该轴竖直向上并保持静止；参考值为当地重力加速度（北京 9.801、上海 9.794、广州 9.788 m/s²）", 9.80),
        Step("Turn the station over so that the axis points straight down", "翻转实验站，使该轴竖直向下", -9.80),
    ],
    ("one_point", "angular_velocity"): [
        Step("Keep the station completely still on the bench (reference 0 rad/s)",
             "把实验站静置在桌面上（参考值 0 rad/s）", 0.0),
    ],
}
DEFAULT_METHOD = {"temperature": "two_point", "voltage": "known_resistor", "current": "known_resistor",
                  "distance": "reference_distance", "illuminance": "reference_light",
                  "acceleration": "two_point", "angular_velocity": "one_point"}
NOT_CALIBRATED = {"gate": "photogate channels report edge times and need no calibration; check them with a card "
                          "of known width (hardware/calibration.md) / 光电门通道无需校准"}


def add_calibrate_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calibrate", help="分步校准一个通道 / calibrate one channel step by step")
    p.add_argument("pinmap", metavar="PINMAP", help="pin map TOML file or shipped board id")
    p.add_argument("--channel", type=int, required=True, help="channel id from the pin map / 通道号")
    p.add_argument("--method", choices=calibration.METHODS[1:],
                   help="default by quantity: temperature two_point, voltage/current known_resistor, "
                        "distance reference_distance, illuminance reference_light")
    p.add_argument("--reference", type=float, action="append", default=[],
                   help="true value of a point, in the channel's unit (repeat, in order) / 参考值")
    p.add_argument("--reading", type=float, action="append", default=[],
                   help="what classlab showed at that point (repeat, same order) / 读数")
    p.add_argument("--from-csv", type=Path, help="CSV with columns reference,reading[,channel]")
    p.add_argument("--by", help="who calibrated / 校准人")
    p.add_argument("--note", default="", help="reference equipment, conditions / 参考器具与条件")
    p.add_argument("--date", help="YYYY-MM-DD (default today)")
    p.add_argument("--file", type=Path, help="calibration file (default: <user data dir>/calibration/<board id>.toml, "
                   "which `classlab firmware deploy` sends to the board)")
    p.add_argument("--dry-run", action="store_true", help="compute only, do not write / 只计算不保存")
    p.add_argument("--json", action="store_true", help="print the channel's calibration as JSON")
    p.set_defaults(func=run)


def _channel(pm: dict[str, Any], cid: int) -> tuple[dict[str, Any], dict[str, Any]]:
    for s in pm["sensor"]:
        for ch in s["channels"]:
            if ch["id"] == cid:
                return s, ch
    ids = ", ".join(str(c["id"]) for s in pm["sensor"] for c in s["channels"])
    raise UsageError(f"channel {cid} is not in pin map {pm['board']['id']}; its channels are {ids} / "
                     f"引脚表中没有通道 {cid}")


def points_from_csv(path: Path, cid: int) -> list[tuple[float, float]]:
    """``(reading, reference)`` pairs from a CSV with ``reference`` and ``reading`` columns."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror} / 无法读取") from None
    if not rows or not {"reference", "reading"} <= set(rows[0]):
        raise UsageError(f"{path}: needs a header with columns reference,reading (optional channel) / "
                         f"CSV 须有 reference,reading 列")
    out = []
    for n, row in enumerate(rows, start=2):
        if row.get("channel") not in (None, "") and int(row["channel"]) != cid:
            continue
        try:
            out.append((float(row["reading"]), float(row["reference"])))
        except (TypeError, ValueError):
            raise UsageError(f"{path}:{n}: reference and reading must be numbers / 须为数字") from None
    if not out:
        raise UsageError(f"{path}: no rows for channel {cid} / 没有通道 {cid} 的数据")
    return out


def _number(ask: Ask, say: Say, prompt: str, default: float | None, allow_blank: bool = False) -> float | None:
    while True:
        hint = f" [{default:g}]" if default is not None else ""
        answer = ask(f"{prompt}{hint}: ").strip()
        if not answer:
            if default is not None:
                return default
            if allow_blank:
                return None
        try:
            return float(answer)
        except ValueError:
            say(f"  {answer!r} is not a number, try again / 请输入数字")


def _required(ask: Ask, say: Say, prompt: str) -> float:
    """A number the step cannot do without (asked again until one is given)."""
    while True:
        value = _number(ask, say, prompt, None)
        if value is not None:
            return value


def guided(method: str, quantity: str, unit: str, ask: Ask, say: Say) -> list[tuple[float, float]]:
    """Walk through ``method``'s steps, asking for the reference and the reading at each point."""
    points: list[tuple[float, float]] = []
    steps = QUANTITY_PROCEDURES.get((method, quantity), PROCEDURES[method])
    i = 0
    while True:
        step = steps[i] if i < len(steps) else Step("Set up another reference point", "设置另一个参考点", None)
        say(f"\nStep {i + 1} / 第 {i + 1} 步: {step.en}\n  {step.zh}")
        optional = (i >= 1 and method in ("known_resistor", "one_point")) or i >= len(steps)
        if method == "known_resistor" and quantity == "current":
            v = _number(ask, say, "  voltage across the known resistor / 已知电阻两端电压 (V)", None, allow_blank=optional)
            if v is None:
                break
            r = _required(ask, say, "  resistance / 电阻 (ohm)")
            ref = calibration.current_from_resistor(v, r)
            say(f"  reference current / 参考电流 = {ref:.6g} A")
        else:
            answer = _number(ask, say, f"  reference / 参考值 ({unit})", step.default, allow_blank=optional)
            if answer is None:
                break
            ref = answer
        reading = _required(ask, say, f"  reading shown by classlab / classlab 显示的读数 ({unit})")
        points.append((reading, ref))
        i += 1
        if i >= len(steps) and method != "one_point":
            more = ask("Add another point? / 再加一个点？ [y/N]: ").strip().lower()
            if more not in ("y", "yes", "是"):
                break
        elif method == "one_point":
            break
    return points


def run(args: argparse.Namespace, ask: Ask | None = None, say: Say | None = None) -> int:
    """Entry point of ``classlab calibrate`` (``ask``/``say`` are seams for tests)."""
    try:
        pm = pinmap.load(pinmap.find(args.pinmap))
    except pinmap.PinMapError as exc:
        raise UsageError(str(exc)) from None
    sensor, ch = _channel(pm, args.channel)
    quantity, unit = ch["quantity"], ch["unit"]
    if quantity in NOT_CALIBRATED:
        raise UsageError(f"channel {args.channel} ({sensor['name']}): {NOT_CALIBRATED[quantity]}")
    method = args.method or DEFAULT_METHOD.get(quantity, "two_point")
    say = say or print
    if len(args.reference) != len(args.reading):
        raise UsageError(f"give one --reading per --reference (got {len(args.reference)} and "
                         f"{len(args.reading)}) / --reference 与 --reading 个数须相同")
    if args.from_csv is not None:
        points = points_from_csv(args.from_csv, args.channel)
    elif args.reference:
        points = list(zip(args.reading, args.reference, strict=True))
    else:
        if ask is None:
            if sys.stdin is None or not sys.stdin.isatty():
                raise UsageError("no terminal to ask on: pass --reference/--reading pairs or --from-csv FILE / "
                                 "没有可交互的终端：请用 --reference/--reading 或 --from-csv 提供数据")
            ask = input
        say(f"Calibrating channel {args.channel} ({sensor['name']}, {quantity} in {unit}) of "
            f"{pm['board']['id']} by {method} / 校准 {pm['board']['id']} 的通道 {args.channel}")
        try:
            points = guided(method, quantity, unit, ask, say)
            by = args.by or (ask("Your name / 校准人: ").strip() or None)
        except EOFError:
            raise CommandError("input ended before the calibration was complete; nothing was saved / "
                               "输入中断，校准未完成，未保存任何内容") from None
        args.by = by
    if not args.by:
        raise UsageError("say who calibrated with --by NAME / 请用 --by 注明校准人")
    refs = ", ".join(f"{r:g}" for _, r in points)
    reference = f"{method}: reference {refs} {unit}" + (f"; {args.note}" if args.note else "")
    try:
        cal = calibration.calibrate_channel(args.channel, points, method, args.by, reference, args.date)
    except calibration.CalibrationError as exc:
        raise UsageError(str(exc)) from None
    path = args.file or calibration.user_path(pm["board"]["id"])
    if not args.dry_run:
        try:
            source = path if path.exists() or args.file else calibration.current_path(pm["board"]["id"])
            board_cal = calibration.load(source) if source.exists() else calibration.Calibration(pm["board"]["id"])
        except calibration.CalibrationError as exc:
            raise CommandError(f"{exc}; fix or remove the file, nothing was saved") from None
        board_cal.channels[args.channel] = cal
        calibration.save(board_cal, path)
    if args.json:
        print(json.dumps({**cal.to_dict(), "file": None if args.dry_run else str(path)}, ensure_ascii=False))
    else:
        unc = f" ± {cal.uncertainty:.3g} {unit}" if cal.uncertainty is not None else ""
        say(f"channel {args.channel}: corrected = reading × {cal.scale:.6g} + {cal.offset:.6g} {unit}{unc}"
            + ("" if args.dry_run else f"\nsaved to / 已保存到 {path}"))
    return 0
