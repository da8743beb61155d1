#!/usr/bin/env bash
# The README's run command: installs the packages, builds (Release) into
# build/, checks the demo configuration and the shipped rules, then runs
# backtalkd on the console gateway.  Type a message and press Enter to see
# the reply; "+15551234567: text" sends from another number; Ctrl-D quits.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/deps.sh
# The tests need packages the demo does not (scripts/test.sh installs them).
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBACKTALK_TESTS=OFF >/dev/null
cmake --build build -j"${JOBS:-2}" --target backtalk backtalkd
build/daemon/backtalk check --rules rules
build/daemon/backtalkd --check-config -c config/demo.conf
echo "Type a message and press Enter (\"+15551234567: text\" to send from" \
	"another number); Ctrl-D to quit." >&2
exec build/daemon/backtalkd -c config/demo.conf
