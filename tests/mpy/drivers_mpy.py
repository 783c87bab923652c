# Run a drivers_*.py test script against the COMPILED firmware (.mpy from `classlab firmware build`).
# usage: drivers_mpy.py BUILT_DIR SCRIPT [ARGS...]; BUILT_DIR holds the build with .mpy renamed .bin
# (the runner copies only .py/.json/.bin into MicroPython's filesystem). Prints what SCRIPT prints.
import os
import sys


def unpack(src, dst):
    try:
        os.mkdir(dst)
    except OSError:
        pass
    for name in os.listdir(src):
        s = src + "/" + name
        if os.stat(s)[0] & 0x4000:
            unpack(s, dst + "/" + name)
        elif name.endswith(".bin"):
            with open(s, "rb") as f, open(dst + "/" + name[:-4] + ".mpy", "wb") as g:
                g.write(f.read())


unpack(sys.argv[1], "/board")
for p in ("/firmware", "firmware"):
    if p in sys.path:
        sys.path.remove(p)
sys.path.insert(1, "/board")  # after the fakes (sys.path[0]), before anything else
import classlab_version  # noqa: E402

print("classlab_version", classlab_version.VERSION, classlab_version.BUILD)
script = sys.argv[2]
sys.argv[:] = [script] + sys.argv[3:]
with open(script) as f:
    code = f.read()
exec(code, {"__name__": "__main__"})
