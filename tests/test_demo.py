"""`classlab demo` as a user runs it: a subprocess serving the live page, stopped with Ctrl-C."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
import pytest

from tests.servers import free_port

pytestmark = pytest.mark.slow
CLI = [str(Path(sys.executable).with_name("classlab"))]


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=2) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def health(port: int) -> dict | None:
    try:
        return json.loads(fetch(port, "/api/health")[1])
    except OSError:
        return None


def wait_until(cond, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)  # polling a condition with a deadline


async def first_data_message(port: int) -> dict:
    async with aiohttp.ClientSession() as s, s.ws_connect(f"http://127.0.0.1:{port}/api/live") as ws:
        hello = await ws.receive_json(timeout=10)
        assert hello["type"] == "hello"
        while True:
            msg = await ws.receive_json(timeout=10)
            if msg["type"] == "data" and msg["series"]:
                return msg


@pytest.fixture
def demo(tmp_path):
    port = free_port()
    env = {**os.environ, "CLASSLAB_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen([*CLI, "demo", "--no-browser", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: proc.poll() is not None or health(port), 30, "the demo's /api/health")
        assert proc.poll() is None, proc.communicate()
        yield proc, port, tmp_path / "data" / "demo.db"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_demo_serves_live_data_and_stops_cleanly(demo) -> None:
    proc, port, db = demo
    h1 = wait_until(lambda: (h := health(port)) and h["frames"] > 0 and h, 30, "first frames")
    h2 = wait_until(lambda: (h := health(port)) and h["samples"] > h1["samples"] and h, 30, "more samples")
    assert {"status", "boards", "frames", "samples", "dropped", "influx_backlog", "rejected", "gaps",
            "duplicates"} <= set(h2)
    assert h2["frames"] > h1["frames"] and h2["boards"] == 3 and h2["status"] == "ok"
    assert h2["rejected_total"] == h2["gaps"] == h2["duplicates"] == 0
    status, page = fetch(port, "/")
    assert status == 200 and b"<canvas" not in page and b"/static/live.js" in page  # canvases are made per board
    status, js = fetch(port, "/static/live.js")
    assert status == 200 and b"new WebSocket" in js and b"http" not in js.replace(b"https:", b"")  # no CDN
    assert fetch(port, "/static/../journal.py")[0] == 404
    boards = json.loads(fetch(port, "/api/boards")[1])
    assert {b["meta"]["experiment"] for b in boards} == {"PHY-J-10", "PHY-S-04", "PHY-S-08"}
    # every board's template runs live over the stream (GET /api/analysis)
    live = wait_until(lambda: (a := json.loads(fetch(port, "/api/analysis")[1])) and len(a) == 3
                      and all(v["live"] is not None for v in a.values()) and a, 30, "live analysis")
    assert {v["experiment"] for v in live.values()} == {"PHY-J-10", "PHY-S-04", "PHY-S-08"}
    assert all(v["error"] is None and "reasons" in v["live"] for v in live.values())
    msg = asyncio.run(first_data_message(port))
    s = msg["series"][0]
    assert len(s["t"]) == len(s["v"]) > 0 and s["unit"] and s["key"].startswith("demo/sim-")
    assert abs(s["t"][-1] / 1000 - time.time()) < 30  # board time mapped to now (ms since the epoch)
    # the token printed at start is the teacher credential
    line = ""
    while "teacher token" not in line:
        line = proc.stdout.readline()
    token = line.split(":")[-1].strip()
    assert fetch(port, "/api/teacher/check")[0] == 401
    assert fetch(port, "/api/teacher/check", {"Authorization": f"Bearer {token}"})[0] == 200
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    (frames,) = con.execute("SELECT count(*) FROM frames").fetchone()
    assert frames >= h2["frames"]
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0  # checkpointed


def test_demo_port_in_use_is_one_line(tmp_path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        env = {**os.environ, "CLASSLAB_DATA_DIR": str(tmp_path)}
        out = subprocess.run([*CLI, "demo", "--no-browser", "--port", str(port)], env=env, capture_output=True,
                             text=True, timeout=60)
    assert out.returncode == 1 and "cannot listen on" in out.stderr and "--port" in out.stderr


def test_live_page_draws_the_boards_in_chromium(demo, tmp_path) -> None:
    """Headless Chromium opens the page: one graph per board, fed with points over the WebSocket."""
    import re
    import shutil

    proc, port, _ = demo
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is not installed: run `bash scripts/setup.sh`"
    wait_until(lambda: (h := health(port)) and h["boards"] == 3 and h["samples"] > 50, 30, "three boards")
    def dump_dom() -> str:
        out = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                              "--disable-background-networking", "--disable-component-update", "--disable-sync",
                              "--disable-quic", "--no-first-run", f"--user-data-dir={tmp_path / 'chromium'}",
                              "--virtual-time-budget=5000", "--dump-dom", f"http://127.0.0.1:{port}/"],
                             capture_output=True, text=True, timeout=120)
        return out.stdout

    def drawn(dom: str) -> bool:
        points = re.search(r'data-points="(\d+)"', dom)
        return dom.count('class="board"') == 3 and bool(points) and int(points.group(1)) > 0

    deadline = time.monotonic() + 90
    dom = dump_dom()
    while not drawn(dom) and time.monotonic() < deadline:  # a loaded machine may need another look
        dom = dump_dom()
    assert drawn(dom), dom[-3000:]
    assert re.search(r"ok · boards 3 · frames \d+ · samples \d+", dom)
    for exp in ("PHY-J-10", "PHY-S-04", "PHY-S-08"):
        assert exp in dom
    assert dom.count("实时分析 / live (") == 3  # the live analysis readout under each graph
