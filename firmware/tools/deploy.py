"""`classlab firmware deploy`: copy the built firmware, the board config and the site config to a
board with mpremote, then verify by reading ``classlab_version`` back.

The steps are planned first (:func:`plan`: which files, which ``mpremote`` command lines) and then
run (:func:`run`), so the plan can be shown with ``--dry-run`` and tested without a board.

Board layout after a deploy::

    /main.py  /boot.py?          source (MicroPython runs only these two as .py)
    /*.mpy  /drivers/*.mpy       compiled firmware (classlab firmware build)
    /classlab_version.mpy        VERSION + BUILD, read back to verify
    /board_config.json           the board's pin map (hardware/pinmaps/*.toml) as JSON
    /site_config.py              Wi-Fi, broker, site and board ids (local, untracked)

Host-only (CPython); not copied to boards.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import build as fwbuild

BOARDS = ("esp32", "pico", "pico_w")
# the shipped pin map each board type uses unless --pinmap says otherwise
DEFAULT_PINMAP = {"esp32": "esp32-station", "pico": "pico-station", "pico_w": "picow-station"}
SITE_CONFIG = fwbuild.FIRMWARE_DIR / "site_config.py"
SITE_EXAMPLE = "firmware/site_config_example.py"


class DeployError(Exception):
    """Deploy cannot go on; the message says what is wrong and how to fix it (one line)."""


@dataclass
class Plan:
    board: str
    port: str
    pinmap: Path
    board_config: dict
    site_config: Path
    build: fwbuild.BuildResult
    commands: list[list[str]] = field(default_factory=list)
    verify: list[str] = field(default_factory=list)
    reset: list[str] = field(default_factory=list)


def board_config(pinmap_path: Path, board: str) -> dict:
    """board_config.json content from a pin map, checked to be for `board` (the one conversion)."""
    from classlab.hardware import pinmap

    try:
        pm = pinmap.load(pinmap_path)
    except ValueError as exc:  # PinMapError: file:line: key: message
        raise DeployError(str(exc)) from None
    cfg = pinmap.to_board_config(pm)
    if cfg["board"]["type"] != board:
        raise DeployError(f"pin map {pinmap_path} is for a {cfg['board']['type']} board, not {board}: "
                          f"pass --pinmap for a {board} pin map / 引脚表与开发板型号不符")
    return cfg


def calibration_for(board_id: str) -> list[dict]:
    """The calibrated channels to send with the pin map (hardware.calibration.deployed)."""
    from classlab.hardware import calibration

    try:
        return calibration.deployed(board_id)
    except ValueError as exc:  # CalibrationError: file: what is wrong
        raise DeployError(f"{exc}; fix it or run classlab calibrate again / 校准文件有误") from None


def find_pinmap(board: str, name: str | None) -> Path:
    from classlab.hardware import pinmap

    try:
        return pinmap.find(name or DEFAULT_PINMAP[board])
    except ValueError as exc:
        raise DeployError(str(exc)) from None


def mpremote_command() -> list[str]:
    """How to run mpremote here; DeployError if it is not installed."""
    exe = shutil.which("mpremote")
    if exe:
        return [exe]
    try:
        import mpremote  # noqa: F401
    except ImportError:
        raise DeployError("mpremote not found: pip install 'classlab[firmware]' (or pip install mpremote) "
                          "/ 未找到 mpremote，请先安装") from None
    return [sys.executable, "-m", "mpremote"]


def check_board(board: str | None) -> str:
    if board not in BOARDS:
        raise DeployError(f"unknown board {board!r}: use --board esp32, pico or pico_w / 开发板型号只能是 "
                          f"esp32、pico 或 pico_w")
    return board


def check_port(port: str | None) -> str:
    if not port:
        raise DeployError("no serial port: pass --port (e.g. /dev/ttyUSB0, /dev/ttyACM0 or COM3; "
                          "`mpremote connect list` shows them) / 请用 --port 指定串口")
    return port


_MKDIR = "import os\ntry:\n os.mkdir('drivers')\nexcept OSError:\n pass"


def _remove_stale(files: list[str]) -> str:
    """Board-side snippet removing .py files that would shadow the new .mpy (import prefers .py)."""
    stale = sorted(f[:-4] + ".py" for f in files if f.endswith(".mpy"))
    return ("import os\nfor f in %r:\n try:\n  os.remove(f)\n except OSError:\n  pass" % stale)


def plan(board: str | None, port: str | None, pinmap: str | None = None, site_config: Path | None = None,
         out_dir: Path | None = None, mpremote: list[str] | None = None) -> Plan:
    """Check the arguments, build the firmware and work out the mpremote command lines."""
    board = check_board(board)
    port = check_port(port)
    mp = mpremote if mpremote is not None else mpremote_command()
    pm_path = find_pinmap(board, pinmap)
    cfg = board_config(pm_path, board)
    cal = calibration_for(cfg["board"]["id"])
    if cal:  # channels calibrated with `classlab calibrate`: the board applies them and publishes them in its meta
        cfg["calibration"] = cal
    site = site_config or SITE_CONFIG
    if not site.is_file():
        raise DeployError(f"no site config at {site}: copy {SITE_EXAMPLE} to firmware/site_config.py and "
                          "set Wi-Fi, broker and board id (or pass --site-config) / 缺少站点配置")
    try:
        res = fwbuild.build(out_dir, board)
    except fwbuild.BuildError as exc:
        raise DeployError(str(exc)) from None
    cfg_path = res.out_dir / "board_config.json"
    cfg_path.write_text(json.dumps(cfg, ensure_ascii=False, indent=1), encoding="utf-8")
    con = [*mp, "connect", port]
    top = [f for f in res.files if "/" not in f]
    sub = [f for f in res.files if f.startswith("drivers/")]
    p = Plan(board, port, pm_path, cfg, site, res)
    p.commands = [
        [*con, "exec", _MKDIR],
        [*con, "exec", _remove_stale(res.files)],
        [*con, "fs", "cp", *[str(res.out_dir / f) for f in top], ":"],
        [*con, "fs", "cp", *[str(res.out_dir / f) for f in sub], ":drivers/"],
        [*con, "fs", "cp", str(cfg_path), ":board_config.json"],
        [*con, "fs", "cp", str(site), ":site_config.py"],
    ]
    p.verify = [*con, "exec", "import classlab_version as v\nprint('classlab_version', v.VERSION, v.BUILD)"]
    p.reset = [*con, "reset"]
    return p


Runner = Callable[[list[str]], "subprocess.CompletedProcess[str]"]


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def run(p: Plan, runner: Runner = _run) -> str:
    """Run the plan on the board; returns the version line read back. DeployError on any failure."""
    for cmd in p.commands:
        out = runner(cmd)
        if out.returncode != 0:
            last = (out.stderr.strip() or out.stdout.strip() or f"exit {out.returncode}").splitlines()[-1]
            raise DeployError(f"mpremote failed on {p.port} ({' '.join(cmd[-2:])[:60]}): {last}")
    out = runner(p.verify)
    want = f"classlab_version {p.build.version} {p.build.build_id}"
    got = next((ln.strip() for ln in out.stdout.splitlines() if ln.startswith("classlab_version")), "")
    if out.returncode != 0 or got != want:
        raise DeployError(f"verify failed on {p.port}: board reports {got or 'no classlab_version'!r}, "
                          f"expected {want!r}; the copy is incomplete, run deploy again / 校验失败")
    runner(p.reset)
    return got


def describe(p: Plan) -> dict:
    """JSON-able summary of a plan (for --dry-run / --json)."""
    return {"board": p.board, "port": p.port, "pinmap": str(p.pinmap), "site_config": str(p.site_config),
            "version": p.build.version, "build": p.build.build_id, "files": p.build.files,
            "board_id": p.board_config["board"]["id"], "sensors": [s["name"] for s in p.board_config["sensor"]],
            "commands": [*p.commands, p.verify, p.reset]}


def default_out(board: str) -> Path:
    """Where deploy builds: firmware/build/<board> in a source tree, else a temporary folder."""
    d = fwbuild.FIRMWARE_DIR / "build"
    try:
        d.mkdir(exist_ok=True)
        return d / board
    except OSError:
        return Path(tempfile.mkdtemp(prefix="classlab-fw-")) / board
