#!/bin/sh
# Golden-file test for configuration diagnostics: loads config/NAME.conf
# with config_print from this directory, so that paths in the output are
# relative, and compares the output and exit status with config/NAME.out.
#
#   run-golden.sh CONFIG_PRINT NAME.conf
#
# With UPDATE_GOLDEN=1 in the environment the .out file is rewritten
# instead; read the diff before committing it.
set -u

if [ $# -ne 2 ]; then
	echo "usage: run-golden.sh CONFIG_PRINT NAME.conf" >&2
	exit 2
fi
prog=$1
input=$2
here=$(cd "$(dirname "$0")" && pwd) || exit 2
expected="$here/${input%.conf}.out"
actual=$(mktemp) || exit 2
trap 'rm -f "$actual"' EXIT

cd "$here" || exit 2
"$prog" "$input" >"$actual" 2>&1
echo "exit $?" >>"$actual"

. "$here/../golden.sh"
golden_compare "$expected" "$actual"
