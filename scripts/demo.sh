#!/usr/bin/env bash
# The one demo command (README): installs classlab into .venv and runs `classlab demo`.
# Extra arguments go to `classlab demo`, e.g. `bash scripts/demo.sh --port 8080 --no-browser`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --runtime-only
exec .venv/bin/classlab demo "$@"
