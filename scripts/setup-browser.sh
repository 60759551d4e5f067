#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (tests/web), once. Idempotent: does
# nothing when it is already there. Needs root (or sudo) for apt-get; CI runs as root.
# Playwright drives this system browser; no browser is downloaded by Playwright.
set -euo pipefail

CHROMIUM=${DASG_CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "Error: $CHROMIUM is missing and installing it needs root: run 'apt-get install -y chromium' as root." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Error: $CHROMIUM is missing and this system has no apt-get. Install Chromium and set DASG_CHROMIUM=/path/to/chromium." >&2
  exit 1
fi

echo "Installing Debian's chromium for the browser tests (first time only)..."
started=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "Installed $("$CHROMIUM" --version 2>/dev/null || echo chromium) in $(( $(date +%s) - started )) s."
