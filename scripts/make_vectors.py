"""Write the protocol v1 test vectors in tests/vectors/ (run once; the outputs are committed).

vectors.json lists each vector's inputs (= the expected decode); NAME.bin is the frame the firmware
encoder makes of them. Both the firmware tests (CPython and MicroPython) and the gateway tests
read these files: the encoder must reproduce each .bin byte for byte, the decoder must recover
the fields from it. invalid.json lists malformed payloads (hex) and the reason the decoder gives.
"""

import json
import sys
from array import array
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from firmware.frame import Framer, byte_view  # noqa: E402
from firmware.serial_link import MAX_PACKET, cobs_encode_into, crc16  # noqa: E402

OUT = ROOT / "tests" / "vectors"
W = 1 << 30  # ticks_us period on ESP32 and rp2

VECTORS: list[dict[str, Any]] = [
    {"name": "samples_basic", "kind": "samples", "seq": 1, "t_first": 1000, "t_tx": 1600, "period_us": 100,
     "dropped": 0, "channels": [0, 3], "dtype": "h",
     "samples": [[100, -100], [200, -200], [300, -300], [400, -400], [500, -500]]},
    {"name": "samples_tick_wrap", "kind": "samples", "seq": 41, "t_first": W - 250, "t_tx": 330,
     "period_us": 100, "dropped": 0, "channels": [2], "dtype": "H",
     "samples": [[65535], [0], [1], [32768], [12345]],
     "ticks": [W - 250, W - 150, W - 50, 50, 150]},
    {"name": "samples_max_size", "kind": "samples", "seq": 4294967295, "t_first": 5, "t_tx": 999_999,
     "period_us": 1000, "dropped": 0, "channels": [0, 1, 2, 3], "dtype": "h",
     "samples": [[(i * 37 + c * 11) % 4096 - 2048 for c in range(4)] for i in range(508)]},
    {"name": "samples_empty", "kind": "samples", "seq": 7, "t_first": 0, "t_tx": 12, "period_us": 1000,
     "dropped": 0, "channels": [0], "dtype": "h", "samples": []},
    {"name": "samples_dropped", "kind": "samples", "seq": 8, "t_first": 123456, "t_tx": 130000,
     "period_us": 500, "dropped": 17, "channels": [1], "dtype": "i",
     "samples": [[-2147483648], [2147483647], [-1]]},
    {"name": "events_gate", "kind": "events", "seq": 9, "t_first": W - 10, "t_tx": 200000, "period_us": 0,
     "dropped": 2, "channels": [5, 6],
     "events": [[0, 5, 1], [25000, 5, 0], [40000, 6, 1], [61000, 6, 0]]},
    {"name": "status_running", "kind": "status", "seq": 10, "t_first": 5000, "t_tx": 5000, "period_us": 0,
     "dropped": 0, "channels": [], "status": {"state": "running", "rate_hz": 100, "heap_free": 81234}},
]


def encode(v: dict) -> bytes:
    fr = Framer(seq=v["seq"])
    chans = bytes(v["channels"])
    if v["kind"] == "samples":
        flat = array(v["dtype"], [x for row in v["samples"] for x in row])
        return bytes(fr.pack_samples(v["t_first"], v["t_tx"], v["period_us"], v["dropped"], chans,
                                     v["dtype"], byte_view(flat), len(v["samples"])))
    if v["kind"] == "events":
        ev = v["events"]
        return bytes(fr.pack_events(v["t_first"], v["t_tx"], v["dropped"], chans,
                                    [e[0] for e in ev], [e[1] for e in ev], [e[2] for e in ev], len(ev)))
    v["status_payload"] = json.dumps(v["status"], separators=(",", ":"))
    return bytes(fr.pack_status(v["t_first"], v["t_tx"], v["status_payload"].encode()))


def invalid(valid: dict[str, bytes]) -> list[dict]:
    basic = valid["samples_basic"]
    too_big = bytearray(valid["samples_max_size"]) + b"\x00"
    bad_ver = bytearray(basic); bad_ver[2] = 2  # noqa: E702
    bad_kind = bytearray(basic); bad_kind[3] = 9  # noqa: E702
    bad_dtype = bytearray(basic); bad_dtype[25] = ord("f")  # noqa: E702
    absurd = bytearray(basic); absurd[26:28] = (60000).to_bytes(2, "little")  # noqa: E702
    dup = bytearray(basic); dup[29] = 0  # noqa: E702
    nch = bytearray(basic); nch[24] = 200  # noqa: E702
    rows = [
        ("empty", b"", "too_short"),
        ("truncated_header", basic[:20], "too_short"),
        ("truncated_payload", basic[:-3], "bad_length"),
        ("wrong_magic", b"XY" + basic[2:], "bad_magic"),
        ("unknown_version", bytes(bad_ver), "bad_version"),
        ("unknown_kind", bytes(bad_kind), "bad_kind"),
        ("unknown_dtype", bytes(bad_dtype), "bad_dtype"),
        ("absurd_count", bytes(absurd), "bad_length"),
        ("duplicate_channel", bytes(dup), "duplicate_channel"),
        ("absurd_channels", bytes(nch), "too_many_channels"),
        ("oversized", bytes(too_big), "too_large"),
        ("text", b"hello, I am not a frame at all!!", "bad_magic"),
    ]
    return [{"name": n, "hex": b.hex(), "reason": r} for n, b, r in rows]


def serial_packet(frame: bytes) -> bytes:
    """USB serial packet: COBS(frame + CRC-16/CCITT-FALSE little-endian) + 0x00."""
    c = crc16(frame)
    out = bytearray(MAX_PACKET)
    n = cobs_encode_into(frame + bytes([c & 0xFF, c >> 8]), len(frame) + 2, out)
    return bytes(out[:n])


def serial(valid: dict[str, bytes]) -> dict:
    """serial.json + serial_stream.bin: packets for every frame vector, edge cases, broken packets."""
    frames = dict(valid)
    frames["status_run_254"] = bytes(Framer(seq=11).pack_status(7, 7, b'{"note":"' + b"x" * 243 + b'"}'))
    frames["status_run_253"] = bytes(Framer(seq=12).pack_status(7, 7, b'{"note":"' + b"y" * 242 + b'"}'))
    packets = [{"name": n, "frame_hex": f.hex(), "hex": serial_packet(f).hex()} for n, f in frames.items()]
    basic = serial_packet(valid["samples_basic"])
    bad_crc = bytearray(basic); bad_crc[5] ^= 0x80  # noqa: E702
    invalid = [
        {"name": "bad_crc", "hex": bytes(bad_crc).hex(), "reason": "crc"},
        {"name": "cobs_overrun", "hex": "0541424300", "reason": "cobs"},
        {"name": "too_short", "hex": "02ff00", "reason": "short"},
    ]
    stream = (b"\x13\x37garbage-before-sync\x00" + basic + serial_packet(valid["events_gate"]) + bytes(bad_crc)
              + b"\x00\x00" + serial_packet(valid["status_running"]))
    (OUT / "serial_stream.bin").write_bytes(stream)
    return {"crc_check": {"input": "123456789", "crc": crc16(b"123456789")}, "packets": packets,
            "invalid": invalid,
            "stream": {"file": "serial_stream.bin", "frames": ["samples_basic", "events_gate", "status_running"],
                       "bad_packets": 2}}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    valid: dict[str, bytes] = {}
    for v in VECTORS:
        data = encode(v)
        (OUT / f"{v['name']}.bin").write_bytes(data)
        valid[v["name"]] = data
        v["length"] = len(data)
    (OUT / "vectors.json").write_text(json.dumps({"tick_period": W, "vectors": VECTORS}, indent=1) + "\n")
    (OUT / "invalid.json").write_text(json.dumps(invalid(valid), indent=1) + "\n")
    (OUT / "serial.json").write_text(json.dumps(serial(valid), indent=1) + "\n")
    print(f"wrote {len(VECTORS)} vectors to {OUT}")


if __name__ == "__main__":
    main()
