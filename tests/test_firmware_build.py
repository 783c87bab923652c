"""`classlab firmware build|deploy` and the firmware's static checks: every firmware file compiles
with mpy-cross 1.27 (and the compiled drivers pass their tests under real MicroPython), pyright with
the esp32 and rp2 stub sets reports zero errors, and deploy plans the right files and mpremote
commands. No board is attached here: a real deploy is NOT exercised; the command lines are."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from classlab.firmware.tools import build as fwbuild
from classlab.firmware.tools import deploy as fwdeploy
from classlab.firmware.tools import typecheck
from classlab.gateway import cli
from classlab.hardware import pinmap
from tests.conftest import ROOT

FIRMWARE = ROOT / "firmware"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> fwbuild.BuildResult:
    return fwbuild.build(tmp_path_factory.mktemp("fw") / "esp32", "esp32")


def test_board_sources_are_the_firmware_minus_host_only_files() -> None:
    src = fwbuild.board_sources()
    assert "frame.py" in src and "drivers/__init__.py" in src and "drivers/ds18b20.py" in src
    assert not [s for s in src if s.startswith(("tools/", "build/")) or "__pycache__" in s]
    assert "__init__.py" not in src and "site_config.py" not in src and "site_config_example.py" not in src
    on_disk = {p.relative_to(FIRMWARE).as_posix() for p in FIRMWARE.rglob("*.py")}
    assert set(src) <= on_disk
    # everything else on disk is excluded on purpose
    rest = {p for p in on_disk - set(src)
            if not p.startswith(("tools/", "build/")) and p not in ("__init__.py", "site_config.py",
                                                                    "site_config_example.py")}
    assert not rest


def test_every_firmware_file_compiles_with_mpy_cross(built: fwbuild.BuildResult) -> None:
    src = fwbuild.board_sources()
    want = {s if s in fwbuild.SOURCE_ONLY else s[:-3] + ".mpy" for s in src} | {"classlab_version.mpy"}
    assert set(built.files) == want
    for f in built.files:
        data = (built.out_dir / f).read_bytes()
        if f.endswith(".mpy"):
            assert data[0:2] == b"M\x06", f  # .mpy magic, format version 6 (MicroPython 1.20+)
    assert re.fullmatch(r"[0-9a-f]{12}", built.build_id)
    assert built.bytes_total == sum((built.out_dir / f).stat().st_size for f in built.files)


@pytest.mark.slow
@pytest.mark.parametrize("script", ["drivers_voltage.py", "drivers_motion.py"])
def test_compiled_drivers_pass_their_tests_under_micropython(micropython, built: fwbuild.BuildResult,
                                                             tmp_path: Path, script: str) -> None:
    """The .mpy bytecode from the build loads in MicroPython v1.27 and behaves like the source."""
    stage = tmp_path / "built"
    for f in built.files:
        dst = stage / (f[:-4] + ".bin" if f.endswith(".mpy") else f + ".src")
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built.out_dir / f, dst)
    out = micropython.run(ROOT / "tests/mpy/drivers_mpy.py", "/built", f"/mpy/{script}",
                          paths=("tests/mpy/fakes:/fakes", "tests/mpy:/mpy", f"{stage}:/built"))
    assert out.returncode == 0, out.stderr[-3000:]
    assert f"classlab_version {built.version} {built.build_id}" in out.stdout
    assert re.search(r"^ok \d+$", out.stdout, re.M), out.stdout


def test_main_py_is_checked_too(tmp_path: Path) -> None:
    fw = tmp_path / "firmware"
    fw.mkdir()
    (fw / "main.py").write_text("import app\napp.main(\n")
    with pytest.raises(fwbuild.BuildError, match="main.py"):
        fwbuild.build(tmp_path / "out", firmware_dir=fw)


def test_mpy_cross_error_names_the_file_and_line(tmp_path: Path) -> None:
    fw = tmp_path / "firmware"
    (fw / "drivers").mkdir(parents=True)
    (fw / "drivers" / "__init__.py").write_text("")
    (fw / "drivers" / "broken.py").write_text("x = 1\ndef f(:\n    pass\n")
    with pytest.raises(fwbuild.BuildError) as e:
        fwbuild.build(tmp_path / "out", firmware_dir=fw)
    msg = str(e.value)
    assert "drivers/broken.py" in msg and "line 2" in msg and "\n" not in msg


def test_cli_build_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["firmware", "build", "--board", "pico", "--out", str(tmp_path / "b"), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["out"] == str(tmp_path / "b") and "drivers/ina219.mpy" in info["files"]
    assert (tmp_path / "b" / "drivers" / "ina219.mpy").is_file()


# ---- type check -------------------------------------------------------------------------------

def test_pyright_with_both_stub_sets_reports_zero_errors(tmp_path: Path) -> None:
    results = typecheck.typecheck(config_dir=tmp_path)
    assert [r.port for r in results] == ["esp32", "rp2"]
    for r in results:
        assert r.files >= len(fwbuild.board_sources()), r
        assert r.errors == 0, f"{r.port}: " + "\n".join(r.diagnostics)


def test_typecheck_uses_each_ports_stubs_and_catches_errors(tmp_path: Path) -> None:
    """The check is not vacuous: MicroPython-only APIs pass (so the stubs replace CPython's
    typeshed), each port's own module resolves only with its stubs, and a wrong call is an error."""
    fw = tmp_path / "firmware"
    fw.mkdir()
    (fw / "good.py").write_text(
        "import time\nfrom micropython import const\nimport machine\n"
        "_N = const(3)\nt = time.ticks_diff(time.ticks_us(), 0)\nadc = machine.ADC(machine.Pin(26))\n"
        "v: int = adc.read_u16()\n")
    (fw / "bad.py").write_text("import machine\nmachine.Pin(4).no_such_method()\n")
    (fw / "esp_only.py").write_text("import esp32\nesp32.raw_temperature()\n")
    (fw / "rp2_only.py").write_text("import rp2\nrp2.bootsel_button()\n")
    res = {r.port: r for r in typecheck.typecheck(firmware_dir=fw, config_dir=tmp_path / "cfg")}
    for port, other in (("esp32", "rp2_only.py"), ("rp2", "esp_only.py")):
        files = sorted(Path(d.split(":")[0]).name for d in res[port].diagnostics)
        assert "good.py" not in files, res[port].diagnostics
        assert "bad.py" in files and other in files, res[port].diagnostics
        assert res[port].errors == len(res[port].diagnostics) == 2, res[port].diagnostics


# ---- deploy (planned; no board attached) -------------------------------------------------------

@pytest.fixture()
def site(tmp_path: Path) -> Path:
    p = tmp_path / "site_config.py"
    p.write_text('SITE = "school-a"\nBOARD = "lab1-01"\n')
    return p


@pytest.mark.parametrize("board", ["esp32", "pico", "pico_w"])
def test_deploy_plan_copies_build_board_config_and_site(board: str, site: Path, tmp_path: Path) -> None:
    mp = ["mpremote"]
    p = fwdeploy.plan(board, "/dev/ttyUSB7", None, site, tmp_path / "out", mpremote=mp)
    # board_config.json is exactly the pin map (validated) for this board type
    want = pinmap.to_board_config(pinmap.load(pinmap.find(fwdeploy.DEFAULT_PINMAP[board])))
    assert p.board_config == want and want["board"]["type"] == board
    assert json.loads((p.build.out_dir / "board_config.json").read_text()) == want
    for cmd in [*p.commands, p.verify, p.reset]:
        assert cmd[:3] == ["mpremote", "connect", "/dev/ttyUSB7"]
    copies = [c for c in p.commands if c[3:5] == ["fs", "cp"]]
    sent = {}
    for c in copies:
        for src in c[5:-1]:
            sent[Path(src)] = c[-1]
    files = {p.build.out_dir / f for f in p.build.files}
    assert {s for s in sent if s in files} == files  # every built file, exactly once
    for f in p.build.files:
        assert sent[p.build.out_dir / f] == (":drivers/" if f.startswith("drivers/") else ":")
    assert sent[p.build.out_dir / "board_config.json"] == ":board_config.json"
    assert sent[site] == ":site_config.py"
    assert len(sent) == len(files) + 2
    # stale .py files that would shadow the new .mpy are removed before copying
    stale = p.commands[1][-1]
    assert "'drivers/ds18b20.py'" in stale and "'frame.py'" in stale
    assert p.verify[3] == "exec" and "classlab_version" in p.verify[4] and p.reset[3:] == ["reset"]


def test_deploy_run_verifies_the_version_read_back(site: Path, tmp_path: Path) -> None:
    p = fwdeploy.plan("esp32", "/dev/ttyUSB0", None, site, tmp_path / "out", mpremote=["mpremote"])
    ran: list[list[str]] = []

    def board(reply: str):
        def runner(cmd: list[str]):
            import subprocess

            ran.append(cmd)
            out = reply if cmd == p.verify else ""
            return subprocess.CompletedProcess(cmd, 0, out, "")
        return runner

    good = f"classlab_version {p.build.version} {p.build.build_id}\n"
    assert fwdeploy.run(p, board(good)) == good.strip()
    assert ran == [*p.commands, p.verify, p.reset]
    ran.clear()
    with pytest.raises(fwdeploy.DeployError, match="verify failed"):
        fwdeploy.run(p, board("classlab_version 0.0.9 000000000000\n"))
    assert p.reset not in ran  # a failed verify does not start the old firmware


def _one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str], code: int) -> str:
    assert cli.main(argv) == code
    err = capsys.readouterr().err.strip()
    assert err.startswith("classlab firmware: error: ") and "\n" not in err, err
    return err


def test_deploy_errors_are_one_clear_line(capsys: pytest.CaptureFixture[str], site: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    assert "--port" in _one_line_error(capsys, ["firmware", "deploy", "--board", "esp32"], 2)
    assert "esp32, pico or pico_w" in _one_line_error(
        capsys, ["firmware", "deploy", "--board", "esp8266", "--port", "/dev/ttyUSB0"], 2)
    err = _one_line_error(capsys, ["firmware", "deploy", "--board", "pico", "--port", "/dev/ttyACM0",
                                   "--pinmap", "esp32-station", "--site-config", str(site)], 1)
    assert "is for a esp32 board, not pico" in err
    err = _one_line_error(capsys, ["firmware", "deploy", "--board", "esp32", "--port", "/dev/ttyUSB0",
                                   "--site-config", str(site.parent / "nope.py")], 1)
    assert "site_config_example.py" in err
    monkeypatch.setattr(fwdeploy.shutil, "which", lambda name: None)
    monkeypatch.setitem(__import__("sys").modules, "mpremote", None)  # import mpremote -> ImportError
    err = _one_line_error(capsys, ["firmware", "deploy", "--board", "esp32", "--port", "/dev/ttyUSB0",
                                   "--site-config", str(site)], 1)
    assert "mpremote not found" in err and "pip install" in err


def test_deploy_dry_run_json(capsys: pytest.CaptureFixture[str], site: Path) -> None:
    assert cli.main(["firmware", "deploy", "--board", "pico_w", "--port", "/dev/ttyACM1", "--dry-run", "--json",
                     "--site-config", str(site)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["board_id"] == "picow-station" and info["port"] == "/dev/ttyACM1"
    assert "drivers/photogate.mpy" in info["files"] and info["commands"][-1][-1] == "reset"


def _mpremote_parse(argv: list[str]) -> list[tuple[str, object]]:
    """Parse an mpremote command line with mpremote's own command table (nothing is run)."""
    import argparse

    from mpremote import main as mpm

    mpm.prepare_command_expansions(mpm.load_user_config())
    rest, out = list(argv), []
    while rest:
        mpm.do_command_expansion(rest)
        cmd = rest.pop(0)
        _handler, parser_func = mpm._COMMANDS[cmd]
        parser = parser_func()
        parser.add_argument("next_command", nargs=argparse.REMAINDER)
        args = parser.parse_args(rest)
        out.append((cmd, args))
        rest = args.next_command
    return out


def test_planned_commands_parse_with_the_installed_mpremote(site: Path, tmp_path: Path) -> None:
    p = fwdeploy.plan("esp32", "/dev/ttyUSB0", None, site, tmp_path / "out", mpremote=["mpremote"])
    for cmd in [*p.commands, p.verify, p.reset]:
        parsed = _mpremote_parse(cmd[1:])
        assert parsed[0][0] == "connect" and parsed[0][1].device == ["/dev/ttyUSB0"]
        assert len(parsed) == 2, parsed
        name, args = parsed[1]
        if cmd[3] == "fs":
            assert name == "fs" and args.command == ["cp"] and args.path == cmd[5:]
        else:
            assert name == "exec" and len(args.expr) == 1
            compile(args.expr[0], "<board>", "exec")  # the board-side snippet is valid Python
