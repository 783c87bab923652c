# Voltage bursts on rp2 (stretch goal): the RP2040 ADC free-running at up to 500 kS/s, drained by
# DMA into an array, then sent as ordinary sample frames. A Python loop cannot keep up with the
# ADC (the timer sampler tops out at a few kHz); DMA paced by the ADC's own DREQ can.
#
# Registers (RP2040 datasheet, 4.9 ADC): CS (EN, START_MANY, AINSEL), FCS (FIFO EN, DREQ_EN, THRESH,
# EMPTY, OVER/UNDER sticky flags, write 1 to clear), FIFO, DIV (INT.FRAC: one conversion every
# 1 + INT + FRAC/256 cycles of the 48 MHz ADC clock; 96 cycles = 2 µs is the fastest).
# Raw values are the 12-bit codes (0..4095): pin voltage = code × 3.3 V / 4096.
# Verified against the fake rp2/mem32 model in tests/mpy/fakes only, not on a board yet.
from array import array

try:
    from micropython import const  # pyright: ignore[reportAssignmentType]  (CPython shim below)
except ImportError:  # CPython

    def const(x):  # type: ignore[no-redef]
        return x

try:
    from . import frame as _frame
    from . import ticks as _ticks
except ImportError:
    import frame as _frame
    import ticks as _ticks

ADC_BASE = const(0x4004C000)
CS = const(0x4004C000)
FCS = const(0x4004C008)
FIFO = const(0x4004C00C)
DIV = const(0x4004C010)
CS_EN = const(0x1)
CS_START_MANY = const(0x8)
FCS_EN = const(0x1)
FCS_DREQ_EN = const(0x8)
FCS_EMPTY = const(0x100)
FCS_UNDER = const(0x400)
FCS_OVER = const(0x800)
DREQ_ADC = const(36)
ADC_CLOCK_HZ = 48000000
MAX_RATE_HZ = 500000
VOLTS_PER_CODE = 3.3 / 4096


def burst_timing(rate_hz):
    """(period_us, DIV register value) for rate_hz; ValueError unless the period is whole µs and
    the ADC can convert that fast (rate divides 1 000 000, at most 500 kS/s)."""
    if not 0 < rate_hz <= MAX_RATE_HZ or 1000000 % rate_hz:
        raise ValueError("burst rate must divide 1000000 and be <= 500000 S/s (e.g. 500000, 250000, "
                         "100000, 50000) / 采样率须整除 1000000 且不超过 500 kS/s")
    cycles = ADC_CLOCK_HZ // rate_hz
    return 1000000 // rate_hz, (cycles - 1) << 8


class Burst:
    """One burst buffer of n_max samples (2 bytes each), made once; capture() reuses it."""

    def __init__(self, n_max):
        self.n_max = n_max
        self.buf = array("H", bytes(2 * n_max))
        self.view = _frame.byte_view(self.buf)
        self.n = 0
        self.t_first = 0
        self.period_us = 0
        self.overflow = False

    def capture(self, gpio, n, rate_hz, timeout_ms=1000):
        """Sample ADC input `gpio` (26..29) n times at rate_hz into the buffer; blocks until done
        (n / rate_hz s, e.g. 40 ms for 20 000 samples at 500 kS/s). Returns n."""
        import machine
        import rp2  # pyright: ignore[reportMissingImports]

        if not 26 <= gpio <= 29:
            raise ValueError("burst: GPIO%d has no ADC (use 26..29)" % gpio)
        if not 0 < n <= self.n_max:
            raise ValueError("burst: n must be 1..%d" % self.n_max)
        period_us, div = burst_timing(rate_hz)
        machine.ADC(machine.Pin(gpio))  # sets the pin to analog input
        mem = machine.mem32
        mem[CS] = CS_EN | ((gpio - 26) << 12)
        mem[DIV] = div
        mem[FCS] = FCS_EN | FCS_DREQ_EN | (1 << 24) | FCS_OVER | FCS_UNDER  # THRESH 1; clear flags
        while not mem[FCS] & FCS_EMPTY:  # drop stale results
            mem[FIFO]
        dma = rp2.DMA()
        try:
            ctrl = dma.pack_ctrl(size=1, inc_read=False, inc_write=True, treq_sel=DREQ_ADC)
            dma.config(read=FIFO, write=self.buf, count=n, ctrl=ctrl, trigger=True)
            self.t_first = _ticks.ticks_us()
            mem[CS] = mem[CS] | CS_START_MANY
            deadline = _ticks.ticks_add(_ticks.ticks_ms(), timeout_ms + n * period_us // 1000)
            while dma.active():
                if _ticks.ticks_diff(_ticks.ticks_ms(), deadline) > 0:
                    raise OSError(110)  # the ADC stopped pacing the DMA
        finally:
            mem[CS] = mem[CS] & ~CS_START_MANY
            dma.close()
        self.overflow = bool(mem[FCS] & FCS_OVER)  # the FIFO overran: samples were lost
        mem[FCS] = 0
        while not mem[FCS] & FCS_EMPTY:
            mem[FIFO]
        self.n = n
        self.period_us = period_us
        return n

    def send(self, framer, channel_id, send, t_tx=None):
        """Hand the captured burst to send(frame) as sample frames of one "H" channel; returns frames."""
        per = _frame.max_instants(1, "H")
        chans = bytes([channel_id])
        k = 0
        frames = 0
        t = self.t_first
        while k < self.n:
            m = min(per, self.n - k)
            tx = _ticks.ticks_us() if t_tx is None else t_tx
            send(framer.pack_samples(t, tx, self.period_us, 0, chans, "H", self.view[2 * k:2 * (k + m)], m))
            t = _ticks.add_periods(t, m, self.period_us)
            k += m
            frames += 1
        return frames


MAX_BURST = 20000  # samples (40 KB, allocated for the burst and freed after)
BURST_ID_OFFSET = 32  # burst channel id = the input's channel id + 32 (pin-map ids are 0..31)


def app_burst(app, ch_id, n, rate_hz):
    """The app's "burst" command: n samples of channel ch_id (an adc_divider / adc_bipolar input)
    at rate_hz; the timer sampler pauses meanwhile (it must not touch the free-running ADC)."""
    import gc

    if app.board.type not in ("pico", "pico_w"):
        raise ValueError("burst needs an rp2 board (RP2040 ADC + DMA)")
    if not 1 <= n <= MAX_BURST:
        raise ValueError("burst n must be 1..%d" % MAX_BURST)
    sensor = None
    for s in app.cfg.get("sensor", ()):
        if ch_id in [c["id"] for c in s.get("channels", ())]:
            sensor = s
    if sensor is None or sensor.get("driver") not in ("adc_divider", "adc_bipolar"):
        raise ValueError("burst: channel %d is not a voltage input (adc_divider, adc_bipolar)" % ch_id)
    burst_timing(rate_hz)  # check before stopping anything
    meta_ch = None
    meta = app.board.meta
    for ch in meta["channels"]:
        if ch["id"] == ch_id:
            meta_ch = ch
    if meta_ch is None:
        raise ValueError("burst: channel %d is not enabled" % ch_id)
    bid = ch_id + BURST_ID_OFFSET
    if not any(ch["id"] == bid for ch in meta["channels"]):
        # driver raw = pin voltage in 0.1 mV; a burst sample is a 12-bit code of 3.3 V / 4096
        meta["channels"].append({
            "id": bid, "sensor": sensor["name"], "driver": "burst", "quantity": meta_ch["quantity"],
            "unit": meta_ch["unit"], "scale": meta_ch["scale"] * 33000 / 4096, "offset": meta_ch["offset"],
            "dtype": "H", "kind": "burst", "max_rate": MAX_RATE_HZ})
        app.board.set_meta(meta)
        app.link.send_meta(app.board.meta_json())
    meta = meta_ch = None
    was = app.state == "running"
    if was:
        app.stop()
    gc.collect()
    b = None
    try:
        b = Burst(n)
        b.capture(sensor["pins"]["adc"], n, rate_hz)
        b.send(app.framer, bid, app._send)
    finally:
        b = None
        gc.collect()
        if was:
            app.board.sampler.start()
            app.state = "running"
