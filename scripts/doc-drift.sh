#!/usr/bin/env bash
# Keeps the documentation of options and metrics in step with the code, as
# man-keys.sh does for configuration keys.  Fails when:
#   - a long option that a command of backtalk (daemon/cli/cmd_*.c, and the
#     admin options of daemon/cli/cmd.h) or backtalkd (daemon/daemon/backtalkd.c)
#     takes has no "Fl \-NAME" in its page (man/backtalk.1, man/backtalkd.8);
#   - a page names an option "Fl \-NAME" that no command takes;
#   - a metric that daemon/daemon/metrics.c writes is missing from the README's
#     metrics table, or the table names one it does not write;
#   - a journal MESSAGE_ID of daemon/common/log_ids.h is not in backtalkd(8)'s
#     JOURNAL FIELDS, or that section lists one the header does not have.
# Run by ctest as doc_drift; by hand: bash scripts/doc-drift.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fail=0
problem() {
	echo "doc-drift: $*" >&2
	fail=1
}

# Long option names in C sources: { "name", no_argument / required_argument,
# and those compared by hand (strcmp(argv[1], "--version")).
options() {
	{
		grep -ho '{ "[a-z][a-z-]*", *\(no\|required\|optional\)_argument' "$@" |
			sed 's/^{ "\([^"]*\)".*/\1/'
		{ grep -ho '"--[a-z][a-z-]*"' "$@" || true; } | tr -d '"' | sed 's/^--//'
	} | sort -u
}
# Long options a page documents: "Fl \-name"
page_options() {
	grep -o 'Fl \\-[a-z][a-z-]*' "$1" | sed 's/^Fl \\-//' | sort -u
}

check_options() { # check_options PAGE SOURCES...
	local page=$1
	shift
	local code doc
	code=$(options "$@")
	doc=$(page_options "$page")
	for o in $code; do
		grep -qx -- "$o" <<<"$doc" ||
			problem "option --$o (${*##*/}) is not in ${page#"$ROOT"/}"
	done
	for o in $doc; do
		grep -qx -- "$o" <<<"$code" ||
			problem "${page#"$ROOT"/} documents --$o, which no command takes"
	done
}

check_options "$ROOT/man/backtalk.1" "$ROOT"/daemon/cli/cmd_*.c "$ROOT/daemon/cli/cmd.h" \
	"$ROOT/daemon/cli/backtalk.c"
check_options "$ROOT/man/backtalkd.8" "$ROOT/daemon/daemon/backtalkd.c"

# Metrics: every name daemon/daemon/metrics.c writes, against the README's table
# rows ("| `backtalk_name{labels}`, `backtalk_other` | ... |").
code=$(grep -o '"backtalk_[a-z_]*"' "$ROOT/daemon/daemon/metrics.c" | tr -d '"' | sort -u)
doc=$(grep '^| `backtalk_' "$ROOT/README.md" | cut -d'|' -f2 |
	grep -o 'backtalk_[a-z_]*' | sort -u)
[ -n "$code" ] || problem "no metric names found in daemon/daemon/metrics.c"
for m in $code; do
	grep -qx -- "$m" <<<"$doc" || problem "metric $m is not in README.md's metrics table"
done
for m in $doc; do
	grep -qx -- "$m" <<<"$code" || problem "README.md's metrics table names $m, which metrics.c does not write"
done

# Journal MESSAGE_IDs: every id of daemon/common/log_ids.h in backtalkd(8)'s
# JOURNAL FIELDS section (".It Li ID"), and no other there.
ids=$(grep -o '^#define LOG_ID_[A-Z_]* *"[0-9a-f]\{32\}"' "$ROOT/daemon/common/log_ids.h" |
	grep -o '[0-9a-f]\{32\}' | sort)
page_ids=$(sed -n '/^\.Sh JOURNAL FIELDS/,/^\.Sh /p' "$ROOT/man/backtalkd.8" |
	grep -o '^\.It Li [0-9a-f]\{32\}$' | grep -o '[0-9a-f]\{32\}' | sort)
[ -n "$ids" ] || problem "no MESSAGE_IDs found in daemon/common/log_ids.h"
[ "$(uniq -d <<<"$ids")" = "" ] || problem "daemon/common/log_ids.h has an id twice: $(uniq -d <<<"$ids")"
for id in $ids; do
	grep -qx -- "$id" <<<"$page_ids" ||
		problem "MESSAGE_ID $id ($(grep -o "LOG_ID_[A-Z_]* *\"$id" "$ROOT/daemon/common/log_ids.h" | cut -d' ' -f1)) is not in backtalkd(8)'s JOURNAL FIELDS"
done
for id in $page_ids; do
	grep -qx -- "$id" <<<"$ids" ||
		problem "backtalkd(8)'s JOURNAL FIELDS lists MESSAGE_ID $id, which daemon/common/log_ids.h does not have"
done

if [ $fail -ne 0 ]; then
	exit 1
fi
echo "doc-drift: options of backtalk and backtalkd, $(wc -w <<<"$code") metrics and $(wc -w <<<"$ids") journal MESSAGE_IDs documented"
