#!/bin/sh
# Golden-file test for the admin commands (status, optouts, history, stats,
# replay): builds a state database with admin_mkstate (the records of
# tests/admin_data.c, at a fixed time), runs the commands of admin/NAME.t
# from the admin directory and compares their output, each followed by
# "exit N", with admin/NAME.out.
#
#   run-golden.sh BACKTALK ADMIN_MKSTATE NAME
#
# In NAME.t, `backtalk ARGS` runs the tool (stderr to stdout), $DB is the
# database, `mkstate [NOW]` builds it again, and `mask` replaces dates and
# ages that depend on the clock, and `us_config` writes $DB.us.conf, a
# configuration naming $DB with numbers.default_country = "US".  With UPDATE_GOLDEN=1 the .out file is
# rewritten instead; read the diff before committing it.
set -u

if [ $# -ne 3 ]; then
	echo "usage: run-golden.sh BACKTALK ADMIN_MKSTATE NAME" >&2
	exit 2
fi
BACKTALK=$1
MKSTATE=$2
name=$3
here=$(cd "$(dirname "$0")" && pwd) || exit 2
expected="$here/$name.out"
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
actual=$work/out
DB=$work/state.db
TZ=UTC
BACKTALK_CACHE_DIR=
export TZ BACKTALK_CACHE_DIR

backtalk() {
	"$BACKTALK" "$@" 2>&1
	echo "exit $?"
}

mkstate() {
	rm -f "$DB" "$DB-wal" "$DB-shm"
	"$MKSTATE" "$DB" "$@" || exit 2
}

mask() {
	sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{4})/DATE/g'
}

us_config() {
	cat >"$DB.us.conf" <<CONF
gateway = { driver = "console"; };
state = "$DB";
rules = "$here/rules.conf";
numbers = { default_country = "US"; };
CONF
}

cd "$here" || exit 2
mkstate
. "./$name.t" >"$actual"

. "$here/../golden.sh"
golden_compare "$expected" "$actual"
