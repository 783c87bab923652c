"""`classlab gateway --config` with a `[[serial]]` board on a real pty (fed by the firmware's SerialLink)
next to a board on MQTT: both go through the same pipeline into the journal."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import tty
from array import array
from pathlib import Path

import numpy as np
import pytest

from classlab.firmware.frame import Framer, byte_view
from classlab.firmware.serial_link import SerialLink
from tests.servers import free_port, mosquitto  # noqa: F401  (the fixture)
from tests.test_gateway_mqtt import CLI, get_json, publish_raw, wait_until

pytestmark = pytest.mark.slow
SITE = "school-a"


class FdStream:
    """The pty's board end as the firmware sees its USB CDC stream."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, b: bytes) -> int:
        return os.write(self.fd, bytes(b))


@pytest.fixture
def pty_pair():
    board, host = os.openpty()
    tty.setraw(board)
    tty.setraw(host)
    yield board, os.ttyname(host)
    os.close(board)
    os.close(host)


def write_config(tmp: Path, broker_url: str, http_port: int, serial: str) -> Path:
    cfg = tmp / "gateway.toml"
    cfg.write_text(f'[site]\nid = "{SITE}"\n[mqtt]\nurl = "{broker_url}"\n[journal]\npath = "journal.db"\n'
                   f'[http]\nport = {http_port}\n{serial}')
    return cfg


def test_serial_board_and_mqtt_board_are_journaled_together(mosquitto, pty_pair, tmp_path) -> None:  # noqa: F811
    board_fd, host_path = pty_pair
    port = free_port()
    cfg = write_config(tmp_path, mosquitto.url, port,
                       f'\n[[serial]]\nport = "{host_path}"\nboard = "pico-1"\nbaud = 115200\n')
    proc = subprocess.Popen([*CLI, "gateway", "--config", str(cfg), "--no-browser", "--teacher-token", "t0k"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: proc.poll() is not None or get_json(port, "/api/health"), 30, "the gateway's /api/health")
        assert proc.poll() is None, proc.communicate()
        # the serial board: meta, line noise, 4 sample frames (2 channels, 200 instants each), status
        fr = Framer(seq=100)
        link = SerialLink(FdStream(board_fd), fr, lambda: 900_000)
        link.send_meta(b'{"fw":"0.1.0","board":"pico","tick_period":1073741824,'
                       b'"channels":[{"id":0,"quantity":"voltage","unit":"V","scale":0.001}]}')
        os.write(board_fd, b"\x05\x07 line noise \x00")
        values = np.arange(4 * 200 * 2, dtype=np.int16).reshape(-1, 2) * np.array([3, -1], dtype=np.int16)
        flat = array("h", values.ravel().tolist())
        view = byte_view(flat)
        for k in range(4):
            link.send(fr.pack_samples(1000 + k * 200_000, 800_000 + k * 200_000, 1000, 0, b"\x00\x01", "h",
                                      view[k * 800:(k + 1) * 800], 200))
        link.send_status(b'{"state":"running"}')
        # an MQTT board at the same time
        mfr = Framer(seq=7)
        data = array("h", range(50))
        publish_raw(mosquitto, [(f"classlab/{SITE}/mqtt-1/data",
                                 bytes(mfr.pack_samples(5000 + k * 50_000, 60_000 + k * 50_000, 1000, 0, b"\x02", "h",
                                                        byte_view(data), 50))) for k in range(3)])

        def stored() -> dict[str, int]:
            boards = get_json(port, "/api/boards") or []
            return {b["board"]: b["samples"] for b in boards}

        wait_until(lambda: stored() == {"pico-1": 4 * 400, "mqtt-1": 3 * 50}, 30, "both boards' samples")
        health = get_json(port, "/api/health")
        assert health is not None
        (ser,) = health["serial"]
        assert ser["board"] == "pico-1" and ser["port"] == host_path
        assert ser["packets"] == 6 and ser["errors"] == {"cobs": 1}  # meta + 4 frames + status; the noise
        assert health["gaps"] == 0 and health["rejected_total"] == 0
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    db = sqlite3.connect(tmp_path / "journal.db")
    rows = db.execute("SELECT seq, count, nch, data FROM frames JOIN boards ON boards.id = board_id "
                      "WHERE board = 'pico-1' AND kind = 1 ORDER BY frames.id").fetchall()
    assert [r[0] for r in rows] == [101, 102, 103, 104]  # consecutive: no gap
    got = np.concatenate([np.frombuffer(d, "<i2").reshape(c, n) for _, c, n, d in rows])
    assert np.array_equal(got, values)
    meta, status = db.execute("SELECT meta, status FROM boards WHERE board = 'pico-1'").fetchone()
    assert json.loads(meta)["channels"][0]["unit"] == "V" and json.loads(status) == {"state": "running"}
    (mq,) = db.execute("SELECT count(*) FROM frames JOIN boards ON boards.id = board_id "
                       "WHERE board = 'mqtt-1'").fetchone()
    assert mq == 3
    db.close()


def test_a_serial_port_that_cannot_be_opened_is_one_line(mosquitto, tmp_path) -> None:  # noqa: F811
    cfg = write_config(tmp_path, mosquitto.url, free_port(),
                       '[[serial]]\nport = "/dev/does-not-exist"\nboard = "pico-1"\n')
    out = subprocess.run([*CLI, "gateway", "--config", str(cfg), "--no-browser"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 1
    assert out.stderr.strip().count("\n") == 0, out.stderr
    assert "cannot open serial port /dev/does-not-exist" in out.stderr
