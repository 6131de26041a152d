#!/usr/bin/env bash
# The one test command: sets up .venv if needed, then ruff, ruff format, mypy and pytest.
# Every database test runs on SQLite and on PostgreSQL at 127.0.0.1:5432 (started here if down).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'

if ! pg_isready -q -h 127.0.0.1; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | tail -n 1)" main start
  for _ in $(seq 30); do
    pg_isready -q -h 127.0.0.1 && break
    sleep 1
  done
  pg_isready -h 127.0.0.1
fi

echo "== ruff check"
.venv/bin/ruff check .
echo "== ruff format --check"
.venv/bin/ruff format --check .
echo "== mypy hub"
.venv/bin/mypy hub
echo "== pytest"
.venv/bin/pytest tests "$@"
