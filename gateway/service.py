"""Running the gateway: HTTP server + sources + pipeline, and a clean stop on Ctrl-C / SIGTERM.

Stop order: sources pause (new messages are left unacked for the broker to keep) → the pipeline commits
and acks what it holds → sources disconnect → HTTP closes → the journal is checkpointed and closed, so
the database file alone is complete and consistent.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

from .journal import Journal
from .live_analysis import LiveAnalysis
from .pipeline import Pipeline
from .simboard import SimBoard
from .web import make_app

log = logging.getLogger("classlab.gateway")
DEMO_MAX_BYTES = 256 * 1024 * 1024  # the demo's journal is a ring of the newest 256 MiB


class Source(Protocol):
    def start(self) -> Any: ...
    def pause(self) -> None: ...
    def stop(self) -> None: ...


def data_dir() -> Path:
    """Where ``demo`` keeps its journal: $CLASSLAB_DATA_DIR, else $XDG_DATA_HOME/classlab or ~/.local/share/classlab."""
    if os.environ.get("CLASSLAB_DATA_DIR"):
        return Path(os.environ["CLASSLAB_DATA_DIR"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "classlab"


class SimRunner:
    """Drives simulated boards in real time from one thread (a source for the demo)."""

    def __init__(self, boards: list[SimBoard], tick_s: float = 0.05) -> None:
        self.boards = boards
        self.tick_s = tick_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.t0 = 0.0

    def start(self) -> SimRunner:
        for b in self.boards:
            b.announce()
        self.t0 = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="classlab-sim", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        failed: set[str] = set()
        while not self._stop.wait(self.tick_s):  # pacing a simulation, not synchronising
            now = time.monotonic() - self.t0
            for b in self.boards:
                if b.board in failed:
                    continue
                try:
                    b.step(now)
                except Exception:  # one broken model must not stop the other boards
                    failed.add(b.board)
                    log.exception("simulated board %s stopped", b.board)
                    b.publish(b.topic("status"), b'{"state": "offline", "error": "simulator failed"}', True)

    def pause(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def stop(self) -> None:
        self.pause()
        for b in self.boards:
            b.goodbye()


def run(pipeline: Pipeline, journal: Journal, sources: list[Source], *, host: str, port: int, token: str,
        open_browser: bool, banner: Callable[[str], str], extra_health: Callable[[], dict[str, Any]] | None = None,
        analysis: LiveAnalysis | None = None) -> int:
    """Serve until SIGINT/SIGTERM; returns the exit code (0 after a clean stop)."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        runner = web.AppRunner(make_app(pipeline, token, extra_health, analysis), handle_signals=False,
                               access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:
            await runner.cleanup()
            raise PortError(f"cannot listen on http://{host}:{port}: {exc.strerror or exc} "
                            f"(another program uses it? try --port) / 端口被占用") from None
        started: list[Source] = []
        try:
            for s in sources:
                s.start()
                started.append(s)
            url = f"http://{host}:{port}"
            print(banner(url), flush=True)
            if open_browser:
                webbrowser.open(url)
            await stop.wait()
        finally:
            for s in started:
                s.pause()
            await loop.run_in_executor(None, pipeline.flush)
            for s in started:
                s.stop()
            await loop.run_in_executor(None, pipeline.flush)
            await runner.cleanup()

    pipeline.start()
    if analysis is not None:  # only when asked: a subscriber makes every commit build its live frames
        analysis.start()
    try:
        asyncio.run(main())
    finally:
        if analysis is not None:
            analysis.stop()
        pipeline.stop()
        journal.close()
    print("classlab: stopped; journal saved / 已停止，数据已保存", file=sys.stderr, flush=True)
    return 0


class PortError(OSError):
    pass
