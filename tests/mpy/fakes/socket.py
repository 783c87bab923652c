# Fake `socket` with an in-process MQTT 3.1.1 broker behind it, for the firmware's MQTT link tests
# (reconnect, last will, retained messages, QoS 1 acks, outages). Not a general socket: every
# connection goes to `Broker`. Test control on Broker: up, ack, cut(), inject(), published,
# retained, connects, reset_all(). API: README.md.
import time

AF_INET = 2
SOCK_STREAM = 1
SOL_SOCKET = 1
SO_REUSEADDR = 4
IPPROTO_TCP = 6

_EAGAIN = 11
_ECONNRESET = 104
_ETIMEDOUT = 110
_ECONNREFUSED = 111


def getaddrinfo(host, port, af=0, type=0, proto=0, flags=0):
    if not Broker.dns:
        raise OSError(-2)  # name not known, as lwIP reports
    return [(AF_INET, SOCK_STREAM, 0, "", (host, port))]


def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _str(b, i):
    n = (b[i] << 8) | b[i + 1]
    return bytes(b[i + 2:i + 2 + n]), i + 2 + n


def _matches(filt, topic):
    f = filt.split("/")
    t = topic.split("/")
    for i, part in enumerate(f):
        if part == "#":
            return True
        if i >= len(t) or (part != "+" and part != t[i]):
            return False
    return len(f) == len(t)


class Broker:
    up = True  # accepting connections
    dns = True  # getaddrinfo works
    ack = True  # send PUBACK for QoS 1 publishes
    published = []  # (topic str, payload bytes, qos, retain) in arrival order, wills included
    retained = {}  # topic -> payload
    connects = [0]  # accepted CONNECTs
    attempts = [0]  # TCP connection attempts, refused ones included
    conns = []  # live connections
    client_ids = []

    @staticmethod
    def cut():
        """Drop every connection abruptly (as a Wi-Fi loss or broker crash): wills are published."""
        for c in list(Broker.conns):
            c._broken = True
            Broker._lost(c)

    @staticmethod
    def inject(topic, payload):
        """Publish `payload` on `topic` (QoS 0) to every connection subscribed to it."""
        for c in Broker.conns:
            if any(_matches(f, topic) for f in c._subs):
                c._send_publish(topic, payload)

    @staticmethod
    def _store(topic, payload, qos, retain):
        Broker.published.append((topic, bytes(payload), qos, retain))
        if retain:
            if payload:
                Broker.retained[topic] = bytes(payload)
            else:
                Broker.retained.pop(topic, None)

    @staticmethod
    def _lost(c):
        if c in Broker.conns:
            Broker.conns.remove(c)
            if c._will is not None:
                Broker._store(*c._will)

    @staticmethod
    def topics(topic):
        """Payloads published on `topic`, in order."""
        return [p for t, p, q, r in Broker.published if t == topic]

    @staticmethod
    def reset_all():
        Broker.up = True
        Broker.dns = True
        Broker.ack = True
        Broker.published.clear()
        Broker.retained.clear()
        Broker.connects[0] = 0
        Broker.attempts[0] = 0
        Broker.conns.clear()
        Broker.client_ids.clear()


class socket:
    def __init__(self, af=AF_INET, type=SOCK_STREAM, proto=0):
        self._rx = bytearray()
        self._tx = bytearray()
        self._blocking = True
        self._timeout = None
        self._connected = False
        self._broken = False
        self._will = None
        self._subs = []

    def setsockopt(self, *a):
        pass

    def settimeout(self, t):
        self._timeout = t
        self._blocking = t is None or t > 0

    def setblocking(self, flag):
        self._blocking = bool(flag)
        self._timeout = None

    def connect(self, addr):
        Broker.attempts[0] += 1
        if not Broker.up:
            raise OSError(_ECONNREFUSED)
        self._connected = True
        Broker.conns.append(self)

    def close(self):
        if self._connected and not self._broken:
            Broker._lost(self)  # closed without DISCONNECT: the will is published
        self._connected = False

    def _check(self):
        if self._broken or not self._connected:
            raise OSError(_ECONNRESET)

    def send(self, data):
        self._check()
        self._tx.extend(data)
        self._parse()
        return len(data)

    def sendall(self, data):
        self.send(data)

    write = send

    def recv(self, n):
        if self._broken:
            if self._rx:
                pass
            else:
                return b""  # EOF
        if not self._rx:
            if not self._blocking:
                raise OSError(_EAGAIN)
            time.sleep_ms(int((self._timeout or 1) * 1000))
            raise OSError(_ETIMEDOUT)
        out = bytes(self._rx[:n])
        self._rx = self._rx[n:]
        return out

    read = recv

    # ---- the broker side ----
    def _reply(self, data):
        self._rx.extend(data)

    def _send_publish(self, topic, payload):
        t = topic.encode()
        body = bytes([len(t) >> 8, len(t) & 0xFF]) + t + bytes(payload)
        self._reply(bytes([0x30]) + _varint(len(body)) + body)

    def _parse(self):
        b = self._tx
        while len(b) >= 2:
            n = 0
            shift = 0
            i = 1
            while True:
                if i >= len(b):
                    return
                n |= (b[i] & 0x7F) << shift
                shift += 7
                i += 1
                if not b[i - 1] & 0x80:
                    break
            if len(b) < i + n:
                return
            self._packet(b[0], bytes(b[i:i + n]))
            b = b[i + n:]
            self._tx = b

    def _packet(self, head, body):
        kind = head >> 4
        if kind == 1:  # CONNECT
            proto, i = _str(body, 0)
            flags = body[i + 1]
            i += 4
            cid, i = _str(body, i)
            Broker.client_ids.append(cid.decode())
            if flags & 0x04:
                wt, i = _str(body, i)
                wm, i = _str(body, i)
                self._will = (wt.decode(), wm, (flags >> 3) & 3, bool(flags & 0x20))
            Broker.connects[0] += 1
            self._reply(b"\x20\x02\x00\x00")  # retained messages go out at SUBSCRIBE time
        elif kind == 3:  # PUBLISH
            qos = (head >> 1) & 3
            topic, i = _str(body, 0)
            pid = None
            if qos:
                pid = body[i:i + 2]
                i += 2
            Broker._store(topic.decode(), body[i:], qos, bool(head & 1))
            if qos == 1 and Broker.ack:
                self._reply(b"\x40\x02" + pid)
        elif kind == 8:  # SUBSCRIBE
            pid = body[0:2]
            i = 2
            codes = bytearray()
            while i < len(body):
                f, i = _str(body, i)
                i += 1
                self._subs.append(f.decode())
                codes.append(0)
            self._reply(bytes([0x90]) + _varint(2 + len(codes)) + pid + bytes(codes))
            for topic, payload in Broker.retained.items():
                if any(_matches(f, topic) for f in self._subs):
                    self._send_publish(topic, payload)
        elif kind == 12:  # PINGREQ
            self._reply(b"\xd0\x00")
        elif kind == 14:  # DISCONNECT
            self._will = None
            self._broken = True
            Broker._lost(self)
