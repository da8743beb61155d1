#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz/ and runs each one
# for FUZZ_SECONDS (default 30) on a scratch copy of its seed corpus, so the
# repository is never modified.  Prints every target's exec/s and fails when
# a target crashes, leaks, hangs or breaks one of its checks, keeping the
# input that did it.
#
#   scripts/fuzz.sh [TARGET ...]      default: every target
#
# Environment: FUZZ_SECONDS, FUZZ_JOBS (targets run at once, default the
# number of cores), FUZZ_ARGS (extra libFuzzer flags),
# FUZZ_GRACE (seconds allowed beyond FUZZ_SECONDS for start-up, default 300),
# FUZZ_KEEP=1 (keep the scratch directory), BACKTALK_FUZZ_RULES (rule set
# for fuzz_classify, default rules/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

FUZZ_SECONDS=${FUZZ_SECONDS:-30}
FUZZ_GRACE=${FUZZ_GRACE:-300}
BUILD=${BACKTALK_FUZZ_BUILD:-build-fuzz}
ALL_TARGETS=(fuzz_normalise fuzz_gsm7 fuzz_rules fuzz_classify fuzz_twilio_json fuzz_infobip_json fuzz_config
	fuzz_phone fuzz_escape fuzz_concept fuzz_context fuzz_number fuzz_strjoin fuzz_convo_parse fuzz_convo_step
	fuzz_model)
if [ $# -gt 0 ]; then
	targets=("$@")
else
	targets=("${ALL_TARGETS[@]}")
fi

# Longest input (bytes) and longest time for one input (seconds).  Loading a
# rule set compiles its vectorscan database, which is slow under ASan.
max_len() {
	case $1 in
	fuzz_rules | fuzz_convo_parse) echo 16384 ;;
	fuzz_twilio_json | fuzz_infobip_json) echo 65536 ;;
	*) echo 4096 ;;
	esac
}
unit_timeout() {
	case $1 in
	fuzz_rules | fuzz_convo_parse) echo 60 ;;
	*) echo 10 ;;
	esac
}

for t in "${targets[@]}"; do
	case " ${ALL_TARGETS[*]} " in
	*" $t "*) ;;
	*)
		echo "fuzz: unknown target $t (known: ${ALL_TARGETS[*]})" >&2
		exit 2
		;;
	esac
done

echo "fuzz: building ${targets[*]} in $BUILD/ with clang"
mkdir -p "$BUILD"
CC=clang cmake -S . -B "$BUILD" -DBACKTALK_FUZZ=ON -DBACKTALK_TESTS=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BUILD/configure.log" 2>&1 || {
	cat "$BUILD/configure.log"
	exit 1
}
cmake --build "$BUILD" -j"${JOBS:-2}" --target "${targets[@]}"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/backtalk-fuzz.XXXXXX")
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$ROOT/scripts/lsan.supp:print_suppressions=0
read -r -a extra <<<"${FUZZ_ARGS:-}"

# One target: runs it and writes its summary line to $dir/summary, and
# what went wrong, if anything, to $dir/report.
fuzz_one() {
	local t=$1 dir=$scratch/$1 rc=0 runs eps artifact result
	mkdir -p "$dir/corpus" "$dir/artifacts"
	if [ -d "fuzz/corpus/$t" ]; then
		cp -R "fuzz/corpus/$t/." "$dir/corpus/"
	fi
	timeout -k 10 $((FUZZ_SECONDS + FUZZ_GRACE)) \
		"$BUILD/fuzz/$t" -max_total_time="$FUZZ_SECONDS" \
		-max_len="$(max_len "$t")" -timeout="$(unit_timeout "$t")" \
		-print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
		"${extra[@]}" "$dir/corpus" >"$dir/log" 2>&1 || rc=$?

	runs=$(awk '/^stat::number_of_executed_units:/ { print $2 }' \
		"$dir/log" | tail -n 1)
	eps=$(awk '/^stat::average_exec_per_sec:/ { print $2 }' \
		"$dir/log" | tail -n 1)
	artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' \
		"$dir/log" | tail -n 1)
	if [ $rc -eq 0 ] && [ -z "$artifact" ]; then
		result=ok
	elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		result="did not finish in $((FUZZ_SECONDS + FUZZ_GRACE))s"
	else
		result="FAILED (exit $rc)"
	fi
	printf 'fuzz: %s: %s runs, %s exec/s: %s\n' "$t" "${runs:-?}" \
		"${eps:-?}" "$result"
	printf '%-15s %10s runs %8s exec/s  %s\n' "$t" "${runs:-?}" \
		"${eps:-?}" "$result" >"$dir/summary"
	if [ "$result" != ok ]; then
		{
			echo "---- $t: last lines of $dir/log"
			grep -v -E '^#[0-9]+[[:space:]]' "$dir/log" | tail -n 60 || true
			echo "----"
			if [ -n "$artifact" ]; then
				echo "fuzz: $t: input kept at $artifact"
				echo "fuzz: reproduce with: $BUILD/fuzz/$t $artifact"
			fi
		} >"$dir/report"
	fi
}

# FUZZ_JOBS targets at a time (default: the machine's cores), each on one
# core for FUZZ_SECONDS.
jobs_max=${FUZZ_JOBS:-$(nproc)}
echo "fuzz: ${#targets[@]} targets, $jobs_max at a time, ${FUZZ_SECONDS}s each"
running=0
for t in "${targets[@]}"; do
	if [ "$running" -ge "$jobs_max" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	fuzz_one "$t" &
	running=$((running + 1))
done
wait

failed=()
summary=()
for t in "${targets[@]}"; do
	dir=$scratch/$t
	if [ -s "$dir/report" ]; then
		echo
		cat "$dir/report"
	fi
	if [ ! -s "$dir/summary" ]; then
		summary+=("$t: no result (the runner itself failed)")
		failed+=("$t")
		continue
	fi
	summary+=("$(cat "$dir/summary")")
	grep -q '  ok$' "$dir/summary" || failed+=("$t")
done

echo
echo "fuzz: summary (${FUZZ_SECONDS}s each)"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: failed: ${failed[*]}; logs and inputs kept in $scratch"
	exit 1
fi
if [ "${FUZZ_KEEP:-0}" = 1 ]; then
	echo "fuzz: corpora and logs kept in $scratch"
else
	rm -rf "$scratch"
fi
