#!/usr/bin/env bash
# Set up (if needed: Python packages, Debian's chromium and the npm test tools, Debian's
# redis-server and PostgreSQL) and run the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/setup-browser.sh
./scripts/setup-services.sh
# The scale-out tests start their own Redis and PostgreSQL: fail, never skip, if they cannot.
export SYNDIGEST_REQUIRE_SERVICES=1
exec .venv/bin/python -m pytest "$@"
