# Fake sensor DEVICES for driver tests: register-level models of the chips that attach to the fake
# buses (machine.I2C.attach, onewire.OneWire.attach) and replay scripted raw values, plus an
# HC-SR04 echo model on the fake pins. Runs under MicroPython v1.27 and CPython.
#
# Each model answers the way the datasheet says the chip does (register addresses, byte order,
# power-on values, CRC), so a driver that talks to it wrongly gets wrong numbers or an error.
import struct
import time

from machine import Pin
from onewire import crc8


def _next(values, i):
    return values[i] if i < len(values) else values[-1]


class DS18B20Device:
    """DS18B20 on a fake 1-Wire bus. temps: raw temperature-register values (int16, 1/16 degC),
    one per CONVERT T (the last repeats). Power-on register value is 0x0550 (+85 degC).

    corrupt=True flips a bit of every scratchpad read (CRC error)."""

    def __init__(self, serial, temps, family=0x28, corrupt=False):
        rom = bytearray([family, serial & 0xFF, (serial >> 8) & 0xFF, 0, 0, 0, 0, 0])
        rom[7] = crc8(rom[:7])
        self.rom = bytes(rom)
        self.temps = list(temps)
        self.converts = 0
        self.raw = 0x0550
        self.config = 0x7F  # 12 bit
        self.th = 0x4B
        self.tl = 0x46
        self.corrupt = corrupt
        self._out = b""
        self._pending = None  # bytes still expected after WRITE SCRATCHPAD

    def scratchpad(self):
        r = self.raw & 0xFFFF
        sp = bytearray([r & 0xFF, r >> 8, self.th, self.tl, self.config, 0xFF, 0x0C, 0x10, 0])
        sp[8] = crc8(sp[:8])
        if self.corrupt:
            sp[0] ^= 0x01
        return bytes(sp)

    def write(self, data):
        for b in data:
            if self._pending is not None:
                self._pending.append(b)
                if len(self._pending) == 3:
                    self.th, self.tl, self.config = self._pending[0], self._pending[1], self._pending[2]
                    self._pending = None
            elif b == 0x44:  # CONVERT T
                self.raw = _next(self.temps, self.converts)
                self.converts += 1
            elif b == 0xBE:  # READ SCRATCHPAD
                self._out = self.scratchpad()
            elif b == 0x4E:  # WRITE SCRATCHPAD: TH, TL, config follow
                self._pending = bytearray()

    def read(self, n):
        out = self._out[:n]
        self._out = self._out[n:]
        return out + b"\xff" * (n - len(out))


class BH1750Device:
    """BH1750: counts are returned (big-endian) by the read after each one-time measurement."""

    def __init__(self, counts):
        self.counts = list(counts)
        self.n = 0
        self.powered = False
        self.mtreg = 69
        self.commands = []
        self._value = None

    def write(self, data):
        for c in data:
            self.commands.append(c)
            if c == 0x01:
                self.powered = True
            elif c == 0x00:
                self.powered = False
            elif c & 0xF8 == 0x40:
                self.mtreg = (self.mtreg & 0x1F) | ((c & 0x07) << 5)
            elif c & 0xE0 == 0x60:
                self.mtreg = (self.mtreg & 0xE0) | (c & 0x1F)
            elif c in (0x10, 0x11, 0x13, 0x20, 0x21, 0x23) and self.powered:
                self._value = _next(self.counts, self.n)
                self.n += 1

    def read(self, n):
        if self._value is None:
            return b"\x00" * n  # no measurement started
        v = self._value
        if self.commands[-1] & 0x20:  # one-time modes power down after the measurement
            self._value = None
        return bytes([v >> 8, v & 0xFF])[:n]


class RegisterDevice:
    """A chip with 8-bit register addresses; regs maps address -> int; width 1 or 2 bytes (big-endian)."""

    def __init__(self, regs, width):
        self.regs = dict(regs)
        self.width = width
        self.writes = []

    def read_mem(self, reg, n):
        out = bytearray()
        while len(out) < n:
            v = self.regs.get(reg, 0)
            out += bytes([v >> 8, v & 0xFF]) if self.width == 2 else bytes([v & 0xFF])
            reg += 1
        return bytes(out[:n])

    def write_mem(self, reg, data):
        self.writes.append((reg, bytes(data)))
        if self.width == 2:
            self.regs[reg] = (data[0] << 8) | data[1]
        else:
            for k in range(len(data)):
                self.regs[reg + k] = data[k]


class MPU6050Device(RegisterDevice):
    """MPU-6050: samples are (ax, ay, az, temp, gx, gy, gz) raw int16 tuples served at ACCEL_XOUT_H
    (0x3B) in the chip's big-endian burst order; the last repeats. who: WHO_AM_I (0x75) value."""

    def __init__(self, samples, who=0x68):
        RegisterDevice.__init__(self, {0x75: who, 0x6B: 0x40}, 1)  # PWR_MGMT_1 resets to sleep
        self.samples = list(samples)
        self.n = 0

    def read_mem(self, reg, n):
        if reg == 0x3B:
            s = _next(self.samples, self.n)
            self.n += 1
            return struct.pack(">7h", *s)[:n]
        return RegisterDevice.read_mem(self, reg, n)


class INA219Device(RegisterDevice):
    """INA219: 16-bit registers. bus: bus-voltage register values, shunt: shunt register values
    (two's complement), one per read of the register; the last repeats. Config resets to 0x399F."""

    def __init__(self, bus, shunt, config_after_reset=0x399F):
        RegisterDevice.__init__(self, {0x00: config_after_reset}, 2)
        self.reset_value = config_after_reset
        self.bus = list(bus)
        self.shunt = list(shunt)
        self.nb = 0
        self.ns = 0

    def read_mem(self, reg, n):
        if reg == 0x02:
            self.regs[2] = _next(self.bus, self.nb)
            self.nb += 1
        elif reg == 0x01:
            self.regs[1] = _next(self.shunt, self.ns) & 0xFFFF
            self.ns += 1
        return RegisterDevice.read_mem(self, reg, n)

    def write_mem(self, reg, data):
        RegisterDevice.write_mem(self, reg, data)
        if reg == 0 and data[0] & 0x80:
            self.regs[0] = self.reset_value


class HCSR04Echo:
    """HC-SR04 echo model on fake pins: after the driver's trigger, echo(width_us) raises the echo pin
    after the 8-cycle burst (about 460 us), holds it for width_us on the fake clock, then drops it."""

    BURST_US = 460

    def __init__(self, trig_no, echo_no):
        self.trig_no = trig_no
        self.echo_no = echo_no

    def echo(self, width_us):
        time.sleep_us(self.BURST_US)
        Pin.drive(self.echo_no, 1)
        time.sleep_us(width_us)
        Pin.drive(self.echo_no, 0)
