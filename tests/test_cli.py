"""The `classlab` command as a whole: help lists every subcommand; piping into `head` is not an error."""

import subprocess
import sys

from tests.conftest import ROOT

CLASSLAB = [sys.executable, "-c", "import sys; from classlab.gateway.cli import main; sys.exit(main())"]


def test_help_lists_the_design_commands() -> None:
    out = subprocess.run([*CLASSLAB, "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0
    for cmd in ("demo", "gateway", "simulate", "experiments", "analyze", "hardware", "calibrate", "firmware"):
        assert f"    {cmd}" in out.stdout, cmd


def test_unknown_command_is_one_clear_line() -> None:
    out = subprocess.run([*CLASSLAB, "frobnicate"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2
    assert "invalid choice: 'frobnicate'" in out.stderr and "Traceback" not in out.stderr


def test_output_piped_into_a_reader_that_leaves_early() -> None:
    proc = subprocess.Popen([*CLASSLAB, "experiments", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=ROOT)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0
    assert first.startswith(b"PHY-J-01")
    assert "Traceback" not in err and "BrokenPipe" not in err
