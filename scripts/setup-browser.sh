#!/usr/bin/env bash
# Install what the browser tests need, quietly and only when missing (idempotent):
#   - Debian's chromium at /usr/bin/chromium (Playwright drives it; its own browser download
#     does not work offline)
#   - axe-core from npm (node_modules/axe-core/axe.min.js), pinned by package-lock.json
# Python's playwright comes with the other test dependencies (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

# npm ci wipes and reinstalls node_modules: only run it when the lock changed since the last one.
if [ ! -f node_modules/axe-core/axe.min.js ] \
  || [ ! -f node_modules/.package-lock.json ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --silent --no-audit --no-fund >/dev/null
fi
