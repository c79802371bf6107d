#!/usr/bin/env bash
# Set up (if needed: Python packages, Debian's chromium and the npm test tools) and run the
# whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/setup-browser.sh
exec .venv/bin/python -m pytest "$@"
