# Encoder vs. the shared test vectors. Runs under MicroPython (scripts/mpy_run.mjs) and CPython.
# usage: frame_vectors.py VECTOR_DIR ; prints "ok N" or raises.
import json
import sys
from array import array

from frame import MAX_FRAME, Framer, byte_view, max_instants

vdir = sys.argv[1]
with open(vdir + "/vectors.json") as f:
    spec = json.load(f)

n = 0
for v in spec["vectors"]:
    with open(vdir + "/" + v["name"] + ".bin", "rb") as f:
        want = f.read()
    fr = Framer(seq=v["seq"])
    chans = bytes(v["channels"])
    if v["kind"] == "samples":
        flat = array(v["dtype"], [x for row in v["samples"] for x in row])
        got = fr.pack_samples(v["t_first"], v["t_tx"], v["period_us"], v["dropped"], chans, v["dtype"],
                              byte_view(flat), len(v["samples"]))
    elif v["kind"] == "events":
        ev = v["events"]
        got = fr.pack_events(v["t_first"], v["t_tx"], v["dropped"], chans, [e[0] for e in ev],
                             [e[1] for e in ev], [e[2] for e in ev], len(ev))
    else:
        got = fr.pack_status(v["t_first"], v["t_tx"], v["status_payload"].encode())
    got = bytes(got)
    if got != want:
        raise AssertionError("vector %s: encoder gives %d bytes %s, want %d bytes %s"
                             % (v["name"], len(got), got[:40], len(want), want[:40]))
    if fr.seq != (v["seq"] + 1) & 0xFFFFFFFF:
        raise AssertionError("vector %s: seq not advanced" % v["name"])
    n += 1

# limits are enforced, not silently truncated
fr = Framer()
big = array("h", [0] * (4 * 509))
try:
    fr.pack_samples(0, 0, 1000, 0, bytes([0, 1, 2, 3]), "h", byte_view(big), 509)
    raise AssertionError("oversized frame was accepted")
except ValueError:
    pass
assert max_instants(4, "h") == 508
assert len(fr.pack_samples(0, 0, 1000, 0, bytes([0, 1, 2, 3]), "h", byte_view(big), 508)) == MAX_FRAME
print("ok", n)
