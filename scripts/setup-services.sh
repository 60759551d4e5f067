#!/usr/bin/env bash
# Install Debian's PostgreSQL, Redis and nginx for `bot run --production` and the production
# tests (tests/production), once. Idempotent: does nothing when all three are there. Needs root
# (or sudo) for apt-get; CI runs as root. The project never uses the system-wide services these
# packages may start: it runs its own PostgreSQL and Redis under var/services (bot/runtime/services.py)
# and nginx with its own configuration, so the packages' services are left as they are.
set -euo pipefail

have_postgres() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null; }
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }

missing=()
have_postgres || missing+=(postgresql)
have redis-server || missing+=(redis-server)
have nginx || missing+=(nginx-light)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "Error: ${missing[*]} missing and installing needs root: run 'apt-get install -y ${missing[*]}' as root." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Error: ${missing[*]} missing and this system has no apt-get. Install PostgreSQL (initdb and pg_ctl under" \
       "/usr/lib/postgresql/<version>/bin, or set DASG_POSTGRES_LIB), redis-server and nginx yourself." >&2
  exit 1
fi

echo "Installing Debian's ${missing[*]} for the production topology (first time only)..."
started=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
# Without systemd (containers, CI) the packages' scripts cannot start their services; policy-rc.d
# tells them not to try, so the install does not fail. The project starts its own instances.
policy=/usr/sbin/policy-rc.d
added_policy=no
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
  "${SUDO[@]}" chmod 0755 "$policy"
  added_policy=yes
fi
cleanup() { if [ "$added_policy" = yes ]; then "${SUDO[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if ! have_postgres || ! have redis-server || ! have nginx; then
  echo "Error: apt-get finished but initdb/pg_ctl, redis-server or nginx is still missing." >&2
  exit 1
fi
echo "Installed ${missing[*]} in $(( $(date +%s) - started )) s."
