"""Type-check ``firmware/`` with pyright against the MicroPython 1.27 stubs of each port.

The board stubs (``micropython-esp32-stubs``, ``micropython-rp2-stubs``) overlap and replace the
standard library's stubs, so each is installed with ``micropython-stdlib-stubs`` into its own folder
(``.tools/stubs-esp32``, ``.tools/stubs-rp2``) with ``pip install --target``, and pyright runs once
per port with a generated config whose ``typeshedPath`` points there.

    python -m classlab.firmware.tools.typecheck [--port esp32|rp2]... [--json]

Exit status 0 when every port reports zero errors. Host-only (CPython); not copied to boards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

FIRMWARE_DIR = Path(__file__).resolve().parents[1]
TOOLS_DIR = FIRMWARE_DIR.parent / ".tools"
STDLIB_STUBS = "micropython-stdlib-stubs>=1.27.0,<1.28"
PORT_STUBS = {
    "esp32": "micropython-esp32-stubs==1.27.0.post1",
    "rp2": "micropython-rp2-stubs==1.27.0.post1",
}


class TypecheckError(Exception):
    """Stubs or pyright could not be installed / run."""


@dataclass
class PortResult:
    port: str
    errors: int
    warnings: int
    files: int
    diagnostics: list[str] = field(default_factory=list)  # "path:line:col: message (rule)"


def install_stubs(port: str, tools_dir: Path = TOOLS_DIR) -> Path:
    """Install the port's stubs + MicroPython stdlib stubs into tools_dir/stubs-<port> (once)."""
    target = tools_dir / f"stubs-{port}"
    reqs = [PORT_STUBS[port], STDLIB_STUBS]
    stamp = target / ".classlab-stubs"
    if stamp.is_file() and stamp.read_text() == "\n".join(reqs):
        return target
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade",
           "--no-compile", "--target", str(target), *reqs]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        last = (out.stderr.strip() or out.stdout.strip()).splitlines()[-1:]
        raise TypecheckError(f"cannot install {' '.join(reqs)}: {last[0] if last else out.returncode}")
    stamp.write_text("\n".join(reqs))
    return target


def write_config(port: str, stubs: Path, firmware_dir: Path, config_dir: Path) -> Path:
    """pyrightconfig for one port: firmware sources (flat board imports resolve via extraPaths)."""
    config_dir.mkdir(parents=True, exist_ok=True)
    rel = os.path.relpath(firmware_dir, config_dir)
    cfg = {
        "include": [rel],
        "exclude": [f"{rel}/tools", f"{rel}/build", "**/__pycache__"],
        "extraPaths": [rel],
        "typeshedPath": str(stubs),
        "stubPath": str(stubs),
        "pythonVersion": "3.11",
        "pythonPlatform": "Linux",
        "typeCheckingMode": "basic",
        # the stubs describe C modules: there is no source to find for them
        "reportMissingModuleSource": "none",
    }
    path = config_dir / f"pyrightconfig-{port}.json"
    path.write_text(json.dumps(cfg, indent=1))
    return path


def run_pyright(config: Path, port: str) -> PortResult:
    cmd = [sys.executable, "-m", "pyright", "--outputjson", "-p", str(config)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)
    try:
        data = json.loads(out.stdout)
    except json.JSONDecodeError:
        raise TypecheckError(f"pyright did not run: {(out.stderr or out.stdout).strip()[:300]}") from None
    diags = []
    for d in data.get("generalDiagnostics", []):
        if d.get("severity") != "error":
            continue
        start = d.get("range", {}).get("start", {})
        rule = f" ({d['rule']})" if d.get("rule") else ""
        msg = d.get("message", "").splitlines()[0]
        diags.append(f"{d.get('file')}:{start.get('line', 0) + 1}:{start.get('character', 0) + 1}: {msg}{rule}")
    s = data.get("summary", {})
    return PortResult(port, int(s.get("errorCount", len(diags))), int(s.get("warningCount", 0)),
                      int(s.get("filesAnalyzed", 0)), diags)


def typecheck(ports: list[str] | None = None, firmware_dir: Path = FIRMWARE_DIR,
              tools_dir: Path = TOOLS_DIR, config_dir: Path | None = None) -> list[PortResult]:
    """Run pyright over firmware_dir once per port; returns one result per port."""
    results = []
    for port in ports or list(PORT_STUBS):
        if port not in PORT_STUBS:
            raise TypecheckError(f"unknown port {port!r}; choose from {', '.join(PORT_STUBS)}")
        stubs = install_stubs(port, tools_dir)
        cfg = write_config(port, stubs, firmware_dir, config_dir or tools_dir)
        results.append(run_pyright(cfg, port))
    return results


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m classlab.firmware.tools.typecheck", description=__doc__)
    p.add_argument("--port", action="append", choices=sorted(PORT_STUBS))
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    try:
        results = typecheck(a.port)
    except TypecheckError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if a.json:
        print(json.dumps([r.__dict__ for r in results]))
    else:
        for r in results:
            print(f"{r.port}: {r.errors} errors, {r.warnings} warnings in {r.files} files")
            for d in r.diagnostics:
                print("  " + d)
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
