#!/usr/bin/env bash
# The grandstrategy command line from this checkout, without activating anything:
#   ./gs --help      ./gs strategy lint      ./gs --as anna horizon search drones
# The first use creates the environment (as ./run does); afterwards it starts at once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -x "$here/.venv/bin/grandstrategy" ]; then
  echo "creating the environment in .venv (first use only)..." >&2
  PY=${PYTHON:-python3}
  "$PY" -m venv "$here/.venv"
  "$here/.venv/bin/pip" install --quiet --upgrade pip >&2
  "$here/.venv/bin/pip" install --quiet -e "$here[embed,search]" >&2 || "$here/.venv/bin/pip" install --quiet -e "$here" >&2
  touch "$here/.venv/.installed"
fi
exec "$here/.venv/bin/grandstrategy" "$@"
