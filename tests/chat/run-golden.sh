#!/bin/sh
# Golden-file test for `backtalk chat`: plays chat/NAME.in against a copy
# of the shipped rules and compares stdout, stderr and the exit status with
# chat/NAME.out.  chat/NAME.args, when there is one, holds more options.
#
#   run-golden.sh BACKTALK RULES NAME.in
#
# The conversation runs in a temporary directory holding three rule sets,
# so that /rules can be tried on each: rules/ (the copy it starts on),
# broken/ (the copy plus broken.conf, which must not load) and edited/
# (the copy plus edited.conf, which must).
#
# With UPDATE_GOLDEN=1 in the environment the .out file is rewritten
# instead; read the diff before committing it.
set -u

if [ $# -ne 3 ]; then
	echo "usage: run-golden.sh BACKTALK RULES NAME.in" >&2
	exit 2
fi
backtalk=$1
rules=$2
input=$3
here=$(cd "$(dirname "$0")" && pwd) || exit 2
name=${input%.in}
expected="$here/$name.out"
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

mkdir "$tmp/rules" "$tmp/broken" "$tmp/edited" || exit 2
cp "$rules"/*.conf "$rules"/*.model "$tmp/rules/" || exit 2
cp "$rules"/*.conf "$rules"/*.model "$tmp/broken/" || exit 2
cp "$rules"/*.conf "$rules"/*.model "$tmp/edited/" || exit 2
cp "$here/broken.conf" "$tmp/broken/99-broken.conf" || exit 2
cp "$here/edited.conf" "$tmp/edited/99-edited.conf" || exit 2
args=
if [ -f "$here/$name.args" ]; then
	args=$(cat "$here/$name.args")
fi

cd "$tmp" || exit 2
# No vectorscan cache: the test writes nothing outside its directory.
# shellcheck disable=SC2086
BACKTALK_CACHE_DIR='' "$backtalk" chat --rules rules $args \
	<"$here/$input" >"$tmp/actual" 2>&1
echo "exit $?" >>"$tmp/actual"

. "$here/../golden.sh"
golden_compare "$expected" "$tmp/actual"
