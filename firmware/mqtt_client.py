# Minimal MQTT 3.1.1 client for the board (and CPython): CONNECT with last will, PUBLISH QoS 0/1
# (QoS 1 waits for its PUBACK), SUBSCRIBE, PINGREQ, non-blocking check_msg(). Written for classlab
# after the shape of micropython-lib's umqtt.simple (no code taken): one socket, no threads, errors
# are OSError (network) or MQTTError (the broker said no). Reconnection, backoff and queueing live
# one layer up, in mqtt_link.py. Works with MicroPython's and CPython's socket modules.
import struct

try:
    import socket
except ImportError:  # old MicroPython ports
    import usocket as socket

try:
    from time import ticks_diff, ticks_ms
except ImportError:  # CPython
    try:
        from . import ticks as _t
    except ImportError:
        import ticks as _t
    ticks_diff = _t.ticks_diff
    ticks_ms = _t.ticks_ms

_EAGAIN = (11, 35, 115)  # EAGAIN (Linux, lwIP), EAGAIN (BSD), EINPROGRESS


class MQTTError(Exception):
    """The broker refused (CONNACK code) or broke the protocol."""


CONNACK_REASONS = {1: "unacceptable protocol version", 2: "client id rejected", 3: "server unavailable",
                   4: "bad user name or password", 5: "not authorised"}


class MQTTClient:
    def __init__(self, client_id, server, port=1883, user=None, password=None, keepalive=60,
                 timeout_s=5, sock_mod=None):
        self.client_id = client_id
        self.server = server
        self.port = port
        self.user = user
        self.password = password
        self.keepalive = keepalive
        self.timeout_s = timeout_s
        self.sock_mod = sock_mod or socket
        self.sock = None
        self.pid = 0
        self.cb = None
        self.last_tx = 0
        self._hdr = bytearray(8)
        self._hdrmv = memoryview(self._hdr)
        self._topic = None
        self._topic_enc = b""

    def set_callback(self, cb):
        """cb(topic bytes, payload bytes) for every PUBLISH the broker sends us."""
        self.cb = cb

    # ---- wire helpers ----
    def _send(self, data):
        self.sock.sendall(data)  # pyright: ignore[reportOptionalMemberAccess]
        self.last_tx = ticks_ms()

    def _recv(self, n):
        out = b""
        while len(out) < n:
            b = self.sock.recv(n - len(out))  # pyright: ignore[reportOptionalMemberAccess]
            if not b:
                raise OSError(104)  # ECONNRESET: the broker closed the connection
            out += b
        return out

    def _varlen(self, n, buf, i):
        while True:
            b = n & 0x7F
            n >>= 7
            buf[i] = b | (0x80 if n else 0)
            i += 1
            if not n:
                return i

    def _read_len(self):
        n = 0
        shift = 0
        while True:
            b = self._recv(1)[0]
            n |= (b & 0x7F) << shift
            if not b & 0x80:
                return n
            shift += 7

    @staticmethod
    def _str(s):
        if isinstance(s, str):
            s = s.encode()
        return struct.pack("!H", len(s)) + s

    # ---- session ----
    def connect(self, clean_session=True, will=None):
        """Open the TCP connection and the MQTT session.

        will: None or (topic, message, retain, qos). Returns the CONNACK session-present flag.
        """
        addr = self.sock_mod.getaddrinfo(self.server, self.port)[0][-1]
        self.sock = self.sock_mod.socket()
        self.sock.settimeout(self.timeout_s)
        try:
            self.sock.connect(addr)
            flags = 0x02 if clean_session else 0
            body = self._str(b"MQTT") + bytes([4])
            payload = self._str(self.client_id)
            if will is not None:
                topic, msg, retain, qos = will
                flags |= 0x04 | ((qos & 3) << 3) | (0x20 if retain else 0)
                payload += self._str(topic) + self._str(msg)
            if self.user is not None:
                flags |= 0x80
                payload += self._str(self.user)
                if self.password is not None:
                    flags |= 0x40
                    payload += self._str(self.password)
            body += bytes([flags]) + struct.pack("!H", self.keepalive) + payload
            hdr = bytearray(5)
            hdr[0] = 0x10
            n = self._varlen(len(body), hdr, 1)
            self._send(hdr[:n] + body)
            resp = self._recv(4)
            if resp[0] != 0x20 or resp[1] != 2:
                raise MQTTError("unexpected answer to CONNECT")
            if resp[3]:
                raise MQTTError("broker refused the connection: %s" % CONNACK_REASONS.get(resp[3], resp[3]))
            return resp[2] & 1
        except Exception:
            self.close()
            raise

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None

    def disconnect(self):
        """Clean goodbye: the broker does NOT publish the will."""
        try:
            self._send(b"\xe0\x00")
        finally:
            self.close()

    def ping(self):
        self._send(b"\xc0\x00")

    def _next_pid(self):
        self.pid = self.pid % 65535 + 1
        return self.pid

    def publish(self, topic, msg, retain=False, qos=0):
        """Send msg (bytes-like, e.g. a memoryview of a frame) on topic; QoS 1 returns after the PUBACK."""
        hdr = self._hdr
        hdr[0] = 0x30 | (qos << 1) | (1 if retain else 0)
        n = 2 + len(topic) + len(msg) + (2 if qos else 0)
        i = self._varlen(n, hdr, 1)
        self._send(self._hdrmv[0:i])
        if topic is not self._topic:  # the data topic repeats: encode it once
            self._topic = topic
            self._topic_enc = self._str(topic)
        self._send(self._topic_enc)
        pid = 0
        if qos:
            pid = self._next_pid()
            self._send(struct.pack("!H", pid))
        self._send(msg)
        if qos == 1:
            self._wait_for(0x40, pid)
        return pid

    def subscribe(self, topic, qos=0):
        pid = self._next_pid()
        body = struct.pack("!H", pid) + self._str(topic) + bytes([qos])
        hdr = bytearray(5)
        hdr[0] = 0x82
        n = self._varlen(len(body), hdr, 1)
        self._send(hdr[:n] + body)
        resp = self._wait_for(0x90, pid)
        if resp and resp[0] == 0x80:
            raise MQTTError("broker refused the subscription to %s" % topic)

    def _wait_for(self, kind, pid):
        """Read packets (dispatching PUBLISHes) until `kind` with packet id pid; OSError on timeout."""
        self.sock.settimeout(self.timeout_s)  # pyright: ignore[reportOptionalMemberAccess]
        start = ticks_ms()
        while True:
            if ticks_diff(ticks_ms(), start) > self.timeout_s * 1000:
                raise OSError(110)  # ETIMEDOUT
            op = self._recv(1)[0]
            got = self._packet(op)
            if got is not None and got[0] == kind and got[1] == pid:
                return got[2]

    def _packet(self, op):
        """Handle one packet whose first byte was op; returns (kind, pid, rest) for acks."""
        n = self._read_len()
        body = self._recv(n) if n else b""
        kind = op & 0xF0
        if kind == 0x30:
            tl = (body[0] << 8) | body[1]
            topic = body[2:2 + tl]
            i = 2 + tl
            qos = (op >> 1) & 3
            if qos:
                pid = (body[i] << 8) | body[i + 1]
                i += 2
                if qos == 1:
                    self._send(bytes([0x40, 2, pid >> 8, pid & 0xFF]))
            if self.cb is not None:
                self.cb(topic, body[i:])
            return None
        if kind in (0x40, 0x90) and n >= 2:
            return (kind, (body[0] << 8) | body[1], body[2:])
        return (kind, 0, body)  # PINGRESP and anything else

    def check_msg(self):
        """Process what the broker sent, without blocking. Returns True if a packet was handled."""
        self.sock.setblocking(False)  # pyright: ignore[reportOptionalMemberAccess]
        try:
            b = self.sock.recv(1)  # pyright: ignore[reportOptionalMemberAccess]
        except OSError as e:
            if e.args and e.args[0] in _EAGAIN:
                return False
            raise
        finally:
            self.sock.settimeout(self.timeout_s)  # pyright: ignore[reportOptionalMemberAccess]
        if b is None:
            return False
        if b == b"":
            raise OSError(104)
        self._packet(b[0])
        return True
