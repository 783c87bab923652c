"""Load a pin map TOML strictly / 严格读取引脚表 TOML.

A pin map says which sensor sits on which GPIO, bus and address of one station design
(``hardware/pinmaps/*.toml``; the schema is in ``hardware/README.md``). Parsing is strict: an unknown
key, a wrong type, a missing key or an impossible value raises :class:`PinMapError` naming the file,
the line and the key. Electrical rules (conflicts, ADC pins, voltages, strapping pins...) are not
checked here but in :mod:`classlab.hardware.check`.

``load(path)`` returns the TOML's content unchanged (a plain, JSON-serialisable dict); the firmware
reads exactly this as ``board_config.json`` (:func:`to_board_config`).
"""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path
from typing import Any

from classlab.hardware.boards import BOARDS
from classlab.hardware.drivers import DRIVERS, QUANTITY_UNITS

SCHEMA = 1
PINMAP_DIR = Path(__file__).resolve().parent / "pinmaps"
ID_RE = re.compile(r"^[a-z0-9-]{1,32}$")
NAME_RE = re.compile(r"^[a-z0-9_-]{1,32}$")
MAX_CHANNEL_ID = 31
MAX_GPIO = 47

Key = tuple[str | int, ...]


class PinMapError(ValueError):
    """A pin map that cannot be read: ``file:line: key: message`` (English / 中文)."""

    def __init__(self, path: str, line: int | None, key: str, message: str) -> None:
        self.path, self.line, self.key, self.message = path, line, key, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")


class _Lines:
    """Finds the line of a key path in TOML text (tomllib keeps no positions)."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?")
    _KEY = re.compile(r'^\s*"?([A-Za-z0-9_-]+)"?\s*=')

    def __init__(self, text: str) -> None:
        self.lines: dict[Key, int] = {}
        counts: dict[str, int] = {}
        section: Key = ()
        for n, line in enumerate(text.splitlines(), start=1):
            head = self._HEADER.match(line)
            if head:
                name = head.group(2)
                if head.group(1) == "[[":
                    counts[name] = counts.get(name, -1) + 1
                    section = (name, counts[name])
                else:
                    section = (name,)
                self.lines.setdefault(section, n)
                continue
            key = self._KEY.match(line)
            if key:
                self.lines.setdefault((*section, key.group(1)), n)

    def find(self, key: Key) -> int | None:
        for end in range(len(key), 0, -1):
            if key[:end] in self.lines:
                return self.lines[key[:end]]
        return None


def _dotted(key: Key) -> str:
    out = ""
    for part in key:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class _Reader:
    def __init__(self, text: str, path: str) -> None:
        self.path, self.where = path, _Lines(text)

    def fail(self, key: Key, message: str) -> PinMapError:
        return PinMapError(self.path, self.where.find(key), _dotted(key), message)

    def keys(self, table: Any, key: Key, required: set[str], optional: set[str]) -> dict:
        if not isinstance(table, dict):
            raise self.fail(key, f"must be a table, got {type(table).__name__} / 应为表（table）")
        for k in table:
            if k not in required | optional:
                allowed = ", ".join(sorted(required | optional))
                raise self.fail((*key, k), f"unknown key; allowed here: {allowed} / 未知的键，此处允许：{allowed}")
        for k in sorted(required):
            if k not in table:
                raise self.fail(key, f"missing required key {k!r} / 缺少必需的键 {k!r}")
        return table

    def int_(self, value: Any, key: Key, lo: int, hi: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"must be an integer, got {value!r} / 应为整数")
        if not lo <= value <= hi:
            raise self.fail(key, f"must be between {lo} and {hi}, got {value} / 应在 {lo} 到 {hi} 之间")
        return value

    def num(self, value: Any, key: Key, positive: bool = True) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"must be a number, got {value!r} / 应为数字")
        if positive and not value > 0:
            raise self.fail(key, f"must be greater than 0, got {value} / 应大于 0")
        return float(value)

    def str_(self, value: Any, key: Key, pattern: re.Pattern[str] | None = None,
             choices: tuple[str, ...] | None = None) -> str:
        if not isinstance(value, str):
            raise self.fail(key, f"must be a string, got {value!r} / 应为字符串")
        if pattern is not None and not pattern.match(value):
            raise self.fail(key, f"{value!r} must match {pattern.pattern} / 格式不符：{pattern.pattern}")
        if choices is not None and value not in choices:
            raise self.fail(key, f"{value!r} is not one of {', '.join(choices)} / 取值应为 {', '.join(choices)}")
        return value

    def list_(self, value: Any, key: Key) -> list:
        if not isinstance(value, list):
            raise self.fail(key, f"must be an array, got {type(value).__name__} / 应为数组")
        return value


def _board(r: _Reader, board: Any) -> None:
    key: Key = ("board",)
    r.keys(board, key, {"id", "type", "name_zh", "name_en"}, {"wifi", "note"})
    r.str_(board["id"], (*key, "id"), ID_RE)
    r.str_(board["type"], (*key, "type"), choices=tuple(BOARDS))
    for k in ("name_zh", "name_en", "note"):
        if k in board:
            r.str_(board[k], (*key, k))
    if "wifi" in board and not isinstance(board["wifi"], bool):
        raise r.fail((*key, "wifi"), "must be true or false / 应为 true 或 false")


def _i2c(r: _Reader, buses: Any) -> None:
    for i, bus in enumerate(r.list_(buses, ("i2c",))):
        key: Key = ("i2c", i)
        r.keys(bus, key, {"id", "sda", "scl", "freq"}, {"note"})
        r.int_(bus["id"], (*key, "id"), 0, 1)
        r.int_(bus["sda"], (*key, "sda"), 0, MAX_GPIO)
        r.int_(bus["scl"], (*key, "scl"), 0, MAX_GPIO)
        r.int_(bus["freq"], (*key, "freq"), 10_000, 1_000_000)


def _divider(r: _Reader, div: Any, key: Key, biased: bool) -> None:
    if biased:
        r.keys(div, key, {"r_top", "r_bottom", "r_bias", "v_bias"}, set())
    else:
        r.keys(div, key, {"r_top", "r_bottom"}, set())
    for k in div:
        r.num(div[k], (*key, k))


def _sensor(r: _Reader, s: Any, i: int) -> None:
    key: Key = ("sensor", i)
    if not isinstance(s, dict):
        raise r.fail(key, "must be a table / 应为表")
    if "driver" not in s:
        raise r.fail(key, "missing required key 'driver' / 缺少必需的键 'driver'")
    name = r.str_(s["driver"], (*key, "driver"), choices=tuple(DRIVERS))
    d = DRIVERS[name]
    required = {"name", "driver", "channels", *d.required}
    optional = {"rate_hz", "note", *d.optional}
    if d.roles:
        required.add("pins")
    elif d.optional_roles:
        optional.add("pins")
    if d.i2c:
        required |= {"i2c", "address"}
    r.keys(s, key, required, optional)
    r.str_(s["name"], (*key, "name"), NAME_RE)
    if "pins" in s:
        pins = r.keys(s["pins"], (*key, "pins"), set(d.roles), set(d.optional_roles))
        for role, pin in pins.items():
            r.int_(pin, (*key, "pins", role), 0, MAX_GPIO)
    if d.i2c:
        r.int_(s["i2c"], (*key, "i2c"), 0, 1)
        addr = r.int_(s["address"], (*key, "address"), 0x08, 0x77)
        if addr not in d.addresses:
            options = ", ".join(f"0x{a:02X}" for a in d.addresses)
            raise r.fail((*key, "address"), f"0x{addr:02X} is not an address a {name} can have ({options}) / "
                                            f"{name} 的地址只能是 {options}")
    channels = r.list_(s["channels"], (*key, "channels"))
    if not d.min_channels <= len(channels) <= d.max_channels:
        raise r.fail((*key, "channels"), f"{name} has {d.min_channels}–{d.max_channels} channel(s), got "
                                         f"{len(channels)} / {name} 的通道数应为 {d.min_channels}–{d.max_channels}")
    for j, ch in enumerate(channels):
        ck: Key = (*key, "channels", j)
        r.keys(ch, ck, {"id", "quantity", "unit"}, set())
        r.int_(ch["id"], (*ck, "id"), 0, MAX_CHANNEL_ID)
        q = r.str_(ch["quantity"], (*ck, "quantity"), choices=d.quantities)
        r.str_(ch["unit"], (*ck, "unit"), choices=(QUANTITY_UNITS[q],))
    if "rate_hz" in s:
        r.num(s["rate_hz"], (*key, "rate_hz"))
    if "note" in s:
        r.str_(s["note"], (*key, "note"))
    if "divider" in s:
        _divider(r, s["divider"], (*key, "divider"), biased=name == "adc_bipolar")
    if "input_range" in s:
        rng = r.list_(s["input_range"], (*key, "input_range"))
        if len(rng) != 2:
            raise r.fail((*key, "input_range"), "must be [low, high] in volts / 应为 [下限, 上限]（伏）")
        lo, hi = (r.num(v, (*key, "input_range"), positive=False) for v in rng)
        if not lo < hi:
            raise r.fail((*key, "input_range"), f"low {lo} must be below high {hi} / 下限应小于上限")
    if "supply_v" in s:
        v = r.num(s["supply_v"], (*key, "supply_v"))
        if not 1.8 <= v <= 5.5:
            raise r.fail((*key, "supply_v"), f"sensor supply must be 1.8–5.5 V, got {v} / 传感器供电应为 1.8–5.5 V")
    if "ntc" in s:
        r.keys(s["ntc"], (*key, "ntc"), {"r_nominal", "beta", "r_fixed"}, {"t_nominal"})
        for k, v in s["ntc"].items():
            r.num(v, (*key, "ntc", k), positive=k != "t_nominal")
    if "ldr" in s:
        r.keys(s["ldr"], (*key, "ldr"), {"r_fixed"}, set())
        r.num(s["ldr"]["r_fixed"], (*key, "ldr", "r_fixed"))
    if "air_temp_c" in s:
        t = r.num(s["air_temp_c"], (*key, "air_temp_c"), positive=False)
        if not -40 <= t <= 60:
            raise r.fail((*key, "air_temp_c"), f"air temperature must be −40…60 °C, got {t:g} / 气温应在 −40…60 °C")
    for k in ("shunt_ohm", "max_current_a"):
        if k in s:
            r.num(s[k], (*key, k))


def loads(text: str, path: str = "<pinmap>") -> dict[str, Any]:
    """Parse and validate pin map TOML ``text``; ``path`` is only used in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise PinMapError(path, int(m.group(1)) if m else None, "",
                          f"not valid TOML: {exc} / TOML 语法错误") from None
    r = _Reader(text, path)
    r.keys(data, (), {"schema", "board", "sensor"}, {"i2c"})
    if data["schema"] != SCHEMA or isinstance(data["schema"], bool):
        raise r.fail(("schema",), f"unsupported schema {data['schema']!r}; this classlab reads schema "
                                  f"{SCHEMA} / 不支持的 schema 版本")
    _board(r, data["board"])
    if "i2c" in data:
        _i2c(r, data["i2c"])
    sensors = r.list_(data["sensor"], ("sensor",))
    if not sensors:
        raise r.fail(("sensor",), "a pin map needs at least one [[sensor]] / 至少需要一个 [[sensor]]")
    for i, s in enumerate(sensors):
        _sensor(r, s, i)
    return data


def load(path: str | Path) -> dict[str, Any]:
    """Read and validate the pin map at ``path`` (TOML); returns its content as a plain dict."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise PinMapError(str(p), None, "", f"cannot read: {exc.strerror} / 无法读取") from None
    return loads(text, str(p))


def to_board_config(pinmap: dict[str, Any]) -> dict[str, Any]:
    """The firmware's ``board_config.json`` content: the validated pin map itself (a deep copy).

    No conversion is needed: the firmware reads exactly the pin map's keys. Kept as a function so a
    future schema can convert here, in one place.
    """
    return copy.deepcopy(pinmap)


def shipped() -> list[Path]:
    """The pin maps shipped with classlab, sorted by file name."""
    return sorted(PINMAP_DIR.glob("*.toml"))


def find(name: str | Path) -> Path:
    """A pin map by path, or by board id of a shipped map (``esp32-station``)."""
    p = Path(name)
    if p.suffix == ".toml" or p.exists():
        return p
    cand = PINMAP_DIR / f"{name}.toml"
    if cand.exists():
        return cand
    known = ", ".join(q.stem for q in shipped())
    raise PinMapError(str(name), None, "", f"no such pin map; shipped: {known} / 找不到该引脚表")
