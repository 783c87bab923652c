"""Benchmark of the host ring buffer / 环形缓冲区基准测试.

    python bench/ringbuffer.py --json [--quick] [--channels N]

Prints JSON to stdout:

- ``append``: for blocks of 64, 512 and 4096 samples × N channels, the ring buffer's append throughput
  (samples/s and bytes/s of times + values) and, measured in the same run, a plain numpy copy of the
  same bytes (the same two slice assignments from the same source slices into preallocated arrays of
  the same size, no ring logic); ``ratio`` = ring / plain (goal ≥ ``goal_ratio`` = 0.5). Best of several interleaved repeats, to damp the noise
  of a shared machine.
- ``window``: the cost (µs per call) of ``window(256)``, of ``since(t)`` and of taking one channel's
  column, for buffer capacities 10³ … 10⁷ (10³ … 10⁵ with ``--quick``); ``window_cost_spread`` is the
  largest over the smallest ``window_us`` and ``window_cost_slope`` the log–log slope of cost against
  capacity: ~0 when the cost does not grow with the buffer (an O(n) copy would give 1).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import numpy as np

from classlab.experiments.ringbuffer import RingBuffer

GOAL_RATIO = 0.5


def _best(fn: Callable[[], None], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench_append(block: int, channels: int, samples: int, repeats: int) -> dict[str, float]:
    """Append ``samples`` samples in blocks of ``block``; the same bytes copied plainly as the baseline.

    Both read the same source slices and write into destinations of the same size (the ring's
    capacity, a multiple of the block), so the ratio isolates the ring's own work (checks, wrap,
    bookkeeping) from memory traffic.
    """
    n_blocks = max(samples // block, 4)
    capacity = max(8, n_blocks // 4) * block  # the ring wraps several times per pass
    t_all = np.arange(n_blocks * block * (repeats + 1), dtype=np.float64)
    values = np.random.default_rng(0).normal(size=(block, channels))
    rb = RingBuffer([f"ch{j}" for j in range(channels)], capacity)
    dst_t = np.empty(capacity)
    dst_v = np.empty((capacity, channels))
    state = {"ring": 0, "plain": 0}

    def ring() -> None:
        base = state["ring"] * n_blocks * block
        state["ring"] += 1
        for i in range(n_blocks):
            s = base + i * block
            rb.append(t_all[s : s + block], values)

    def plain() -> None:
        base = state["plain"] * n_blocks * block
        state["plain"] += 1
        for i in range(n_blocks):
            s = base + i * block
            d = (i * block) % capacity
            dst_t[d : d + block] = t_all[s : s + block]
            dst_v[d : d + block] = values

    ring_s = plain_s = float("inf")
    for _ in range(repeats):  # interleaved so both see the same machine load
        ring_s = min(ring_s, _best(ring, 1))
        plain_s = min(plain_s, _best(plain, 1))
    n = n_blocks * block
    nbytes = n * 8 * (channels + 1)
    return {
        "block": block,
        "channels": channels,
        "samples": n,
        "samples_per_s": n / ring_s,
        "bytes_per_s": nbytes / ring_s,
        "baseline_bytes_per_s": nbytes / plain_s,
        "ratio": plain_s / ring_s,
        "overwritten": rb.overwritten,
    }


def bench_window(capacity: int, calls: int, repeats: int) -> dict[str, float]:
    rb = RingBuffer(["x"], capacity)
    t = np.arange(capacity + capacity // 3, dtype=np.float64)
    rb.append(t[: capacity // 2], t[: capacity // 2])
    rb.append(t[capacity // 2 :], t[capacity // 2 :])  # wrapped: the newest samples straddle the end
    t_since = float(t[-1] - 200)

    def windows() -> None:
        for _ in range(calls):
            rb.window(256)

    def sinces() -> None:
        for _ in range(calls):
            rb.since(t_since)

    w = rb.window(256)

    def columns() -> None:
        for _ in range(calls):
            w.column_parts("x")

    return {
        "capacity": capacity,
        "window_n": 256,
        "window_us": _best(windows, repeats) / calls * 1e6,
        "since_us": _best(sinces, repeats) / calls * 1e6,
        "column_us": _best(columns, repeats) / calls * 1e6,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print JSON (the only output format)")
    ap.add_argument("--quick", action="store_true", help="tiny sizes, for tests (numbers not meaningful)")
    ap.add_argument("--channels", type=int, default=4)
    args = ap.parse_args(argv)
    samples, repeats, calls = (20_000, 2, 200) if args.quick else (2_000_000, 7, 20_000)
    capacities = [10**3, 10**4, 10**5] if args.quick else [10**3, 10**4, 10**5, 10**6, 10**7]
    append = [bench_append(b, args.channels, samples, repeats) for b in (64, 512, 4096)]
    window = [bench_window(c, calls, repeats) for c in capacities]
    costs = [r["window_us"] for r in window]
    out = {
        "bench": "ringbuffer",
        "quick": args.quick,
        "goal_ratio": GOAL_RATIO,
        "append": append,
        "min_ratio": min(r["ratio"] for r in append),
        "window": window,
        "window_cost_spread": max(costs) / min(costs),
        # d log(cost) / d log(capacity): 0 = independent of the buffer size, 1 = proportional to it
        "window_cost_slope": float(np.polyfit(np.log([r["capacity"] for r in window]), np.log(costs), 1)[0]),
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
