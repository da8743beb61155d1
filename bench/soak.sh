#!/usr/bin/env bash
# bench/soak.sh: backtalkd's resident memory over 200,000 messages (8 waves
# of 25,000) against tests/fakegw on 127.0.0.1; see bench/soak.py.  Builds
# a release tree in SOAK_BUILD_DIR (default /tmp/backtalk-soak) first.
# WAVES, WAVE_SIZE, WARMUP_WAVES, IDLE_S and FLAT_KB override the numbers.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SOAK_BUILD_DIR:-/tmp/backtalk-soak}
if [ ! -f "$build/CMakeCache.txt" ]; then
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" -j2 --target backtalkd backtalk fakegw >/dev/null
exec python3 "$root/bench/soak.py" "$build" "$root"
