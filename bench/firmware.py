"""Firmware benchmark under the real MicroPython v1.27 runtime (npm WebAssembly port, Node).

usage: python bench/firmware.py [--json] [--n INSTANTS]

Measures, in the same run:
- heap in use after start-up with every driver configured (the Pico W station pin map plus an NTC,
  i.e. all ten drivers), MQTT link with its outage queue, rings and frame buffers. Goal <= 60 KB so
  the firmware fits a Pico W beside Wi-Fi. Measured on the `classlab firmware build` output (.mpy,
  what deploy copies), split into module code (bytecode, which frozen modules would keep in flash)
  and data; the same from source for comparison.
- per-value cost of the sampler's timer callback + framing, against a bare
  ``buf[i] = adc.read_u16()`` loop over the same ADC objects (ratio; goal <= 2), for 1 and 4
  channels per sampling instant (4 = the ADC group of the shipped stations). ``ratio`` is for a
  driver that hands the sampler its per-channel reader (``readers()``, as the firmware's ADC drivers
  do); ``ratio_read_raw_into`` the same driver through the ``read_raw_into`` fallback. Both loops alternate and
  the best of each counts (the machine is shared; noise only adds time); the port's clock ticks in
  ms, so each run is tens of ms long.
The WebAssembly interpreter is slower than a board's, so absolute µs are not board timings; the
ratio and the heap (same 32-bit object layout) are what carry over.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RUNNER = ROOT / "scripts" / "mpy_run.mjs"
PHASES = ROOT / "bench" / "mpy_phases.mjs"  # heap: one top-level call per phase, where the wasm GC runs
HEAP_GOAL = 60 * 1024
RATIO_GOAL = 2.0


def mpy(script: str, *args: str, paths: tuple[str, ...], runner: Path = RUNNER) -> dict:
    cmd = ["node", str(runner)]
    for p in paths:
        cmd += ["--path", p]
    out = subprocess.run([*cmd, str(ROOT / "bench" / "mpy" / script), *args], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    if out.returncode != 0:
        raise SystemExit(f"{script} failed under MicroPython:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def all_drivers_config() -> dict:
    from classlab.hardware import pinmap

    cfg = pinmap.to_board_config(pinmap.load(pinmap.find("picow-station")))
    cfg["sensor"].append({"name": "ntc", "driver": "ntc", "pins": {"adc": 29},
                          "ntc": {"r_nominal": 10000, "beta": 3950, "r_fixed": 10000},
                          "channels": [{"id": 20, "quantity": "temperature", "unit": "C"}], "rate_hz": 10.0})
    return cfg


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print JSON only")
    ap.add_argument("--n", type=int, default=30000, help="sampling instants per timing run")
    ap.add_argument("--repeat", type=int, default=9, help="alternating runs of each loop (the best counts)")
    a = ap.parse_args()
    from classlab.firmware.tools.build import build

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "all.json").write_text(json.dumps(all_drivers_config()))
        # as deployed: `classlab firmware build` output (.mpy bytecode, no compiler garbage on the board)
        built = build(out_dir=Path(tmp) / "mpy")
        (built.out_dir / "main.py").unlink()  # would start the app on import of nothing; not needed
        heap = mpy("firmware_heap.py", "/cfg/all.json", runner=PHASES,
                   paths=("tests/mpy/fakes:/fakes", f"{built.out_dir}:/firmware", f"{tmp}:/cfg"))
        heap_src = mpy("firmware_heap.py", "/cfg/all.json", runner=PHASES,
                       paths=("tests/mpy/fakes:/fakes", "firmware", f"{tmp}:/cfg"))
    cost = [mpy("firmware_cost.py", str(a.n), str(nch), str(a.repeat), paths=("firmware",)) for nch in (1, 4)]
    data = heap["heap_used_bytes"] - heap["code_bytes"]
    res = {
        "runtime": "MicroPython v1.27 (webassembly, node)",
        "heap_used_bytes": heap["heap_used_bytes"], "heap_goal_bytes": HEAP_GOAL,
        "heap_ok": heap["heap_used_bytes"] <= HEAP_GOAL,
        # bytecode of the modules loaded from .py/.mpy lives in the heap too; frozen into the
        # MicroPython image (or in ROMFS) it moves to flash and only the data stays in RAM
        "heap_code_bytes": heap["code_bytes"], "heap_data_bytes": data, "heap_data_ok": data <= HEAP_GOAL,
        "heap_form": ".mpy (classlab firmware build)",
        "heap_used_bytes_from_source": heap_src["heap_used_bytes"], "heap_code_bytes_from_source": heap_src["code_bytes"],
        "drivers": heap["drivers"], "queue_bytes": heap["queue_bytes"],
        "cost": cost, "ratio_goal": RATIO_GOAL,
        "ratio_ok": {str(c["channels"]): c["ratio"] <= RATIO_GOAL for c in cost},
    }
    if a.json:
        print(json.dumps(res))
    else:
        print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
