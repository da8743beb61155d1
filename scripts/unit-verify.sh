#!/usr/bin/env bash
# Checks the units in systemd/ with `systemd-analyze verify` in a scratch
# root that holds the build's backtalkd at /usr/sbin, systemd's own units
# and /bin/kill (the units' ExecStart, ExecReload and dependencies), and
# checks what verify does not: that no LoadCredential= names a file one
# gateway driver has and another lacks (systemd refuses to start a unit
# whose credential file is missing; each unit loads a directory of them).
#
#   scripts/unit-verify.sh BACKTALKD
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
backtalkd=${1:?usage: unit-verify.sh BACKTALKD}
work=$(mktemp -d /tmp/backtalk-unit.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() {
	echo "unit-verify: $*" >&2
	exit 1
}

command -v systemd-analyze >/dev/null ||
	fail "systemd-analyze is not installed (Debian: systemd)"
units=/lib/systemd/system
[ -d "$units" ] || units=/usr/lib/systemd/system
mkdir -p "$work/usr/sbin" "$work/bin" "$work/etc/systemd/system" \
	"$work/lib/systemd"
cp "$backtalkd" "$work/usr/sbin/backtalkd"
cp /bin/kill "$work/bin/kill"
cp -a "$units" "$work/lib/systemd/system"
cp "$root"/systemd/backtalkd.service "$root"/systemd/backtalkd@.service \
	"$work/etc/systemd/system/"

for unit in backtalkd.service backtalkd@twilio-main.service \
	backtalkd@infobip-eu.service; do
	out=$(cd "$work" && systemd-analyze verify --man=no --root="$work" \
		"$unit" 2>&1) || fail "$unit: $out"
	[ -z "$out" ] || fail "$unit: $out"
	echo "unit-verify: $unit verifies"
done

for f in "$root"/systemd/backtalkd.service "$root"/systemd/backtalkd@.service; do
	while IFS= read -r line; do
		path=${line#LoadCredential=*:}
		case $path in
		*/credentials) ;;
		*) fail "${f##*/}: '$line' loads one file: an installation without it (another driver) cannot start" ;;
		esac
	done < <(grep '^LoadCredential=' "$f")
	grep -q '^LoadCredential=backtalk:' "$f" ||
		fail "${f##*/}: no LoadCredential=backtalk:DIR for the daemon's credentials"
done
echo "unit-verify: credentials come from a directory in both units"
