"""USB serial framing: shared vectors under MicroPython and CPython, and the gateway's serial source
reading a real pty fed by the firmware's SerialLink."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
import tty
from array import array

import pytest

from classlab.firmware.frame import Framer, byte_view
from classlab.firmware.serial_link import SerialLink, cobs_decode, crc16, unpack
from classlab.gateway.protocol import decode
from classlab.gateway.serial_source import SerialSource, SerialSourceError, split_packet
from tests.conftest import ROOT, VECTORS


def test_serial_vectors_on_cpython() -> None:
    out = subprocess.run([sys.executable, "tests/mpy/serial_vectors.py", str(VECTORS)], cwd=ROOT,
                         capture_output=True, text=True, env={"PYTHONPATH": str(ROOT / "firmware")})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ok", "12"]


def test_serial_vectors_on_micropython(micropython) -> None:
    out = micropython.run(ROOT / "tests/mpy/serial_vectors.py", "/vectors", paths=("firmware", "tests/vectors:/vectors"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ok", "12"]


def test_crc_and_cobs_reference_values() -> None:
    assert crc16(b"123456789") == 0x29B1  # CRC-16/CCITT-FALSE check value
    assert bytes(cobs_decode(bytes.fromhex("0311220233"))) == bytes.fromhex("11220033")  # Wikipedia example
    with pytest.raises(ValueError, match="CRC"):
        unpack(bytes.fromhex("0311220233"))


def test_status_frames_route_meta_and_status() -> None:
    fr = Framer()
    meta = bytes(fr.pack_status(1, 1, b'{"meta":{"fw":"0.1.0","channels":[]}}'))
    status = bytes(fr.pack_status(1, 1, b'{"status":{"state":"running"}}'))
    plain = bytes(fr.pack_status(1, 1, b'{"state":"running","rate_hz":100}'))
    assert split_packet(meta) == ("meta", b'{"fw":"0.1.0","channels":[]}')
    assert split_packet(status) == ("status", b'{"state":"running"}')
    assert split_packet(plain) == ("data", plain)


class Collect:
    def __init__(self) -> None:
        self.items: list[tuple[str, str, str, bytes]] = []
        self.cond = threading.Condition()

    def submit(self, site: str, board: str, kind: str, payload: bytes, arrival_ns: int, ack: object = None) -> None:
        with self.cond:
            self.items.append((site, board, kind, payload))
            self.cond.notify_all()

    def wait(self, n: int, timeout: float = 10.0) -> list[tuple[str, str, str, bytes]]:
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.items) >= n, timeout), self.items
            return list(self.items)


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


def test_serial_source_reads_firmware_frames_from_a_pty(pty_pair) -> None:
    board_fd, host_path = pty_pair
    sink = Collect()
    src = SerialSource(sink, host_path, "school-a", "pico-1").start()
    try:
        fr = Framer(seq=100)
        link = SerialLink(FdStream(board_fd), fr, lambda: 5000)
        link.send_meta(b'{"fw":"0.1.0","board":"pico","tick_period":1073741824,"channels":[]}')
        os.write(board_fd, b"\x01\x02 line noise \x00")  # a broken packet between good ones
        rows = [[i * 3, -i] for i in range(600)]
        flat = array("h", [x for r in rows for x in r])
        view = byte_view(flat)
        for k in range(3):  # 200 instants per frame: > 254-byte COBS runs, several 0x00 per frame
            link.send(fr.pack_samples(1000 + k * 200_000, 9000, 1000, 0, b"\x00\x01", "h",
                                      view[k * 800:(k + 1) * 800], 200))
        link.send_status(b'{"state":"running"}')
        got = sink.wait(5)
        assert [g[2] for g in got] == ["meta", "data", "data", "data", "status"]
        assert all(g[:2] == ("school-a", "pico-1") for g in got)
        assert json.loads(got[0][3])["board"] == "pico"
        frames = [decode(g[3]) for g in got[1:4]]
        assert [f.seq for f in frames] == [101, 102, 103]
        assert sum((f.samples.tolist() for f in frames), []) == rows
        assert src.errors["cobs"] + src.errors["crc"] == 1
        # commands go the other way, in the same framing
        src.send_cmd({"cmd": "rate", "rate_hz": 200})
        buf = b""
        deadline = time.monotonic() + 5
        while not buf.endswith(b"\x00") and time.monotonic() < deadline:
            ready, _, _ = select.select([board_fd], [], [], max(0.0, deadline - time.monotonic()))
            if ready:
                buf += os.read(board_fd, 4096)
        assert json.loads(bytes(unpack(buf[:-1]))) == {"cmd": "rate", "rate_hz": 200}
    finally:
        src.stop()


def test_missing_port_is_one_clear_error() -> None:
    with pytest.raises(SerialSourceError, match="cannot open serial port /dev/does-not-exist"):
        SerialSource(Collect(), "/dev/does-not-exist", "school-a", "pico-1").start()


def test_loop_url_round_trip() -> None:
    import serial

    port = serial.serial_for_url("loop://", timeout=0.1)
    sink = Collect()
    src = SerialSource(sink, "loop://", "s", "b", serial_port=port).start()
    try:
        src.send_cmd({"cmd": "stop"})  # loop:// echoes: a status-less JSON payload arrives as data
        got = sink.wait(1)
        assert got[0][2] == "data" and json.loads(got[0][3]) == {"cmd": "stop"}
    finally:
        src.stop()


def test_command_packets_never_contain_ctrl_c() -> None:
    from classlab.gateway.serial_source import command_packet

    hits = 0
    for rate in range(1, 3000):
        cmd = {"cmd": "rate", "rate_hz": rate}
        pkt = command_packet(cmd)
        assert 3 not in pkt
        body = json.loads(bytes(unpack(pkt[:-1])))
        hits += "nonce" in body
        assert {k: v for k, v in body.items() if k != "nonce"} == cmd
    assert hits > 0  # the nonce path was needed and taken
