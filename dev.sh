#!/usr/bin/env bash
# One entry point for a fresh machine that has Python 3.12+:
#   ./dev.sh serve   set everything up and run the site on http://127.0.0.1:8000
#   ./dev.sh test    set everything up and run the whole test suite (lint, migrations, pytest)
set -euo pipefail
cd "$(dirname "$0")"

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3 python; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

setup() {
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then
    local python
    if ! python=$(find_python); then
      echo "error: Python 3.12 or newer is required and was not found." >&2
      echo "Install it (e.g. 'apt-get install python3.12 python3.12-venv', 'brew install python@3.12'," >&2
      echo "or 'pyenv install 3.12'), or set PYTHON=/path/to/python3.12, then run this again." >&2
      exit 1
    fi
    echo "==> creating .venv with $($python --version)"
    rm -rf .venv
    "$python" -m venv .venv
  fi
  local stamp=.venv/.requirements.sha256
  local want
  want=$(sha256sum requirements.txt | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "==> installing requirements"
    .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
    .venv/bin/python -m pip install --quiet -r requirements.txt
    echo "$want" > "$stamp"
  fi
}

case "${1:-}" in
  serve)
    setup
    export DEBUG="${DEBUG:-1}"
    .venv/bin/python manage.py migrate --noinput
    if .venv/bin/python manage.py help seed_curriculum >/dev/null 2>&1; then
      .venv/bin/python manage.py seed_curriculum
    fi
    # Background work (paper-trading sessions) runs in a worker, never in a request.
    .venv/bin/python manage.py db_worker &
    worker=$!
    trap 'kill "$worker" 2>/dev/null' EXIT
    echo "==> serving on http://127.0.0.1:8000 (Ctrl+C to stop)"
    .venv/bin/python manage.py runserver 127.0.0.1:8000
    ;;
  test)
    setup
    echo "==> ruff"
    .venv/bin/ruff check .
    .venv/bin/ruff format --check .
    echo "==> import layers (.importlinter)"
    .venv/bin/lint-imports
    echo "==> types (mypy.ini)"
    .venv/bin/mypy
    echo "==> migrations are up to date"
    DJANGO_SETTINGS_MODULE=curriculum_site.settings_test .venv/bin/python manage.py makemigrations --check --dry-run
    echo "==> pytest"
    shift
    exec .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "usage: ./dev.sh serve | ./dev.sh test [pytest arguments]" >&2
    exit 2
    ;;
esac
