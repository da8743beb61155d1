#!/bin/sh
# Golden-file test for `backtalk check`: runs it on check/NAME.conf (or the
# directory check/NAME.d) from the check directory, so that paths in the
# output are relative, and compares stdout, stderr and the exit status with
# check/NAME.out.
#
#   run-golden.sh BACKTALK INPUT
#
# With UPDATE_GOLDEN=1 in the environment the .out file is rewritten
# instead; read the diff before committing it.
set -u

if [ $# -ne 2 ]; then
	echo "usage: run-golden.sh BACKTALK NAME.conf|NAME.d" >&2
	exit 2
fi
backtalk=$1
input=$2
here=$(cd "$(dirname "$0")" && pwd) || exit 2
name=${input%.conf}
name=${name%.d}
expected="$here/$name.out"
actual=$(mktemp) || exit 2
trap 'rm -f "$actual"' EXIT

cd "$here" || exit 2
"$backtalk" check --rules "$input" >"$actual" 2>&1
echo "exit $?" >>"$actual"

. "$here/../golden.sh"
golden_compare "$expected" "$actual"
