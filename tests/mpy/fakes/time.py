# Fake `time` for firmware tests: a controllable µs clock that wraps like the boards' ticks_us().
#
# Under MicroPython this file shadows the built-in `time` when tests/mpy/fakes is first on sys.path
# (the built-in stays reachable as `utime`). Under CPython, tests/mpy/run_cpython.py installs it as
# sys.modules["time"] and the stdlib's functions are re-exported so other modules keep working.
# API (test control): set_ticks(us), now_us(), TICKS_PERIOD; see README.md.
try:
    from _stdlib_time import *  # noqa: F401,F403  (CPython only, provided by run_cpython.py)
except ImportError:
    pass

TICKS_PERIOD = 1 << 30  # ticks_us/ticks_ms wrap here on ESP32 and rp2
_MASK = TICKS_PERIOD - 1
_HALF = TICKS_PERIOD >> 1

_clock = [0]  # absolute µs since the fake epoch (never wraps); [0] so updates need no `global`
_hook = [None]  # machine.Timer.advance when the fake machine is imported: sleeping fires timers


def set_ticks(us):
    """Test control: set the clock so that ticks_us() returns `us` (e.g. TICKS_PERIOD - 1000)."""
    _clock[0] = us


def now_us():
    """Test control: the unwrapped fake time in µs."""
    return _clock[0]


def _advance(us):
    if _hook[0] is not None:
        _hook[0](us)
    else:
        _clock[0] += us


def ticks_us():
    return _clock[0] & _MASK


def ticks_ms():
    return (_clock[0] // 1000) & _MASK


def ticks_cpu():
    return _clock[0] & _MASK


def ticks_add(t, delta):
    return (t + delta) & _MASK


def ticks_diff(a, b):
    return ((a - b + _HALF) & _MASK) - _HALF


def sleep_us(us):
    if us > 0:
        _advance(us)


def sleep_ms(ms):
    if ms > 0:
        _advance(ms * 1000)


def sleep(s):
    if s > 0:
        _advance(int(s * 1000000))


def time():
    return 1_700_000_000 + _clock[0] // 1000000
