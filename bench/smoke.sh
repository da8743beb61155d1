#!/bin/sh
# bench/smoke.sh: proves the benchmark runs, on a small input.  Run by CTest
# as bench_smoke; it makes no timing assertions (bench/run.sh reports the
# figures against the targets).
#
# usage: smoke.sh GEN_MESSAGES GEN_RULES BENCH_CLASSIFY BACKTALK SHIPPED_RULES
#                 [BENCH_CONCEPT]
#
# Checks that both generators are deterministic, that backtalk check accepts
# the generated rules, and that bench_classify runs on the generated rules
# and on the shipped ones (when rules/ has any) and classifies every message
# the same way in every pass.  With BENCH_CONCEPT, it also runs
# bench_concept on a few hundred messages and generated concept rules.
set -eu

if [ $# -ne 5 ] && [ $# -ne 6 ]; then
	echo "usage: smoke.sh GEN_MESSAGES GEN_RULES BENCH_CLASSIFY BACKTALK" \
		"SHIPPED_RULES [BENCH_CONCEPT]" >&2
	exit 2
fi
gen_messages=$1
gen_rules=$2
bench=$3
backtalk=$4
shipped=$5
bench_concept=${6:-}
nmsg=${SMOKE_MESSAGES:-2000}
nrules=${SMOKE_RULES:-100}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/backtalk-smoke.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

die() {
	echo "bench_smoke: $*" >&2
	exit 1
}

"$gen_messages" -n "$nmsg" -s 7 -o "$tmp/m1.txt"
"$gen_messages" -n "$nmsg" -s 7 -o "$tmp/m2.txt"
"$gen_messages" -n "$nmsg" -s 8 -o "$tmp/m3.txt"
cmp -s "$tmp/m1.txt" "$tmp/m2.txt" ||
	die "gen_messages is not deterministic"
! cmp -s "$tmp/m1.txt" "$tmp/m3.txt" || die "gen_messages ignores the seed"
[ "$(wc -l <"$tmp/m1.txt")" -eq "$nmsg" ] ||
	die "gen_messages wrote $(wc -l <"$tmp/m1.txt") lines, not $nmsg"

"$gen_rules" -n "$nrules" -s 7 -p 40 -o "$tmp/r1"
"$gen_rules" -n "$nrules" -s 7 -p 40 -o "$tmp/r2"
diff -r "$tmp/r1" "$tmp/r2" >/dev/null || die "gen_rules is not deterministic"

"$backtalk" check --rules "$tmp/r1" >"$tmp/check.log" 2>&1 || {
	grep -v 'has no examples' "$tmp/check.log" >&2
	die "backtalk check rejects the generated rules"
}
tail -n 1 "$tmp/check.log"

# run LABEL RULES
run() {
	"$bench" --rules "$2" --messages "$tmp/m1.txt" --passes 1 \
		--label "$1" >"$tmp/$1.out" 2>&1 || {
		cat "$tmp/$1.out" >&2
		die "bench_classify failed on $2"
	}
	grep -q "^RESULT label=$1 .* messages=$nmsg " "$tmp/$1.out" || {
		cat "$tmp/$1.out" >&2
		die "bench_classify printed no RESULT line for $2"
	}
	grep '^RESULT' "$tmp/$1.out"
}

run generated "$tmp/r1"
if [ -f "$shipped" ] || ls "$shipped"/*.conf >/dev/null 2>&1; then
	run shipped "$shipped"
else
	echo "bench_smoke: no shipped rules in $shipped; skipped"
fi
if [ -n "$bench_concept" ]; then
	"$gen_rules" -n "$nrules" -s 7 -c 50 -o "$tmp/rc"
	head -n 300 "$tmp/m1.txt" >"$tmp/m300.txt"
	# bench_concept is a one-shot measuring tool that keeps its tables
	# until it exits: under ASan its leak check alone is turned off (the
	# concept library it drives frees everything, which the unit tests
	# check); every other sanitizer check stays on.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		"$bench_concept" --rules "$tmp/rc" --messages "$tmp/m300.txt" \
		--passes 1 --label concept >"$tmp/concept.out" 2>&1 || {
		cat "$tmp/concept.out" >&2
		die "bench_concept failed"
	}
	grep -Eq '^RESULT label=concept messages=300 .* vocab=[1-9][0-9]* .* hs_patterns=[1-9]' \
		"$tmp/concept.out" || {
		cat "$tmp/concept.out" >&2
		die "bench_concept printed no RESULT line with a vocabulary"
	}
	grep '^RESULT' "$tmp/concept.out"
fi
echo "bench_smoke: ok"
