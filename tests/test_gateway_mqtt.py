"""End to end against a real Mosquitto: `classlab simulate` → broker → `classlab gateway` → journal."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import numpy as np
import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from classlab.firmware.frame import Framer
from classlab.gateway.simboard import DEMO_EXPERIMENTS
from tests.servers import Mosquitto, free_port, mosquitto  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow
CLI = [str(Path(sys.executable).with_name("classlab"))]  # the installed entry point


def wait_until(cond: Callable[[], object], timeout: float = 30.0, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)  # polling a condition with a deadline


def get_json(port: int, path: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
            return json.loads(r.read())
    except OSError:
        return None


class Gateway:
    """`classlab gateway --config` as a subprocess."""

    def __init__(self, tmp: Path, broker: Mosquitto, site: str) -> None:
        self.port = free_port()
        self.db = tmp / "journal.db"
        self.config = tmp / "gateway.toml"
        self.config.write_text(f'[site]\nid = "{site}"\n[mqtt]\nurl = "{broker.url}"\n'
                               f'[journal]\npath = "journal.db"\n[http]\nport = {self.port}\n')
        self.proc: subprocess.Popen | None = None

    def start(self) -> Gateway:
        self.proc = subprocess.Popen([*CLI, "gateway", "--config", str(self.config), "--no-browser",
                                      "--teacher-token", "t0k"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        wait_until(lambda: self.proc.poll() is not None or self.health(), 30, "the gateway's /api/health")
        assert self.proc.poll() is None, self.proc.communicate()
        return self

    def health(self) -> dict | None:
        return get_json(self.port, "/api/health")

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str, str]:
        assert self.proc is not None
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, out, err


def simulate(broker: Mosquitto, site: str, *args: str, background: bool = False):
    cmd = [*CLI, "simulate", "--broker", broker.url, "--site", site, "--json", *args]
    if background:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def journal_check(db_path: Path) -> dict:
    """Stored values per board, and whether each board's sample times strictly increase."""
    db = sqlite3.connect(db_path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    out = {}
    for bid, board in db.execute("SELECT id, board FROM boards").fetchall():
        rows = db.execute("SELECT t0_ns, dt_ns, count, n_values FROM frames WHERE board_id=? AND kind=1 ORDER BY id",
                          (bid,)).fetchall()
        t = np.concatenate([t0 + np.floor(np.arange(c) * dt).astype(np.int64) for t0, dt, c, _ in rows]) \
            if rows else np.zeros(0, np.int64)
        (stored,) = db.execute("SELECT coalesce(sum(n_values), 0) FROM frames WHERE board_id=?", (bid,)).fetchone()
        out[board] = {"stored": stored, "increasing": bool(np.all(np.diff(t) > 0)), "instants": len(t)}
    db.close()
    return out


def publish_raw(broker: Mosquitto, messages: list[tuple[str, bytes]]) -> None:
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="test-raw", protocol=mqtt.MQTTv5)
    c.connect("127.0.0.1", broker.port)
    c.loop_start()
    infos = [c.publish(t, p, qos=1) for t, p in messages]
    for info in infos:
        info.wait_for_publish(10)
    c.disconnect()
    c.loop_stop()


def test_simulate_to_gateway_to_journal_accounts_for_every_sample(mosquitto, tmp_path) -> None:  # noqa: F811
    site = "e2e-lab"
    gw = Gateway(tmp_path, mosquitto, site).start()
    sent = simulate(mosquitto, site, "--boards", "3", "--duration", "4", "--rate", "100")
    assert sent["boards"] == 3 and sent["samples"] > 1500
    # malformed payloads on the data topic: each is counted by reason, the gateway keeps going
    good = bytes(Framer().pack_samples(1000, 5000, 1000, 0, b"\x00", "h", bytes(8), 4))
    bad = {
        "too_short": good[:12],  # truncated
        "bad_magic": b"ZZ" + good[2:],
        "bad_version": b"CL\x07" + good[3:],
        "bad_length": good[:26] + b"\xff\xff" + b"\x00" * 8,  # absurd count
        "too_large": good + bytes(6000),  # oversized message
    }
    noise = bytes(np.random.default_rng(7).integers(0, 256, 777, dtype=np.uint8))
    publish_raw(mosquitto, [(f"classlab/{site}/bad-board/data", p) for p in bad.values()]
                + [(f"classlab/{site}/bad-board/data", noise), (f"classlab/{site}/Bad_Board/data", good)])
    h = wait_until(lambda: (h := gw.health()) and h["frames"] == sent["frames"] and h["rejected_total"] == 7 and h,
                   30, "every frame and every bad payload")
    for reason in bad:
        assert h["rejected"][reason] >= 1, (reason, h["rejected"])
    assert h["rejected"]["bad_topic"] == 1
    assert h["status"] == "ok" and h["boards"] == 4  # 3 simulated + the one that sent garbage
    assert h["samples"] + h["lost_samples"] == sent["samples"]
    assert h["gaps"] == h["duplicates"] == 0
    boards = get_json(gw.port, "/api/boards")
    sim = {b["board"]: b for b in boards if b["board"].startswith("sim-")}
    assert {b["meta"]["experiment"] for b in sim.values()} == set(DEMO_EXPERIMENTS)
    assert all(b["status"]["state"] == "stopped" for b in sim.values())
    code, out, err = gw.stop()
    assert code == 0, err
    j = journal_check(gw.db)
    per_board = {b["board"]: b["samples"] for b in sent["per_board"]}
    for board, n in per_board.items():
        assert j[board]["stored"] == n, board
        assert j[board]["increasing"], board


def test_no_frame_lost_when_the_gateway_is_killed_and_restarted(mosquitto, tmp_path) -> None:  # noqa: F811
    """Frames are acked only after the commit: a SIGKILL loses nothing, the broker redelivers the rest."""
    site = "crash-lab"
    gw = Gateway(tmp_path, mosquitto, site).start()
    sim = simulate(mosquitto, site, "--boards", "2", "--duration", "6", "--rate", "200", background=True)
    wait_until(lambda: (h := gw.health()) and h["frames"] > 20, 30, "some frames stored")
    gw.proc.kill()
    gw.proc.communicate(timeout=10)
    first = journal_check(gw.db)
    gw2 = Gateway(tmp_path, mosquitto, site).start()  # same journal, same client id: same session
    out, err = sim.communicate(timeout=120)
    assert sim.returncode == 0, err
    sent = json.loads(out)
    wait_until(lambda: sum(b["stored"] for b in journal_check(gw.db).values()) >= sent["samples"], 30,
               "all samples in the journal")
    h = gw2.health()
    code, _, err = gw2.stop(signal.SIGTERM)
    assert code == 0, err
    j = journal_check(gw.db)
    assert sum(b["stored"] for b in first.values()) > 0
    assert {b: v["stored"] for b, v in j.items()} == {b["board"]: b["samples"] for b in sent["per_board"]}
    assert all(v["increasing"] for v in j.values())
    assert h["gaps"] == 0 and h["lost_samples"] == 0


def test_gateway_config_errors_are_one_line(tmp_path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[site]\nid = "s"\n[mqtt]\nurl = "mqtt://127.0.0.1:1"\nqos = 2\n[journal]\npath = "j.db"\n')
    out = subprocess.run([*CLI, "gateway", "--config", str(cfg), "--no-browser"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "bad.toml:5: unknown key [mqtt] 'qos'" in out.stderr
    cfg.write_text('[site]\nid = "s"\n[mqtt]\nurl = "mqtt://127.0.0.1:1"\n[journal]\npath = "j.db"\n')
    out = subprocess.run([*CLI, "gateway", "--config", str(cfg), "--no-browser", "--port", str(free_port())],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "cannot reach the MQTT broker at mqtt://127.0.0.1:1" in out.stderr
    assert os.path.exists(tmp_path / "j.db")  # the journal was opened (and closed) cleanly
