"""What each sensor driver in a pin map needs / 各传感器驱动在引脚表中的要求.

A driver declares its pin roles (and what each role does electrically), whether it sits on an I²C
bus and at which addresses, which channel quantities it produces, and which extra keys it takes.
The pin-map parser (:mod:`classlab.hardware.pinmap`) and the checks (:mod:`classlab.hardware.check`)
read this table; the firmware has one driver module per name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# quantity -> unit, following the session CSV contract (`<quantity>_<unit>` column names)
QUANTITY_UNITS: dict[str, str] = {
    "temperature": "C",
    "illuminance": "lx",
    "distance": "m",
    "voltage": "V",
    "current": "A",
    "acceleration": "m/s2",
    "angular_velocity": "rad/s",
    "gate": "level",
}

# role kinds: "adc" analog input, "in" digital input, "out" digital output, "io" bidirectional
ROLE_KINDS = ("adc", "in", "out", "io")


@dataclass(frozen=True)
class Driver:
    """Schema of one driver: pin roles, bus, channels, extra keys (with their TOML types)."""

    name: str
    label_en: str
    label_zh: str
    roles: dict[str, str] = field(default_factory=dict)          # required role -> kind
    optional_roles: dict[str, str] = field(default_factory=dict)
    i2c: bool = False
    addresses: tuple[int, ...] = ()
    quantities: tuple[str, ...] = ()          # allowed channel quantities, in the driver's order
    min_channels: int = 1
    max_channels: int = 1
    required: tuple[str, ...] = ()            # extra keys that must be present
    optional: tuple[str, ...] = ()            # extra keys that may be present
    pull_up: tuple[str, ...] = ()             # roles that carry an external pull-up resistor
    max_input_v: float | None = None          # the chip's own limit at its input terminals (volts)


DRIVERS: dict[str, Driver] = {d.name: d for d in (
    Driver("ds18b20", "DS18B20 waterproof temperature probe", "DS18B20 防水温度探头",
           roles={"data": "io"}, quantities=("temperature",), pull_up=("data",),
           optional=("supply_v",)),
    Driver("ntc", "NTC thermistor (10 kΩ, B 3950) in a divider", "NTC 热敏电阻（10 kΩ，B 3950）分压",
           roles={"adc": "adc"}, quantities=("temperature",), required=("ntc",)),
    Driver("bh1750", "BH1750 light sensor (I²C)", "BH1750 光照传感器（I²C）",
           i2c=True, addresses=(0x23, 0x5C), quantities=("illuminance",)),
    Driver("ldr", "Photoresistor (LDR) in a divider", "光敏电阻分压",
           roles={"adc": "adc"}, quantities=("illuminance",), required=("ldr",)),
    Driver("hcsr04", "HC-SR04 ultrasonic distance sensor", "HC-SR04 超声波测距",
           roles={"trig": "out", "echo": "in"}, quantities=("distance",),
           optional=("supply_v", "divider", "air_temp_c")),
    Driver("photogate", "Photogate (slotted IR interrupter)", "光电门（槽型红外对射）",
           roles={"gate": "in"}, quantities=("gate",), optional=("supply_v", "divider")),
    Driver("mpu6050", "MPU-6050 accelerometer + gyroscope (I²C)", "MPU-6050 加速度计 + 陀螺仪（I²C）",
           optional_roles={"int": "in"}, i2c=True, addresses=(0x68, 0x69),
           quantities=("acceleration", "angular_velocity"), max_channels=6),
    Driver("adc_divider", "Voltage input 0–12 V (resistor divider)", "电压输入 0–12 V（电阻分压）",
           roles={"adc": "adc"}, quantities=("voltage",), required=("divider", "input_range")),
    Driver("adc_bipolar", "Voltage input ±10 V (biased divider)", "电压输入 ±10 V（偏置分压）",
           roles={"adc": "adc"}, quantities=("voltage",), required=("divider", "input_range")),
    Driver("ina219", "INA219 current / voltage monitor (I²C)", "INA219 电流 / 电压模块（I²C）",
           i2c=True, addresses=tuple(range(0x40, 0x50)), quantities=("voltage", "current"),
           max_channels=2, required=("shunt_ohm",), optional=("input_range", "max_current_a"),
           max_input_v=26.0),
)}


def driver(name: str) -> Driver:
    """The driver called ``name``; ValueError lists the known drivers."""
    try:
        return DRIVERS[name]
    except KeyError:
        raise ValueError(f"unknown driver {name!r}; choose one of {', '.join(DRIVERS)}") from None
