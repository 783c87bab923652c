"""Per-board clock: wrapped board ticks (µs) → unwrapped board µs → UTC nanoseconds.

A board stamps each frame with ``t_tx``, its ``ticks_us()`` when the frame left; the gateway notes the
arrival time. Each (t_tx, arrival) pair is ``arrival = offset + rate × board_us + delay`` with delay ≥ 0
(network, broker, queues). The **minimum-delay filter** keeps, per bucket of ``bucket_s`` seconds of
arrival time, only the pair with the smallest apparent delay; the clock line (rate, offset) is the lower
envelope of those minima: a least-squares rate through the closed buckets' minima once they span
``fit_span_s`` (drift clamped
to ±``max_drift_ppm``), then the offset that puts the line under every minimum. Jitter and queueing only
ever make a pair *later*, so they cannot move samples.

Ticks wrap at ``tick_period`` (2³⁰ µs on MicroPython). Successive frames are less than half a period
apart in board time; after a silence longer than that, the arrival time tells how many periods passed.

**Fallback (flagged):** a frame without a transmit tick (``t_tx == 0``), or whose board time disagrees with
its arrival by more than ``max_skew_s`` once the clock is established (the board claims to have sent it in
the future: its ticks jumped), restarts the clock from that frame's arrival: the frame is stamped by arrival time and
``observe`` reports it, so the pipeline flags the frame and counts a clock reset.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

NS_PER_US = 1000.0


@dataclass
class Observation:
    utx: int  # unwrapped board µs of the transmit tick
    arrival_ns: int
    fallback: bool  # True: the clock (re)started on this frame; stamped by arrival time


class BoardClock:
    def __init__(self, tick_period: int = 1 << 30, bucket_s: float = 10.0, buckets: int = 60,
                 fit_span_s: float = 30.0, max_drift_ppm: float = 1000.0, max_skew_s: float = 5.0) -> None:
        if tick_period < 2:
            raise ValueError(f"tick_period must be ≥ 2 µs, got {tick_period}")
        self.period = int(tick_period)
        self.bucket_ns = int(bucket_s * 1e9)
        self.fit_span_us = fit_span_s * 1e6
        self.max_drift = max_drift_ppm * 1e-6
        self.max_skew_ns = max_skew_s * 1e9
        self._minima: deque[tuple[int, int, int]] = deque(maxlen=buckets)  # (bucket, utx, arrival_ns)
        self.rate = NS_PER_US  # UTC ns per board µs
        self.base = 0  # UTC ns (int) the offset is counted from, so floats keep ns precision
        self.offset = 0.0  # UTC ns at board µs 0, minus base
        self.resets = 0
        self._raw: int | None = None
        self._utx = 0
        self._arrival = 0

    # --- ticks ---------------------------------------------------------------------------------
    def _unwrap(self, tick: int, arrival_ns: int) -> int:
        assert self._raw is not None
        p = self.period
        if arrival_ns - self._arrival > p * NS_PER_US / 2:  # silent for over half a period
            predicted = self._utx + (arrival_ns - self._arrival) / self.rate
            return tick + p * round((predicted - tick) / p)
        d = (tick - self._raw) % p
        return self._utx + (d if d < p // 2 else d - p)

    def before(self, tick: int, utx: int) -> int:
        """Unwrapped value of ``tick`` (wrapped), at or before the unwrapped transmit tick ``utx``."""
        return utx - ((utx - tick) % self.period)

    # --- pairs ---------------------------------------------------------------------------------
    def observe(self, t_tx: int, arrival_ns: int) -> Observation:
        """Take one (transmit tick, arrival) pair; returns the unwrapped transmit tick."""
        p = self.period
        t_tx %= p
        raw = self._raw
        if raw is None or t_tx == 0:
            return self._restart(t_tx, arrival_ns)
        if arrival_ns - self._arrival > p * NS_PER_US / 2:  # silent for over half a period
            utx = self._unwrap(t_tx, arrival_ns)
        else:  # the common case, inlined (this runs once per frame)
            d = (t_tx - raw) % p
            utx = self._utx + (d if d < p // 2 else d - p)
        # skew > 0: the board says it sent the frame in the future. While the clock is young that only
        # means the earlier pairs were delayed (the filter lowers the line); once it has several
        # minutes of minima, a jump that large means the board's ticks jumped: restart.
        below = arrival_ns - self.base - self.rate * utx  # -skew, relative to the line's base
        if self.offset - below > self.max_skew_ns and len(self._minima) >= 3:
            return self._restart(t_tx, arrival_ns)
        m = self._minima
        bucket = arrival_ns // self.bucket_ns
        if m and m[-1][0] == bucket:
            # same (open) bucket: the slope comes from closed buckets only, so at most the line moves down
            last = m[-1]
            if arrival_ns - NS_PER_US * utx < last[2] - NS_PER_US * last[1]:
                m[-1] = (bucket, utx, arrival_ns)
            if below < self.offset:
                self.offset = below
        else:
            m.append((bucket, utx, arrival_ns))
            self._fit()
        self._raw = t_tx
        if utx > self._utx:
            self._utx = utx
        if arrival_ns > self._arrival:
            self._arrival = arrival_ns
        return Observation(utx, arrival_ns, False)

    def _restart(self, t_tx: int, arrival_ns: int) -> Observation:
        if self._raw is not None:
            self.resets += 1
        self._minima.clear()
        self.rate = NS_PER_US
        self._raw, self._utx, self._arrival = t_tx, t_tx, arrival_ns
        self.base = arrival_ns
        self.offset = -self.rate * t_tx
        self._note(t_tx, arrival_ns)
        return Observation(t_tx, arrival_ns, True)

    def _note(self, utx: int, arrival_ns: int) -> None:
        bucket = arrival_ns // self.bucket_ns
        m = self._minima
        if m and m[-1][0] == bucket:
            # same (open) bucket: the slope comes from closed buckets only, so at most the line moves down
            b, u, a = m[-1]
            if arrival_ns - NS_PER_US * utx < a - NS_PER_US * u:
                m[-1] = (bucket, utx, arrival_ns)
            below = arrival_ns - self.base - self.rate * utx
            if below < self.offset:
                self.offset = below
            return
        m.append((bucket, utx, arrival_ns))
        self._fit()

    def _fit(self) -> None:
        m = self._minima
        done = list(m)[:-1]  # the current bucket's minimum is not final yet: slope from closed buckets only
        rate = NS_PER_US
        if len(done) >= 3 and done[-1][1] - done[0][1] >= self.fit_span_us:
            u0, a0 = done[0][1], done[0][2]
            xs = [u - u0 for _, u, _ in done]
            ys = [a - a0 for _, _, a in done]
            mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
            sxx = sum((x - mx) ** 2 for x in xs)
            if sxx > 0:
                rate = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
                lo, hi = NS_PER_US * (1 - self.max_drift), NS_PER_US * (1 + self.max_drift)
                rate = min(max(rate, lo), hi)
        self.rate = rate
        self.offset = min(a - self.base - rate * u for _, u, a in m)

    # --- mapping -------------------------------------------------------------------------------
    def to_ns(self, board_us: float) -> int:
        """UTC ns of an unwrapped board time in µs."""
        return self.base + int(self.offset + self.rate * board_us)

    @property
    def drift_ppm(self) -> float:
        """How fast the board's clock runs against UTC, in ppm (> 0: fast)."""
        return (NS_PER_US / self.rate - 1.0) * 1e6

    def state(self) -> dict[str, Any]:
        """What /api/boards shows and the journal keeps across restarts."""
        return {"tick_period": self.period, "rate_ns_per_us": self.rate, "base_ns": self.base, "offset_ns": self.offset,
                "drift_ppm": round(self.drift_ppm, 3), "resets": self.resets, "raw": self._raw,
                "utx": self._utx, "arrival_ns": self._arrival, "minima": list(self._minima)}

    def load(self, st: dict[str, Any]) -> None:
        """Continue from ``state()`` saved by an earlier run (same board, same tick period)."""
        if int(st.get("tick_period", 0)) != self.period or st.get("raw") is None:
            return
        self.rate, self.offset, self.base = float(st["rate_ns_per_us"]), float(st["offset_ns"]), int(st["base_ns"])
        self.resets = int(st.get("resets", 0))
        self._raw, self._utx, self._arrival = int(st["raw"]), int(st["utx"]), int(st["arrival_ns"])
        self._minima.extend(tuple(int(v) for v in x) for x in st.get("minima", []))  # type: ignore[misc]
