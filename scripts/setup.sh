#!/usr/bin/env bash
# Install everything classlab needs on a fresh Debian machine, idempotently:
#   - Debian packages (servers the tests talk to, fonts for Chinese plot labels),
#   - the npm MicroPython runtime into .tools/,
#   - a virtual environment .venv with classlab and its test/firmware extras.
# usage: bash scripts/setup.sh [--runtime-only]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export DEBIAN_FRONTEND=noninteractive

runtime_only=0
[[ "${1:-}" == "--runtime-only" ]] && runtime_only=1

need_apt=()
have() { command -v "$1" >/dev/null 2>&1; }
if [[ $runtime_only == 0 ]]; then
  have mosquitto || [[ -x /usr/sbin/mosquitto ]] || need_apt+=(mosquitto)
  have influxd || need_apt+=(influxdb)
  have victoria-metrics || [[ -x /usr/bin/victoria-metrics ]] || need_apt+=(victoria-metrics)
  have chromium || need_apt+=(chromium)
  have node || need_apt+=(nodejs npm)
fi
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need_apt+=(fonts-noto-cjk)
if (( ${#need_apt[@]} )); then
  SUDO=""; [[ $(id -u) != 0 ]] && SUDO="sudo"
  echo "[setup] apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  # Debian starts these as system services on install; the tests run their own on loopback ports.
  for svc in mosquitto influxdb victoria-metrics; do
    $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
  done
fi

PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  echo "[setup] creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.classlab-installed-full
[[ $runtime_only == 1 ]] && stamp=.venv/.classlab-installed-runtime
[[ $runtime_only == 1 && -f .venv/.classlab-installed-full ]] && stamp=.venv/.classlab-installed-full
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
  echo "[setup] pip install -e .[test,firmware]"
  .venv/bin/python -m pip install -q --upgrade pip
  if [[ $runtime_only == 1 ]]; then
    .venv/bin/python -m pip install -q -e .
  else
    .venv/bin/python -m pip install -q -e ".[test,firmware]"
  fi
  touch "$stamp"
fi

if [[ $runtime_only == 0 ]]; then
  mpy=.tools/node_modules/@micropython/micropython-webassembly-pyscript/micropython.mjs
  if [[ ! -f $mpy || .tools/package.json -nt $mpy ]]; then
    echo "[setup] npm install (MicroPython v1.27 WebAssembly runtime)"
    (cd .tools && npm install --no-fund --no-audit --loglevel=error >/dev/null)
  fi
fi
echo "[setup] ready in $ROOT"
