# rp2 DMA burst (firmware/burst.py) against the fake rp2.DMA + machine.mem32 ADC model.
# Prints one JSON line per case, frames one per line ("F case hex"). usage: burst_cases.py
import json
import sys
import time

import machine
import rp2
from burst import CS, DIV, Burst, burst_timing
from frame import Framer
from machine import ADC


def case_500k():
    machine.reset_all()
    time.set_ticks((1 << 30) - 5000)  # the burst crosses the tick wrap
    vals = [(k * 37) % 65536 for k in range(5000)]
    ADC.script(27, vals)
    b = Burst(5000)
    t0 = time.now_us()
    b.capture(27, 5000, 500000)
    took = time.now_us() - t0
    frames = []
    fr = Framer()
    n = b.send(fr, 40, lambda f: frames.append(bytes(f).hex()))
    regs = machine.mem32
    return {"frames": frames, "n_frames": n, "want": [v >> 4 for v in vals], "t_first": b.t_first,
            "period_us": b.period_us, "took_us": took, "div": regs.regs[DIV],
            "cs_writes": [v for a, v in regs.writes if a == CS], "dma_closed": rp2.DMA.last[0].closed,
            "overflow": b.overflow}


def case_bad():
    errors = []
    for rate in (3, 600000, 300000):
        try:
            burst_timing(rate)
        except ValueError as e:
            errors.append(str(e)[:40])
    try:
        Burst(10).capture(25, 5, 1000)
    except ValueError as e:
        errors.append(str(e))
    return {"frames": [], "errors": errors}


CASES = {"500k": case_500k, "bad": case_bad}
for name in sys.argv[1:] or list(CASES):
    res = CASES[name]()
    res["case"] = name
    for h in res.pop("frames"):
        print("F", name, h)
    print(json.dumps(res))
