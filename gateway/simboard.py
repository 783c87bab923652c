"""Simulated boards: a physics model (``classlab.experiments.sim``) sampled by a board with its own clock,
encoded by the firmware's own encoder (``classlab.firmware.frame.Framer``) and published as real v1 frames.

A ``SimBoard`` behaves like the firmware: its sampler fires every ``period_us`` µs of *board* time, its
``ticks_us()`` wraps at ``tick_period`` (2³⁰ µs) and runs ``drift_ppm`` fast or slow against wall time from
a random start, and every ``frame_s`` seconds it packs what it has sampled (channels grouped by their
raw type) into sample blocks, and photogate edges into event blocks, stamped with ``t_tx``. The model runs
``speed`` times faster than the wall clock (a 10-minute boiling curve in one minute of demo).

``publish(topic, payload, retain)`` is the transport: a paho client for ``classlab simulate``, the
in-process pipeline for ``classlab demo`` (``inproc.py``). What was sent is counted in ``sent``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from classlab.firmware.frame import Framer, max_instants

from . import topics

Publish = Callable[[str, bytes, bool], None]
TICK_PERIOD = 1 << 30
MAX_EVENTS = 673  # per event block (4096-byte frame)
DEMO_EXPERIMENTS = ("PHY-J-10", "PHY-S-04", "PHY-S-08")
MIN_RUN_S = 20.0
_NP = {"h": "<i2", "H": "<u2", "i": "<i4", "I": "<u4"}


class Model(Protocol):  # docs/contracts/README.md
    experiment: str
    rate_hz: float
    duration_s: float
    channels: list[Any]
    event_channels: list[Any]

    def values(self, t: np.ndarray) -> np.ndarray: ...
    def events(self, t0: float, t1: float) -> list[tuple[float, int, int]]: ...


@dataclass
class Sent:
    frames: int = 0
    samples: int = 0  # one per channel per sampling instant, plus one per photogate edge
    events: int = 0


def _raw(ch: Any, values: np.ndarray) -> np.ndarray:
    if hasattr(ch, "raw"):
        return np.asarray(ch.raw(values), dtype=np.int64)
    return np.rint((values - ch.offset) / ch.scale).astype(np.int64)


class SimBoard:
    def __init__(self, site: str, board: str, model_factory: Callable[[int], Model], publish: Publish, *,
                 seed: int = 0, rate_hz: float | None = None, speed: float = 1.0, frame_s: float = 0.25,
                 drift_ppm: float = 0.0, tick_start: int | None = None, seq: int = 0,
                 tick_period: int = TICK_PERIOD, loop: bool = True) -> None:
        self.site, self.board = topics.check_id(site, "site id"), topics.check_id(board, "board id")
        self.factory, self.seed = model_factory, seed
        self.model = model_factory(seed)
        self.publish = publish
        # rate_hz: the board's sampling rate (wall clock). Without it, the lab's own rate in MODEL time, so a
        # sped-up run (speed > 1) keeps the samples per model second the lab's analysis expects.
        rate = rate_hz or (self.model.rate_hz * float(speed))
        if not rate or rate <= 0:
            raise ValueError(f"sampling rate must be > 0 Hz, got {rate}")
        self.period_us = max(1, round(1e6 / rate))
        self.speed, self.frame_s, self.loop = float(speed), float(frame_s), loop
        self.drift = drift_ppm * 1e-6
        self.tick_period = tick_period
        rng = np.random.default_rng(seed + 7919)
        self.tick0 = int(rng.integers(0, tick_period)) if tick_start is None else tick_start % tick_period
        self.framer = Framer(seq)
        self.sent = Sent()
        self._k = 0  # sampling instants taken so far (board clock)
        self._model_t0 = 0.0  # model time (s) at which the current model run started
        self.run = 0  # how many model runs came before the current one
        self._ev_t = 0.0  # model time up to which edges were sent
        self._last_frame_wall = -1e9
        self._groups: dict[str, list[int]] = {}
        for j, ch in enumerate(self.model.channels):
            self._groups.setdefault(getattr(ch, "dtype", "h"), []).append(j)

    # --- topics --------------------------------------------------------------------------------
    def topic(self, kind: str) -> str:
        return topics.topic(self.site, self.board, kind)

    def meta(self) -> dict[str, Any]:
        m = self.model

        def ch(c: Any, rate: float) -> dict[str, Any]:
            return {"id": c.id, "sensor": c.sensor, "quantity": c.quantity, "unit": c.unit,
                    "scale": c.scale, "offset": c.offset, "dtype": getattr(c, "dtype", "h"), "max_rate": rate}

        rate = 1e6 / self.period_us
        return {"fw": "sim-0.1", "board": "sim", "experiment": m.experiment, "tick_period": self.tick_period,
                "rate_hz": rate, "speed": self.speed, "run": self.run,
                "channels": [ch(c, rate) for c in m.channels] + [ch(c, 0.0) for c in m.event_channels]}

    def announce(self) -> None:
        """Publish the retained meta and a "running" status (as the firmware does after connecting)."""
        self.publish(self.topic("meta"), json.dumps(self.meta()).encode(), True)
        self.publish(self.topic("status"), json.dumps({"state": "running", "rate_hz": 1e6 / self.period_us,
                                                       "experiment": self.model.experiment}).encode(), True)

    def goodbye(self) -> None:
        self.publish(self.topic("status"), json.dumps({"state": "stopped"}).encode(), True)

    # --- board clock ---------------------------------------------------------------------------
    def ticks(self, wall_s: float) -> int:
        """The board's ``ticks_us()`` at ``wall_s`` seconds after start (wrapped)."""
        return (self.tick0 + int(wall_s * 1e6 * (1.0 + self.drift))) % self.tick_period

    # --- sampling ------------------------------------------------------------------------------
    def step(self, wall_s: float, final: bool = False) -> int:
        """Sample and send everything due by ``wall_s`` seconds after start. Returns frames sent.

        Frames go out every ``frame_s`` seconds (or when full); ``final`` sends what is left.
        """
        if not final and wall_s - self._last_frame_wall < self.frame_s:
            return 0
        self._last_frame_wall = wall_s
        board_us = wall_s * 1e6 * (1.0 + self.drift)
        k_end = int(board_us // self.period_us) + 1  # instants at board µs 0, P, 2P, ... ≤ board_us
        n = 0
        while self._k < k_end:
            k1 = k_end
            if self.loop:
                r = self._run_end_instant()
                if r <= self._k:  # the model's run is over: the board goes on with a fresh run
                    n += self._edges(self.model.duration_s, wall_s)
                    self._next_run()
                    continue
                k1 = min(k_end, r)
            n += self._sample(self._k, k1, wall_s)
            self._k = k1
        n += self._edges(self._model_time(self._k), wall_s)
        return n

    def _abs_time(self, k: Any) -> Any:
        """Model-clock seconds since the board started, at sampling instant(s) ``k``."""
        return k * (self.period_us * 1e-6 * self.speed)

    def _model_time(self, k: Any) -> Any:
        return self._abs_time(k) - self._model_t0

    def _run_end_instant(self) -> int:
        """First instant at or past the current model run's end."""
        return int(np.ceil((self._model_t0 + self.model.duration_s) / (self.period_us * 1e-6 * self.speed)))

    def _next_run(self) -> None:
        self._model_t0 = self._abs_time(self._k)
        self.seed += 1
        self.model = self.factory(self.seed)
        self._ev_t = 0.0
        self.run += 1
        # the new run's number in the retained meta, before its first frame: the live analysis
        # (gateway/live_analysis.py) tells runs apart by it
        self.publish(self.topic("meta"), json.dumps(self.meta()).encode(), True)

    def _sample(self, k0: int, k1: int, wall_s: float) -> int:
        if k1 <= k0 or not self._groups:
            return 0
        t = self._model_time(np.arange(k0, k1))  # type: ignore[arg-type]
        vals = self.model.values(t)
        t_tx = self.ticks(wall_s)
        n = 0
        for dtype, js in self._groups.items():
            chans = bytes(self.model.channels[j].id for j in js)
            raw = np.stack([_raw(self.model.channels[j], vals[:, j]) for j in js], axis=1)
            per = max_instants(len(js), dtype)
            for s in range(0, len(raw), per):
                block = raw[s:s + per]
                cnt = len(block)
                data = np.ascontiguousarray(block, dtype=_NP[dtype]).tobytes()
                t_first = (self.tick0 + (k0 + s) * self.period_us) % self.tick_period
                frame = self.framer.pack_samples(t_first, t_tx, self.period_us, 0, chans, dtype, data, cnt)
                self.publish(self.topic("data"), bytes(frame), False)
                self.sent.frames += 1
                self.sent.samples += cnt * len(js)
                n += 1
        return n

    def _edges(self, t_model: float, wall_s: float) -> int:
        m = self.model
        if not m.event_channels or t_model <= self._ev_t:
            return 0
        edges = m.events(self._ev_t, t_model)
        t_start = self._ev_t
        self._ev_t = t_model
        if not edges:
            return 0
        chans = bytes(c.id for c in m.event_channels)
        # board µs of model time t: instants are k·P board µs at model time k·P·speed
        base_us = int((t_start + self._model_t0) / self.speed * 1e6)
        t_first = (self.tick0 + base_us) % self.tick_period
        t_tx = self.ticks(wall_s)
        n = 0
        for s in range(0, len(edges), MAX_EVENTS):
            part = edges[s:s + MAX_EVENTS]
            dts = [int((t + self._model_t0) / self.speed * 1e6) - base_us for t, _, _ in part]
            frame = self.framer.pack_events(t_first, t_tx, 0, chans, dts, [c for _, c, _ in part],
                                            [lv for _, _, lv in part], len(part))
            self.publish(self.topic("data"), bytes(frame), False)
            self.sent.frames += 1
            self.sent.samples += len(part)
            self.sent.events += len(part)
            n += 1
        return n


def _model(get_model: Callable[..., Model], experiment: str, seed: int) -> Model:
    return get_model(experiment, seed=seed)


def make_boards(site: str, n: int, publish_for: Callable[[str], Publish], *, experiment: str | None = None,
                rate_hz: float | None = None, speed: float = 1.0, seed: int = 0, frame_s: float = 0.25,
                get_model: Callable[..., Model] | None = None) -> list[SimBoard]:
    """``n`` boards ``sim-01``… on ``site``; experiments cycle through DEMO_EXPERIMENTS unless one is given.

    ``publish_for(board_id)`` gives each board its transport. Clock drifts are spread over ±50 ppm.
    ``speed`` is a ceiling: a short lab (a 7-second cart run) is never sped up so much that one run
    takes less than ``MIN_RUN_S`` of wall time.
    """
    if get_model is None:
        from classlab.experiments.sim import get_model as _get

        get_model = _get
    boards = []
    for i in range(n):
        exp = experiment or DEMO_EXPERIMENTS[i % len(DEMO_EXPERIMENTS)]
        m = get_model(exp, seed=seed + 1000 * i)  # unknown id → ValueError listing the simulated ones
        bid = f"sim-{i + 1:02d}"
        sp = min(speed, max(1.0, m.duration_s / MIN_RUN_S))
        boards.append(SimBoard(site, bid, functools.partial(_model, get_model, exp), publish_for(bid),
                               seed=seed + 1000 * i, rate_hz=rate_hz, speed=sp, frame_s=frame_s,
                               drift_ppm=-50.0 + 100.0 * ((i * 0.618) % 1.0)))
    return boards
