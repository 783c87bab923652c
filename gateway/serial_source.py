"""USB serial source: reads a board's COBS + CRC-16 packet stream (pyserial) into the pipeline.

Framing (docs/protocol.md, "USB serial framing"): each packet is COBS(frame + CRC-16/CCITT-FALSE LE)
followed by 0x00. A frame whose payload is status JSON ``{"meta": {...}}`` or ``{"status": {...}}``
is routed as the board's meta / status message; every other frame goes to the same decode path as
an MQTT ``…/data`` message. Broken packets (bad COBS, bad CRC, too long) are counted by reason and
skipped: the stream resynchronises at the next 0x00. Commands go to the board with ``send_cmd``.

Errors::

    SerialSourceError    the port cannot be opened (one clear line: which port, what to check)
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from typing import Any, Protocol

import serial

from classlab.firmware.serial_link import MAX_PACKET, cobs_encode_into, crc16, unpack

from . import topics
from .protocol import HEADER_SIZE, KIND_STATUS, MAGIC


class SerialSourceError(Exception):
    """The serial port cannot be opened or read."""


class Sink(Protocol):
    def submit(self, site: str, board: str, kind: str, payload: bytes, arrival_ns: int,
               ack: Any = None) -> None: ...


def split_packet(payload: bytes) -> tuple[str, bytes]:
    """("meta" | "status" | "data", message) for one unpacked serial payload."""
    if (len(payload) > HEADER_SIZE and payload[:2] == MAGIC and payload[3] == KIND_STATUS
            and payload[HEADER_SIZE:HEADER_SIZE + 2] in (b'{"', b"{ ")):
        try:
            body = json.loads(payload[HEADER_SIZE:])
        except ValueError:
            return "data", payload  # the decoder reports bad_status_json
        if isinstance(body, dict) and len(body) == 1:
            key = next(iter(body))
            if key in ("meta", "status"):
                return key, json.dumps(body[key], separators=(",", ":")).encode()
    return "data", payload


def command_packet(cmd: dict[str, Any]) -> bytes:
    """The serial packet for a command. It never contains 0x03 (Ctrl-C would interrupt MicroPython's
    program on the board): if the CRC or the text brings one in, a "nonce" field is added and changed."""
    body = json.dumps(cmd, separators=(",", ":")).encode()
    for nonce in range(1000):
        if nonce:
            body = json.dumps({**cmd, "nonce": nonce}, separators=(",", ":")).encode()
        c = crc16(body)
        out = bytearray(MAX_PACKET)
        n = cobs_encode_into(body + bytes([c & 0xFF, c >> 8]), len(body) + 2, out)
        if 3 not in out[:n]:
            return bytes(out[:n])
    raise ValueError(f"cannot send command {cmd!r} without a 0x03 byte")  # pragma: no cover


class SerialSource:
    """One board on one serial port (``/dev/ttyACM0``, ``COM3``, or a pyserial URL like ``loop://``)."""

    def __init__(self, sink: Sink, port: str, site: str, board: str, *, baudrate: int = 115200,
                 serial_port: serial.SerialBase | None = None) -> None:
        self.sink = sink
        self.port = port
        self.site = topics.check_id(site, "site id")
        self.board = topics.check_id(board, "board id")
        self.baudrate = baudrate
        self.ser = serial_port
        self.packets = 0
        self.bytes = 0
        self.errors: Counter[str] = Counter()
        self._buf = bytearray()
        self._paused = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> SerialSource:
        if self.ser is None:
            try:
                self.ser = serial.serial_for_url(self.port, baudrate=self.baudrate, timeout=0.1)
            except (serial.SerialException, ValueError) as exc:
                raise SerialSourceError(f"cannot open serial port {self.port}: {exc} (is the board plugged in? "
                                        f"is another program using the port?) / 无法打开串口") from exc
        self._thread = threading.Thread(target=self._run, name=f"classlab-serial-{self.board}", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        assert self.ser is not None
        while not self._stop.is_set():
            try:
                chunk = self.ser.read(max(1, self.ser.in_waiting or 1))
            except (serial.SerialException, OSError):
                self.errors["port"] += 1
                if self._stop.wait(0.5):  # back off before retrying a failing port
                    return
                continue
            if chunk:
                self.feed(chunk, time.time_ns())

    def feed(self, data: bytes, arrival_ns: int) -> int:
        """Parse bytes from the port; submit each complete packet. Returns packets submitted."""
        n = 0
        self.bytes += len(data)
        self._buf += data
        while True:
            end = self._buf.find(0)
            if end < 0:
                if len(self._buf) > MAX_PACKET:
                    self.errors["too_long"] += 1
                    self._buf.clear()
                return n
            pkt = bytes(self._buf[:end])
            del self._buf[:end + 1]
            if not pkt:
                continue
            try:
                payload = bytes(unpack(pkt))
            except ValueError as exc:
                self.errors["crc" if "CRC" in str(exc) else "cobs"] += 1
                continue
            if self._paused:
                continue
            kind, msg = split_packet(payload)
            self.packets += 1
            self.sink.submit(self.site, self.board, kind, msg, arrival_ns, None)
            n += 1

    def send_cmd(self, cmd: dict[str, Any]) -> None:
        """Send one command (the JSON of a ``…/cmd`` message) to the board."""
        assert self.ser is not None, "start() first"
        with self._lock:
            self.ser.write(command_packet(cmd))

    def pause(self) -> None:
        self._paused = True

    def stop(self) -> None:
        self.pause()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        if self.ser is not None:
            self.ser.close()

    def stats(self) -> dict[str, object]:
        return {"port": self.port, "board": self.board, "packets": self.packets, "bytes": self.bytes,
                "errors": dict(self.errors)}
