"""The gateway's spine: source → decode → clock → validate → journal → live bus.

Sources (``mqtt_source``, ``inproc``) call ``submit`` from their own thread with each message and an
``ack`` callable. One writer thread takes whatever is queued (up to ``max_batch`` messages), decodes
and checks it, stamps it with the board's clock, writes the batch to the journal in one transaction,
and only then calls the acks (in arrival order) and publishes the batch on the live bus. Problems with a
message are counted (``health()``), never raised: the pipeline keeps running.

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
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import validate as v
from .bus import LiveBus
from .clock import BoardClock
from .journal import FLAG_AFTER_GAP, FLAG_ARRIVAL, FLAG_SHIFTED, Journal, JournalError, Row
from .protocol import HEADER_SIZE, KIND_EVENTS, KIND_SAMPLES, KIND_STATUS, FrameError, decode

log = logging.getLogger("classlab.gateway")

Ack = Callable[[], None] | None
DEFAULT_TICK_PERIOD = 1 << 30
_STOP = object()


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

    @property
    def key(self) -> str:
        return f"{self.site}/{self.board}"

    def restart(self) -> None:
        self.clock = BoardClock(self.clock.period)
        self.next_tick = None


class Pipeline:
    def __init__(self, journal: Journal, bus: LiveBus | None = None, *, max_batch: int = 1024,
                 clock_save_s: float = 10.0) -> None:
        self.journal = journal
        self.bus = bus or LiveBus()
        self.max_batch = max_batch
        self.clock_save_ns = int(clock_save_s * 1e9)
        self._q: queue.SimpleQueue[Any] = queue.SimpleQueue()
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
        self._logged: set[tuple[str, str]] = set()

    # --- called by sources (any thread) --------------------------------------------------------
    def submit(self, site: str, board: str, kind: str, payload: bytes, arrival_ns: int, ack: Ack = None) -> None:
        """Queue one message from ``classlab/<site>/<board>/<kind>``; ``ack`` is called once it is committed."""
        self._q.put((site, board, kind, payload, arrival_ns, ack))

    def reject(self, reason: str, ack: Ack = None) -> None:
        """Count a message a source could not even route (e.g. a malformed topic); acked in order."""
        self._q.put(("", "", "reject", reason, 0, ack))

    # --- life cycle ----------------------------------------------------------------------------
    def start(self) -> Pipeline:
        self._thread = threading.Thread(target=self._run, name="classlab-journal", daemon=True)
        self._thread.start()
        return self

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until everything submitted before this call is committed and acked."""
        done = threading.Event()
        self._q.put(done)
        return done.wait(timeout)

    def stop(self, timeout: float = 30.0) -> None:
        """Commit what is queued, save the boards' clocks, stop the writer thread."""
        if self._thread is None:
            return
        self._q.put(_STOP)
        self._thread.join(timeout)
        self._thread = None

    # --- writer thread -------------------------------------------------------------------------
    def _run(self) -> None:
        get, get_nowait = self._q.get, self._q.get_nowait
        while True:
            batch = [get()]
            try:
                while len(batch) < self.max_batch:
                    batch.append(get_nowait())
            except queue.Empty:
                pass
            if self._process(batch):
                self._save_clocks(force=True)
                return

    def _board(self, site: str, board: str) -> BoardState:
        bs = self.boards.get((site, board))
        if bs is None:
            bid = self.journal.board_id(site, board)
            info = self.journal.board_info(bid)
            meta = info["meta"]
            period = _tick_period(meta)
            clock = BoardClock(period)
            if info["clock"]:
                clock.load(info["clock"])
            seq = v.SeqTracker(period)
            seq.remember(self.journal.recent(bid))
            bs = BoardState(site, board, bid, clock, seq, meta=meta, status=info["status"])
            self.boards[(site, board)] = bs
        return bs

    def _process(self, batch: list[Any]) -> bool:
        rows: list[Row] = []
        acks: list[Callable[[], None]] = []
        updates: list[tuple[str, int, str]] = []
        live: list[LiveFrame] = []
        markers: list[threading.Event] = []
        touched: list[tuple[BoardState, int, int]] = []  # (board, frames, samples) to count after commit
        stop = False
        want_live = self.bus.active
        for item in batch:
            if item is _STOP:
                stop = True
                continue
            if isinstance(item, threading.Event):
                markers.append(item)
                continue
            site, board, kind, payload, arrival, ack = item
            if ack is not None:
                acks.append(ack)
            if kind == "data":
                self._frame(self._board(site, board), payload, arrival, rows, live if want_live else None, touched)
            elif kind == "meta":
                self._meta(self._board(site, board), payload, updates)
            elif kind == "status":
                self._status(self._board(site, board), payload, updates)
            elif kind == "reject":
                self.rejected[payload] += 1
        if rows or updates:
            self._save_clocks(updates=updates)
            try:
                self.journal.append(rows, updates)
            except JournalError as exc:  # disk full, I/O error: keep running, do not ack (the broker keeps them)
                self.journal_errors += 1
                self.error = str(exc)
                log.error("%s", exc)
                acks = []
                touched = []
                live = []
        for ack in acks:
            ack()
        for bs, nf, ns in touched:
            bs.frames += nf
            bs.samples += ns
            self.frames += nf
            self.samples += ns
        self.commits += 1
        self.batch_max = max(self.batch_max, len(batch))
        if live:
            self.bus.publish(live)
        for m in markers:
            m.set()
        return stop

    def _note_reject(self, bs: BoardState, reason: str, message: str) -> None:
        self.rejected[reason] += 1
        bs.rejected += 1
        if (bs.key, reason) not in self._logged:  # once per board and reason; counters carry the rest
            self._logged.add((bs.key, reason))
            log.warning("board %s: frame rejected (%s): %s", bs.key, reason, message)

    def _frame(self, bs: BoardState, payload: bytes, arrival: int, rows: list[Row],
               live: list[LiveFrame] | None, touched: list[tuple[BoardState, int, int]]) -> None:
        try:
            f = decode(payload)
        except FrameError as exc:
            self._note_reject(bs, exc.reason, str(exc))
            return
        bs.last_arrival_ns = arrival
        verdict, gap = bs.seq.check(f.seq, f.t_tx)
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
        obs = clock.observe(f.t_tx, arrival)
        if obs.fallback:
            flags |= FLAG_ARRIVAL
            self.clock_fallback += 1
        kind, count, nch = f.kind, f.count, len(f.channels)
        ufirst = clock.before(f.t_first, obs.utx)
        t0 = clock.to_ns(ufirst)
        n_values = 0
        if kind == KIND_SAMPLES:
            n_values = count * nch
            dt = clock.rate * f.period_us
            if flags & FLAG_AFTER_GAP and bs.next_tick is not None and f.period_us:
                missing = (ufirst - bs.next_tick) // f.period_us
                lost = max(0, missing * nch - f.dropped)
                self.lost_samples += lost
                bs.lost_samples += lost
            bs.next_tick = ufirst + count * f.period_us
            span = int((count - 1) * dt) if count else 0
        elif kind == KIND_EVENTS:
            n_values = count
            dt = clock.rate
            span = int(int(f.events["dt_us"].max()) * dt) if count else 0
            self.events += count
        else:
            dt = 0.0
            span = 0
            self.status_frames += 1
            bs.status = f.status
        if count and kind != KIND_STATUS:
            last = bs.last_ns.get(kind)
            if last is not None and t0 <= last:
                t0 = last + 1
                flags |= FLAG_SHIFTED
                self.shifted += 1
            bs.last_ns[kind] = t0 + span
        if f.dropped:
            self.dropped += f.dropped
            bs.dropped += f.dropped
        off = HEADER_SIZE + nch
        rows.append((bs.id, kind, f.seq, t0, dt, count, nch, payload[HEADER_SIZE:off],
                     chr(payload[25]) if kind == KIND_SAMPLES else None, n_values, f.dropped, ufirst,
                     f.t_tx, arrival, flags, payload[off:]))
        touched.append((bs, 1, n_values))
        if live is not None and kind != KIND_STATUS:
            live.append(LiveFrame(bs.key, kind, t0, dt, f.channels, f.samples, f.events, bs.meta))

    def _meta(self, bs: BoardState, payload: bytes, updates: list[tuple[str, int, str]]) -> None:
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

    def _status(self, bs: BoardState, payload: bytes, updates: list[tuple[str, int, str]]) -> None:
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

    def _save_clocks(self, force: bool = False, updates: list[tuple[str, int, str]] | None = None) -> None:
        now = time.time_ns()
        out = updates if updates is not None else []
        for bs in self.boards.values():
            if force or now - bs.clock_saved_ns >= self.clock_save_ns:
                bs.clock_saved_ns = now
                out.append(("clock", bs.id, json.dumps(bs.clock.state())))
        if updates is None and out:
            try:
                self.journal.append([], out)
            except JournalError as exc:
                self.error = str(exc)

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
            "clock_fallback": self.clock_fallback, "shifted": self.shifted, "queue": self._q.qsize(),
            "commits": self.commits, "batch_max": self.batch_max, "bus_dropped": self.bus.dropped(),
            "journal": js, "warnings": warnings, "uptime_s": round(time.time() - self.started, 3),
        }

    def board_list(self) -> list[dict[str, Any]]:
        out = []
        for bs in list(self.boards.values()):
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
