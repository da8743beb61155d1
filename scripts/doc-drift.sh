#!/usr/bin/env bash
# Keeps the documentation of options and metrics in step with the code, as
# man-keys.sh does for configuration keys.  Fails when:
#   - a long option that a command of backtalk (daemon/cli/cmd_*.c, and the
#     admin options of daemon/cli/cmd.h) or backtalkd (daemon/daemon/backtalkd.c)
#     takes has no "Fl \-NAME" in its page (man/backtalk.1, man/backtalkd.8);
#   - a page names an option "Fl \-NAME" that no command takes;
#   - a metric that daemon/daemon/metrics.c writes is missing from the README's
#     metrics table, or the table names one it does not write.
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

if [ $fail -ne 0 ]; then
	exit 1
fi
echo "doc-drift: options of backtalk and backtalkd and $(wc -w <<<"$code") metrics documented"
