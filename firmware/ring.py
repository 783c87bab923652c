# Preallocated ring of sampling instants with their timing, for the sampler.
#
# A ring holds `capacity` instants of `nch` raw ints (interleaved, as in a frame) in one
# array.array, plus what is needed to time them without storing a tick per instant: the nominal
# tick of the oldest instant and a small FIFO of gaps (instants that were never stored: missed
# timer callbacks, ring full, bus errors). The writer (timer IRQ or the slow-sensor service) calls
# slot()/commit() and miss(); the reader (the app's flush) calls pack() to make frames. Nothing
# allocates after __init__. A full ring drops the NEW instant (counted as a gap), so the data the
# reader is copying is never overwritten.
#
# Concurrency: the writer alone moves head, the reader alone moves tail; `count` and `ngaps` are
# changed by both, so the reader changes them with interrupts disabled (a hard IRQ cannot split
# its read-modify-write). Soft (scheduled) callbacks run only at the VM's pending checks (jumps and
# calls into Python), never inside a plain `x.count -= n` statement.
from array import array

try:
    from . import frame as _frame
    from . import ticks as _ticks
except ImportError:
    import frame as _frame
    import ticks as _ticks

try:
    from machine import disable_irq, enable_irq  # pyright: ignore[reportAssignmentType]
except ImportError:  # CPython (gateway, tests): no interrupts to mask

    def disable_irq():
        return 0

    def enable_irq(state=0):
        pass

try:
    from micropython import const  # pyright: ignore[reportAssignmentType]  (CPython shim below)
except ImportError:  # CPython

    def const(x):  # type: ignore[no-redef]
        return x


_GAPS = const(8)  # gap records; while all are in use further instants are dropped (and counted)
# Writer state shared with the timer callback, in one small int array (an array item is about half
# the cost of an instance attribute on the bytecode VM). sampler.py uses the same indices.
_HEAD = const(0)  # slot the next instant goes to
_COUNT = const(1)  # instants stored
_ROOM = const(2)  # cap while the writer may take the next slot directly (started, nothing missed), else 0
_DUE = const(3)  # the fast group's next due tick (sampler.FastGroup)


class Ring:
    """Instants of nch raw ints of type dtype ("h", "H", "i", "I"); period_us between instants."""

    def __init__(self, nch, capacity, dtype, period_us):
        self.nch = nch
        self.cap = capacity
        self.dtype = dtype
        self.size = _frame.DTYPE_SIZE[dtype]
        self.buf = array(dtype, bytes(nch * capacity * self.size))
        self.view = _frame.byte_view(self.buf)
        self.gap_slot = array("i", bytes(4 * _GAPS))
        self.gap_len = array("i", bytes(4 * _GAPS))
        self.max_per_frame = _frame.max_instants(nch, dtype)
        self.st = array("i", bytes(16))  # _HEAD, _COUNT, _ROOM, _DUE
        self.reset(period_us, 0)

    @property
    def count(self):
        """Instants stored."""
        return self.st[_COUNT]

    @property
    def head(self):
        """Slot the next instant goes to."""
        return self.st[_HEAD]

    def reset(self, period_us, t0):
        """Empty the ring; the next committed instant is due at tick t0."""
        self.period = period_us
        st = self.st
        st[_HEAD] = 0
        st[_COUNT] = 0
        st[_ROOM] = 0
        self.tail = 0  # oldest stored instant
        self.t_tail = t0  # nominal tick of the instant at tail (or of the next one if empty)
        self.started = False
        self.missed = 0  # instants lost since the last commit, not yet recorded as a gap
        self.ngaps = 0
        self.g_head = 0
        self.g_tail = 0
        self.dropped = 0  # instants lost since the last frame (reported in the next one)
        self.total_dropped = 0

    # ---- writer side (may run in a hard IRQ: no allocation) ----
    def slot(self, t):
        """Index into buf where the instant due at tick t goes, or -1 if it must be dropped."""
        st = self.st
        if st[_COUNT] >= self.cap or (self.missed and self.ngaps >= _GAPS):
            self.missed += 1
            st[_ROOM] = 0
            return -1
        if not self.started:
            self.started = True
            self.t_tail = t
            if self.missed:  # lost before anything was stored: start later, count them
                self.dropped += self.missed
                self.total_dropped += self.missed
                self.missed = 0
        elif self.missed:
            g = self.g_head
            self.gap_slot[g] = st[_HEAD]
            self.gap_len[g] = self.missed
            self.g_head = (g + 1) % _GAPS
            self.ngaps += 1
            self.missed = 0
        st[_ROOM] = self.cap
        return st[_HEAD] * self.nch

    def commit(self):
        st = self.st
        st[_HEAD] = (st[_HEAD] + 1) % self.cap
        st[_COUNT] += 1

    def miss(self, n=1):
        """n instants were not sampled (late callbacks, bus errors)."""
        self.missed += n
        self.st[_ROOM] = 0

    # ---- reader side ----
    def pack(self, framer, channels, t_tx):
        """Pack the oldest run of contiguous instants into a sample frame; None if nothing to send.

        Returns the frame (a memoryview into framer's buffer, valid until its next pack).
        """
        if self.ngaps and self.gap_slot[self.g_tail] == self.tail:
            n = self.gap_len[self.g_tail]
            self.t_tail = _ticks.add_periods(self.t_tail, n, self.period)
            self.dropped += n
            self.total_dropped += n
            self.g_tail = (self.g_tail + 1) % _GAPS
            st = disable_irq()
            self.ngaps -= 1
            enable_irq(st)
        n = self.st[_COUNT]
        if self.ngaps:
            run = (self.gap_slot[self.g_tail] - self.tail) % self.cap
            if run < n:
                n = run
        if n > self.cap - self.tail:
            n = self.cap - self.tail  # the frame takes one contiguous slice; the rest goes next
        if n > self.max_per_frame:
            n = self.max_per_frame
        if n == 0 and not self.dropped:
            return None
        w = self.nch * self.size
        out = framer.pack_samples(self.t_tail, t_tx, self.period, self.dropped * self.nch, channels,
                                  self.dtype, self.view[self.tail * w:(self.tail + n) * w], n)
        self.tail = (self.tail + n) % self.cap
        self.t_tail = _ticks.add_periods(self.t_tail, n, self.period)
        self.dropped = 0
        irq = disable_irq()
        self.st[_COUNT] -= n
        enable_irq(irq)
        return out

    def close(self):
        """The writer stopped: instants lost since the last commit go into the next frame."""
        st = disable_irq()
        self.dropped += self.missed
        self.total_dropped += self.missed
        self.missed = 0
        enable_irq(st)
