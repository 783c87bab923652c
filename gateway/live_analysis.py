"""Live experiment analysis: the template's live steps while data arrive, the full analysis at each run's end.

Each board whose meta names an ``experiment`` gets a :class:`classlab.experiments.runtime.LiveRun` fed
from the live bus (physical values: raw × scale + offset from the meta; time in seconds of the board's
run on the board's own clock — unwrapped ticks, not the UTC mapping, whose estimate may still move —
times the meta's ``speed`` for simulated boards that run faster than the wall clock). Every
``every_s`` the live readouts are refreshed; when a board's meta announces a new ``run`` number (the
simulated boards do, before the run's first frame), the finished run gets the full analysis once more,
kept as ``last``, and the new run starts from its first frame. A board or template the runtime
cannot handle is reported in its entry (``error``) and the others go on.

``classlab demo`` runs it (its simulated boards name their lab); ``service.run`` starts and stops it. The
gateway does not yet: real boards' meta names no experiment until sessions exist, and a bus subscriber
makes every commit build its live frames.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .bus import LiveBus
from .pipeline import LiveFrame
from .protocol import KIND_EVENTS, KIND_SAMPLES


@dataclass
class _Board:
    experiment: str
    start_us: int  # board µs (unwrapped) of the current run's first frame
    speed: float
    run: Any = None  # LiveRun of the current run
    index: int = 0
    live: dict[str, Any] | None = None
    last: dict[str, Any] | None = None
    error: str | None = None
    t_s: float = 0.0
    columns: dict[int, tuple[str, float, float]] = field(default_factory=dict)  # ch -> (column, scale, offset)


class LiveAnalysis:
    def __init__(self, bus: LiveBus, every_s: float = 1.0) -> None:
        self.bus = bus
        self.every_s = every_s
        self._boards: dict[str, _Board] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- life cycle ------------------------------------------------------------------------------
    def start(self) -> LiveAnalysis:
        sub = self.bus.subscribe(maxlen=4096, notify=self._wake.set)
        self._thread = threading.Thread(target=self._loop, args=(sub,), name="live-analysis", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def results(self) -> dict[str, Any]:
        """Per board ``<site>/<board>``: experiment, run number, seconds into the run, ``live`` readouts,
        ``last`` full result of the previous run (or None), ``error``."""
        with self._lock:
            return {key: {"experiment": b.experiment, "run": b.index, "t_s": round(b.t_s, 3), "live": b.live,
                          "last": b.last, "error": b.error} for key, b in self._boards.items()}

    # --- work ------------------------------------------------------------------------------------
    def _loop(self, sub: Any) -> None:
        next_update = 0.0
        try:
            while not self._stop.is_set():
                self._wake.wait(timeout=self.every_s)
                self._wake.clear()
                for batch in sub.drain():
                    for frame in batch:
                        self.feed(frame)
                now = time.monotonic()
                if now >= next_update:
                    next_update = now + self.every_s
                    self.update()
        finally:
            sub.close()

    def feed(self, f: LiveFrame) -> None:
        """Add one committed frame's values to its board's run."""
        meta = f.meta or {}
        exp = meta.get("experiment")
        if not isinstance(exp, str) or f.kind not in (KIND_SAMPLES, KIND_EVENTS):
            return
        b = self._boards.get(f.key)
        if b is None or b.experiment != exp:
            b = _Board(exp, f.board_us, float(meta.get("speed", 1.0) or 1.0))
            for c in meta.get("channels", []):
                try:
                    b.columns[int(c["id"])] = (f"{c['quantity']}_{c['unit']}", float(c.get("scale", 1.0)),
                                               float(c.get("offset", 0.0)))
                except (KeyError, TypeError, ValueError):
                    continue
            b.index = meta["run"] if isinstance(meta.get("run"), int) else 0
            b.run = self._new_run(b)
            with self._lock:
                self._boards[f.key] = b
        run = meta.get("run")
        if isinstance(run, int) and run != b.index:
            if run < b.index:
                return  # a late frame of a run already analysed
            self._finish(b, run, f.board_us)
        if b.run is None:
            return
        if f.kind == KIND_SAMPLES:
            # board µs of each instant: dt_ns is the period in UTC ns (drift-corrected), ≈ 1000 × period_us
            t = self._model_s(b, f.board_us + np.arange(len(f.samples)) * (f.dt_ns / 1000.0))
            for j, ch in enumerate(f.channels):
                col = b.columns.get(ch)
                if col is not None:
                    self._append(b, col[0], t, f.samples[:, j] * col[1] + col[2])
        else:
            ev = f.events
            t = self._model_s(b, f.board_us + ev["dt_us"].astype(np.float64))
            for ch in np.unique(ev["channel"]):
                col = b.columns.get(int(ch))
                if col is not None:
                    m = ev["channel"] == ch
                    self._append(b, col[0], t[m], ev["level"][m].astype(np.float64))

    def update(self) -> None:
        """Refresh every board's live readouts (the template's live steps over the current run)."""
        for b in list(self._boards.values()):
            if b.run is None:
                continue
            try:
                live = b.run.update().to_json()
            except Exception as exc:  # a runtime bug must not stop the other boards' readouts
                b.error = f"live analysis failed: {exc}"
                continue
            with self._lock:
                b.live = live

    # --- helpers ---------------------------------------------------------------------------------
    def _new_run(self, b: _Board) -> Any:
        from classlab.experiments.runtime import LiveRun

        try:
            run = LiveRun(b.experiment)
        except Exception as exc:  # unknown experiment id, template problem
            b.error = f"no live analysis for {b.experiment}: {exc}"
            return None
        b.error = None
        return run

    @staticmethod
    def _model_s(b: _Board, board_us: np.ndarray) -> np.ndarray:
        """Seconds into the current run (model seconds: board time × speed)."""
        return (np.asarray(board_us, dtype=np.float64) - b.start_us) / 1e6 * b.speed

    def _append(self, b: _Board, column: str, t: np.ndarray, y: np.ndarray) -> None:
        if t.size:
            b.t_s = max(b.t_s, float(t[-1]))
            b.run.append_column(column, t, y)

    def _finish(self, b: _Board, index: int, start_us: int) -> None:
        """Full analysis of the finished run; the next one starts at board µs ``start_us``."""
        try:
            last = b.run.stop().to_json() if b.run is not None else None
        except Exception as exc:
            last = {"valid": False, "error": f"analysis failed: {exc}"}
        run = self._new_run(b)
        with self._lock:
            b.last, b.index, b.t_s, b.live, b.run, b.start_us = last, index, 0.0, None, run, start_us
