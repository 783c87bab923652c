# Board ticks: wrap-safe arithmetic and extended (non-wrapping) time for long runs.
#
# ticks_us() wraps every TICKS_PERIOD = 2**30 µs (~17.9 min) on ESP32 and rp2, and ticks_diff() is
# only valid for intervals under half of that (~8.9 min). Runs are longer than a lesson's 45 min,
# so anything measured over a run (uptime, session length) goes through ExtTicks, which counts
# wraps; it must be updated at least once per half period (the app's main loop does, every few ms).
try:
    from time import sleep_ms, ticks_add, ticks_diff, ticks_ms, ticks_us  # pyright: ignore[reportAssignmentType]
except ImportError:  # CPython without the fakes: a monotonic clock with the boards' wrap
    import time as _t

    def sleep_ms(ms):
        _t.sleep(ms / 1000)

    def ticks_us():
        return (_t.monotonic_ns() // 1000) & 0x3FFFFFFF  # pyright: ignore[reportAttributeAccessIssue]

    def ticks_ms():
        return (_t.monotonic_ns() // 1000000) & 0x3FFFFFFF  # pyright: ignore[reportAttributeAccessIssue]

    def ticks_add(t, delta):
        return (t + delta) & 0x3FFFFFFF

    def ticks_diff(a, b):
        return ((a - b + 0x20000000) & 0x3FFFFFFF) - 0x20000000

try:
    from micropython import const  # pyright: ignore[reportAssignmentType]  (CPython shim below)
except ImportError:  # CPython

    def const(x):  # type: ignore[no-redef]
        return x


TICKS_PERIOD = const(0x40000000)  # 2**30 µs: the tick_period published in the board's meta
_STEP = const(0x10000000)  # largest delta added at once: a quarter period, well inside ticks_add's range


def add_periods(t, n, period_us):
    """t + n × period_us in ticks (µs), for products beyond ticks_add's ±2**29 range."""
    delta = n * period_us
    while delta > _STEP:
        t = ticks_add(t, _STEP)
        delta -= _STEP
    return ticks_add(t, delta)


class ExtTicks:
    """Extended µs clock built on a wrapping tick source: counts wraps, never goes backwards.

    update() must be called at least once every TICKS_PERIOD/2 µs (8.9 min); elapsed_us() then
    returns µs since the clock was made, as an int without wrap (a long int after 2**30 µs, so
    call it outside interrupts).
    """

    def __init__(self, source=ticks_us):
        self._src = source
        self._start = source()
        self._last = self._start
        self.wraps = 0

    def update(self):
        now = self._src()
        if now < self._last:
            self.wraps += 1
        self._last = now
        return now

    def elapsed_us(self):
        self.update()
        return self.wraps * TICKS_PERIOD + self._last - self._start

    def elapsed_s(self):
        return self.elapsed_us() // 1000000
