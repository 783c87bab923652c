# Helpers shared by the tests/mpy/drivers_*.py scripts (MicroPython v1.27 and CPython).
# The runners (scripts/mpy_run.mjs, tests/mpy/run_cpython.py) put the fakes first on sys.path, so
# `machine`, `onewire` and `time` are the fakes of tests/mpy/fakes/.
import sys

import machine
import onewire

try:
    from micropython import heap_lock, heap_unlock  # MicroPython: allocation raises MemoryError
except ImportError:  # CPython fake may lack them
    def heap_lock():
        return 0

    def heap_unlock():
        return 0

IS_MPY = sys.implementation.name == "micropython"
checks = [0]


def reset():
    machine.reset_all()
    onewire.OneWire.reset_all()


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)
    checks[0] += 1


def near(got, want, tol, what):
    if not abs(got - want) <= tol:
        raise AssertionError("%s: got %r, want %r +- %r" % (what, got, want, tol))
    checks[0] += 1


def raises(exc, fragment, func, *args, **kw):
    """func(*args) must raise exc with `fragment` in its message."""
    msg = None
    try:
        func(*args, **kw)
    except exc as e:
        msg = str(e)
    if msg is None:
        raise AssertionError("%s did not raise %s" % (getattr(func, "__name__", func), exc.__name__))
    if fragment not in msg:
        raise AssertionError("error %r does not mention %r" % (msg, fragment))
    checks[0] += 1
    return msg


def no_alloc(func, *args):
    """Run func with the heap locked (MicroPython): any allocation raises MemoryError."""
    heap_lock()
    try:
        func(*args)
    finally:
        heap_unlock()
    checks[0] += 1


def done():
    print("ok %d" % checks[0])


class U16Adc:
    """ADC with read_u16 only (like rp2's): the drivers then use their read_u16 path."""

    def __init__(self, adc):
        self.adc = adc

    def read_u16(self):
        return self.adc.read_u16()


class UvAdc:
    """ADC whose read_uv() replays scripted microvolts without allocating (ESP32-style calibrated
    reads); read_u16() gives the matching 16-bit code."""

    def __init__(self, uv):
        self.uv = list(uv)
        self.i = 0

    def read_uv(self):
        i = self.i
        self.i = i + 1 if i + 1 < len(self.uv) else i
        return self.uv[i]

    def read_u16(self):
        return self.read_uv() * 65535 // 3300000
