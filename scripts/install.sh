#!/usr/bin/env bash
# Install the project into .venv: `scripts/install.sh .` (what `make run` needs) or
# `scripts/install.sh ".[dev]"` (tests too). uv when it is on PATH or can be bootstrapped into
# the venv with pip (seconds instead of minutes: parallel downloads, a shared wheel cache);
# plain pip otherwise, or when NO_UV=1.
set -euo pipefail
cd "$(dirname "$0")/.."
SPEC="${1:-.}"
PYTHON="${PYTHON:-python3}"
VENV=.venv
PY="$VENV/bin/python"

uv_bin=""
if [ -z "${NO_UV:-}" ]; then
  uv_bin="$(command -v uv || true)"
  [ -z "$uv_bin" ] && [ -x "$VENV/bin/uv" ] && uv_bin="$VENV/bin/uv"
fi

if [ ! -x "$PY" ]; then
  if [ -n "$uv_bin" ]; then
    "$uv_bin" venv --quiet --seed --python "$(command -v "$PYTHON")" "$VENV"
  else
    "$PYTHON" -m venv "$VENV"
  fi
fi

if [ -z "$uv_bin" ] && [ -z "${NO_UV:-}" ]; then
  # Bootstrap: uv is one wheel; if the index can't serve it, pip does the whole install.
  if "$PY" -m pip install --quiet --disable-pip-version-check uv >/dev/null 2>&1; then
    uv_bin="$VENV/bin/uv"
  fi
fi

if [ -n "$uv_bin" ]; then
  echo "[install] $SPEC with uv" >&2
  "$uv_bin" pip install --quiet --python "$PY" -e "$SPEC"
else
  echo "[install] $SPEC with pip (uv not available)" >&2
  "$PY" -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
  "$PY" -m pip install --quiet --disable-pip-version-check -e "$SPEC"
fi
