#!/bin/sh
# features/run-golden.sh BACKTALK NAME: runs `backtalk features` on
# features/NAME.tsv (with --dim 64 when NAME.args says so) and compares
# stdout, stderr and the exit status with features/NAME.out.
dir=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$dir/../golden.sh"
backtalk=$1
name=$2
args=
[ -f "$dir/$name.args" ] && args=$(cat "$dir/$name.args")
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
cd "$dir" || exit 2
# shellcheck disable=SC2086
"$backtalk" features $args "$name.tsv" >"$tmp" 2>&1
echo "exit $?" >>"$tmp"
golden_compare "$dir/$name.out" "$tmp"
