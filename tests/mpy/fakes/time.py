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

# The clock is kept as (wraps, ticks) small ints, so ticks_us() allocates nothing even after the
# first wrap (it is called in hard IRQs with the heap locked); lists so updates need no `global`.
_wraps = [0]
_ticks = [0]
_hook = [None]  # machine.Timer.advance when the fake machine is imported: sleeping fires timers


def set_ticks(us):
    """Test control: set the clock so that ticks_us() returns `us` (e.g. TICKS_PERIOD - 1000)."""
    _wraps[0] = us >> 30
    _ticks[0] = us & _MASK


def now_us():
    """Test control: the unwrapped fake time in µs."""
    return (_wraps[0] << 30) + _ticks[0]


def _advance(us):
    if _hook[0] is not None:
        _hook[0](us)
    else:
        set_ticks(now_us() + us)


def ticks_us():
    return _ticks[0]


def ticks_ms():
    return (now_us() // 1000) & _MASK


def ticks_cpu():
    return _ticks[0]


# ticks_add/ticks_diff stay within MicroPython's 31-bit small ints (2**30 itself is not one), so
# they allocate nothing in a hard IRQ, like the real C functions.
def ticks_add(t, delta):
    d = delta & _MASK
    if t > _MASK - d:
        return t - (_MASK - d) - 1
    return t + d


def ticks_diff(a, b):
    d = a - b
    if d >= _HALF:
        d -= _MASK
        d -= 1
    elif d < -_HALF:
        d += _MASK
        d += 1
    return d


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
    return 1_700_000_000 + now_us() // 1000000
