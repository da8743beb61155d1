#!/usr/bin/env bash
# Runs backtalk from a checkout: installs the packages, builds (Release)
# into build/, checks the shipped rules, then classifies each message typed
# at the terminal.  (Later: the daemon's console mode.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"${JOBS:-2}" --target backtalk
build/daemon/backtalk check --rules rules
echo "Type a message and press Enter; Ctrl-D to quit." >&2
exec build/daemon/backtalk classify --rules rules
