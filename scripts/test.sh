#!/usr/bin/env bash
# The one test command (README, CI): installs what is missing, then runs every test.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k protocol`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "[test] ruff"
ruff check .
echo "[test] mypy"
mypy .
echo "[test] pytest"
python -m pytest -p no:cacheprovider "$@"
