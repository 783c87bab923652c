# HC-SR04 / US-100 (trigger/echo mode) ultrasonic distance sensor (motion of carts, falling objects).
#
# Slow sensor, non-blocking: start() sends the 10 us trigger pulse; the echo pin's IRQ timestamps
# the rising and falling edges (ticks_us); read_raw_into() turns the echo width into distance with
# the speed of sound corrected for the air temperature: d = t_echo * c / 2, c = 331.3 sqrt(1 + T/273.15) m/s.
# Raw value = distance in 0.1 mm (u16, up to 6.5 m); 0 = no echo yet / no obstacle in range.
# The echo pin of a 5 V HC-SR04 needs the divider in hardware/ (the ESP32 and RP2040 are not 5 V tolerant).
import math
import time

try:
    from micropython import const  # pyright: ignore[reportAssignmentType]  (CPython shim below)
except ImportError:  # CPython

    def const(x):  # type: ignore[no-redef]
        return x


_SHIFT = const(13)  # fixed-point bits of the width -> distance factor
NO_ECHO = const(0)
MIN_PERIOD_MS = const(60)  # datasheet: at least 60 ms between measurements


def speed_of_sound(t_c):
    """Speed of sound in dry air (m/s) at t_c degC: 331.3 * sqrt(1 + t_c / 273.15)."""
    return 331.3 * math.sqrt(1.0 + t_c / 273.15)


def echo_to_m(width_us, t_c=20.0):
    """Echo pulse width (us) -> distance (m) at air temperature t_c (degC)."""
    return width_us * 1e-6 * speed_of_sound(t_c) / 2


class HCSR04:
    """trig: output Pin, echo: input Pin (through the 5 V -> 3.3 V divider). air_temp_c: degC.

    timeout_us: echoes longer than this (default 30 ms = about 5 m) count as no obstacle.
    """

    NAME = "hcsr04"
    KIND = "slow"

    def __init__(self, trig, echo, air_temp_c=20.0, timeout_us=30000):
        if not 1000 <= timeout_us <= 38000:
            raise ValueError("hcsr04: timeout_us must be 1000..38000")
        if echo.value():
            raise OSError("hcsr04: echo pin is high before any trigger (check wiring and the echo divider)")
        self.trig = trig
        self.echo = echo
        self.timeout_us = timeout_us
        self._state = 0  # 0 idle/armed, 1 echo high, 2 echo complete
        self._t_rise = 0
        self._t_fall = 0
        self.set_air_temperature(air_temp_c)
        self.channels = (("distance", "m", 0.0001, 0.0, "H"),)
        trig.value(0)
        echo.irq(handler=self._edge, trigger=echo.IRQ_RISING | echo.IRQ_FALLING, hard=True)

    def set_air_temperature(self, t_c):
        """Air temperature in degC for the speed of sound (e.g. from a DS18B20 in the room)."""
        if not -40.0 <= t_c <= 60.0:
            raise ValueError("hcsr04: air temperature must be -40..60 degC")
        self.air_temp_c = t_c
        # 0.1 mm per us of echo = c / 2 * 1e-6 m/us * 1e4 = c / 200, in fixed point
        self._k = int(speed_of_sound(t_c) / 200 * (1 << _SHIFT) + 0.5)

    def _edge(self, pin):
        t = time.ticks_us()
        if pin.value():
            self._t_rise = t
            self._state = 1
        elif self._state == 1:
            self._t_fall = t
            self._state = 2

    def start(self):
        """Send the trigger pulse; returns ms to wait before read_raw_into()."""
        self._state = 0
        self.trig.value(1)
        time.sleep_us(10)
        self.trig.value(0)
        return self.timeout_us // 1000 + 1

    def read_raw_into(self, buf, i):
        """buf[i] = distance in 0.1 mm, or 0 (NO_ECHO). Allocates nothing."""
        if self._state != 2:
            buf[i] = NO_ECHO
            return
        w = time.ticks_diff(self._t_fall, self._t_rise)
        if w <= 0 or w > self.timeout_us:
            buf[i] = NO_ECHO
            return
        buf[i] = (w * self._k) >> _SHIFT


def from_config(sensor, i2c=None):
    """HC-SR04 from a pin-map [[sensor]] table: pins = {trig = GPIO, echo = GPIO}; air_temp_c?."""
    from ._config import check_channels, pin_in, pin_out

    drv = HCSR04(pin_out(sensor, "trig"), pin_in(sensor, "echo"), sensor.get("air_temp_c", 20.0))
    check_channels(sensor, drv)
    return drv
