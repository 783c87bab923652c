"""Run a tests/mpy script under CPython the way scripts/mpy_run.mjs runs it under MicroPython.

usage: python tests/mpy/run_cpython.py [--path DIR[:IGNORED]]... SCRIPT.py [ARGS...]

Each DIR goes on sys.path in order, before the stdlib. If a DIR holds the fakes (it has a
``machine.py``), its ``time.py`` replaces the stdlib ``time`` module (CPython's ``time`` is built in,
so a file on sys.path alone would not shadow it); the stdlib functions stay available in it.
"""

import importlib.util
import os
import runpy
import sys


def main(argv: list[str]) -> None:
    paths = []
    while argv and argv[0] == "--path":
        paths.append(argv[1].split(":")[0])
        argv = argv[2:]
    if not argv:
        sys.exit(__doc__)
    script = argv[0]
    sys.path[:0] = [os.path.abspath(p) for p in paths]
    sys.path[0:0] = [os.path.dirname(os.path.abspath(script))]
    for p in paths:
        if os.path.exists(os.path.join(p, "machine.py")):
            import time as stdlib_time

            sys.modules["_stdlib_time"] = stdlib_time
            spec = importlib.util.spec_from_file_location("time", os.path.join(p, "time.py"))
            assert spec and spec.loader
            fake = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(fake)
            sys.modules["time"] = fake
    sys.argv = argv
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
