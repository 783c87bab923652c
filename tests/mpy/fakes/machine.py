# Fake `machine` for firmware tests under real MicroPython (wasm port, which has no `machine`) and
# CPython. Scripted sensor values in, IRQs and timer callbacks fired on a controllable clock.
# Hard callbacks (Timer(hard=True), Pin.irq(hard=True)) run with the heap locked under MicroPython,
# so anything that allocates in them fails exactly as on an rp2 board. API: README.md.
import time

import micropython

try:
    _lock = micropython.heap_lock
    _unlock = micropython.heap_unlock
except AttributeError:  # pragma: no cover
    def _lock():
        return 0

    def _unlock():
        return 0

_run_scheduled = getattr(micropython, "run_scheduled", None)  # CPython fake only

_U16 = 65535


def unique_id():
    return b"\xfa\x4e\x00\x01\x02\x03"


def freq(f=None):
    return 240000000


def reset():
    raise SystemExit("machine.reset()")


def disable_irq():
    return 1


def enable_irq(state=1):
    pass


def _call(handler, arg, hard):
    if hard:
        _lock()
        try:
            handler(arg)
        finally:
            _unlock()
    else:
        handler(arg)
    if _run_scheduled is not None:
        _run_scheduled()


class Pin:
    IN = 0
    OUT = 1
    OPEN_DRAIN = 2
    PULL_UP = 1
    PULL_DOWN = 2
    IRQ_FALLING = 4
    IRQ_RISING = 8

    _levels = {}  # pin number -> level
    _irqs = {}  # pin number -> (handler, trigger, hard, Pin)
    _pulses = {}  # pin number -> [widths µs], consumed by time_pulse_us
    _writes = {}  # pin number -> number of value() writes (tests check trigger pulses)

    def __init__(self, id, mode=-1, pull=-1, value=None):
        if isinstance(id, str) and id.lstrip("GP").isdigit():
            id = int(id.lstrip("GP"))
        self.id = id  # an int, or a name such as "LED" (Pico W)
        self.mode = mode
        self.pull = pull
        if self.id not in Pin._levels:
            Pin._levels[self.id] = 1 if pull == Pin.PULL_UP else 0
        if value is not None:
            self.value(value)

    def init(self, mode=-1, pull=-1, value=None):
        self.__init__(self.id, mode, pull, value)

    def value(self, x=None):
        if x is None:
            return Pin._levels.get(self.id, 0)
        Pin._levels[self.id] = 1 if x else 0
        Pin._writes[self.id] = Pin._writes.get(self.id, 0) + 1

    def __call__(self, x=None):
        return self.value(x)

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)

    def irq(self, handler=None, trigger=IRQ_FALLING | IRQ_RISING, hard=False):
        if handler is None:
            Pin._irqs.pop(self.id, None)
        else:
            Pin._irqs[self.id] = (handler, trigger, hard, self)

    def __repr__(self):
        return "Pin(%d)" % self.id

    # ---- test control ----
    @staticmethod
    def drive(n, level):
        """Set pin n's input level; run its IRQ handler if the edge matches its trigger."""
        old = Pin._levels.get(n, 0)
        level = 1 if level else 0
        Pin._levels[n] = level
        if old == level or n not in Pin._irqs:
            return
        handler, trigger, hard, pin = Pin._irqs[n]
        if trigger & (Pin.IRQ_RISING if level else Pin.IRQ_FALLING):
            _call(handler, pin, hard)

    @staticmethod
    def script_pulse(n, widths):
        """Echo widths (µs) that machine.time_pulse_us(Pin(n), ...) returns, one per call; a negative
        width is returned as is (-2: no pulse started, -1: pulse longer than the timeout)."""
        Pin._pulses[n] = list(widths)

    @staticmethod
    def reset_all():
        Pin._levels.clear()
        Pin._irqs.clear()
        Pin._pulses.clear()
        Pin._writes.clear()


def time_pulse_us(pin, pulse_level, timeout_us=1000000):
    widths = Pin._pulses.get(pin.id)
    if not widths:
        return -2
    w = widths.pop(0) if len(widths) > 1 else widths[0]
    if w >= 0 and w > timeout_us:
        w = -1
    time.sleep_us(w if w > 0 else timeout_us)
    return w


class ADC:
    ATTN_0DB = 0
    ATTN_2_5DB = 1
    ATTN_6DB = 2
    ATTN_11DB = 3
    WIDTH_12BIT = 3
    CORE_TEMP = 4

    _scripts = {}  # channel/pin number -> [values]
    _pos = {}  # channel/pin number -> index of the next value
    _reads = {}  # channel/pin number -> [count]

    def __init__(self, pin, atten=None, **kw):
        self.id = pin if isinstance(pin, int) else pin.id
        # bind the shared lists once so read_u16 does no dict look-ups and allocates nothing
        # (it runs inside hard timer callbacks with the heap locked)
        self._vals = ADC._scripts.setdefault(self.id, [0])
        self._pos = ADC._pos.setdefault(self.id, [0])
        self._count = ADC._reads.setdefault(self.id, [0])

    def atten(self, a):
        pass

    def width(self, w):
        pass

    def read_u16(self):
        vals = self._vals
        i = self._pos[0]
        n = len(vals)
        v = vals[i if i < n else n - 1]
        self._pos[0] = i + 1
        self._count[0] += 1
        return v

    def read(self):
        return self.read_u16() >> 4

    def read_uv(self):
        # u16 * 3.3 V in µV, computed in small ints (no heap in a hard IRQ, like the real C code)
        x = self.read_u16() * 3300
        return (x // _U16) * 1000 + ((x % _U16) * 1000) // _U16

    # ---- test control ----
    @staticmethod
    def script(n, values):
        """read_u16() of ADC n (channel or GPIO number) returns these values in turn, then the last one."""
        vals = ADC._scripts.setdefault(n, [0])
        vals[:] = list(values) or [0]  # in place: ADC objects made earlier see the new script
        ADC._pos.setdefault(n, [0])[0] = 0

    @staticmethod
    def reads(n):
        """How many times ADC n was read."""
        return ADC._reads.get(n, [0])[0]

    @staticmethod
    def reset_all():
        ADC._scripts.clear()
        ADC._pos.clear()
        ADC._reads.clear()


class I2C:
    _buses = {}  # bus key -> {addr: device}

    def __init__(self, id=0, scl=None, sda=None, freq=400000, timeout=50000):
        self.key = id
        self.freq = freq
        I2C._buses.setdefault(self.key, {})

    def _dev(self, addr):
        devs = I2C._buses.get(self.key, {})
        if addr not in devs:
            raise OSError(19)  # ENODEV: no ACK, as the real ports report
        return devs[addr]

    @staticmethod
    def _need(dev, name):
        f = getattr(dev, name, None)
        if f is None:
            raise OSError(5)  # EIO
        return f

    def scan(self):
        return sorted(I2C._buses.get(self.key, {}))

    def readfrom_mem(self, addr, memaddr, nbytes, addrsize=8):
        return bytes(self._need(self._dev(addr), "read_mem")(memaddr, nbytes))

    def readfrom_mem_into(self, addr, memaddr, buf, addrsize=8):
        data = self._need(self._dev(addr), "read_mem")(memaddr, len(buf))
        for i in range(len(buf)):
            buf[i] = data[i]

    def writeto_mem(self, addr, memaddr, buf, addrsize=8):
        self._need(self._dev(addr), "write_mem")(memaddr, bytes(buf))

    def readfrom(self, addr, nbytes, stop=True):
        return bytes(self._need(self._dev(addr), "read")(nbytes))

    def readfrom_into(self, addr, buf, stop=True):
        data = self._need(self._dev(addr), "read")(len(buf))
        for i in range(len(buf)):
            buf[i] = data[i]

    def writeto(self, addr, buf, stop=True):
        self._need(self._dev(addr), "write")(bytes(buf))
        return len(buf)

    # ---- test control ----
    @staticmethod
    def attach(bus, addr, device):
        """Put `device` at `addr` on bus `bus` (hardware I2C id, or "soft:<sda gpio>" for SoftI2C)."""
        I2C._buses.setdefault(bus, {})[addr] = device

    @staticmethod
    def detach(bus, addr):
        I2C._buses.get(bus, {}).pop(addr, None)

    @staticmethod
    def reset_all():
        I2C._buses.clear()


class SoftI2C(I2C):
    def __init__(self, scl, sda, freq=400000, timeout=50000):
        sda_no = sda if isinstance(sda, int) else sda.id
        I2C.__init__(self, "soft:%d" % sda_no, freq=freq)


class Timer:
    ONE_SHOT = 0
    PERIODIC = 1

    hard_allowed = True  # test control: False makes Timer(hard=True) fail as on ESP32 from v1.27
    _active = []  # running timers
    _stall_until = [0]  # absolute µs: callbacks due before this are lost (GC pause / queue overflow)

    def __init__(self, id=-1, **kw):
        self.id = id
        self.cb = None
        self.fired = 0
        if kw:
            self.init(**kw)

    def init(self, mode=PERIODIC, freq=None, period=None, tick_hz=1000, callback=None, hard=None):
        if hard and not Timer.hard_allowed:
            raise ValueError("hard Timer not supported on this port")
        if freq is not None:
            self.period_us = int(round(1000000 / freq))
        elif period is not None:
            self.period_us = int(round(period * 1000000 / tick_hz))
        else:
            raise ValueError("need freq or period")
        if self.period_us < 1:
            raise ValueError("period too short")
        self.mode = mode
        self.cb = callback
        self.hard = bool(hard)
        self.due = time.now_us() + self.period_us
        if self not in Timer._active:
            Timer._active.append(self)

    def deinit(self):
        if self in Timer._active:
            Timer._active.remove(self)

    # ---- test control ----
    @staticmethod
    def advance(us):
        """Advance the fake clock by `us` µs, firing every timer callback at its due time, in order."""
        end = time.now_us() + us
        while True:
            nxt = None
            for t in Timer._active:
                if t.due <= end and (nxt is None or t.due < nxt.due):
                    nxt = t
            if nxt is None:
                break
            time.set_ticks(nxt.due)
            if nxt.mode == Timer.PERIODIC:
                nxt.due += nxt.period_us
            else:
                Timer._active.remove(nxt)
            if time.now_us() < Timer._stall_until[0]:
                continue  # lost, as a soft callback behind a long GC pause
            nxt.fired += 1
            if nxt.cb is not None:
                _call(nxt.cb, nxt, nxt.hard)
        time.set_ticks(end)

    @staticmethod
    def stall(us):
        """Lose every timer callback due in the next `us` µs (models a GC pause on a soft timer)."""
        Timer._stall_until[0] = time.now_us() + us

    @staticmethod
    def reset_all():
        Timer._active.clear()
        Timer._stall_until[0] = 0


time._hook[0] = Timer.advance


class _Mem32:
    """machine.mem32: a register file (dict). Reads of the RP2040 ADC's FCS report the FIFO empty
    (the fake DMA drains it); writes are masked to 32 bits; `writes` records (address, value)."""

    _ADC_FCS = 0x4004C008

    def __init__(self):
        self.regs = {}
        self.writes = []

    def __getitem__(self, addr):
        v = self.regs.get(addr, 0)
        return v | 0x100 if addr == _Mem32._ADC_FCS else v

    def __setitem__(self, addr, value):
        value &= 0xFFFFFFFF
        self.writes.append((addr, value))
        if addr == _Mem32._ADC_FCS:
            value &= ~0xC00  # OVER/UNDER are write-1-to-clear status flags
        self.regs[addr] = value


mem32 = _Mem32()


class WDT:
    def __init__(self, id=0, timeout=5000):
        self.timeout = timeout
        self.fed = 0

    def feed(self):
        self.fed += 1


class UART:
    def __init__(self, id, baudrate=115200, **kw):
        self.id = id
        self.written = bytearray()

    def write(self, data):
        self.written.extend(data)
        return len(data)

    def read(self, n=-1):
        return None

    def any(self):
        return 0


def reset_all():
    """Test control: forget every scripted value, device, IRQ, timer and register."""
    mem32.regs.clear()
    mem32.writes.clear()
    Pin.reset_all()
    ADC.reset_all()
    I2C.reset_all()
    Timer.reset_all()
    Timer.hard_allowed = True
