#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the project, skipping the install when
# nothing it depends on has changed, then install and build the web widget (web/dist).
# Used by `make setup`, `make run` and `make test`.
#   --browser   also install Debian's chromium for the browser tests (scripts/setup-browser.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

with_browser=false
for arg in "$@"; do
  case "$arg" in
    --browser) with_browser=true ;;
    *) echo "Usage: scripts/setup.sh [--browser]" >&2; exit 2 ;;
  esac
done

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.10; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    local version
    version=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10\.[0-9]+$' | sort -V | tail -n 1 || true)
    if [ -n "$version" ]; then
      echo "$(pyenv root)/versions/$version/bin/python3.10"; return 0
    fi
  fi
  return 1
}

if [ ! -x .venv/bin/python ]; then
  if ! PY=$(find_python); then
    cat >&2 <<'MSG'
Error: Python 3.10 was not found. Rasa 3.6 needs Python 3.8-3.10; this project uses 3.10.
Install it, then run this command again, for example:
  - with pyenv:   pyenv install 3.10.13
  - on Debian/Ubuntu (deadsnakes PPA): sudo apt-get install python3.10 python3.10-venv
Or point to an interpreter: PYTHON=/path/to/python3.10 make run
MSG
    exit 1
  fi
  echo "Creating .venv with $PY"
  "$PY" -m venv .venv
fi

stamp=.venv/.installed
want=$(cat pyproject.toml constraints.txt requirements-nodeps.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing the project and its dependencies into .venv (first time: a few minutes)..."
  .venv/bin/python -m pip install --quiet --upgrade "pip<25"
  .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[test]"
  .venv/bin/python -m pip install --quiet --no-deps -r requirements-nodeps.txt
  echo "$want" > "$stamp"
fi

# The web widget: its npm packages exactly as locked, then the build into web/dist (~0.1 s).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  cat >&2 <<'MSG'
Error: Node.js (18 or later) with npm is needed to build the web chat widget.
Install it (for example `apt-get install nodejs npm`, or from https://nodejs.org), then run this again.
MSG
  exit 1
fi
web_stamp=web/node_modules/.installed
web_want=$(sha256sum web/package-lock.json | cut -c1-16)
if [ ! -f "$web_stamp" ] || [ "$(cat "$web_stamp")" != "$web_want" ]; then
  echo "Installing the web widget's packages (npm ci)..."
  (cd web && npm ci --include=dev --no-audit --no-fund --loglevel=error)
  echo "$web_want" > "$web_stamp"
fi
node web/build.mjs >/dev/null

if $with_browser; then
  bash scripts/setup-browser.sh
fi
