# BH1750 ambient light sensor on I2C (illuminance in lx: light intensity vs distance, polarisers).
#
# Slow sensor: start() sends a one-time high-resolution measurement command and returns the wait
# (datasheet max 180 ms at the default MTreg); read_raw_into() reads the 16-bit count.
# Datasheet: lx = count / 1.2 at MTreg = 69 (default); scale = 69 / (1.2 * MTreg) lx per count.
try:
    from micropython import const  # pyright: ignore[reportAssignmentType]  (CPython shim below)
except ImportError:  # CPython

    def const(x):  # type: ignore[no-redef]
        return x


ADDRESSES = (0x23, 0x5C)  # ADDR pin low / high
_POWER_ON = const(0x01)
_RESET = const(0x07)
_ONE_TIME_H = const(0x20)
_MTREG_DEFAULT = const(69)


def lux(count, mtreg=69):
    """Count from the sensor -> illuminance in lx (high-resolution mode)."""
    return count / 1.2 * _MTREG_DEFAULT / mtreg


class BH1750:
    """BH1750 on i2c at address (0x23 or 0x5C). mtreg 31..254 sets sensitivity (69 = datasheet)."""

    NAME = "bh1750"
    KIND = "slow"

    def __init__(self, i2c, address=0x23, mtreg=69):
        if address not in ADDRESSES:
            raise ValueError("bh1750: address must be 0x23 (ADDR low) or 0x5C (ADDR high)")
        if not 31 <= mtreg <= 254:
            raise ValueError("bh1750: mtreg must be 31..254")
        if address not in i2c.scan():
            raise OSError("bh1750: no device at I2C address 0x%02x (check SDA/SCL wiring and ADDR pin)" % address)
        self.i2c = i2c
        self.address = address
        self.mtreg = mtreg
        self._cmd = bytearray(1)
        self._buf = bytearray(2)
        self._send(_POWER_ON)
        self._send(_RESET)
        if mtreg != _MTREG_DEFAULT:
            self._send(0x40 | (mtreg >> 5))
            self._send(0x60 | (mtreg & 0x1F))
        self.channels = (("illuminance", "lx", _MTREG_DEFAULT / (1.2 * mtreg), 0.0, "H"),)
        # max measurement time scales with MTreg (datasheet: 180 ms at 69)
        self._wait_ms = (180 * mtreg + _MTREG_DEFAULT - 1) // _MTREG_DEFAULT

    def _send(self, cmd):
        self._cmd[0] = cmd
        self.i2c.writeto(self.address, self._cmd)

    def start(self):
        """Start one high-resolution measurement; returns ms to wait before read_raw_into()."""
        self._send(_ONE_TIME_H)
        return self._wait_ms

    def read_raw_into(self, buf, i):
        """buf[i] = raw count (u16, big-endian from the chip)."""
        b = self._buf
        self.i2c.readfrom_into(self.address, b)
        buf[i] = (b[0] << 8) | b[1]


def from_config(sensor, i2c=None):
    """BH1750 from a pin-map [[sensor]] table: i2c = bus id, address = 0x23 | 0x5C."""
    from ._config import check_channels, need_i2c

    drv = BH1750(need_i2c(sensor, i2c), sensor.get("address", 0x23))
    check_channels(sensor, drv)
    return drv
