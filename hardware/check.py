"""Electrical rules for pin maps: `classlab hardware check` / 引脚表电气规则检查.

Each :class:`Finding` has a rule id, a severity (``error`` stops a deploy, ``warning`` does not), the
sensor and pin it is about, and a message in English and Chinese saying what is wrong and how to fix it.

Rules (ids are stable; tests trigger each one):

==================== ======== ==========================================================================
rule                 severity what
==================== ======== ==========================================================================
``pin-invalid``      error    the GPIO does not exist / is not on the board's header
``pin-reserved``     error    the GPIO is used by the board itself (flash, USB console, wireless chip…)
``pin-conflict``     error    two sensors / buses use the same GPIO
``input-only``       error    an output, bidirectional or I²C role on an input-only GPIO (ESP32 34–39)
``adc-pin``          error    an analog sensor on a GPIO without an ADC
``adc2-wifi``        error    an analog sensor on an ESP32 ADC2 GPIO while Wi-Fi is on
``overvoltage``      error    the input range (through the divider) puts > 3.3 V or < 0 V on a pin,
                              or exceeds a chip's own input limit
``adc-nonlinear``    warning  the pin voltage leaves the ADC's linear range (ESP32: 0.15–2.45 V)
``strapping-pin``    error    ESP32 GPIO0/2/12/15 used by a sensor or bus (warning for GPIO5)
``i2c-bus-undefined`` error   a sensor names an I²C bus with no ``[[i2c]]`` table
``i2c-bus-duplicate`` error   two ``[[i2c]]`` tables with the same id
``i2c-pins``         error    SDA/SCL not a valid pin pair for that bus (RP2040)
``i2c-address-clash`` error   two sensors on one bus at the same address
``sensor-duplicate`` error    two sensors with the same name
``channel-duplicate`` error   two channels with the same id
==================== ======== ==========================================================================
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from classlab.hardware import frontend
from classlab.hardware.boards import BoardFacts, facts
from classlab.hardware.drivers import DRIVERS
from classlab.hardware.pinmap import PinMapError, load

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    """One problem: ``rule`` id, ``severity``, the ``sensor`` (name or ``i2c[N]``), the ``pin``."""

    rule: str
    severity: str
    sensor: str | None
    pin: int | None
    message_en: str
    message_zh: str

    def __str__(self) -> str:
        where = " ".join(x for x in (self.sensor or "", f"GPIO{self.pin}" if self.pin is not None else "") if x)
        return f"{self.severity} [{self.rule}] {where}: {self.message_en} / {self.message_zh}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Use:
    """One GPIO use: who (``sensor`` or ``i2c[N]``), the role, and its kind (adc/in/out/io/i2c)."""

    owner: str
    role: str
    kind: str
    pin: int
    pull_up: bool = False


def _uses(pm: dict[str, Any]) -> list[Use]:
    uses = []
    for bus in pm.get("i2c", []):
        for role in ("sda", "scl"):
            uses.append(Use(f"i2c[{bus['id']}]", role, "i2c", bus[role], pull_up=True))
    for s in pm["sensor"]:
        d = DRIVERS[s["driver"]]
        kinds = {**d.roles, **d.optional_roles}
        for role, pin in s.get("pins", {}).items():
            uses.append(Use(s["name"], role, kinds[role], pin, pull_up=role in d.pull_up))
    return uses


def _pins(b: BoardFacts, uses: list[Use], wifi: bool) -> list[Finding]:
    out: list[Finding] = []
    by_pin: dict[int, list[Use]] = {}
    for u in uses:
        by_pin.setdefault(u.pin, []).append(u)
        what = f"{u.owner}.{u.role}"
        if u.pin in b.reserved:
            en, zh = b.reserved[u.pin]
            out.append(Finding("pin-reserved", ERROR, u.owner, u.pin,
                               f"{what} is on GPIO{u.pin}: {en}; move it to a free GPIO",
                               f"{what} 接在 GPIO{u.pin}：{zh}；请改接到空闲引脚"))
            continue
        if u.pin not in b.gpios:
            free = _ranges(b.gpios - set(b.reserved) - set(b.strapping))
            out.append(Finding("pin-invalid", ERROR, u.owner, u.pin,
                               f"{what}: GPIO{u.pin} is not an available pin on a {b.name_en}; use one of {free}",
                               f"{what}：{b.name_zh} 没有可用的 GPIO{u.pin}；可用引脚：{free}"))
            continue
        if u.pin in b.strapping:
            en, zh = b.strapping[u.pin]
            out.append(Finding("strapping-pin", ERROR, u.owner, u.pin,
                               f"{what} is on GPIO{u.pin}. {en}. Move it to a non-strapping GPIO "
                               f"(e.g. 16–19, 21–23, 25–27, 32–33)",
                               f"{what} 接在 GPIO{u.pin}。{zh}。请改接到非启动配置引脚（如 16–19、21–23、25–27、32–33）"))
        elif u.pin in b.strapping_warn:
            en, zh = b.strapping_warn[u.pin]
            out.append(Finding("strapping-pin", WARNING, u.owner, u.pin, f"{what}: {en}", f"{what}：{zh}"))
        if u.pin in b.input_only and u.kind in ("out", "io", "i2c"):
            need = {"out": "drives an output", "io": "needs a bidirectional pin",
                    "i2c": "is an open-drain I²C line"}[u.kind]
            out.append(Finding("input-only", ERROR, u.owner, u.pin,
                               f"{what} {need}, but GPIO{u.pin} is input-only (no output driver); "
                               f"use a GPIO below 34",
                               f"{what} 需要输出能力，但 GPIO{u.pin} 只能输入（无输出驱动）；请改用 34 以下的引脚"))
        if u.kind == "adc":
            if u.pin not in b.adc:
                out.append(Finding("adc-pin", ERROR, u.owner, u.pin,
                                   f"{what} is an analog input but GPIO{u.pin} has no ADC; use one of "
                                   f"{_ranges(frozenset(set(b.adc) - set(b.adc2)) if wifi else frozenset(b.adc))}",
                                   f"{what} 是模拟输入，但 GPIO{u.pin} 没有 ADC；请改接到 ADC 引脚"
                                   f"（{_ranges(frozenset(set(b.adc) - set(b.adc2)) if wifi else frozenset(b.adc))}）"))
            elif u.pin in b.adc2 and wifi:
                out.append(Finding("adc2-wifi", ERROR, u.owner, u.pin,
                                   f"{what} is on GPIO{u.pin} ({b.adc[u.pin]}): ADC2 cannot be read while "
                                   f"Wi-Fi is on; use an ADC1 pin (GPIO32–39)",
                                   f"{what} 接在 GPIO{u.pin}（{b.adc[u.pin]}）：Wi-Fi 开启时 ADC2 无法读取；"
                                   f"请改用 ADC1 引脚（GPIO32–39）"))
    for pin, users in sorted(by_pin.items()):
        if len(users) > 1:
            names = ", ".join(f"{u.owner}.{u.role}" for u in users)
            out.append(Finding("pin-conflict", ERROR, users[1].owner, pin,
                               f"GPIO{pin} is used by {names}; give each its own GPIO",
                               f"GPIO{pin} 被 {names} 同时占用；请为每个用途分配独立引脚"))
    return out


def _ranges(pins: frozenset[int] | set[int]) -> str:
    """``{0,1,2,5}`` -> ``"0–2, 5"``."""
    out: list[list[int]] = []
    run: list[int] = []
    for p in sorted(pins):
        if run and p != run[-1] + 1:
            out.append(run)
            run = []
        run.append(p)
    if run:
        out.append(run)
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in out)


def _voltages(b: BoardFacts, pm: dict[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    for s in pm["sensor"]:
        d, name = DRIVERS[s["driver"]], s["name"]
        pins = s.get("pins", {})
        if "input_range" in s and d.max_input_v is not None and s["input_range"][1] > d.max_input_v:
            hi = s["input_range"][1]
            out.append(Finding("overvoltage", ERROR, name, None,
                               f"input_range up to {hi:g} V exceeds the {s['driver']}'s own limit of "
                               f"{d.max_input_v:g} V; measure lower voltages or add a divider",
                               f"input_range 上限 {hi:g} V 超过 {s['driver']} 本身的 {d.max_input_v:g} V 限值；"
                               f"请降低量程或加分压"))
        if "adc" in pins and "input_range" in s and "divider" in s:
            lo, hi = (frontend.pin_voltage(s["divider"], v) for v in s["input_range"])
            lo, hi = min(lo, hi), max(lo, hi)
            out += _pin_range(b, name, pins["adc"], lo, hi, s)
        kinds = {**d.roles, **d.optional_roles}
        # a digital output (or a pull-up) of the sensor swings to its supply, through the divider if any
        for role in (r for r in pins if kinds[r] in ("in", "io")):
            v_out = float(s.get("supply_v", 3.3))
            if "divider" in s:
                v_out = frontend.pin_voltage(s["divider"], v_out)
            if v_out > b.v_pin_max + 1e-9:
                fix_en = ("make the divider put at most 3.3 V on the pin (e.g. r_top = 10 kΩ, "
                          "r_bottom = 15 kΩ gives 3.0 V from 5 V)") if "divider" in s else \
                         ("add a divider on the output (e.g. divider = { r_top = 10000, r_bottom = 15000 }) "
                          "or power the sensor from 3.3 V")
                fix_zh = "调整分压电阻使引脚电压不超过 3.3 V（如 10 kΩ/15 kΩ 把 5 V 分到 3.0 V）" if "divider" in s \
                    else "在输出端加分压（如 r_top = 10 kΩ、r_bottom = 15 kΩ）或改用 3.3 V 供电"
                if kinds[role] == "io":
                    fix_en = "power the sensor and its pull-up from 3.3 V (a bidirectional line cannot use a divider)"
                    fix_zh = "传感器及其上拉电阻改用 3.3 V 供电（双向信号线不能用分压）"
                out.append(Finding("overvoltage", ERROR, name, pins[role],
                                   f"{name}.{role} puts {v_out:.2f} V on GPIO{pins[role]} (sensor at "
                                   f"{s.get('supply_v', 3.3):g} V), above {b.v_pin_max:g} V; {fix_en}",
                                   f"{name}.{role} 会在 GPIO{pins[role]} 上产生 {v_out:.2f} V（传感器供电 "
                                   f"{s.get('supply_v', 3.3):g} V），超过 {b.v_pin_max:g} V；{fix_zh}"))
    return out


def _pin_range(b: BoardFacts, name: str, pin: int, lo: float, hi: float, s: dict[str, Any]) -> list[Finding]:
    rng = f"{s['input_range'][0]:g}…{s['input_range'][1]:g} V"
    if hi > b.v_pin_max + 1e-9 or lo < -1e-9:
        bad = f"{hi:.2f} V" if hi > b.v_pin_max + 1e-9 else f"{lo:.2f} V"
        return [Finding("overvoltage", ERROR, name, pin,
                        f"input {rng} through the divider gives {lo:.2f}…{hi:.2f} V on GPIO{pin}; {bad} is "
                        f"outside 0…{b.v_pin_max:g} V and can damage the pin. Increase r_top (or add a bias "
                        f"for negative inputs, see hardware/frontend.md) or narrow input_range",
                        f"输入 {rng} 经分压后在 GPIO{pin} 上为 {lo:.2f}…{hi:.2f} V；{bad} 超出 0…{b.v_pin_max:g} V，"
                        f"可能损坏引脚。请增大 r_top（负电压需加偏置，见 hardware/frontend.md）或缩小 input_range")]
    lin_lo, lin_hi = b.adc_linear
    if "r_bias" not in s["divider"]:
        # a plain divider always reaches 0 V at 0 V in; the ESP32's dead zone below 0.15 V is a known
        # limit of unipolar inputs (documented in frontend.md), not something the pin map can fix
        lin_lo = min(lin_lo, 0.0)
    if lo < lin_lo - 1e-9 or hi > lin_hi + 1e-9:
        return [Finding("adc-nonlinear", WARNING, name, pin,
                        f"input {rng} gives {lo:.2f}…{hi:.2f} V on GPIO{pin}, outside the ADC's linear range "
                        f"{lin_lo:g}…{lin_hi:g} V: readings near the ends will be off; adjust the divider",
                        f"输入 {rng} 在 GPIO{pin} 上为 {lo:.2f}…{hi:.2f} V，超出 ADC 线性区 {lin_lo:g}…{lin_hi:g} V，"
                        f"两端读数会偏差；请调整分压电阻")]
    return []


def _i2c(b: BoardFacts, pm: dict[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    buses: dict[int, dict[str, Any]] = {}
    for bus in pm.get("i2c", []):
        bid = bus["id"]
        if bid in buses:
            out.append(Finding("i2c-bus-duplicate", ERROR, f"i2c[{bid}]", None,
                               f"I²C bus {bid} is defined twice; keep one [[i2c]] table per bus id",
                               f"I²C 总线 {bid} 定义了两次；每个总线编号只保留一个 [[i2c]]"))
            continue
        buses[bid] = bus
        if b.i2c_pins is not None:
            sda_ok, scl_ok = b.i2c_pins[bid]
            for role, ok in (("sda", sda_ok), ("scl", scl_ok)):
                if bus[role] not in ok:
                    out.append(Finding("i2c-pins", ERROR, f"i2c[{bid}]", bus[role],
                                       f"GPIO{bus[role]} cannot be {role.upper()} of I2C{bid} on the "
                                       f"{b.name_en}; use one of GP{', GP'.join(map(str, sorted(ok)))}",
                                       f"{b.name_zh} 上 GPIO{bus[role]} 不能作 I2C{bid} 的 {role.upper()}；"
                                       f"可用：GP{', GP'.join(map(str, sorted(ok)))}"))
    seen: dict[tuple[int, int], str] = {}
    for s in pm["sensor"]:
        if not DRIVERS[s["driver"]].i2c:
            continue
        bid, addr, name = s["i2c"], s["address"], s["name"]
        if bid not in buses:
            out.append(Finding("i2c-bus-undefined", ERROR, name, None,
                               f"{name} is on I²C bus {bid}, which has no [[i2c]] table; add one with "
                               f"id = {bid}, sda, scl and freq",
                               f"{name} 使用 I²C 总线 {bid}，但没有对应的 [[i2c]]；请添加 id = {bid} 及 sda、scl、freq"))
        if (bid, addr) in seen:
            other = seen[(bid, addr)]
            out.append(Finding("i2c-address-clash", ERROR, name, None,
                               f"{name} and {other} both use address 0x{addr:02X} on I²C bus {bid}; set the "
                               f"chip's address pin for the other address or put it on another bus",
                               f"{name} 与 {other} 在 I²C 总线 {bid} 上地址同为 0x{addr:02X}；请通过地址引脚改用另一地址，"
                               f"或接到另一条总线"))
        else:
            seen[(bid, addr)] = name
    return out


def _names(pm: dict[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    names: set[str] = set()
    channels: dict[int, str] = {}
    for s in pm["sensor"]:
        name = s["name"]
        if name in names:
            out.append(Finding("sensor-duplicate", ERROR, name, None,
                               f"two sensors are named {name!r}; names must be unique on a board",
                               f"有两个传感器都叫 {name!r}；同一块板上名称不能重复"))
        names.add(name)
        for ch in s["channels"]:
            cid = ch["id"]
            if cid in channels:
                out.append(Finding("channel-duplicate", ERROR, name, None,
                                   f"channel id {cid} is used by {channels[cid]} and {name}; channel ids "
                                   f"must be unique on a board (0–31)",
                                   f"通道号 {cid} 被 {channels[cid]} 和 {name} 重复使用；同一块板上通道号须唯一（0–31）"))
            else:
                channels[cid] = name
    return out


def check(pm: dict[str, Any]) -> list[Finding]:
    """All findings for a validated pin map (as :func:`classlab.hardware.pinmap.load` returns it)."""
    b = facts(pm["board"]["type"])
    wifi = bool(pm["board"].get("wifi", b.wifi_default))
    return [*_names(pm), *_pins(b, _uses(pm), wifi), *_voltages(b, pm), *_i2c(b, pm)]


@dataclass
class Report:
    """The result of checking one file: a parse error, or the findings."""

    path: str
    findings: list[Finding]
    parse_error: PinMapError | None = None

    @property
    def ok(self) -> bool:
        return self.parse_error is None and not any(f.severity == ERROR for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        err = None
        if self.parse_error is not None:
            e = self.parse_error
            err = {"line": e.line, "key": e.key, "message": e.message}
        return {"path": self.path, "ok": self.ok, "parse_error": err,
                "findings": [f.to_dict() for f in self.findings]}


def check_file(path: str | Path) -> Report:
    """Load and check the pin map at ``path``; a parse error becomes part of the report."""
    try:
        pm = load(path)
    except PinMapError as exc:
        return Report(str(path), [], exc)
    return Report(str(path), check(pm))
