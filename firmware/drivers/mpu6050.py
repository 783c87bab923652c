# MPU-6050 accelerometer + gyroscope on I2C (carts on ramps, free fall, pendulums, centripetal motion).
#
# Fast-ish sensor (I2C, so not from a hard IRQ): read_raw_into() reads the 14 data bytes in one
# burst into a preallocated buffer and puts the chosen axes (signed 16-bit counts) into buf.
# Register map / product spec: accel 16384 LSB/g at +-2 g (8192, 4096, 2048 for 4, 8, 16 g);
# gyro 131 LSB/(deg/s) at +-250 deg/s (65.5, 32.8, 16.4 for 500, 1000, 2000).
import math

try:
    from micropython import const  # pyright: ignore[reportAssignmentType]  (CPython shim below)
except ImportError:  # CPython

    def const(x):  # type: ignore[no-redef]
        return x


ADDRESSES = (0x68, 0x69)  # AD0 low / high
WHO_AM_I_VALUE = const(0x68)
_SMPLRT_DIV = const(0x19)
_CONFIG = const(0x1A)
_GYRO_CONFIG = const(0x1B)
_ACCEL_CONFIG = const(0x1C)
_ACCEL_XOUT_H = const(0x3B)
_PWR_MGMT_1 = const(0x6B)
_WHO_AM_I = const(0x75)
G = 9.80665  # standard gravity, m/s^2
ACCEL_RANGES = (2, 4, 8, 16)  # +-g
GYRO_RANGES = (250, 500, 1000, 2000)  # +-deg/s
# axis name -> index of its 16-bit word in the 14-byte burst (word 3 is the die temperature)
AXES = {"ax": 0, "ay": 1, "az": 2, "gx": 4, "gy": 5, "gz": 6}


def accel_scale(range_g):
    """m/s^2 per count at +-range_g (16384 counts per g at +-2 g)."""
    return G * range_g / 32768


def gyro_scale(range_dps):
    """rad/s per count at +-range_dps (131 counts per deg/s at +-250 deg/s)."""
    return math.radians(range_dps / 32768)


class MPU6050:
    """MPU-6050 at address 0x68/0x69. axes: subset of ax ay az gx gy gz, in the order wanted.

    accel_range: 2/4/8/16 g; gyro_range: 250/500/1000/2000 deg/s; dlpf: digital low-pass 0..6
    (register CONFIG, 3 = 44 Hz accel bandwidth).
    """

    NAME = "mpu6050"
    KIND = "fast"

    def __init__(self, i2c, address=0x68, axes=("ax", "ay", "az"), accel_range=2, gyro_range=250, dlpf=3):
        if address not in ADDRESSES:
            raise ValueError("mpu6050: address must be 0x68 (AD0 low) or 0x69 (AD0 high)")
        if accel_range not in ACCEL_RANGES:
            raise ValueError("mpu6050: accel_range must be 2, 4, 8 or 16 (g)")
        if gyro_range not in GYRO_RANGES:
            raise ValueError("mpu6050: gyro_range must be 250, 500, 1000 or 2000 (deg/s)")
        if not axes or any(a not in AXES for a in axes):
            raise ValueError("mpu6050: axes must be some of ax ay az gx gy gz")
        if not 0 <= dlpf <= 6:
            raise ValueError("mpu6050: dlpf must be 0..6")
        if address not in i2c.scan():
            raise OSError("mpu6050: no device at I2C address 0x%02x (check SDA/SCL wiring and AD0)" % address)
        who = i2c.readfrom_mem(address, _WHO_AM_I, 1)[0]
        if who != WHO_AM_I_VALUE:
            raise OSError("mpu6050: WHO_AM_I is 0x%02x, not 0x68: not an MPU-6050 (MPU-6500/9250?)" % who)
        self.i2c = i2c
        self.address = address
        self._one = bytearray(1)
        self._write(_PWR_MGMT_1, 0x01)  # wake up, clock from the X gyro PLL
        self._write(_CONFIG, dlpf)
        self._write(_SMPLRT_DIV, 0)
        self._write(_ACCEL_CONFIG, ACCEL_RANGES.index(accel_range) << 3)
        self._write(_GYRO_CONFIG, GYRO_RANGES.index(gyro_range) << 3)
        self._buf = bytearray(14)
        self._words = bytes(AXES[a] * 2 for a in axes)  # byte offsets in the burst
        sa = accel_scale(accel_range)
        sg = gyro_scale(gyro_range)
        self.channels = tuple(
            ("acceleration", "m/s2", sa, 0.0, "h") if a[0] == "a" else ("angular_velocity", "rad/s", sg, 0.0, "h")
            for a in axes
        )
        self.axes = tuple(axes)

    def _write(self, reg, value):
        self._one[0] = value
        self.i2c.writeto_mem(self.address, reg, self._one)

    def read_raw_into(self, buf, i):
        """One burst read; buf[i + k] = signed count of axis k. Allocates nothing."""
        b = self._buf
        self.i2c.readfrom_mem_into(self.address, _ACCEL_XOUT_H, b)
        w = self._words
        for k in range(len(w)):
            o = w[k]
            v = (b[o] << 8) | b[o + 1]
            if v & 0x8000:
                v -= 0x10000
            buf[i + k] = v


def from_config(sensor, i2c=None):
    """MPU-6050 from a pin-map [[sensor]] table: 3 acceleration channels (x, y, z), optionally 3 more
    angular_velocity channels (x, y, z)."""
    from ._config import check_channels, need_i2c, quantities

    q = quantities(sensor)
    axes = []
    for name in ("x", "y", "z"):
        if "acceleration" in q:
            axes.append("a" + name)
    for name in ("x", "y", "z"):
        if "angular_velocity" in q:
            axes.append("g" + name)
    drv = MPU6050(need_i2c(sensor, i2c), sensor.get("address", 0x68), axes=axes)
    check_channels(sensor, drv)
    return drv
