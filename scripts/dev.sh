#!/usr/bin/env bash
# Sets up .venv if needed and runs the hub with demo data on the embedded defaults (SQLite hub.db).
# Extra arguments go to `hub serve` (for example --port 8001).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'

exec .venv/bin/hub serve --demo "$@"
