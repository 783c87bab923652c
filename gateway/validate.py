"""Per-board sequence check: gaps, duplicates (QoS 1 redelivery), late frames and board restarts.

Every frame of a board carries ``seq`` (u32, +1 per frame of any kind). Compared with the last accepted
frame, ``delta = (seq - last) mod 2³²``:

- ``delta == 1``: in order;
- ``1 < delta ≤ MAX_GAP``: ``delta - 1`` frames went missing (counted as a gap), the frame is accepted;
- ``seq`` already seen with the same ``t_tx``: a duplicate (a redelivered MQTT message) — dropped;
- a little behind, not seen, sent shortly before the last frame: late (already counted in a gap) — dropped;
- anything else: the board restarted (new ``seq`` and ticks) — accepted, and the pipeline resets the
  board's clock.
"""

from __future__ import annotations

from collections import OrderedDict

U32 = 1 << 32
MAX_GAP = 1_000_000  # a forward jump larger than this is a restart, not a million lost frames
RECENT = 4096  # (seq, t_tx) remembered for duplicate detection
LATE_US = 60_000_000  # a late frame was sent at most this long before the last one

OK, GAP, DUPLICATE, LATE, RESTART = "ok", "gap", "duplicate", "late", "restart"


class SeqTracker:
    def __init__(self, tick_period: int = 1 << 30) -> None:
        self.tick_period = tick_period
        self.last: int | None = None
        self.last_tx = 0
        self._seen: OrderedDict[int, int] = OrderedDict()

    def check(self, seq: int, t_tx: int) -> tuple[str, int]:
        """Classify a frame; returns (verdict, frames missing before it). Accepted frames are remembered."""
        last = self.last
        if last is None:
            self._accept(seq, t_tx)
            return OK, 0
        delta = (seq - last) % U32
        if 1 <= delta <= MAX_GAP:
            self._accept(seq, t_tx)
            return (OK, 0) if delta == 1 else (GAP, delta - 1)
        seen = self._seen.get(seq)
        if seen is not None and seen == t_tx:
            return DUPLICATE, 0
        back = (last - seq) % U32
        if seen is None and 0 < back <= RECENT and (self.last_tx - t_tx) % self.tick_period <= LATE_US:
            return LATE, 0
        self.reset()
        self._accept(seq, t_tx)
        return RESTART, 0

    def _accept(self, seq: int, t_tx: int) -> None:
        self.last, self.last_tx = seq, t_tx
        seen = self._seen
        seen[seq] = t_tx
        if len(seen) > RECENT:
            seen.popitem(last=False)

    def reset(self) -> None:
        self.last = None
        self._seen.clear()

    def remember(self, pairs: list[tuple[int, int]]) -> None:
        """Preload (seq, t_tx) of the last frames stored (oldest first), e.g. from the journal at start-up."""
        for seq, t_tx in pairs:
            self._accept(seq, t_tx)
