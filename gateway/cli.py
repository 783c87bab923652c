"""`classlab` command line: one subcommand table, each subcommand defined in its own module.

Each module in COMMANDS has ``add_parser(subparsers) -> None`` that registers its parser(s) and sets
``func`` (called with the parsed args, returns the exit code). Errors are one clear line on stderr
and a non-zero exit: raise ``UsageError`` (exit 2) or ``CommandError`` (exit 1).
"""

from __future__ import annotations

import argparse
import importlib
import sys

# module that defines the subcommand(s); kept in the order `classlab --help` shows them
COMMANDS: list[str] = [
    # one line per module that defines subcommands, e.g. "classlab.gateway.commands",
    "classlab.gateway.commands",  # demo, gateway, simulate
    "classlab.experiments.commands",  # experiments list|show, analyze
    "classlab.hardware.commands",  # hardware check|diagram, calibrate
    "classlab.firmware.tools.commands",  # firmware build|deploy
]


class CommandError(Exception):
    """A command failed for a reason the user can fix; the message says what and how."""


class UsageError(CommandError):
    """Wrong arguments or config."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="classlab",
        description="classlab — 课堂实验传感器套件与数据采集 / classroom sensor kit and data logger",
    )
    parser.add_argument("--version", action="version", version=f"classlab {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(name).add_parser(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("classlab")
    except PackageNotFoundError:
        return "0+unknown"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"classlab {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except CommandError as exc:
        print(f"classlab {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `classlab experiments list | head`: the reader left; not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
