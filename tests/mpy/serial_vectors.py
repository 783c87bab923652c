# USB serial framing vs tests/vectors/serial.json. Runs under MicroPython and CPython.
# usage: serial_vectors.py VECTOR_DIR ; prints "ok N" (packets checked) or raises.
import json
import sys
from binascii import hexlify, unhexlify

from frame import Framer
from serial_link import SerialLink, crc16, unpack

vdir = sys.argv[1]
with open(vdir + "/serial.json") as f:
    spec = json.load(f)

assert crc16(spec["crc_check"]["input"].encode()) == spec["crc_check"]["crc"]


class Stream:
    def __init__(self, data=b""):
        self.out = bytearray()
        self.data = data

    def write(self, b):
        self.out.extend(b)
        return len(b)

    def any(self):
        return len(self.data)

    def read(self, n):
        d = self.data[:n]
        self.data = self.data[n:]
        return d


n = 0
for p in spec["packets"]:
    frame = unhexlify(p["frame_hex"])
    s = Stream()
    link = SerialLink(s, Framer(), lambda: 0)
    assert link.send(memoryview(frame))
    got = hexlify(bytes(s.out)).decode()
    if got != p["hex"]:
        raise AssertionError("packet %s: got %s..., want %s..." % (p["name"], got[:60], p["hex"][:60]))
    pkt = unhexlify(p["hex"])
    assert pkt[-1] == 0 and 0 not in pkt[:-1]
    assert bytes(unpack(pkt[:-1])) == frame, p["name"]
    n += 1

for p in spec["invalid"]:
    try:
        unpack(unhexlify(p["hex"])[:-1])
    except ValueError:
        n += 1
        continue
    raise AssertionError("invalid packet %s was accepted" % p["name"])

with open(vdir + "/" + spec["stream"]["file"], "rb") as f:
    stream = Stream(f.read())
link = SerialLink(stream, Framer(), lambda: 0)
got = []
link.poll(got.append)
want = [unhexlify(p["frame_hex"]) for name in spec["stream"]["frames"] for p in spec["packets"] if p["name"] == name]
assert got == want, (len(got), len(want))
assert link.bad_rx == spec["stream"]["bad_packets"], link.bad_rx

# meta/status frames carry {"meta": ...} / {"status": ...}
s = Stream()
link = SerialLink(s, Framer(seq=5), lambda: 1234)
link.send_meta(b'{"fw":"0.1.0"}')
pkt = bytes(s.out)
fr = unpack(pkt[:-1])
assert bytes(fr[28:]) == b'{"meta":{"fw":"0.1.0"}}', bytes(fr)
print("ok", n)
