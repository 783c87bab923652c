"""Shared fixtures. Real servers are started by the fixtures in tests/servers.py (one module per kind)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VECTORS = ROOT / "tests" / "vectors"
MPY_RUNNER = ROOT / "scripts" / "mpy_run.mjs"
MPY_PACKAGE = ROOT / ".tools" / "node_modules" / "@micropython" / "micropython-webassembly-pyscript"


class MicroPython:
    """Runs a script under real MicroPython v1.27 (WebAssembly port under Node)."""

    def run(self, script: Path, *args: str, paths: tuple[str, ...] = (), heap: int = 1 << 20,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
        cmd = ["node", str(MPY_RUNNER), "--heap", str(heap)]
        for p in paths:
            cmd += ["--path", p]
        cmd += [str(script), *args]
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing a test runs (demo journals, calibrations) writes into the user's real data directory."""
    monkeypatch.setenv("CLASSLAB_DATA_DIR", str(tmp_path_factory.mktemp("data")))


@pytest.fixture(scope="session")
def micropython() -> MicroPython:
    if shutil.which("node") is None or not MPY_PACKAGE.exists():
        pytest.fail("MicroPython runtime missing: run `bash scripts/test.sh` (it installs Node's "
                    "@micropython/micropython-webassembly-pyscript into .tools/)")
    return MicroPython()


@pytest.fixture(scope="session")
def vectors() -> dict:
    return json.loads((VECTORS / "vectors.json").read_text())


@pytest.fixture(scope="session")
def invalid_vectors() -> list[dict]:
    return json.loads((VECTORS / "invalid.json").read_text())
