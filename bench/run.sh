#!/bin/sh
# bench/run.sh: the classification benchmark, end to end.
#
# Builds the project (Release) in its own build directory if needed,
# generates the messages (100,000) and 1,000 rules into a temporary
# directory, runs bench_classify on the shipped rules (rules/ at the top of
# the repository) and on the generated rules, times the whole process
# `backtalk classify --rules RULES < messages > /dev/null`, and prints PASS
# or MISS for each target of the issue:
#
#   shipped rules     median < 2 us a message
#   1,000 rules       median < 20 us a message
#   growth            the median grows at most a quarter as fast as the
#                     number of rules (1,000 rules against the shipped ones)
#   whole process     backtalk classify, shipped rules, < 5 us a message,
#                     JSON output and loading the rules included
#
# Targets are reported, not enforced: the exit status is 0 whether they are
# met or not, and non-zero only when something failed to build or run.
# Nothing here uses the network.
#
# Environment (all optional):
#   BENCH_BUILD_DIR  build directory          (default: <repo>/build-bench)
#   BENCH_MESSAGES   messages to generate     (default: 100000)
#   BENCH_RULES      rules to generate        (default: 1000)
#   BENCH_SEED       seed for the generators  (default: 1)
#   BENCH_PASSES     timed passes per rule set (default: 3)
#   BENCH_RUNS       whole-process runs       (default: 5)
#   BENCH_SHIPPED    the shipped rules        (default: <repo>/rules)
#   BENCH_KEEP       when set, keep the temporary directory and say where
#   BENCH_NO_HYPERFINE  when set, time with date +%s%N even if hyperfine
#                    is installed
set -eu

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
root=$(dirname -- "$here")
build=${BENCH_BUILD_DIR:-$root/build-bench}
nmsg=${BENCH_MESSAGES:-100000}
nrules=${BENCH_RULES:-1000}
seed=${BENCH_SEED:-1}
passes=${BENCH_PASSES:-3}
runs=${BENCH_RUNS:-5}
shipped=${BENCH_SHIPPED:-$root/rules}

failed=0
say() { printf '%s\n' "$*"; }
fail() {
	say "bench: FAILED: $*" >&2
	failed=1
}

# --- build -------------------------------------------------------------
say "== build ($build) =="
if [ ! -f "$build/CMakeCache.txt" ]; then
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
		-DBACKTALK_TESTS=OFF >"$build.configure.log" 2>&1 || {
		cat "$build.configure.log" >&2
		say "bench: cannot configure $build" >&2
		exit 1
	}
	rm -f "$build.configure.log"
fi
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
if [ "$btype" != Release ]; then
	say "bench: warning: $build is a $btype build, not Release;" \
		"the numbers may not be representative" >&2
fi
cmake --build "$build" -j2 --target backtalk gen_messages gen_rules \
	bench_classify >"$build/bench-build.log" 2>&1 || {
	cat "$build/bench-build.log" >&2
	say "bench: build failed" >&2
	exit 1
}
backtalk=$build/daemon/backtalk
gen_messages=$build/bench/gen_messages
gen_rules=$build/bench/gen_rules
bench=$build/bench/bench_classify

# --- inputs ------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/backtalk-bench.XXXXXX")
if [ -n "${BENCH_KEEP:-}" ]; then
	trap 'say "bench: kept $tmp"' EXIT
else
	trap 'rm -rf "$tmp"' EXIT
fi
trap 'exit 130' INT TERM

msgs=$tmp/messages.txt
gen=$tmp/rules-$nrules
"$gen_messages" -n "$nmsg" -s "$seed" -o "$msgs" || {
	say "bench: gen_messages failed" >&2
	exit 1
}
"$gen_rules" -n "$nrules" -s "$seed" -o "$gen" || {
	say "bench: gen_rules failed" >&2
	exit 1
}
# The same count of rules with half of them in the concept language.
genc=$tmp/rules-$nrules-concepts
"$gen_rules" -n "$nrules" -s "$seed" -c 50 -o "$genc" || {
	say "bench: gen_rules -c 50 failed" >&2
	exit 1
}

say ""
say "== machine =="
say "$(uname -srm), $(nproc 2>/dev/null || echo '?') CPUs," \
	"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null |
		head -n 1)"
say "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')" \
	"(other work on the machine makes every figure slower and noisier)"
say "git: $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?')"

say ""
say "== backtalk check on the $nrules generated rules =="
if "$backtalk" check --rules "$gen" >"$tmp/check.log" 2>&1; then
	tail -n 1 "$tmp/check.log"
else
	grep -v 'has no examples' "$tmp/check.log" | tail -n 20 >&2
	fail "backtalk check rejects the generated rules"
fi

# --- bench_classify ----------------------------------------------------
have_shipped=0
if [ -f "$shipped" ]; then
	have_shipped=1
else
	for f in "$shipped"/*.conf; do
		if [ -f "$f" ]; then
			have_shipped=1
		fi
		break
	done
fi

# run_bench LABEL RULES: prints the report; the RESULT line goes to
# $tmp/LABEL.result.
run_bench() {
	say ""
	if "$bench" --rules "$2" --messages "$msgs" --passes "$passes" \
		--label "$1" >"$tmp/$1.out" 2>&1; then
		cat "$tmp/$1.out"
		sed -n 's/^RESULT //p' "$tmp/$1.out" >"$tmp/$1.result"
	else
		cat "$tmp/$1.out"
		fail "bench_classify on $2"
		: >"$tmp/$1.result"
	fi
}

# kv FILE KEY: the value of KEY in a RESULT line.
kv() {
	tr ' ' '\n' <"$1" | sed -n "s/^$2=//p"
}

if [ "$have_shipped" = 1 ]; then
	run_bench shipped "$shipped"
else
	say ""
	say "bench: no *.conf in $shipped: shipped rules skipped"
	: >"$tmp/shipped.result"
fi
run_bench generated "$gen"
run_bench concepts "$genc"

# --- whole process -----------------------------------------------------
# median_time CMD OUT: runs CMD (a shell command) $runs times after one
# warm-up and writes the median wall time in seconds to OUT.
median_time() {
	: >"$2.runs"
	i=0
	while [ "$i" -le "$runs" ]; do
		t0=$(date +%s%N)
		sh -c "$1" || return 1
		t1=$(date +%s%N)
		if [ "$i" -gt 0 ]; then
			echo "$t0 $t1" |
				awk '{ printf "%.6f\n", ($2 - $1) / 1e9 }' >>"$2.runs"
		fi
		i=$((i + 1))
	done
	say "  runs (s): $(tr '\n' ' ' <"$2.runs")"
	sort -n "$2.runs" |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }' >"$2"
}

# whole LABEL RULES: median wall time of backtalk classify over the
# messages, and of the same command on no input (start-up and loading the
# rules), in seconds, into $tmp/LABEL.whole and $tmp/LABEL.startup.
whole() {
	cmd="'$backtalk' classify --rules '$2' < '$msgs' > /dev/null"
	empty="'$backtalk' classify --rules '$2' < /dev/null > /dev/null"
	: >"$tmp/$1.whole"
	: >"$tmp/$1.startup"
	say ""
	say "== whole process, $1 rules =="
	say "  $cmd"
	if [ -z "${BENCH_NO_HYPERFINE:-}" ] &&
		command -v hyperfine >/dev/null 2>&1; then
		if hyperfine --shell=sh --style basic --warmup 1 \
			--runs "$runs" --export-csv "$tmp/$1.csv" \
			"$empty" "$cmd" 2>&1; then
			# command,mean,stddev,median,user,system,min,max
			awk -F, 'NR == 2 { print $4 }' "$tmp/$1.csv" \
				>"$tmp/$1.startup"
			awk -F, 'NR == 3 { print $4 }' "$tmp/$1.csv" \
				>"$tmp/$1.whole"
		else
			fail "backtalk classify --rules $2"
			return 0
		fi
	else
		say "  (timing with date +%s%N, not hyperfine)"
		if ! median_time "$empty" "$tmp/$1.startup" ||
			! median_time "$cmd" "$tmp/$1.whole"; then
			fail "backtalk classify --rules $2"
			: >"$tmp/$1.whole"
			return 0
		fi
	fi
	awk -v s="$(cat "$tmp/$1.whole")" -v e="$(cat "$tmp/$1.startup")" \
		-v n="$nmsg" 'BEGIN {
		printf "  median %.3f s for %d messages: %.3f us a message\n",
		    s, n, s * 1e6 / n
		printf "  of which start-up and loading the rules %.3f s;" \
		    " without them %.3f us a message\n", e, (s - e) * 1e6 / n
	}'
}

if [ "$have_shipped" = 1 ]; then
	whole shipped "$shipped"
else
	: >"$tmp/shipped.whole"
fi
whole generated "$gen"

# --- targets -----------------------------------------------------------
# verdict NAME VALUE OP LIMIT UNIT
verdict() {
	if [ -z "$2" ]; then
		printf '  %-4s %-44s (not measured)\n' SKIP "$1"
		return 0
	fi
	awk -v name="$1" -v v="$2" -v op="$3" -v lim="$4" -v unit="$5" \
		'BEGIN {
		ok = (op == "<") ? (v + 0 < lim + 0) : (v + 0 <= lim + 0)
		printf "  %-4s %-44s %.3f %s (target %s %s %s)\n",
		    ok ? "PASS" : "MISS", name, v, unit, op, lim, unit
	}'
}

s_med=$(kv "$tmp/shipped.result" median_us)
g_med=$(kv "$tmp/generated.result" median_us)
s_rules=$(kv "$tmp/shipped.result" rules)
g_rules=$(kv "$tmp/generated.result" rules)
s_whole=$(cat "$tmp/shipped.whole" 2>/dev/null || true)
g_whole=$(cat "$tmp/generated.whole" 2>/dev/null || true)

say ""
say "== targets ($nmsg messages, seed $seed) =="
say "  median = median time of one classify_message call, warm, one thread"
verdict "shipped rules ($s_rules rules): median" "$s_med" "<" 2 us
verdict "$g_rules generated rules: median" "$g_med" "<" 20 us
c_med=$(kv "$tmp/concepts.result" median_us 2>/dev/null || true)
verdict "$g_rules generated rules, half concepts: median" "$c_med" "<" 20 us
if [ -n "$s_med" ] && [ -n "$g_med" ] && [ -n "$s_rules" ] &&
	[ "${s_rules:-0}" -gt 0 ]; then
	growth=$(awk -v a="$s_med" -v b="$g_med" 'BEGIN { print b / a }')
	rgrowth=$(awk -v a="$s_rules" -v b="$g_rules" 'BEGIN { print b / a }')
	limit=$(awk -v r="$rgrowth" 'BEGIN { printf "%.2f", r / 4 }')
	say "  growth: ${rgrowth}x the rules cost ${growth}x the median time"
	verdict "growth of the median (x)" "$growth" "<=" "$limit" x
else
	verdict "growth of the median (x)" "" "<=" 0 x
fi
for l in shipped generated concepts; do
	if [ -s "$tmp/$l.result" ]; then
		printf '  %-4s %-44s mean %.3f us, p99 %.3f us\n' INFO \
			"$l: mean and p99 a message" \
			"$(kv "$tmp/$l.result" mean_us)" \
			"$(kv "$tmp/$l.result" p99_us)"
	fi
done
s_us=""
if [ -n "$s_whole" ]; then
	s_us=$(awk -v s="$s_whole" -v n="$nmsg" 'BEGIN { print s * 1e6 / n }')
fi
verdict "whole process, shipped rules: per message" "$s_us" "<" 5 us
s_start=$(cat "$tmp/shipped.startup" 2>/dev/null || true)
if [ -n "$s_whole" ] && [ -n "$s_start" ]; then
	printf '  %-4s %-44s %.3f us (start-up %.3f s left out)\n' INFO \
		"whole process, shipped, without start-up" \
		"$(awk -v s="$s_whole" -v e="$s_start" -v n="$nmsg" \
			'BEGIN { print (s - e) * 1e6 / n }')" "$s_start"
fi
if [ -n "$g_whole" ]; then
	g_us=$(awk -v s="$g_whole" -v n="$nmsg" 'BEGIN { print s * 1e6 / n }')
	printf '  %-4s %-44s %.3f us (no target)\n' INFO \
		"whole process, $g_rules generated rules" "$g_us"
fi

if [ "$failed" != 0 ]; then
	say "bench: something failed to run; see above" >&2
	exit 1
fi
exit 0
