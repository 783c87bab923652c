"""Frame protocol v1: the shared vectors on both sides, malformed input, and a fuzz run."""

from __future__ import annotations

import subprocess
import sys
from array import array

import numpy as np
import pytest

from classlab.firmware.frame import Framer, byte_view
from classlab.gateway import protocol
from classlab.gateway.protocol import FrameError, decode, sample_ticks, valid_sample_header
from tests.conftest import ROOT, VECTORS


def test_decoder_recovers_every_vector(vectors: dict) -> None:
    assert len(vectors["vectors"]) >= 7
    for v in vectors["vectors"]:
        data = (VECTORS / f"{v['name']}.bin").read_bytes()
        assert len(data) == v["length"] <= protocol.MAX_FRAME
        f = decode(data)
        assert f.kind_name == v["kind"], v["name"]
        assert (f.seq, f.t_first, f.t_tx, f.dropped) == (v["seq"], v["t_first"], v["t_tx"], v["dropped"])
        assert f.channels == tuple(v["channels"])
        if v["kind"] == "samples":
            assert f.period_us == v["period_us"]
            want = np.array(v["samples"], dtype=np.int64).reshape(-1, len(v["channels"]))
            np.testing.assert_array_equal(f.samples.astype(np.int64), want)
            assert f.n_values == want.size
        elif v["kind"] == "events":
            got = [[int(e["dt_us"]), int(e["channel"]), int(e["level"])] for e in f.events]
            assert got == v["events"]
        else:
            assert f.status == v["status"]


def test_tick_wrap_inside_a_frame(vectors: dict) -> None:
    v = next(v for v in vectors["vectors"] if v["name"] == "samples_tick_wrap")
    f = decode((VECTORS / "samples_tick_wrap.bin").read_bytes())
    assert sample_ticks(f, vectors["tick_period"]).tolist() == v["ticks"]


def test_max_size_vector_is_exactly_the_limit() -> None:
    assert len((VECTORS / "samples_max_size.bin").read_bytes()) == protocol.MAX_FRAME


def test_encoder_reproduces_vectors_on_cpython() -> None:
    out = subprocess.run([sys.executable, "tests/mpy/frame_vectors.py", str(VECTORS)], cwd=ROOT,
                         capture_output=True, text=True, env={"PYTHONPATH": str(ROOT / "firmware")})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ok", "7"]


@pytest.mark.slow
def test_encoder_reproduces_vectors_on_micropython(micropython) -> None:
    out = micropython.run(ROOT / "tests/mpy/frame_vectors.py", "/vectors",
                          paths=("firmware", "tests/vectors:/vectors"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ok", "7"]


def test_micropython_runner_reports_failures(micropython, tmp_path) -> None:
    script = tmp_path / "boom.py"
    script.write_text("import sys\nprint(sys.implementation.name)\nraise ValueError('boom')\n")
    out = micropython.run(script)
    assert out.stdout.strip() == "micropython"
    assert out.returncode == 1 and "ValueError: boom" in out.stderr


def test_malformed_vectors_give_their_reason(invalid_vectors: list[dict]) -> None:
    assert len(invalid_vectors) >= 10
    for v in invalid_vectors:
        with pytest.raises(FrameError) as exc:
            decode(bytes.fromhex(v["hex"]))
        assert exc.value.reason == v["reason"], v["name"]
        assert exc.value.reason in protocol.REASONS
        assert str(exc.value)  # a sentence, not just a code


def test_unknown_version_message_says_what_to_do(invalid_vectors: list[dict]) -> None:
    v = next(v for v in invalid_vectors if v["name"] == "unknown_version")
    with pytest.raises(FrameError, match="unknown frame version 2.*update"):
        decode(bytes.fromhex(v["hex"]))


def test_round_trip_random_blocks() -> None:
    rng = np.random.default_rng(1)
    fr = Framer()
    for _ in range(300):
        dtype = "hHiI"[rng.integers(4)]
        nch = int(rng.integers(1, 9))
        count = int(rng.integers(0, 60))
        info = np.iinfo({"h": np.int16, "H": np.uint16, "i": np.int32, "I": np.uint32}[dtype])
        raw = rng.integers(info.min, info.max, size=(count, nch), endpoint=True)
        chans = bytes(rng.choice(32, size=nch, replace=False).astype(np.uint8))
        t0 = int(rng.integers(0, 1 << 30))
        frame = bytes(fr.pack_samples(t0, t0 + 5, 250, 3, chans, dtype, byte_view(array(dtype, raw.ravel().tolist())), count))
        f = decode(frame)
        assert f.channels == tuple(chans) and f.t_first == t0 and f.dropped == 3
        np.testing.assert_array_equal(f.samples.astype(np.int64), raw)


def test_fuzz_ten_thousand_random_payloads() -> None:
    """Random bytes, and mutations of valid frames: decode either succeeds or raises FrameError."""
    rng = np.random.default_rng(12345)
    seeds = [(VECTORS / f"{n}.bin").read_bytes() for n in ("samples_basic", "events_gate", "status_running",
                                                          "samples_max_size", "samples_empty")]
    reasons: dict[str, int] = {}
    ok = 0
    for i in range(12_000):
        if i % 3 == 0:
            data = rng.bytes(int(rng.integers(0, 5000)))
        else:
            b = bytearray(seeds[i % len(seeds)])
            for _ in range(int(rng.integers(1, 6))):
                op = rng.integers(3)
                if op == 0 and b:
                    b[int(rng.integers(len(b)))] = int(rng.integers(256))
                elif op == 1:
                    del b[int(rng.integers(len(b) + 1)):]
                else:
                    b += rng.bytes(int(rng.integers(1, 64)))
            data = bytes(b)
        fast = valid_sample_header(data)
        try:
            f = decode(data)
        except FrameError as exc:
            reasons[exc.reason] = reasons.get(exc.reason, 0) + 1
            assert fast is None, f"hot path accepts what decode() rejects ({exc.reason})"
        else:
            ok += 1
            assert f.n_values >= 0 and len(data) <= protocol.MAX_FRAME
            if f.kind == protocol.KIND_SAMPLES and f.channels:
                assert fast == (f.kind, f.seq, f.t_first, f.t_tx, f.period_us, f.dropped, len(f.channels),
                                data[25], f.count)
            else:
                assert fast is None
    assert sum(reasons.values()) + ok == 12_000
    assert {"bad_magic", "bad_length", "too_large"} <= set(reasons)
    assert ok > 0  # mutations that keep a frame valid (payload bytes) still decode
