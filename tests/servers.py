"""Real servers for tests and benchmarks, each started on a free loopback port and stopped afterwards.

One class per kind of server, all built on ``LoopbackServer``: it writes the server's config into a
private temporary directory, starts the process, waits until the port accepts connections (no sleep),
and on ``stop()`` terminates it and reports its log if it died early. Fixtures at the bottom; other
kinds (influxd, victoria-metrics) are added as more subclasses of ``LoopbackServer`` with a fixture each.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen | None = None, timeout: float = 20.0) -> None:
    """Block until 127.0.0.1:port accepts a TCP connection; fail early if ``proc`` exits."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s") from None
            time.sleep(0.02)  # polling a socket, not synchronising on a guess


class LoopbackServer:
    """A server process of ours on 127.0.0.1:port, with its files in a temporary directory."""

    name = "server"

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix=f"classlab-{self.name}-"))
        self.log = self.dir / "server.log"
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:  # pragma: no cover - every kind overrides it
        raise NotImplementedError

    def start(self, timeout: float = 20.0) -> LoopbackServer:
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.dir)
        try:
            wait_for_port(self.port, self.proc, timeout)
        except Exception as exc:
            self.stop()
            raise RuntimeError(f"{self.name} did not start: {exc}\n{self.log.read_text(errors='replace')}") from exc
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _mosquitto_binary() -> str:
    for cand in (shutil.which("mosquitto"), "/usr/sbin/mosquitto"):
        if cand and os.access(cand, os.X_OK):
            return cand
    raise RuntimeError("mosquitto is not installed: run `bash scripts/setup.sh` (Debian package mosquitto)")


class Mosquitto(LoopbackServer):
    """Eclipse Mosquitto with anonymous access on loopback, persistence off.

    ``extra`` lines go into mosquitto.conf (e.g. ``max_queued_messages 0`` for a benchmark that queues
    many messages for an offline persistent session).
    """

    name = "mosquitto"

    def __init__(self, extra: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.conf = self.dir / "mosquitto.conf"
        self.conf.write_text("\n".join([
            f"listener {self.port} 127.0.0.1",
            "allow_anonymous true",
            "persistence false",
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            *extra,
        ]) + "\n")

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [_mosquitto_binary(), "-c", str(self.conf)]


@pytest.fixture(scope="module")
def mosquitto() -> Iterator[Mosquitto]:
    """A Mosquitto broker for the tests of one module."""
    with Mosquitto(extra=("max_queued_messages 100000",)) as broker:
        yield broker  # type: ignore[misc]
