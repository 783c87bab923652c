# Sampler cases on the fake machine layer. Runs under MicroPython (scripts/mpy_run.mjs) and CPython
# (tests/mpy/run_cpython.py) with tests/mpy/fakes first on the path and firmware/ after it.
# Prints one JSON line per case: {"case", "frames": [hex...], ...expectations}; the pytest wrapper
# decodes the frames with the gateway's decoder. Checks that need no decoder are asserted here.
# usage: sampler_cases.py [CASE...]
import json
import sys
import time

import machine
import ticks
from frame import Framer
from machine import ADC, Pin, Timer
from sampler import EventGroup, FastGroup, Sampler, SlowGroup

MP = sys.implementation.name == "micropython"


class AdcDriver:
    """Minimal fast driver: one ADC channel as u16."""
    KIND = "fast"

    def __init__(self, n):
        self.adc = ADC(n)
        self.channels = (("voltage", "V", 3.3 / 65535, 0.0, "H"),)

    def read_raw_into(self, buf, i):
        buf[i] = self.adc.read_u16()


class AllocatingDriver(AdcDriver):
    def read_raw_into(self, buf, i):
        buf[i] = [self.adc.read_u16()][0]  # builds a list: must fail in a hard IRQ


class SlowCounter:
    """Slow driver: conversion takes 100 ms; raw values from a script; OSError when scripted None."""
    KIND = "slow"

    def __init__(self, values):
        self.values = values
        self.n = 0
        self.starts = 0
        self.channels = (("temperature", "C", 0.0625, 0.0, "h"),)

    def start(self):
        self.starts += 1
        return 100

    def read_raw_into(self, buf, i):
        v = self.values[self.n] if self.n < len(self.values) else self.values[-1]
        self.n += 1
        if v is None:
            raise OSError(5)
        buf[i] = v


class Gate:
    """Event driver: pin IRQ records (tick, level) into a preallocated ring of 8."""
    KIND = "event"

    def __init__(self, pin_no):
        self.channels = (("gate", "level", 1.0, 0.0, "h"),)
        self.t = [0] * 8
        self.lv = [0] * 8
        self.n = 0
        self.lost = 0
        self.pin = Pin(pin_no, Pin.IN)
        self.pin.irq(self._edge, Pin.IRQ_RISING | Pin.IRQ_FALLING, hard=True)

    def _edge(self, p):
        if self.n >= 8:
            self.lost += 1
            return
        self.t[self.n] = time.ticks_us()
        self.lv[self.n] = p.value()
        self.n += 1

    def take_events(self, ticks_, idx, levels, n_max):
        n = min(self.n, n_max)
        for i in range(n):
            ticks_[i] = self.t[i]
            idx[i] = 0
            levels[i] = self.lv[i]
        self.n = 0
        return n

    def take_dropped(self):
        d = self.lost
        self.lost = 0
        return d


def reset():
    machine.reset_all()
    time.set_ticks(1000)


def collect(s, out):
    fr = Framer()
    s.flush(fr, lambda f: out.append(bytes(f).hex()))


def run_for(s, ms, step_ms, out):
    for _ in range(ms // step_ms):
        Timer.advance(step_ms * 1000)
        collect(s, out)


def case_rate():
    """Two ADC channels at 1 kHz, hard timer: ring fills at the rate; frames carry the script."""
    reset()
    a = list(range(100, 1600))
    b = [65535 - v for v in a]
    ADC.script(26, a)
    ADC.script(27, b)
    g = FastGroup([AdcDriver(26), AdcDriver(27)], [0, 1], 1000, capacity=512, hard=True)
    s = Sampler(fast=g)
    t0 = time.ticks_us()
    s.start()
    Timer.advance(250000)
    fill = g.ring.count
    assert g.hard, "rp2-style hard timer expected"
    frames = []
    collect(s, frames)
    run_for(s, 750, 50, frames)
    s.stop()
    collect(s, frames)
    return {"fill_after_250ms": fill, "t0": t0, "frames": frames, "want": [[a[k], b[k]] for k in range(1000)],
            "period": 1000, "adc_reads": ADC.reads(26)}


def case_alloc_caught():
    """A driver that allocates in the hard callback fails there (MicroPython only): the check is live."""
    reset()
    g = FastGroup([AllocatingDriver(26)], [0], 100, hard=True)
    s = Sampler(fast=g)
    s.start()
    try:
        Timer.advance(20000)
        caught = False
    except MemoryError:
        caught = True
    s.stop()
    return {"frames": [], "caught": caught, "mp": MP}


def case_overflow():
    """Ring of 100 instants, 300 ms at 1 kHz without flushing: 200 dropped, counted in the next frame."""
    reset()
    ADC.script(26, list(range(1000)))
    g = FastGroup([AdcDriver(26)], [3], 1000, capacity=100, hard=True)
    s = Sampler(fast=g)
    t0 = time.ticks_us()
    s.start()
    Timer.advance(300000)
    frames = []
    collect(s, frames)
    Timer.advance(50000)
    collect(s, frames)
    s.stop()
    collect(s, frames)
    return {"frames": frames, "t0": t0, "want": list(range(150)), "dropped_total": s.dropped(),
            "adc_reads": ADC.reads(26)}


def case_wrap():
    """Ticks wrap at 2**30 in the middle of a run and of a frame."""
    reset()
    time.set_ticks(ticks.TICKS_PERIOD - 50500)
    ADC.script(26, list(range(200)))
    g = FastGroup([AdcDriver(26)], [0], 1000, hard=True)
    s = Sampler(fast=g)
    t0 = time.ticks_us()
    s.start()
    frames = []
    Timer.advance(40000)
    collect(s, frames)
    Timer.advance(60000)
    collect(s, frames)
    s.stop()
    ext = ticks.ExtTicks()
    for _ in range(50):  # 50 × 60 s: nearly three wraps
        Timer.advance(60000000)
        ext.update()
    return {"frames": frames, "t0": t0, "want": list(range(100)), "ext_elapsed_us": ext.elapsed_us(),
            "ext_wraps": ext.wraps}


def case_soft_stall():
    """ESP32 v1.27: hard timer refused, soft timer used; a 10 ms GC pause loses callbacks, counted."""
    reset()
    Timer.hard_allowed = False
    ADC.script(26, list(range(500)))
    g = FastGroup([AdcDriver(26)], [0], 1000, hard=True)
    s = Sampler(fast=g)
    t0 = time.ticks_us()
    s.start()
    frames = []
    Timer.advance(30000)
    Timer.stall(10000)
    Timer.advance(60000)
    collect(s, frames)
    s.stop()
    return {"frames": frames, "t0": t0, "hard": g.hard, "want": list(range(81)), "lost": 9}


def case_slow():
    """A slow sensor at 2 Hz (100 ms conversions) beside a 100 Hz fast group; one bus error."""
    reset()
    ADC.script(26, [7])
    d = SlowCounter([10, 11, None, 13, 14, 15, 16, 17])
    s = Sampler(fast=FastGroup([AdcDriver(26)], [0], 100), slow=[SlowGroup(d, [5], 2)])
    t0 = time.ticks_us()
    s.start()
    frames = []
    run_for(s, 3000, 250, frames)
    s.stop()
    collect(s, frames)
    return {"frames": frames, "t0": t0, "starts": d.starts, "slow_want": [10, 11, 13, 14, 15]}


def case_events():
    """Photogate-style edges from a pin IRQ become an event frame; ring overflow is counted."""
    reset()
    gate = Gate(15)
    s = Sampler(events=[EventGroup(gate, [6])])
    s.start()
    frames = []
    edges = []
    for k in range(10):  # 10 edges, ring of 8: 2 lost
        Timer.advance(1000 + 250 * k)
        Pin.drive(15, 1 - (k % 2))
        edges.append((time.ticks_us(), 1 - (k % 2)))
    collect(s, frames)
    Pin.drive(15, 1)
    edges.append((time.ticks_us(), 1))
    collect(s, frames)
    return {"frames": frames, "edges": edges[:8] + edges[10:], "lost": 2}


def case_long_run():
    """45 min at 10 Hz (a lesson): ticks wrap twice; timing stays continuous, nothing is dropped."""
    reset()
    ADC.script(26, list(range(30000)))
    g = FastGroup([AdcDriver(26)], [0], 10, capacity=64, hard=True)
    s = Sampler(fast=g)
    t0 = time.ticks_us()
    ext = ticks.ExtTicks()
    s.start()
    frames = []
    for _ in range(45 * 60 // 5):
        Timer.advance(5000000)
        ext.update()
        collect(s, frames)
    s.stop()
    collect(s, frames)
    return {"frames": frames, "t0": t0, "n": 45 * 60 * 10, "wraps": ext.wraps, "elapsed_us": ext.elapsed_us(),
            "dropped": s.dropped()}


CASES = {"long_run": case_long_run, "rate": case_rate, "alloc_caught": case_alloc_caught, "overflow": case_overflow,
         "wrap": case_wrap, "soft_stall": case_soft_stall, "slow": case_slow, "events": case_events}

for name in sys.argv[1:] or list(CASES):
    res = CASES[name]()
    res["case"] = name
    for h in res.pop("frames"):  # one line per frame: the runtime's stdout splits very long lines
        print("F", name, h)
    print(json.dumps(res))
