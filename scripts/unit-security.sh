#!/usr/bin/env bash
# Rates systemd/backtalkd.service with `systemd-analyze security --offline`
# and fails when its overall exposure is over the limit (default 2.0, as
# the project promises; lower is better, 10 is unsandboxed).
#
#   scripts/unit-security.sh [UNIT] [LIMIT]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
unit=${1:-$root/systemd/backtalkd.service}
limit=${2:-2.0}

if ! command -v systemd-analyze >/dev/null; then
	echo "unit-security: systemd-analyze is not installed (Debian: systemd)" >&2
	exit 1
fi
out=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1) || {
	printf '%s\n' "$out" >&2
	echo "unit-security: systemd-analyze failed on $unit" >&2
	exit 1
}
level=$(printf '%s\n' "$out" |
	sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
if [ -z "$level" ]; then
	printf '%s\n' "$out" >&2
	echo "unit-security: no overall exposure level in the output" >&2
	exit 1
fi
# The items that cost the most, for whoever has to bring it down.
printf '%s\n' "$out" | grep '^✗' | head -n 8 || true
echo "unit-security: $(basename "$unit"): exposure $level (limit $limit)"
awk -v l="$level" -v m="$limit" 'BEGIN { exit !(l <= m) }' || {
	echo "unit-security: over the limit" >&2
	exit 1
}
