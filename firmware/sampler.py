# Sampler: timer-driven sampling of the board's sensors into preallocated rings, and frames out.
#
#   FastGroup   ADC/GPIO drivers, one machine.Timer at the board's sample rate. The callback reads
#               every driver into the ring and allocates nothing, so it may run as a hard IRQ
#               (rp2 from v1.26). ESP32 refuses hard timers from v1.27: the group falls back to a
#               soft timer (callbacks scheduled, so GC pauses add jitter; keep the heap quiet).
#   SlowGroup   one I²C / 1-Wire driver at its own lower rate: start() a conversion, read it when
#               ready; serviced from a soft timer (never in a hard IRQ).
#   EventGroup  an edge-recording driver (photogate): its pin IRQ fills the driver's ring; the
#               group drains it into event frames.
#
# Timing: each group keeps a nominal schedule (due tick += period, wrap-safe ticks_add) instead
# of stamping each sample, so timestamps do not drift or jitter; a callback that comes a period
# or more late means instants were lost: they are counted as dropped, the schedule skips them and
# the next frame starts at the right tick. Overflow (ring full) is counted the same way and
# reported in the next frame's `dropped` field (values = instants x channels).
from array import array

try:
    from . import ring as _ring
    from . import ticks as _ticks
except ImportError:
    import ring as _ring
    import ticks as _ticks

ticks_us = _ticks.ticks_us
ticks_diff = _ticks.ticks_diff
ticks_add = _ticks.ticks_add

try:
    from micropython import const  # pyright: ignore[reportAssignmentType]  (CPython shim below)
except ImportError:  # CPython

    def const(x):  # type: ignore[no-redef]
        return x


_FRAMES_PER_FLUSH = const(4)  # per group and flush() call, so one busy group cannot starve the others
# indices into Ring.st (ring.py)
_HEAD = const(0)
_COUNT = const(1)
_ROOM = const(2)
_DUE = const(3)


def period_for(rate_hz):
    """Sample period in whole µs for rate_hz (rounded: machine.Timer(freq=) runs a whole-µs period too)."""
    if not rate_hz or rate_hz <= 0:
        raise ValueError("rate must be > 0 Hz / 采样率必须大于 0")
    period = int(1000000 / rate_hz + 0.5)
    if period < 1:
        raise ValueError("rate %s Hz is too high / 采样率过高" % rate_hz)
    return period


def common_dtype(drivers):
    """One array type code that holds every channel of these drivers."""
    codes = []
    for d in drivers:
        for ch in d.channels:
            if ch[4] not in codes:
                codes.append(ch[4])
    if len(codes) == 1:
        return codes[0]
    if "I" in codes and "h" not in codes and "i" not in codes:
        return "I"  # all unsigned
    return "i"  # signed and unsigned mixed: i32 (drivers' u32 values stay below 2**31)


class FastGroup:
    """ADC/GPIO drivers sampled together by one hardware timer.

    A driver may offer ``readers()``: one zero-argument callable per channel that returns the raw
    int and allocates nothing (the ADC drivers hand over their pin's read method). When every
    driver of the group does, the timer callback calls those directly, one call and one store per
    value, unrolled for 1 to 4 channels (a Pico has 3-4 ADC pins); otherwise it calls each driver's
    ``read_raw_into``.
    """

    def __init__(self, drivers, channel_ids, rate_hz, capacity=512, timer_id=-1, hard=True):
        self.drivers = tuple(drivers)
        self.nd = len(self.drivers)
        self.nchs = tuple(len(d.channels) for d in self.drivers)
        self.channels = bytes(channel_ids)
        nch = sum(self.nchs)
        if nch != len(self.channels):
            raise ValueError("fast group: %d channel ids for %d channels" % (len(self.channels), nch))
        self.rate_hz = rate_hz
        self.ring = _ring.Ring(nch, capacity, common_dtype(self.drivers), period_for(rate_hz))
        self.timer_id = timer_id
        self.want_hard = hard
        self.hard = hard
        self.timer = None
        rd = []
        for d in self.drivers:
            f = getattr(d, "readers", None)
            if f is None:
                rd = None
                break
            rd.extend(f())
        self._rd = tuple(rd) if rd is not None and len(rd) == nch else None
        self._late_cb = self._late  # bound methods made once, not in every IRQ
        self._read_cb = self.drivers[0].read_raw_into if self.nd == 1 and self._rd is None else self._read
        self._cb = None

    def arm(self, due):
        """Empty the ring, schedule the first instant at tick `due` and return the timer callback
        (a closure made here, once per start: the hot path reads only its own locals)."""
        r = self.ring
        p = period_for(self.rate_hz)
        r.reset(p, due)
        st = r.st
        st[_DUE] = due
        self._cb = _tick_for(st, r.buf, r.cap, r.nch, p, self._rd, self._read_cb, self._late_cb)
        return self._cb

    def start(self, rate_hz=None):
        if rate_hz is not None:
            self.rate_hz = rate_hz
        p = period_for(self.rate_hz)
        cb = self.arm(ticks_add(ticks_us(), p))
        from machine import Timer

        self.timer = Timer(self.timer_id)
        self.hard = self.want_hard
        try:
            self.timer.init(mode=Timer.PERIODIC, freq=self.rate_hz, callback=cb, hard=self.hard)
        except (ValueError, TypeError):  # ESP32 from v1.27: no hard timers
            self.hard = False
            cb = self.arm(ticks_add(ticks_us(), p))
            self.timer.init(mode=Timer.PERIODIC, freq=self.rate_hz, callback=cb, hard=False)

    def stop(self):
        if self.timer is not None:
            self.timer.deinit()
            self.timer = None
        self.ring.close()

    def _read(self, buf, i):
        rd = self._rd
        if rd is not None:
            for k in range(len(rd)):
                buf[i + k] = rd[k]()
            return
        drivers = self.drivers
        nchs = self.nchs
        for k in range(self.nd):
            drivers[k].read_raw_into(buf, i)
            i += nchs[k]

    def _late(self):
        # The timer callback's uncommon case (in the same IRQ, no allocation): a period or more
        # late (instants lost: counted, the schedule skips them), ring full, or a gap pending.
        r = self.ring
        st = r.st
        p = r.period
        due = st[_DUE]
        late = ticks_diff(ticks_us(), due)
        if late >= p:
            k = late // p
            r.miss(k)
            due = ticks_add(due, k * p)
        i = r.slot(due)
        if i >= 0:
            self._read(r.buf, i)
            r.commit()
        st[_DUE] = ticks_add(due, p)

    def pack(self, framer, t_tx):
        return self.ring.pack(framer, self.channels, t_tx)


def _tick_for(st, buf, cap, nch, p, rd, read, late, tus=ticks_us, tdiff=ticks_diff, tadd=ticks_add):
    """The FastGroup timer callback (hard IRQ on rp2: no allocation, no blocking).

    Common case only: on time (less than a period late), room in the ring and no gap pending
    (st[_ROOM] is the capacity then, else 0). Everything it touches comes in as default arguments,
    i.e. locals (a global or an attribute costs about as much again on the bytecode VM); anything
    else goes to `late` (FastGroup._late).
    """
    if rd is not None and nch == 1:
        r0 = rd[0]

        def tick1(_t, st=st, buf=buf, cap=cap, p=p, r0=r0, late=late, tus=tus, tdiff=tdiff, tadd=tadd):
            due = st[_DUE]
            if tdiff(tus(), due) < p:
                n = st[_COUNT]
                if n < st[_ROOM]:
                    h = st[_HEAD]
                    buf[h] = r0()
                    h += 1
                    st[_HEAD] = 0 if h == cap else h
                    st[_COUNT] = n + 1
                    st[_DUE] = tadd(due, p)
                    return
            late()

        return tick1
    if rd is not None and nch == 2:
        r0, r1 = rd

        def tick2(_t, st=st, buf=buf, cap=cap, p=p, r0=r0, r1=r1, late=late, tus=tus, tdiff=tdiff, tadd=tadd):
            due = st[_DUE]
            if tdiff(tus(), due) < p:
                n = st[_COUNT]
                if n < st[_ROOM]:
                    h = st[_HEAD]
                    i = h << 1
                    buf[i] = r0()
                    buf[i + 1] = r1()
                    h += 1
                    st[_HEAD] = 0 if h == cap else h
                    st[_COUNT] = n + 1
                    st[_DUE] = tadd(due, p)
                    return
            late()

        return tick2
    if rd is not None and nch == 3:
        r0, r1, r2 = rd

        def tick3(_t, st=st, buf=buf, cap=cap, p=p, r0=r0, r1=r1, r2=r2, late=late, tus=tus, tdiff=tdiff, tadd=tadd):
            due = st[_DUE]
            if tdiff(tus(), due) < p:
                n = st[_COUNT]
                if n < st[_ROOM]:
                    h = st[_HEAD]
                    i = h * 3
                    buf[i] = r0()
                    buf[i + 1] = r1()
                    buf[i + 2] = r2()
                    h += 1
                    st[_HEAD] = 0 if h == cap else h
                    st[_COUNT] = n + 1
                    st[_DUE] = tadd(due, p)
                    return
            late()

        return tick3
    if rd is not None and nch == 4:
        r0, r1, r2, r3 = rd

        def tick4(_t, st=st, buf=buf, cap=cap, p=p, r0=r0, r1=r1, r2=r2, r3=r3, late=late, tus=tus, tdiff=tdiff,
                  tadd=tadd):
            due = st[_DUE]
            if tdiff(tus(), due) < p:
                n = st[_COUNT]
                if n < st[_ROOM]:
                    h = st[_HEAD]
                    i = h << 2
                    buf[i] = r0()
                    buf[i + 1] = r1()
                    buf[i + 2] = r2()
                    buf[i + 3] = r3()
                    h += 1
                    st[_HEAD] = 0 if h == cap else h
                    st[_COUNT] = n + 1
                    st[_DUE] = tadd(due, p)
                    return
            late()

        return tick4

    def tick(_t, st=st, buf=buf, cap=cap, nch=nch, p=p, read=read, late=late, tus=tus, tdiff=tdiff, tadd=tadd):
        due = st[_DUE]
        if tdiff(tus(), due) < p:
            n = st[_COUNT]
            if n < st[_ROOM]:
                h = st[_HEAD]
                read(buf, h * nch)
                h += 1
                st[_HEAD] = 0 if h == cap else h
                st[_COUNT] = n + 1
                st[_DUE] = tadd(due, p)
                return
        late()

    return tick


class SlowGroup:
    """One slow driver (I²C, 1-Wire) at its own rate, driven by service() from a soft timer."""

    def __init__(self, driver, channel_ids, rate_hz, capacity=32):
        self.driver = driver
        self.channels = bytes(channel_ids)
        if len(self.channels) != len(driver.channels):
            raise ValueError("slow group: %d channel ids for %d channels" % (len(self.channels),
                                                                              len(driver.channels)))
        self.rate_hz = rate_hz
        dtype = common_dtype((driver,))
        self.ring = _ring.Ring(len(self.channels), capacity, dtype, period_for(rate_hz))
        self._tmp = array(dtype, bytes(len(self.channels) * self.ring.size))
        self._busy = False
        self._due = 0
        self._t = 0
        self._ready = 0
        self.running = False
        self.errors = 0

    def start(self, rate_hz=None):
        if rate_hz is not None:
            self.rate_hz = rate_hz
        p = period_for(self.rate_hz)
        self._due = ticks_us()
        self.ring.reset(p, self._due)
        self._busy = False
        self.running = True

    def stop(self):
        self.running = False
        if self._busy:
            self._busy = False
            self.ring.miss(1)
        self.ring.close()

    def service(self, now):
        if not self.running:
            return
        if self._busy:
            if ticks_diff(now, self._ready) < 0:
                return
            self._read()
        if ticks_diff(now, self._due) < 0:
            return
        r = self.ring
        p = r.period
        late = ticks_diff(now, self._due)
        if late >= p:
            k = late // p
            r.miss(k)
            self._due = ticks_add(self._due, k * p)
        self._t = self._due
        self._due = ticks_add(self._due, p)
        try:
            wait_ms = self.driver.start()
        except OSError:
            self.errors += 1
            r.miss(1)
            return
        self._busy = True
        self._ready = ticks_add(now, (wait_ms or 0) * 1000)
        if not wait_ms:
            self._read()

    def _read(self):
        self._busy = False
        r = self.ring
        try:
            self.driver.read_raw_into(self._tmp, 0)
        except OSError:
            self.errors += 1
            r.miss(1)
            return
        i = r.slot(self._t)
        if i >= 0:
            buf = r.buf
            tmp = self._tmp
            for k in range(r.nch):
                buf[i + k] = tmp[k]
            r.commit()

    def pack(self, framer, t_tx):
        return self.ring.pack(framer, self.channels, t_tx)


class EventGroup:
    """Drains an edge-recording driver (photogate) into event frames.

    The scratch arrays edges are drained into are used only inside pack() (main loop, one group
    at a time), so all event groups share one set; tick offsets and channel ids are computed in
    place."""

    _scratch = None  # (batch, ticks, idx, levels), shared by every EventGroup

    def __init__(self, driver, channel_ids, batch=64):
        self.driver = driver
        self.channels = bytes(channel_ids)
        self.ids = self.channels
        sc = EventGroup._scratch
        if sc is None or sc[0] < batch:
            sc = EventGroup._scratch = (batch, array("i", bytes(4 * batch)), bytearray(batch), bytearray(batch))
        self.batch = batch
        self.ticks = sc[1]
        self.idx = sc[2]
        self.levels = sc[3]
        self.running = False
        self.total_dropped = 0

    def start(self, rate_hz=None):
        self.driver.take_events(self.ticks, self.idx, self.levels, self.batch)  # forget stale edges
        self.driver.take_dropped()
        self.running = True

    def stop(self):
        self.running = False

    def pack(self, framer, t_tx):
        ticks = self.ticks
        idx = self.idx
        n = self.driver.take_events(ticks, idx, self.levels, self.batch) if self.running else 0
        dropped = self.driver.take_dropped()
        if n == 0 and dropped == 0:
            return None
        self.total_dropped += dropped
        t0 = ticks[0] if n else t_tx
        ids = self.ids
        for i in range(n):
            ticks[i] = ticks_diff(ticks[i], t0)  # µs after the first edge (>= 0)
            idx[i] = ids[idx[i]]
        return framer.pack_events(t0, t_tx, dropped, self.channels, ticks, idx, self.levels, n)


class Sampler:
    """All of a board's groups: start/stop, rate and channel selection, frames out."""

    def __init__(self, fast=None, slow=(), events=(), slow_timer_id=-1, service_ms=10, extra=()):
        """fast: the FastGroup at the board rate (set by start(rate_hz)); extra: more FastGroups
        at their own fixed rates (I²C sensors on a soft timer)."""
        self.fast = fast
        self.extra = tuple(extra)
        self.slow = tuple(slow)
        self.events = tuple(events)
        self.groups = ((fast,) if fast is not None else ()) + self.extra + self.slow + self.events
        self.slow_timer_id = slow_timer_id
        self.service_ms = service_ms
        self._slow_timer = None
        self._service_cb = self._service
        self.running = False

    def start(self, rate_hz=None):
        """Start every group; rate_hz (optional) sets the fast group's rate."""
        if self.running:
            self.stop()
        if self.fast is not None:
            self.fast.start(rate_hz)
        for g in self.extra:
            g.start()
        for g in self.slow:
            g.start()
        for g in self.events:
            g.start()
        if self.slow:
            from machine import Timer

            self._slow_timer = Timer(self.slow_timer_id)
            self._slow_timer.init(mode=Timer.PERIODIC, period=self.service_ms, callback=self._service_cb)
            self._service(None)
        self.running = True

    def stop(self):
        if self._slow_timer is not None:
            self._slow_timer.deinit()
            self._slow_timer = None
        for g in self.groups:
            g.stop()
        self.running = False

    def _service(self, _t):
        now = ticks_us()
        for g in self.slow:
            g.service(now)

    def flush(self, framer, send):
        """Pack what the groups hold into frames and hand each to send(frame) before the next is
        packed (frames share framer's buffer). Returns the number of frames sent."""
        sent = 0
        for g in self.groups:
            for _ in range(_FRAMES_PER_FLUSH):
                f = g.pack(framer, ticks_us())
                if f is None:
                    break
                send(f)
                sent += 1
        return sent

    def rate_hz(self):
        return self.fast.rate_hz if self.fast is not None else 0

    def backlog(self):
        """Instants waiting in the rings."""
        return sum(g.ring.count for g in self.groups if hasattr(g, "ring"))

    def dropped(self):
        """Instants (and events) dropped since start-up."""
        n = 0
        for g in self.groups:
            n += g.ring.total_dropped if hasattr(g, "ring") else g.total_dropped
        return n
