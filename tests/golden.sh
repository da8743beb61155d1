# Sourced by the golden-file runners (tests/*/run-golden.sh): compares a
# run's output with its golden file, or replaces the golden file when
# UPDATE_GOLDEN=1.
#
#   golden_compare EXPECTED ACTUAL
#
# Exits the runner: 0 when they match (or after an update), 1 otherwise,
# with the difference (or the whole output, when there is no golden file
# yet) on stdout.
golden_compare() {
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$2" "$1"
		echo "updated $1"
		exit 0
	fi
	if [ ! -f "$1" ]; then
		echo "missing $1; create it with UPDATE_GOLDEN=1 and read it" >&2
		cat "$2"
		exit 1
	fi
	diff -u "$1" "$2"
	exit
}
