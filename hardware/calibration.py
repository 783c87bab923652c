"""Calibration files and maths / 校准文件与计算.

A calibration file (``hardware/calibration/<board id>.toml``) holds, per channel, a linear correction
``corrected = measured × scale + offset`` (in the channel's unit), with the date, who calibrated, the
method and the reference used::

    schema = 1
    board = "esp32-station"

    [[channel]]
    id = 0
    scale = 1.0021
    offset = -0.31            # °C
    date = "2026-11-25"
    by = "王老师"
    method = "two_point"      # none | one_point | two_point | known_resistor | reference_distance | reference_light
    reference = "ice water 0.0 °C; boiling water 99.6 °C (corrected for 98.9 kPa)"
    points = [[0.31, 0.0], [99.72, 99.6]]     # optional: [measured, reference] pairs
    uncertainty = 0.12                        # optional: residual standard deviation, channel unit

The firmware composes the correction with its raw→physical conversion and publishes the result in
its meta (``physical = raw × scale + offset``); :func:`apply` does the same composition on a meta
message for the gateway, and marks each channel so it is never applied twice.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = 1
CAL_DIR = Path(__file__).resolve().parent / "calibration"
METHODS = ("none", "one_point", "two_point", "known_resistor", "reference_distance", "reference_light")
# methods whose single-point form corrects the gain (a known resistor/current through zero) rather than
# the offset (ice water)
SCALE_ONLY_ONE_POINT = ("known_resistor",)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CalibrationError(ValueError):
    """A calibration file or a set of points that cannot be used; the message says why (en / zh)."""


@dataclass
class ChannelCal:
    """The correction of one channel: ``corrected = measured × scale + offset``."""

    id: int
    scale: float = 1.0
    offset: float = 0.0
    date: str = ""
    by: str = ""
    method: str = "none"
    reference: str = ""
    points: list[list[float]] = field(default_factory=list)
    uncertainty: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "scale": self.scale, "offset": self.offset, "date": self.date,
                             "by": self.by, "method": self.method, "reference": self.reference}
        if self.points:
            d["points"] = self.points
        if self.uncertainty is not None:
            d["uncertainty"] = self.uncertainty
        return d


@dataclass
class Calibration:
    """All channel corrections of one board."""

    board: str
    channels: dict[int, ChannelCal] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "board": self.board,
                "channel": [self.channels[k].to_dict() for k in sorted(self.channels)]}


# -- maths -------------------------------------------------------------------------------------------

def fit(points: list[tuple[float, float]], method: str) -> tuple[float, float, float | None]:
    """``(scale, offset, uncertainty)`` mapping measured → reference from ``(measured, reference)`` pairs.

    One point: an offset correction (scale 1), or for ``known_resistor`` a gain correction through zero
    (offset 0). Two or more: least-squares straight line; with three or more the residual standard
    deviation (n − 2 degrees of freedom) is the uncertainty, in the channel's unit.
    """
    if not points:
        raise CalibrationError("no calibration points / 没有校准点")
    if len(points) == 1:
        measured, ref = points[0]
        if method in SCALE_ONLY_ONE_POINT:
            if measured == 0:
                raise CalibrationError("a one-point gain calibration needs a non-zero reading / "
                                       "单点增益校准的读数不能为 0")
            return ref / measured, 0.0, None
        return 1.0, ref - measured, None
    xs = [float(m) for m, _ in points]
    ys = [float(r) for _, r in points]
    n = len(points)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        raise CalibrationError("all readings are equal, so the gain cannot be found; use references "
                               "far apart / 所有读数相同，无法求增益；请使用相距较远的参考值")
    scale = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    offset = my - scale * mx
    unc = None
    if n > 2:
        ss = sum((y - (scale * x + offset)) ** 2 for x, y in zip(xs, ys, strict=True))
        unc = math.sqrt(ss / (n - 2))
    return scale, offset, unc


def calibrate_channel(channel: int, points: list[tuple[float, float]], method: str, by: str,
                      reference: str, date: str | None = None) -> ChannelCal:
    """A new :class:`ChannelCal` from measured/reference pairs (see :func:`fit`)."""
    if method not in METHODS or method == "none":
        raise CalibrationError(f"unknown method {method!r}; choose one of {', '.join(METHODS[1:])} / 未知的校准方法")
    scale, offset, unc = fit(points, method)
    return ChannelCal(id=channel, scale=scale, offset=offset, date=date or dt.date.today().isoformat(),
                      by=by, method=method, reference=reference,
                      points=[[float(m), float(r)] for m, r in points], uncertainty=unc)


def current_from_resistor(voltage_v: float, resistance_ohm: float) -> float:
    """Reference current (A) through a known resistor (ohm) with ``voltage_v`` volts across it."""
    if resistance_ohm <= 0:
        raise CalibrationError("resistance must be > 0 ohm / 电阻应大于 0 Ω")
    return voltage_v / resistance_ohm


def speed_of_sound(temperature_c: float) -> float:
    """Speed of sound in dry air (m/s) at ``temperature_c`` °C: 331.3 · √(1 + T/273.15)."""
    return 331.3 * math.sqrt(1 + temperature_c / 273.15)


# -- meta --------------------------------------------------------------------------------------------

def apply(meta: dict[str, Any], calibration: Calibration) -> dict[str, Any]:
    """A copy of ``meta`` with each calibrated channel's scale/offset composed with the correction.

    ``physical = raw × scale + offset`` becomes ``raw × (scale·s) + (offset·s + o)`` for a correction
    ``(s, o)``. Each corrected channel gets a ``"calibration"`` entry (scale, offset, date, by, method);
    a channel that already has one (the firmware applied it) is left alone, so applying twice is safe.
    """
    out = copy.deepcopy(meta)
    for ch in out.get("channels", []):
        cal = calibration.channels.get(ch.get("id"))
        if cal is None or "calibration" in ch or cal.method == "none":
            continue
        ch["scale"] = float(ch.get("scale", 1.0)) * cal.scale
        ch["offset"] = float(ch.get("offset", 0.0)) * cal.scale + cal.offset
        ch["calibration"] = {"scale": cal.scale, "offset": cal.offset, "date": cal.date, "by": cal.by,
                             "method": cal.method}
    return out


def to_board_config(calibration: Calibration) -> list[dict[str, Any]]:
    """The ``calibration`` list for ``board_config.json``: id, scale, offset, date, by, method per channel."""
    return [{k: c.to_dict()[k] for k in ("id", "scale", "offset", "date", "by", "method")}
            for c in (calibration.channels[i] for i in sorted(calibration.channels))]


# -- files -------------------------------------------------------------------------------------------

def _fail(path: str, what: str) -> CalibrationError:
    return CalibrationError(f"{path}: {what}")


def loads(text: str, path: str = "<calibration>") -> Calibration:
    """Parse calibration TOML strictly (unknown keys and wrong types are errors)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, f"not valid TOML: {exc} / TOML 语法错误") from None
    extra = set(data) - {"schema", "board", "channel"}
    if extra:
        raise _fail(path, f"unknown key(s) {sorted(extra)}; allowed: schema, board, channel / 未知的键")
    if data.get("schema") != SCHEMA:
        raise _fail(path, f"schema must be {SCHEMA}, got {data.get('schema')!r} / schema 版本不符")
    if not isinstance(data.get("board"), str):
        raise _fail(path, "board must be the board id (a string) / board 应为板子编号字符串")
    cal = Calibration(board=data["board"])
    allowed = {"id", "scale", "offset", "date", "by", "method", "reference", "points", "uncertainty"}
    for i, ch in enumerate(data.get("channel", [])):
        where = f"channel[{i}]"
        if not isinstance(ch, dict):
            raise _fail(path, f"{where} must be a table / 应为表")
        unknown = set(ch) - allowed
        if unknown:
            raise _fail(path, f"{where}: unknown key(s) {sorted(unknown)}; allowed: {', '.join(sorted(allowed))}"
                              f" / 未知的键")
        missing = {"id", "scale", "offset", "date", "by", "method", "reference"} - set(ch)
        if missing:
            raise _fail(path, f"{where}: missing {sorted(missing)} / 缺少必需的键")
        if isinstance(ch["id"], bool) or not isinstance(ch["id"], int) or not 0 <= ch["id"] <= 31:
            raise _fail(path, f"{where}.id must be an integer 0–31 / 通道号应为 0–31 的整数")
        for k in ("scale", "offset"):
            if isinstance(ch[k], bool) or not isinstance(ch[k], int | float) or not math.isfinite(ch[k]):
                raise _fail(path, f"{where}.{k} must be a finite number / 应为有限数值")
        if ch["scale"] == 0:
            raise _fail(path, f"{where}.scale must not be 0 / scale 不能为 0")
        for k in ("date", "by", "method", "reference"):
            if not isinstance(ch[k], str):
                raise _fail(path, f"{where}.{k} must be a string / 应为字符串")
        if not _DATE.match(ch["date"]):
            raise _fail(path, f"{where}.date must be YYYY-MM-DD, got {ch['date']!r} / 日期格式应为 YYYY-MM-DD")
        if ch["method"] not in METHODS:
            raise _fail(path, f"{where}.method {ch['method']!r} is not one of {', '.join(METHODS)} / 未知的校准方法")
        if ch["id"] in cal.channels:
            raise _fail(path, f"{where}: channel {ch['id']} appears twice / 通道重复")
        unc = ch.get("uncertainty")
        if unc is not None and (isinstance(unc, bool) or not isinstance(unc, int | float)):
            raise _fail(path, f"{where}.uncertainty must be a number / 应为数字")
        cal.channels[ch["id"]] = ChannelCal(
            id=ch["id"], scale=float(ch["scale"]), offset=float(ch["offset"]), date=ch["date"], by=ch["by"],
            method=ch["method"], reference=ch["reference"],
            points=[[float(a), float(b)] for a, b in ch.get("points", [])],
            uncertainty=None if unc is None else float(unc))
    return cal


def load(path: str | Path) -> Calibration:
    """Read the calibration file at ``path``."""
    p = Path(path)
    try:
        return loads(p.read_text(encoding="utf-8"), str(p))
    except OSError as exc:
        raise CalibrationError(f"{p}: cannot read: {exc.strerror} / 无法读取") from None


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def dumps(cal: Calibration) -> str:
    """TOML text of ``cal`` (round-trips through :func:`loads`)."""
    lines = ["# classlab calibration file / 校准文件 — see hardware/calibration.md",
             f"schema = {SCHEMA}", f"board = {_toml_str(cal.board)}"]
    for k in sorted(cal.channels):
        c = cal.channels[k]
        lines += ["", "[[channel]]", f"id = {c.id}", f"scale = {c.scale!r}", f"offset = {c.offset!r}",
                  f"date = {_toml_str(c.date)}", f"by = {_toml_str(c.by)}", f"method = {_toml_str(c.method)}",
                  f"reference = {_toml_str(c.reference)}"]
        if c.points:
            lines.append("points = [" + ", ".join(f"[{a!r}, {b!r}]" for a, b in c.points) + "]")
        if c.uncertainty is not None:
            lines.append(f"uncertainty = {c.uncertainty!r}")
    return "\n".join(lines) + "\n"


def save(cal: Calibration, path: str | Path) -> None:
    """Write ``cal`` to ``path`` atomically (write a temporary file, then rename)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(dumps(cal), encoding="utf-8")
    tmp.replace(p)


def default_path(board_id: str) -> Path:
    """The shipped calibration file of a board id (identity: method "none" on every channel)."""
    return CAL_DIR / f"{board_id}.toml"


def user_path(board_id: str) -> Path:
    """Where `classlab calibrate` keeps this machine's calibration of a board: the user's data directory
    ($CLASSLAB_DATA_DIR, else $XDG_DATA_HOME/classlab or ~/.local/share/classlab) / calibration / <id>.toml —
    never inside the installed package."""
    import os

    if os.environ.get("CLASSLAB_DATA_DIR"):
        base = Path(os.environ["CLASSLAB_DATA_DIR"])
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "classlab"
    return base / "calibration" / f"{board_id}.toml"


def current_path(board_id: str) -> Path:
    """The calibration in force for a board: the user's file if there is one, else the shipped default."""
    p = user_path(board_id)
    return p if p.exists() else default_path(board_id)


def deployed(board_id: str) -> list[dict[str, Any]]:
    """The ``calibration`` list `classlab firmware deploy` adds to board_config.json: the channels of the
    calibration in force that were really calibrated (method other than "none"); [] when none were."""
    cal = load(current_path(board_id)) if current_path(board_id).exists() else Calibration(board_id)
    return [c for c in to_board_config(cal) if c["method"] != "none"]
