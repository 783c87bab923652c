"""`classlab firmware build|deploy` / 固件编译与烧录.

    classlab firmware build [--board esp32|pico|pico_w] [--out DIR] [--json]
    classlab firmware deploy --board esp32|pico|pico_w --port P [--pinmap NAME|PATH]
                             [--site-config PATH] [--dry-run] [--json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from classlab.gateway.cli import CommandError, UsageError

from . import build as fwbuild
from . import deploy as fwdeploy


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("firmware", help="build / deploy the board firmware (编译 / 烧录固件)",
                       description="MicroPython firmware for ESP32 / Pico: build with mpy-cross, deploy with "
                                   "mpremote / 用 mpy-cross 编译、用 mpremote 烧录")
    fsub = p.add_subparsers(dest="firmware_command", metavar="ACTION")
    fsub.required = True

    b = fsub.add_parser("build", help="compile firmware/ to .mpy (mpy-cross 1.27) / 编译为 .mpy")
    b.add_argument("--board", choices=fwdeploy.BOARDS, help="target board (sets -march; optional)")
    b.add_argument("--out", type=Path, help="output folder (default firmware/build/<board>)")
    b.add_argument("--json", action="store_true", help="print the result as JSON")
    b.set_defaults(func=_build)

    d = fsub.add_parser("deploy", help="copy firmware + config to a board and verify / 写入开发板并校验")
    d.add_argument("--board", help="esp32, pico or pico_w")
    d.add_argument("--port", help="serial port, e.g. /dev/ttyUSB0 or COM3 (`mpremote connect list`)")
    d.add_argument("--pinmap", help="pin map name or TOML path (default: the shipped one for the board)")
    d.add_argument("--site-config", type=Path, help="site config (default firmware/site_config.py)")
    d.add_argument("--dry-run", action="store_true", help="show the files and mpremote commands, do nothing")
    d.add_argument("--json", action="store_true", help="print the plan / result as JSON")
    d.set_defaults(func=_deploy)


def _build(args: argparse.Namespace) -> int:
    try:
        r = fwbuild.build(args.out, args.board)
    except fwbuild.BuildError as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        print(json.dumps({"out": str(r.out_dir), "files": r.files, "bytes": r.bytes_total,
                          "version": r.version, "build": r.build_id}))
    else:
        print(f"built {len(r.files)} files ({r.bytes_total} bytes) into {r.out_dir} "
              f"— version {r.version}, build {r.build_id} / 编译完成")
    return 0


def _deploy(args: argparse.Namespace) -> int:
    try:
        board = fwdeploy.check_board(args.board)
        fwdeploy.check_port(args.port)
    except fwdeploy.DeployError as exc:
        raise UsageError(str(exc)) from None
    try:
        p = fwdeploy.plan(board, args.port, args.pinmap, args.site_config, fwdeploy.default_out(board))
        if args.dry_run:
            info = fwdeploy.describe(p)
            if args.json:
                print(json.dumps(info, ensure_ascii=False))
            else:
                print(f"would deploy build {info['build']} ({len(info['files'])} files) to {board} on {p.port} "
                      f"with pin map {p.pinmap.name}:")
                for cmd in info["commands"]:
                    print("  " + " ".join(c if " " not in c and "\n" not in c else repr(c) for c in cmd))
            return 0
        got = fwdeploy.run(p)
    except fwdeploy.DeployError as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        print(json.dumps({"board": board, "port": p.port, "verified": got}))
    else:
        print(f"deployed to {p.port}: {got} / 写入并校验成功")
    return 0
