"""`classlab hardware check|diagram` and `classlab calibrate` / 硬件检查、接线图与校准命令."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from classlab.gateway.cli import CommandError, UsageError
from classlab.hardware import pinmap


def add_parser(sub: argparse._SubParsersAction) -> None:
    hw = sub.add_parser("hardware", help="检查引脚表、生成接线图 / check pin maps, draw wiring diagrams")
    hw_sub = hw.add_subparsers(dest="hardware_command", metavar="ACTION")
    hw_sub.required = True

    chk = hw_sub.add_parser("check", help="检查引脚表的电气规则 / check pin maps against the electrical rules")
    chk.add_argument("pinmaps", nargs="*", metavar="PINMAP",
                     help="pin map TOML files or shipped board ids (default: every shipped pin map)")
    chk.add_argument("--json", action="store_true", help="machine-readable output / 输出 JSON")
    chk.set_defaults(func=_check)

    dia = hw_sub.add_parser("diagram", help="由引脚表生成接线图 / draw a wiring diagram from a pin map")
    dia.add_argument("pinmap", metavar="PINMAP", help="pin map TOML file or shipped board id")
    dia.add_argument("-o", "--output", required=True, type=Path, help="output file, .svg or .png")
    dia.set_defaults(func=_diagram)

    from classlab.hardware.calibrate import add_calibrate_parser

    add_calibrate_parser(sub)


def _paths(names: list[str]) -> list[Path]:
    if not names:
        return pinmap.shipped()
    try:
        return [pinmap.find(n) for n in names]
    except pinmap.PinMapError as exc:
        raise UsageError(str(exc)) from None


def _check(args: argparse.Namespace) -> int:
    from classlab.hardware.check import check_file

    reports = [check_file(p) for p in _paths(args.pinmaps)]
    ok = all(r.ok for r in reports)
    if args.json:
        json.dump({"ok": ok, "files": [r.to_dict() for r in reports]}, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0 if ok else 1
    for r in reports:
        if r.parse_error is not None:
            print(f"FAIL {r.path}\n  error [parse] {r.parse_error}")
            continue
        errors = sum(f.severity == "error" for f in r.findings)
        warnings = len(r.findings) - errors
        print(f"{'OK  ' if r.ok else 'FAIL'} {r.path} ({errors} error(s), {warnings} warning(s) / "
              f"{errors} 个错误，{warnings} 个警告)")
        for f in r.findings:
            print(f"  {f}")
    return 0 if ok else 1


def _diagram(args: argparse.Namespace) -> int:
    from classlab.hardware.diagram import draw

    try:
        pm = pinmap.load(pinmap.find(args.pinmap))
    except pinmap.PinMapError as exc:
        raise UsageError(str(exc)) from None
    if args.output.suffix.lower() not in (".svg", ".png"):
        raise UsageError(f"output must end in .svg or .png, got {args.output.name!r} / 输出文件须为 .svg 或 .png")
    try:
        draw(pm, args.output)
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror} / 无法写入") from None
    print(args.output)
    return 0
