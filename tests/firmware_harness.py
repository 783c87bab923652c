"""Helpers for the firmware tests: run a tests/mpy script under real MicroPython and CPython on the
fake hardware layer, and decode the frames it prints with the gateway's decoder."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

from classlab.gateway.protocol import KIND_EVENTS, KIND_SAMPLES, decode, sample_ticks
from tests.conftest import ROOT

P = 1 << 30  # board tick period
FAKES = "tests/mpy/fakes"


def run_cases(runtime: str, micropython, script: str, *args: str, heap: int = 1 << 20,
              extra_paths: tuple[str, ...] = ()) -> dict[str, dict]:
    """Run tests/mpy/SCRIPT with the fakes and firmware/ on the path; {case: result} from its JSON lines.

    extra_paths: more ("--path", "DIR[:MOUNT]") pairs for the MicroPython runner (files it needs).
    """
    path = ROOT / "tests" / "mpy" / script
    if runtime == "micropython":
        more = tuple(extra_paths[i + 1] for i in range(0, len(extra_paths), 2))
        out = micropython.run(path, *args, paths=(f"{FAKES}:/fakes", "firmware", *more), heap=heap)
    else:
        more = [a for i in range(0, len(extra_paths), 2) for a in ("--path", extra_paths[i + 1].split(":")[0])]
        out = subprocess.run([sys.executable, "tests/mpy/run_cpython.py", "--path", FAKES, "--path", "firmware",
                              *more, str(path), *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    res: dict[str, dict] = {}
    frames: dict[str, list[str]] = {}
    for line in out.stdout.splitlines():
        if line.startswith("F "):  # "F CASE HEX": a frame of a case, printed before its result line
            _, case, h = line.split()
            frames.setdefault(case, []).append(h)
        elif line.startswith("{"):
            d = json.loads(line)
            d.setdefault("frames", []).extend(frames.pop(d["case"], []))
            res[d["case"]] = d
    return res


@dataclass
class Series:
    """Samples of one channel set, unwrapped: ticks (absolute µs) and raw rows, plus dropped values."""

    ticks: list[int]
    rows: list[list[int]]
    dropped: int
    frames: int


def samples(frames_hex: list[str], channels: tuple[int, ...], t_ref: int) -> Series:
    """Concatenate the sample frames for `channels`; ticks are unwrapped forward from t_ref, frame by
    frame (successive frames are less than half a tick period apart, as the gateway assumes)."""
    ticks: list[int] = []
    rows: list[list[int]] = []
    dropped = 0
    n = 0
    for h in frames_hex:
        f = decode(bytes.fromhex(h))
        if f.kind != KIND_SAMPLES or f.channels != channels:
            continue
        n += 1
        dropped += f.dropped
        base = t_ref + ((f.t_first - t_ref) % P)  # first instant at or after the previous frame's
        t_ref = base
        ticks += [base + int(k) * f.period_us for k in range(f.count)]
        assert (sample_ticks(f, P) == [(t % P) for t in ticks[len(ticks) - f.count:]]).all()
        rows += f.samples.astype(int).tolist()
    return Series(ticks, rows, dropped, n)


def events(frames_hex: list[str]) -> tuple[list[tuple[int, int, int]], int]:
    """(tick mod P, channel, level) of every event in the event frames, and the dropped total."""
    out = []
    dropped = 0
    for h in frames_hex:
        f = decode(bytes.fromhex(h))
        if f.kind != KIND_EVENTS:
            continue
        dropped += f.dropped
        out += [((f.t_first + int(e["dt_us"])) % P, int(e["channel"]), int(e["level"])) for e in f.events]
    return out, dropped
