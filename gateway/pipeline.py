"""The gateway's spine: source → decode → clock → validate → journal → live bus.

Sources (``mqtt_source``, ``inproc``) call ``submit`` from their own thread with each message and an
``ack`` callable. ``submit`` decodes and checks the message, stamps it with the board's clock and queues
its journal row, all on the source's thread (so the network thread never waits for the GIL behind a
busy writer). One writer thread takes everything queued — after lingering up to ``linger_s`` or until
``max_batch`` messages wait, so that one fsync covers many frames — writes it to the journal in one
transaction (SQLite runs without the GIL), and only then releases the acks (in arrival order), counts
the frames as stored and publishes them on the live bus. Released acks are sent by the source's own
network thread at its next message (``send_acks``, as a plain MQTT client acks: no thread handoff per
message), or by the writer if no message comes within ``ack_grace_s``; ``flush`` and ``stop`` return
only after they are sent. Problems with a message are counted (``health()``), never raised: the
pipeline keeps running.

Sample times: sample *i* of a stored frame is at ``t0_ns + floor(i × dt_ns)`` (UTC ns); event *e* at
``t0_ns + floor(dt_us[e] × dt_ns)`` (for event blocks ``dt_ns`` is UTC ns per board µs). Per board and
frame kind these times are strictly increasing across frames (a frame that would start at or before the
previous one's last sample is moved just after it and flagged ``FLAG_SHIFTED``).

Accounting: ``samples`` stored + ``lost_samples`` (estimated from the sample clock across a sequence gap,
minus what the board itself reported as ``dropped``) = samples the boards sent, when the boards
sample continuously.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import validate as v
from .bus import LiveBus
from .clock import BoardClock
from .journal import FLAG_AFTER_GAP, FLAG_ARRIVAL, FLAG_SHIFTED, Journal, JournalError, Row
from .protocol import (
    DTYPES,
    EVENT_DTYPE,
    HEADER_SIZE,
    KIND_EVENTS,
    KIND_SAMPLES,
    KIND_STATUS,
    FrameError,
    decode,
    valid_sample_header,
)

log = logging.getLogger("classlab.gateway")

Ack = Callable[[], object] | None
DEFAULT_TICK_PERIOD = 1 << 30
_NO_SAMPLES = np.zeros((0, 0), dtype="<i2")
_NO_EVENTS = np.zeros(0, dtype=EVENT_DTYPE)


@dataclass
class LiveFrame:
    """One committed frame as the live bus carries it (raw values; ``meta`` has scale/offset/unit)."""

    key: str  # "<site>/<board>"
    kind: int
    t0_ns: int
    dt_ns: float
    channels: tuple[int, ...]
    samples: np.ndarray  # (count, nch) raw, sample blocks
    events: np.ndarray  # structured (dt_us, channel, level), event blocks
    meta: dict[str, Any] | None
    board_us: int = 0  # unwrapped board µs of the first sample / the events' reference tick


def _live_frame(row: Row, key: str, meta: dict[str, Any] | None) -> LiveFrame:
    """The LiveFrame of a journal row (its data is a view of the payload: no copy)."""
    _bid, kind, _seq, t0, dt, count, nch, channels, dtype, _n, _dropped, ufirst, *_rest, data = row
    ch = tuple(channels)
    if kind == KIND_SAMPLES:
        samples = np.frombuffer(data, DTYPES[ord(dtype)]).reshape(count, nch)
        return LiveFrame(key, kind, t0, dt, ch, samples, _NO_EVENTS, meta, ufirst)
    return LiveFrame(key, kind, t0, dt, ch, _NO_SAMPLES, np.frombuffer(data, EVENT_DTYPE), meta, ufirst)


class LiveBatch:
    """One commit's frames as the live bus carries them. The LiveFrames (numpy views of the payloads) are
    made on first iteration, so committing costs one small tuple per frame when nobody is watching; the
    bus keeps the batch for ``history_s`` for pages opened later. Iterates like a list of LiveFrame."""

    __slots__ = ("_items", "_frames")

    def __init__(self, items: list[tuple[Row, str, dict[str, Any] | None]]) -> None:
        self._items = items
        self._frames: list[LiveFrame] | None = None

    def _build(self) -> list[LiveFrame]:
        frames = self._frames
        if frames is None:  # two readers at once may both build it: same result, either kept
            frames = self._frames = [_live_frame(*it) for it in self._items]
        return frames

    def __iter__(self) -> Iterator[LiveFrame]:
        return iter(self._build())

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, i: int) -> LiveFrame:
        return self._build()[i]


@dataclass
class _Batch:
    """What the next commit holds: rows and board updates, then acks, counts and live frames after it."""

    rows: list[Row] = field(default_factory=list)
    updates: list[tuple[str, int, str]] = field(default_factory=list)
    acks: list[Callable[[], object]] = field(default_factory=list)
    touched: list[tuple[BoardState, int]] = field(default_factory=list)  # (board, values) per stored frame
    live: list[tuple[Row, str, dict[str, Any] | None]] = field(default_factory=list)  # (row, key, meta)
    markers: list[threading.Event] = field(default_factory=list)
    messages: int = 0


@dataclass
class BoardState:
    site: str
    board: str
    id: int
    clock: BoardClock
    seq: v.SeqTracker
    meta: dict[str, Any] | None = None
    status: dict[str, Any] | None = None
    frames: int = 0
    samples: int = 0
    gaps: int = 0
    lost_samples: int = 0
    duplicates: int = 0
    late: int = 0
    restarts: int = 0
    dropped: int = 0
    rejected: int = 0
    last_arrival_ns: int = 0
    next_tick: int | None = None  # unwrapped board µs of the next expected sampling instant
    last_ns: dict[int, int] = field(default_factory=dict)  # per frame kind: time of the last value stored
    clock_saved_ns: int = 0

    key: str = field(init=False)  # "<site>/<board>"

    def __post_init__(self) -> None:
        self.key = f"{self.site}/{self.board}"

    def restart(self) -> None:
        self.clock = BoardClock(self.clock.period)
        self.next_tick = None


class Pipeline:
    def __init__(self, journal: Journal, bus: LiveBus | None = None, *, clock_save_s: float = 10.0,
                 max_batch: int = 512, linger_s: float = 0.02, ack_grace_s: float = 0.002) -> None:
        self.journal = journal
        self.bus = bus or LiveBus()
        self.clock_save_ns = int(clock_save_s * 1e9)
        self.max_batch = max_batch  # commit at once when this many messages wait ...
        self.linger_s = linger_s  # ... else at most this long after the first (one fsync per batch)
        self._cv = threading.Condition(threading.Lock())  # guards the boards' state and _pending
        self._db = threading.Lock()  # the journal's connection: writer commits, new boards
        # acks of committed messages, oldest first. A source with its own network thread sends them from
        # there (send_acks at each message), as a plain client acks; if none does within ack_grace_s,
        # the writer sends them. One sender at a time (_acking), so they go out in order.
        self._ready: deque[Callable[[], object]] = deque()
        self._acking = threading.Lock()
        self.ack_grace_s = ack_grace_s
        self._pending = _Batch()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.boards: dict[tuple[str, str], BoardState] = {}
        self.started = time.time()
        self.error: str | None = None
        self.rejected: Counter[str] = Counter()
        self.frames = self.samples = self.events = self.status_frames = 0
        self.gaps = self.lost_samples = self.duplicates = self.late = self.restarts = 0
        self.dropped = self.clock_fallback = self.shifted = 0
        self.commits = self.batch_max = 0
        self.journal_errors = 0
        self.ack_errors = 0
        self._logged: set[tuple[str, str]] = set()

    # --- called by sources (any thread) --------------------------------------------------------
    def submit(self, site: str, board: str, kind: str, payload: bytes | bytearray, arrival_ns: int,
               ack: Ack = None) -> None:
        """Take one message from ``classlab/<site>/<board>/<kind>``: decode, check and stamp it now (on the
        caller's thread), queue its row for the next commit; ``ack`` is called once that commit is done."""
        with self._cv:
            b = self._pending
            try:
                if kind == "data":
                    self._frame(self._board(site, board), payload, arrival_ns, b)
                elif kind == "meta":
                    self._meta(self._board(site, board), payload, b.updates)
                elif kind == "status":
                    self._status(self._board(site, board), payload, b.updates)
            except Exception as exc:  # a bug must not take the source's thread down: count, log once, go on
                self.rejected["internal_error"] += 1
                if ("*", "internal_error") not in self._logged:
                    self._logged.add(("*", "internal_error"))
                    log.exception("gateway: message from %s/%s not processed: %s", site, board, exc)
            if ack is not None:
                b.acks.append(ack)
            b.messages += 1
            if b.messages == 1 or b.messages == self.max_batch:
                self._cv.notify()

    def reject(self, reason: str, ack: Ack = None) -> None:
        """Count a message a source could not even route (e.g. a malformed topic); acked in order."""
        with self._cv:
            self.rejected[reason] += 1
            b = self._pending
            if ack is not None:
                b.acks.append(ack)
            b.messages += 1
            if b.messages == 1:
                self._cv.notify()

    # --- life cycle ----------------------------------------------------------------------------
    def start(self) -> Pipeline:
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="classlab-journal", daemon=True)
        self._thread.start()
        return self

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until everything submitted before this call is committed and acked."""
        done = threading.Event()
        with self._cv:
            self._pending.markers.append(done)
            self._pending.messages += 1
            self._cv.notify()
        return done.wait(timeout)

    def stop(self, timeout: float = 30.0) -> None:
        """Commit what is queued, save the boards' clocks, stop the writer thread."""
        if self._thread is None:
            return
        with self._cv:
            self._stopping = True
            self._cv.notify()
        self._thread.join(timeout)
        self._thread = None

    def send_acks(self, wait: bool = True) -> int:
        """Call the acks of committed messages, in order; returns how many. ``wait=False``: return at
        once if another thread is sending them (a source's network thread calls it so at each message)."""
        if not self._ready or not self._acking.acquire(wait):
            return 0
        n = 0
        try:
            ready = self._ready
            while ready:
                ack = ready.popleft()
                n += 1
                try:
                    ack()
                except Exception as exc:  # e.g. the connection just dropped: the broker redelivers
                    self.ack_errors += 1
                    if ("*", "ack_failed") not in self._logged:
                        self._logged.add(("*", "ack_failed"))
                        log.warning("gateway: acknowledgement not sent: %s", exc)
        finally:
            self._acking.release()
        return n

    # --- writer thread: commit, then ack, count, publish ----------------------------------------
    def _run(self) -> None:
        while True:
            with self._cv:
                idle = False
                while not self._pending.messages and not self._stopping:
                    if not self._ready:
                        self._cv.wait()
                    elif not self._cv.wait(self.ack_grace_s):
                        idle = True  # no source sent the acks within the grace: the writer does
                        break
            if idle:
                self.send_acks()
                continue
            with self._cv:
                deadline = time.monotonic() + self.linger_s
                while (self._pending.messages < self.max_batch and not self._pending.markers
                       and not self._stopping):  # linger: let the batch fill, one commit for many frames
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._cv.wait(left)
                batch, self._pending = self._pending, _Batch()
                stopping = self._stopping
                self._save_clocks(batch.updates, force=stopping)
            self._commit(batch)
            if stopping:
                return

    def _board(self, site: str, board: str) -> BoardState:
        bs = self.boards.get((site, board))
        if bs is None:
            with self._db:
                bid = self.journal.board_id(site, board)
                info = self.journal.board_info(bid)
                recent = self.journal.recent(bid)
            meta = info["meta"]
            period = _tick_period(meta)
            clock = BoardClock(period)
            if info["clock"]:
                clock.load(info["clock"])
            seq = v.SeqTracker(period)
            seq.remember(recent)
            bs = BoardState(site, board, bid, clock, seq, meta=meta, status=info["status"])
            self.boards[(site, board)] = bs
        return bs

    def _commit(self, b: _Batch) -> None:
        acks, touched, live = b.acks, b.touched, b.live
        if b.rows or b.updates:
            try:
                with self._db:
                    self.journal.append(b.rows, b.updates)
            except JournalError as exc:  # disk full, I/O error: keep running, do not ack (the broker keeps them)
                self.journal_errors += 1
                self.error = str(exc)
                log.error("%s", exc)
                acks, touched, live = [], [], []
        self._ready.extend(acks)
        if b.markers or self._stopping:  # flush() and stop() promise acks sent
            self.send_acks()
        for bs, ns in touched:
            bs.frames += 1
            bs.samples += ns
        self.frames += len(touched)
        self.samples += sum(ns for _, ns in touched)
        self.commits += 1
        self.batch_max = max(self.batch_max, b.messages)
        if live:
            self.bus.publish(LiveBatch(live))
        for m in b.markers:
            m.set()

    def _note_reject(self, bs: BoardState, reason: str, message: str) -> None:
        self.rejected[reason] += 1
        bs.rejected += 1
        if (bs.key, reason) not in self._logged:  # once per board and reason; counters carry the rest
            self._logged.add((bs.key, reason))
            log.warning("board %s: frame rejected (%s): %s", bs.key, reason, message)

    def _frame(self, bs: BoardState, payload: bytes | bytearray, arrival: int, b: _Batch) -> None:
        if not isinstance(payload, bytes):
            payload = bytes(payload)  # the row keeps a view of it until the commit: it must not change
        # Fast path for the common case, a valid sample block: the header's fields straight from struct,
        # no Frame or numpy view per frame (the live bus makes those only when read). It accepts exactly
        # what decode() accepts for sample blocks with channels; anything else (events, status, an
        # invalid frame) goes through decode(), which has the last word and the reasons.
        hdr = valid_sample_header(payload)
        fast = hdr is not None
        if hdr is not None:
            kind, seq, t_first, t_tx, period_us, dropped, nch, _code, count = hdr
            off = HEADER_SIZE + nch
        events = status = None
        if not fast:
            try:
                f = decode(payload)
            except FrameError as exc:
                self._note_reject(bs, exc.reason, str(exc))
                return
            kind, seq, t_first, t_tx, period_us, dropped, count = (f.kind, f.seq, f.t_first, f.t_tx, f.period_us,
                                                                   f.dropped, f.count)
            nch = len(f.channels)
            off = HEADER_SIZE + nch
            events, status = f.events, f.status
        bs.last_arrival_ns = arrival
        verdict, gap = bs.seq.check(seq, t_tx)
        flags = 0
        if verdict is not v.OK:
            if verdict is v.DUPLICATE:
                self.duplicates += 1
                bs.duplicates += 1
                return
            if verdict is v.LATE:
                self.late += 1
                bs.late += 1
                return
            if verdict is v.RESTART:
                self.restarts += 1
                bs.restarts += 1
                bs.restart()
            else:
                self.gaps += gap
                bs.gaps += gap
                flags = FLAG_AFTER_GAP
        clock = bs.clock
        obs = clock.observe(t_tx, arrival)
        if obs.fallback:
            flags |= FLAG_ARRIVAL
            self.clock_fallback += 1
        ufirst = clock.before(t_first, obs.utx)
        t0 = clock.to_ns(ufirst)
        n_values = 0
        if kind == KIND_SAMPLES:
            n_values = count * nch
            dt = clock.rate * period_us
            if flags & FLAG_AFTER_GAP and bs.next_tick is not None and period_us:
                missing = (ufirst - bs.next_tick) // period_us
                lost = max(0, missing * nch - dropped)
                self.lost_samples += lost
                bs.lost_samples += lost
            bs.next_tick = ufirst + count * period_us
            span = int((count - 1) * dt) if count else 0
        elif kind == KIND_EVENTS:
            assert events is not None
            n_values = count
            dt = clock.rate
            span = int(int(events["dt_us"].max()) * dt) if count else 0
            self.events += count
        else:
            dt = 0.0
            span = 0
            self.status_frames += 1
            bs.status = status
        if count and kind != KIND_STATUS:
            last_ns = bs.last_ns
            last = last_ns.get(kind)
            if last is not None and t0 <= last:
                t0 = last + 1
                flags |= FLAG_SHIFTED
                self.shifted += 1
            last_ns[kind] = t0 + span
        if dropped:
            self.dropped += dropped
            bs.dropped += dropped
        row = (bs.id, kind, seq, t0, dt, count, nch, payload[HEADER_SIZE:off],
               chr(payload[25]) if kind == KIND_SAMPLES else None, n_values, dropped, ufirst,
               t_tx, arrival, flags, memoryview(payload)[off:])  # a view: no 4 KB copy per frame
        b.rows.append(row)
        b.touched.append((bs, n_values))
        if kind != KIND_STATUS and self.bus.active:
            b.live.append((row, bs.key, bs.meta))

    def _meta(self, bs: BoardState, payload: bytes | bytearray, updates: list[tuple[str, int, str]]) -> None:
        if not payload:
            return  # a cleared retained message
        try:
            meta = json.loads(payload)
            if not isinstance(meta, dict) or not isinstance(meta.get("channels", []), list):
                raise ValueError("meta must be a JSON object with a list of channels")
            period = _tick_period(meta)
        except (ValueError, UnicodeDecodeError) as exc:
            self._note_reject(bs, "bad_meta", f"meta message is not valid: {exc}")
            return
        if period != bs.clock.period:
            bs.clock = BoardClock(period)
            bs.seq.tick_period = period
        bs.meta = meta
        updates.append(("meta", bs.id, json.dumps(meta)))

    def _status(self, bs: BoardState, payload: bytes | bytearray, updates: list[tuple[str, int, str]]) -> None:
        if not payload:
            return
        try:
            st = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            st = None
        if not isinstance(st, dict):  # e.g. the plain last-will "offline"
            st = {"state": payload.decode("utf-8", "replace")[:64]}
        bs.status = st
        updates.append(("status", bs.id, json.dumps(st)))

    def _save_clocks(self, updates: list[tuple[str, int, str]], force: bool = False) -> None:
        """Every ``clock_save_s`` (and at stop) the boards' clocks go into the journal with the batch."""
        now = time.time_ns()
        for bs in self.boards.values():
            if force or now - bs.clock_saved_ns >= self.clock_save_ns:
                bs.clock_saved_ns = now
                updates.append(("clock", bs.id, json.dumps(bs.clock.state())))

    # --- reports (any thread) ------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        js = self.journal.stats()
        warnings = [w for w in (js["warning"], self.error) if w]
        status = "error" if self.error else ("degraded" if warnings else "ok")
        return {
            "status": status, "boards": len(self.boards), "frames": self.frames, "samples": self.samples,
            "events": self.events, "status_frames": self.status_frames, "dropped": self.dropped,
            "influx_backlog": js["backlog"], "rejected": dict(self.rejected),
            "rejected_total": sum(self.rejected.values()), "gaps": self.gaps, "lost_samples": self.lost_samples,
            "duplicates": self.duplicates, "late": self.late, "restarts": self.restarts,
            "clock_fallback": self.clock_fallback, "shifted": self.shifted, "queue": len(self._pending.rows),
            "commits": self.commits, "batch_max": self.batch_max, "ack_errors": self.ack_errors, "bus_dropped": self.bus.dropped(),
            "journal": js, "warnings": warnings, "uptime_s": round(time.time() - self.started, 3),
        }

    def board_list(self) -> list[dict[str, Any]]:
        out = []
        with self._cv:
            states = list(self.boards.values())
        for bs in states:
            st = bs.status or {}
            out.append({
                "site": bs.site, "board": bs.board, "key": bs.key, "meta": bs.meta, "status": bs.status,
                "online": st.get("state", "unknown") not in ("offline", "stopped"),
                "frames": bs.frames, "samples": bs.samples, "gaps": bs.gaps, "lost_samples": bs.lost_samples,
                "duplicates": bs.duplicates, "late": bs.late, "restarts": bs.restarts, "dropped": bs.dropped,
                "rejected": bs.rejected, "last_arrival_ns": bs.last_arrival_ns,
                "clock": {"drift_ppm": round(bs.clock.drift_ppm, 3), "resets": bs.clock.resets,
                          "tick_period": bs.clock.period},
            })
        return out


def _tick_period(meta: dict[str, Any] | None) -> int:
    if not meta or "tick_period" not in meta:
        return DEFAULT_TICK_PERIOD
    p = meta["tick_period"]
    if isinstance(p, bool) or not isinstance(p, int) or p < 2:
        raise ValueError(f"tick_period must be an integer ≥ 2 (µs), got {p!r}")
    return p
