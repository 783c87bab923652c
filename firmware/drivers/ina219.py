# INA219 current / bus-voltage monitor on I2C (Ohm's law, power, internal resistance labs).
#
# Read as a fast sensor (continuous mode; each read returns the latest conversion, 532 us at 12 bit).
# Channels: bus voltage (register 0x02 >> 3, LSB 4 mV) and current from the shunt voltage
# (register 0x01, signed, LSB 10 uV) divided by the shunt resistance: scale = 10 uV / R_shunt.
# Using the shunt register keeps the current linear in the raw int without the calibration register.
try:
    from micropython import const  # pyright: ignore[reportAssignmentType]  (CPython shim below)
except ImportError:  # CPython

    def const(x):  # type: ignore[no-redef]
        return x


_REG_CONFIG = const(0x00)
_REG_SHUNT = const(0x01)
_REG_BUS = const(0x02)
CONFIG_RESET = const(0x8000)
CONFIG_DEFAULT = const(0x399F)  # power-on value (datasheet table 7)
BUS_LSB_V = 0.004
SHUNT_LSB_V = 0.00001
# PGA gain setting -> full-scale shunt voltage (V)
PGA_RANGES = (0.04, 0.08, 0.16, 0.32)


def config_word(brng_32v, pga):
    """CONFIG register: bus range, PGA index, 12-bit ADCs, shunt+bus continuous."""
    return (brng_32v << 13) | (pga << 11) | (0x3 << 7) | (0x3 << 3) | 0x7


class INA219:
    """INA219 at address 0x40..0x4F with a shunt of shunt_ohm (0.1 on the usual module).

    max_current_a picks the most sensitive PGA range that holds it; bus_32v=False selects the
    16 V bus range. quantities: which of "voltage" (bus) and "current" to report, in that order.
    """

    NAME = "ina219"
    KIND = "fast"

    def __init__(self, i2c, address=0x40, shunt_ohm=0.1, max_current_a=3.2, bus_32v=True,
                 quantities=("voltage", "current")):
        if not 0x40 <= address <= 0x4F:
            raise ValueError("ina219: address must be 0x40..0x4F (A0/A1 straps)")
        quantities = tuple(quantities)
        if quantities not in (("voltage", "current"), ("voltage",), ("current",)):
            raise ValueError("ina219: channels must be voltage, current, or voltage then current")
        if shunt_ohm <= 0 or max_current_a <= 0:
            raise ValueError("ina219: shunt_ohm and max_current_a must be > 0")
        v_max = max_current_a * shunt_ohm * 0.999999  # 3.2 A * 0.1 ohm is 0.32000000000000006
        if v_max > PGA_RANGES[-1]:
            raise ValueError("ina219: %.2f A through %g ohm exceeds the 320 mV shunt range" % (max_current_a, shunt_ohm))
        if address not in i2c.scan():
            raise OSError("ina219: no device at I2C address 0x%02x (check SDA/SCL wiring and A0/A1)" % address)
        self.i2c = i2c
        self.address = address
        self._buf = bytearray(2)
        self._write(_REG_CONFIG, CONFIG_RESET)
        cfg = self._read(_REG_CONFIG)
        if cfg != CONFIG_DEFAULT:
            raise OSError("ina219: config after reset is 0x%04x, not 0x399f: not an INA219" % cfg)
        pga = 0
        while PGA_RANGES[pga] < v_max:
            pga += 1
        self.pga = pga
        self._write(_REG_CONFIG, config_word(1 if bus_32v else 0, pga))
        self._bus = "voltage" in quantities
        self._shunt = "current" in quantities
        ch = []
        if self._bus:
            ch.append(("voltage", "V", BUS_LSB_V, 0.0, "h"))
        if self._shunt:
            ch.append(("current", "A", SHUNT_LSB_V / shunt_ohm, 0.0, "h"))
        self.channels = tuple(ch)

    def _write(self, reg, value):
        b = self._buf
        b[0] = value >> 8
        b[1] = value & 0xFF
        self.i2c.writeto_mem(self.address, reg, b)

    def _read(self, reg):
        b = self._buf
        self.i2c.readfrom_mem_into(self.address, reg, b)
        return (b[0] << 8) | b[1]

    def read_raw_into(self, buf, i):
        """Bus voltage (4 mV counts) and/or shunt voltage (signed, 10 uV counts) from buf[i]. No allocation."""
        if self._bus:
            buf[i] = self._read(_REG_BUS) >> 3
            i += 1
        if self._shunt:
            s = self._read(_REG_SHUNT)
            if s & 0x8000:
                s -= 0x10000
            buf[i] = s


def from_config(sensor, i2c=None):
    """INA219 from a pin-map [[sensor]] table: i2c, address, shunt_ohm, max_current_a?, input_range?.

    Channels: voltage then current (both, or either one alone)."""
    from ._config import check_channels, need, need_i2c, quantities

    hi = sensor.get("input_range", (0.0, 26.0))[1]
    drv = INA219(need_i2c(sensor, i2c), sensor.get("address", 0x40), need(sensor, "shunt_ohm"),
                 sensor.get("max_current_a", 3.2), bus_32v=hi > 16, quantities=quantities(sensor))
    check_channels(sensor, drv)
    return drv
