"""Facts per board type that the pin-map checks rely on / 各型号开发板的引脚事实.

Every set below cites where the fact comes from. Pin numbers are GPIO numbers (ESP32 ``GPIOn``,
RP2040 ``GPn``), not header positions.

Sources
-------
* [ESP32-DS] Espressif, *ESP32 Series Datasheet* v4.x: §2.2 "Pin Description" (table 2-1, pin
  functions; GPIO20/24/28–31 are not bonded out on ESP32-WROOM-32), §2.4 "Strapping Pins" (GPIO0, GPIO2,
  GPIO5, GPIO12 = MTDI, GPIO15 = MTDO), §4.1.2 "Analog-to-Digital Converter": ADC1 = 8 channels on
  GPIO32–39, ADC2 = 10 channels on GPIO0, 2, 4, 12–15, 25–27.
* [ESP32-TRM] *ESP32 Technical Reference Manual* §4 "IO_MUX and GPIO Matrix": GPIO34–39 are input-only
  (no output driver, no internal pull-up/pull-down).
* [ESP-IDF-ADC] ESP-IDF programming guide, "Analog to Digital Converter (ADC) Oneshot Mode Driver"
  — "ADC2 is used by the Wi-Fi driver ... the application can only use ADC2 when the Wi-Fi driver
  has not started"; with 12 dB (a.k.a. 11 dB) attenuation the recommended input range is
  150–2450 mV (beyond it the reading is non-linear, saturating near 3.1 V).
* [WROOM-DS] *ESP32-WROOM-32E Datasheet* §3 "Pin Definitions": GPIO6–11 are connected to the
  module's SPI flash and must not be used; GPIO1/GPIO3 are UART0 TX/RX (USB-serial console).
* [RP2040-DS] Raspberry Pi, *RP2040 Datasheet* §4.9 "ADC and Temperature Sensor": 4 inputs on
  GPIO26–29 (ADC0–3), input range 0–ADC_VREF (3.3 V on Pico); §1.4.3 "GPIO Functions" (I²C pin pairs);
  §5.5.3 / table 629 "Pad specifications": IOVDD 3.3 V, pins are not 5 V tolerant.
* [PICO-DS] *Raspberry Pi Pico Datasheet* §2.1 "Raspberry Pi Pico Pinout" and §4.4 "Using the ADC":
  GP23 = SMPS power-save control (output), GP24 = VBUS sense (input), GP25 = user LED, GP29 = ADC3
  measuring VSYS/3; none of them is on the 40-pin header.
* [PICOW-DS] *Raspberry Pi Pico W Datasheet* §2.1 and §3.1 "Wireless interface": GP23 = WL_ON,
  GP24 = WL_D (SPI data/IRQ), GP25 = WL_CS, GP29 = WL_CLK shared with ADC3 (VSYS/3 readable only when
  the wireless chip is idle); the LED is on the CYW43439's WL_GPIO0.

Checked against (2026-11): docs.espressif.com/projects/esp-idf/en/v3.2.2/api-reference/peripherals/adc.html
("ADC2 is used by the Wi-Fi driver...", ADC1 = GPIO32–39, ADC2 = GPIO0, 2, 4, 12–15, 25–27; on the DevKitC
GPIO0 is taken by the auto-program circuit); the ESP32-WROOM-32D datasheet §2.3 "Strapping Pins" table
(MTDI pull-down → 3.3 V flash, 1 → 1.8 V; GPIO0 pull-up, 0 → download boot; GPIO2 pull-down; MTDO
pull-up, 0 → silent boot log; GPIO5 + MTDO → SDIO timing); the Pico 2 W / Pico W schematics ("GPIO 23 24 25
29 are used for the wireless interface").
"""

from __future__ import annotations

from dataclasses import dataclass, field

# the logic supply of both chips; absolute maximum on a pin is VDD + 0.3 V, so 3.3 V is the limit we
# allow any input range to reach (volts)
V_PIN_MAX = 3.3


@dataclass(frozen=True)
class BoardFacts:
    """What a board type allows on each GPIO.

    ``reserved`` maps a pin to the reason it must not be used; ``strapping`` to the reason it is
    risky at reset; ``adc_linear`` is the voltage range (volts) in which the ADC reads linearly.
    """

    type: str
    name_en: str
    name_zh: str
    gpios: frozenset[int]                       # pins that exist and can be wired
    adc: dict[int, str]                         # pin -> ADC channel name
    adc2: frozenset[int] = frozenset()          # ADC pins unusable while Wi-Fi runs
    input_only: frozenset[int] = frozenset()
    strapping: dict[int, tuple[str, str]] = field(default_factory=dict)   # pin -> (en, zh)
    strapping_warn: dict[int, tuple[str, str]] = field(default_factory=dict)
    reserved: dict[int, tuple[str, str]] = field(default_factory=dict)    # pin -> (en, zh)
    i2c_pins: dict[int, tuple[frozenset[int], frozenset[int]]] | None = None  # bus -> (sda, scl)
    i2c_buses: frozenset[int] = frozenset({0, 1})
    adc_linear: tuple[float, float] = (0.0, V_PIN_MAX)
    wifi_default: bool = True
    v_pin_max: float = V_PIN_MAX


_ESP32_ADC1 = {32: "ADC1_CH4", 33: "ADC1_CH5", 34: "ADC1_CH6", 35: "ADC1_CH7",
               36: "ADC1_CH0", 37: "ADC1_CH1", 38: "ADC1_CH2", 39: "ADC1_CH3"}     # [ESP32-DS] §4.1.2
_ESP32_ADC2 = {0: "ADC2_CH1", 2: "ADC2_CH2", 4: "ADC2_CH0", 12: "ADC2_CH5", 13: "ADC2_CH4",
               14: "ADC2_CH6", 15: "ADC2_CH3", 25: "ADC2_CH8", 26: "ADC2_CH9", 27: "ADC2_CH7"}

ESP32 = BoardFacts(
    type="esp32",
    name_en="ESP32 (ESP32-WROOM-32 DevKitC)",
    name_zh="ESP32（ESP32-WROOM-32 开发板）",
    # [ESP32-DS] §2.2: GPIO20, 24, 28–31 do not exist on the WROOM module
    gpios=frozenset([*range(0, 20), 21, 22, 23, 25, 26, 27, *range(32, 40)]),
    adc={**_ESP32_ADC1, **_ESP32_ADC2},
    adc2=frozenset(_ESP32_ADC2),
    input_only=frozenset(range(34, 40)),                                         # [ESP32-TRM] §4
    strapping={                                                                   # [ESP32-DS] §2.4
        0: ("GPIO0 is a strapping pin: held low at reset the chip enters download mode and the "
            "program does not start (on the DevKitC it is also wired to the BOOT button and auto-program circuit)",
            "GPIO0 是启动配置（strapping）引脚：复位时被拉低会进入下载模式，程序不运行（DevKitC 上还接了 BOOT 键和自动下载电路）"),
        2: ("GPIO2 is a strapping pin (must be low or floating to flash) and drives the on-board LED "
            "on most DevKits", "GPIO2 是启动配置引脚（烧录时须为低或悬空），多数开发板上还接了板载 LED"),
        12: ("GPIO12 (MTDI) is a strapping pin that selects the flash voltage: pulled high at reset "
             "(e.g. by a sensor's pull-up) the module boots with 1.8 V flash and fails",
             "GPIO12（MTDI）是启动配置引脚，决定闪存电压：复位时被上拉（如传感器的上拉电阻）会以 1.8 V 启动并失败"),
        15: ("GPIO15 (MTDO) is a strapping pin: pulled low at reset it silences the boot log and "
             "changes SDIO timing", "GPIO15（MTDO）是启动配置引脚：复位时被拉低会关闭启动日志并改变 SDIO 时序"),
    },
    strapping_warn={
        5: ("GPIO5 is a strapping pin (SDIO timing); harmless for most sensors but keep it free of "
            "pull-downs at reset", "GPIO5 是启动配置引脚（SDIO 时序），一般传感器无碍，但复位时不要下拉"),
    },
    reserved={
        1: ("GPIO1 is UART0 TX, the USB-serial console", "GPIO1 是 UART0 发送脚（USB 串口控制台）"),
        3: ("GPIO3 is UART0 RX, the USB-serial console", "GPIO3 是 UART0 接收脚（USB 串口控制台）"),
        **{p: (f"GPIO{p} is wired to the module's SPI flash", f"GPIO{p} 接在模块内部的 SPI 闪存上")
           for p in range(6, 12)},                                                # [WROOM-DS] §3
    },
    i2c_pins=None,   # any output-capable pin through the GPIO matrix [ESP32-TRM] §4
    adc_linear=(0.15, 2.45),                                                      # [ESP-IDF-ADC]
    wifi_default=True,
)

# RP2040 I²C pin pairs [RP2040-DS] §1.4.3: I2C0 SDA = GP0,4,8,12,16,20 / SCL = GP1,5,9,13,17,21;
# I2C1 SDA = GP2,6,10,14,18,26 / SCL = GP3,7,11,15,19,27
_RP2040_I2C = {
    0: (frozenset({0, 4, 8, 12, 16, 20}), frozenset({1, 5, 9, 13, 17, 21})),
    1: (frozenset({2, 6, 10, 14, 18, 26}), frozenset({3, 7, 11, 15, 19, 27})),
}
_PICO_HEADER = frozenset([*range(0, 23), 26, 27, 28])          # [PICO-DS] §2.1
_PICO_ADC = {26: "ADC0", 27: "ADC1", 28: "ADC2"}                 # [RP2040-DS] §4.9

PICO = BoardFacts(
    type="pico",
    name_en="Raspberry Pi Pico (USB serial)",
    name_zh="树莓派 Pico（USB 串口）",
    gpios=_PICO_HEADER,
    adc=_PICO_ADC,
    reserved={                                                   # [PICO-DS] §2.1, §4.4
        23: ("GP23 controls the on-board SMPS power-save mode", "GP23 控制板载开关电源的省电模式"),
        24: ("GP24 senses VBUS (USB power present)", "GP24 用于检测 VBUS（USB 供电）"),
        25: ("GP25 drives the on-board LED", "GP25 接板载 LED"),
        29: ("GP29 (ADC3) measures VSYS/3 on the board", "GP29（ADC3）在板上测量 VSYS/3"),
    },
    i2c_pins=_RP2040_I2C,
    wifi_default=False,
)

PICO_W = BoardFacts(
    type="pico_w",
    name_en="Raspberry Pi Pico W (Wi-Fi)",
    name_zh="树莓派 Pico W（Wi-Fi）",
    gpios=_PICO_HEADER,
    adc=_PICO_ADC,
    reserved={                                                   # [PICOW-DS] §2.1, §3.1
        23: ("GP23 is WL_ON of the CYW43439 wireless chip", "GP23 是无线芯片 CYW43439 的 WL_ON"),
        24: ("GP24 is WL_D (data/IRQ) of the wireless chip", "GP24 是无线芯片的 WL_D（数据/中断）"),
        25: ("GP25 is WL_CS of the wireless chip", "GP25 是无线芯片的 WL_CS"),
        29: ("GP29 is WL_CLK of the wireless chip (shared with ADC3 = VSYS/3)",
             "GP29 是无线芯片的 WL_CLK（与 ADC3 = VSYS/3 共用）"),
    },
    i2c_pins=_RP2040_I2C,
    wifi_default=True,
)

BOARDS: dict[str, BoardFacts] = {b.type: b for b in (ESP32, PICO, PICO_W)}


def facts(board_type: str) -> BoardFacts:
    """Facts for ``board_type`` (``esp32``, ``pico`` or ``pico_w``); ValueError names the choices."""
    try:
        return BOARDS[board_type]
    except KeyError:
        raise ValueError(f"unknown board type {board_type!r}; choose one of {sorted(BOARDS)}") from None
