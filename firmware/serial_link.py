# USB serial transport: the same v1 frames as MQTT, for boards without Wi-Fi (plain Pico).
#
# Packet = COBS( frame + CRC-16/CCITT-FALSE(frame) as 2 bytes little-endian ) + 0x00.
# CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final xor ("123456789" -> 0x29B1).
# COBS (Cheshire & Baker 1999): the packet holds no 0x00, so 0x00 delimits packets and a receiver
# that starts mid-stream or loses bytes resynchronises at the next 0x00. Meta and status travel as
# status frames (kind 3) with {"meta": {...}} / {"status": {...}}; the host sends commands the
# same way (COBS of JSON + CRC) and they arrive through poll(). Spec: docs/protocol.md.
# Encoding allocates nothing: every buffer is made once in SerialLink.__init__.
try:
    from . import frame as _frame
except ImportError:
    import frame as _frame  # type: ignore[no-redef]

MAX_PACKET = _frame.MAX_FRAME + 2 + (_frame.MAX_FRAME + 2) // 254 + 2  # + CRC, COBS codes, delimiter


def _table():
    t = []
    for i in range(256):
        c = i << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021) & 0xFFFF if c & 0x8000 else (c << 1) & 0xFFFF
        t.append(c)
    return tuple(t)


_CRC_TABLE = _table()


def crc16(data, n=-1, crc=0xFFFF):
    """CRC-16/CCITT-FALSE of the first n bytes of data (all if n < 0)."""
    t = _CRC_TABLE
    if n < 0:
        n = len(data)
    for i in range(n):
        crc = ((crc << 8) & 0xFF00) ^ t[(crc >> 8) ^ data[i]]
    return crc


def cobs_encode_into(src, n, out):
    """COBS-encode src[0:n] into out, then the 0x00 delimiter; returns the bytes written."""
    code_i = 0
    o = 1
    code = 1
    for i in range(n):
        b = src[i]
        if b == 0:
            out[code_i] = code
            code_i = o
            o += 1
            code = 1
        else:
            out[o] = b
            o += 1
            code += 1
            if code == 0xFF:
                out[code_i] = code
                code_i = o
                o += 1
                code = 1
    out[code_i] = code
    out[o] = 0
    return o + 1


def cobs_decode(pkt):
    """Decode one COBS packet (without its 0x00 delimiter). ValueError if it is not valid COBS."""
    out = bytearray()
    i = 0
    n = len(pkt)
    while i < n:
        code = pkt[i]
        if code == 0:
            raise ValueError("0x00 inside a COBS packet")
        end = i + code
        if end > n:
            raise ValueError("COBS block runs past the end of the packet")
        out.extend(pkt[i + 1:end])
        i = end
        if code < 0xFF and i < n:
            out.append(0)
    return out


def unpack(pkt):
    """Payload of one packet (COBS-decoded, CRC checked and removed). ValueError says which check failed."""
    data = cobs_decode(pkt)
    if len(data) < 3:
        raise ValueError("packet too short")
    want = data[-2] | (data[-1] << 8)
    if crc16(data, len(data) - 2) != want:
        raise ValueError("CRC mismatch")
    return data[:-2]


class UsbCdc:
    """The board's USB serial (the REPL's stdin/stdout) as a byte stream for SerialLink.

    Ctrl-C (0x03) keeps working for mpremote: the host never sends a command packet containing
    0x03 (see gateway/serial_source.py send_cmd), so no packet byte interrupts the program.
    """

    def __init__(self):
        import select
        import sys

        self.out = sys.stdout.buffer
        self.inp = sys.stdin.buffer
        self.poller = select.poll()
        self.poller.register(sys.stdin, select.POLLIN)

    def write(self, b):
        return self.out.write(b)

    def any(self):
        return 1 if self.poller.poll(0) else 0

    def read(self, n):
        return self.inp.read(1)


class SerialLink:
    """Frames out over a byte stream (USB CDC / UART); commands in through poll().

    stream: object with write(buf); for commands also any() -> int and read(n) (machine.UART API).
    framer: the app's Framer, used for meta/status frames (they share the board's seq).
    """

    def __init__(self, stream, framer, ticks_us):
        self.stream = stream
        self.framer = framer
        self.ticks_us = ticks_us
        self._raw = bytearray(_frame.MAX_FRAME + 2)
        self._rawmv = memoryview(self._raw)
        self._out = bytearray(MAX_PACKET)
        self._outmv = memoryview(self._out)
        self._rx = bytearray()
        self.sent = 0
        self.bytes_out = 0
        self.bad_rx = 0
        self.dropped_frames = 0  # serial never queues: a failed write is a dropped frame

    def connected(self):
        return True

    def send(self, frame):
        n = len(frame)
        self._rawmv[0:n] = frame
        c = crc16(self._raw, n)
        self._raw[n] = c & 0xFF
        self._raw[n + 1] = c >> 8
        m = cobs_encode_into(self._raw, n + 2, self._out)
        try:
            self.stream.write(self._outmv[0:m])
        except OSError:
            self.dropped_frames += 1
            return False
        self.sent += 1
        self.bytes_out += m
        return True

    def _send_json(self, key, body):
        payload = b'{"' + key + b'":' + body + b"}"
        t = self.ticks_us()
        return self.send(self.framer.pack_status(t, t, payload))

    def send_meta(self, meta_json):
        return self._send_json(b"meta", meta_json)

    def send_status(self, status_json, retain=True):
        return self._send_json(b"status", status_json)

    def poll(self, on_cmd):
        """Read what the host sent; call on_cmd(payload bytes) for each valid command packet."""
        any_ = getattr(self.stream, "any", None)
        if any_ is None:
            return
        n = any_()
        if not n:
            return
        data = self.stream.read(n)
        if not data:
            return
        for b in data:
            if b == 0:
                if self._rx:
                    try:
                        payload = unpack(self._rx)
                    except ValueError:
                        self.bad_rx += 1
                    else:
                        on_cmd(bytes(payload))
                self._rx = bytearray()
            elif len(self._rx) < MAX_PACKET:
                self._rx.append(b)
            else:
                self.bad_rx += 1
                self._rx = bytearray()

    def stats(self):
        return {"sent": self.sent, "bytes": self.bytes_out, "bad_rx": self.bad_rx,
                "tx_dropped": self.dropped_frames}
