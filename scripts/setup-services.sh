#!/usr/bin/env bash
# Install the servers the scale-out tests start for themselves (tests/services.py), quietly and
# only when missing (idempotent): Debian's redis-server and PostgreSQL server binaries. Nothing
# is configured here: the tests run their own throwaway servers on loopback.
set -euo pipefail

packages=()
if ! command -v redis-server >/dev/null 2>&1; then
  packages+=(redis-server)
fi
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  packages+=(postgresql)
fi
if [ "${#packages[@]}" -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
