#!/usr/bin/env bash
# The test command, for developers and CI alike:
#
#   scripts/test.sh           every stage
#   scripts/test.sh --quick   skip the ASan build and the fuzzers
#
# Stages: format (clang-format), banned (unsafe C functions in daemon/),
# build+tests (warnings are errors, ctest), asan (ASan+UBSan build, ctest),
# fuzz (each libFuzzer target for FUZZ_SECONDS, default 12) and rules-check
# (`backtalk check` on the shipped rules).  Every stage runs even when an
# earlier one failed; the last line is "N passed, M failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
ROOT=$PWD

QUICK=0
for arg in "$@"; do
	case $arg in
	--quick) QUICK=1 ;;
	-h | --help)
		sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "usage: scripts/test.sh [--quick]" >&2
		exit 2
		;;
	esac
done

JOBS=${JOBS:-2}
export FUZZ_SECONDS=${FUZZ_SECONDS:-12}
# A test that runs longer than this is stopped and fails.
CTEST_TIMEOUT=${CTEST_TIMEOUT:-600}
SOURCE_DIRS=(daemon tests bench fuzz)
BANNED='strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok'

now_ms() {
	date +%s%3N
}

header() {
	printf '\n==== %s ====\n' "$*"
}

# --- stages ---------------------------------------------------------------

stage_format() {
	local files=() bad=()
	mapfile -t files < <(find "${SOURCE_DIRS[@]}" -type f \
		\( -name '*.c' -o -name '*.h' \) -not -path 'fuzz/corpus/*' \
		2>/dev/null | sort)
	echo "$(clang-format --version | head -n 1); ${#files[@]} files"
	# One run over every file; it names each badly formatted one in its
	# "FILE:LINE:COL: error:" lines.
	mapfile -t bad < <(clang-format --dry-run --Werror "${files[@]}" 2>&1 |
		sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: .*/\1/p' | sort -u)
	if [ ${#bad[@]} -gt 0 ]; then
		echo "not formatted as .clang-format says (${#bad[@]} files):"
		printf '  %s\n' "${bad[@]}"
		echo "fix with: clang-format -i ${bad[*]}"
		return 1
	fi
	echo "all formatted"
}

# Prints file:line: text for every banned call, ignoring comments and the
# insides of string and character literals.
banned_scan() {
	perl -e '
		my $re = qr/\b(?:'"$BANNED"')\b/;
		my $bad = 0;
		for my $file (@ARGV) {
			open(my $fh, "<", $file) or die "$file: $!\n";
			local $/;
			my $src = <$fh>;
			close($fh);
			my @orig = split /\n/, $src, -1;
			# Blank comments and literals, keeping the newlines so
			# line numbers still match.
			$src =~ s{
				("(?:\\.|[^"\\\n])*")
				| (\x27(?:\\.|[^\x27\\\n])*\x27)
				| (/\*.*?\*/)
				| (//[^\n]*)
			}{
				my $m = $&;
				defined $1 ? "\x22\x22" : defined $2 ? "\x27\x27"
				    : ($m =~ tr/\n//cdr)
			}gsex;
			my @lines = split /\n/, $src, -1;
			for my $i (0 .. $#lines) {
				next unless $lines[$i] =~ $re;
				(my $text = $orig[$i]) =~ s/^\s+//;
				print "$file:", $i + 1, ": $text\n";
				$bad++;
			}
		}
		exit($bad ? 1 : 0);
	' "$@"
}

stage_banned() {
	local files=()
	mapfile -t files < <(find daemon -type f \( -name '*.c' -o -name '*.h' \) |
		sort)
	echo "looking for ${BANNED//|/, } in ${#files[@]} files in daemon/"
	if ! banned_scan "${files[@]}"; then
		echo "banned functions found; use snprintf, strlcpy-style" \
			"bounded copies, strtol with checks, strtok_r"
		return 1
	fi
	echo "none found"
}

# ctest_gate DIR: every registered test.
ctest_gate() {
	local n
	n=$(ctest --test-dir "$1" -N |
		sed -n 's/^Total Tests: //p')
	if [ "${n:-0}" -eq 0 ]; then
		echo "WARNING: no tests are registered in $1"
		return 0
	fi
	ctest --test-dir "$1" --output-on-failure -j"$JOBS" \
		--timeout "$CTEST_TIMEOUT"
}

stage_build() {
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBACKTALK_WERROR=ON \
		-DBACKTALK_TESTS=ON -DBACKTALK_SANITIZE=OFF -DBACKTALK_FUZZ=OFF ||
		return 1
	cmake --build build -j"$JOBS" || return 1
	ctest_gate build || return 1
}

stage_asan() {
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DBACKTALK_SANITIZE=ON -DBACKTALK_TESTS=ON -DBACKTALK_FUZZ=OFF ||
		return 1
	cmake --build build-asan -j"$JOBS" || return 1
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		LSAN_OPTIONS=suppressions=$ROOT/scripts/lsan.supp:print_suppressions=0 \
		ctest_gate build-asan
}

stage_fuzz() {
	bash scripts/fuzz.sh
}

stage_rules_check() {
	if [ ! -x build/daemon/backtalk ]; then
		echo "build/daemon/backtalk was not built (see build+tests)"
		return 1
	fi
	build/daemon/backtalk check --rules rules
}

# --- driver ---------------------------------------------------------------

names=()
results=()
times=()

# run_stage NAME FUNCTION: runs one stage and records how it went.
run_stage() {
	local name=$1 fn=$2 start rc=0
	header "$name"
	start=$(now_ms)
	"$fn" || rc=$?
	local ms=$(($(now_ms) - start))
	names+=("$name")
	times+=("$ms")
	if [ $rc -eq 0 ]; then
		results+=(passed)
		echo "-- $name: passed ($((ms / 1000)).$((ms % 1000 / 100))s)"
	else
		results+=(FAILED)
		echo "-- $name: FAILED ($((ms / 1000)).$((ms % 1000 / 100))s)"
	fi
}

skip_stage() {
	names+=("$1")
	times+=(0)
	results+=(skipped)
	header "$1"
	echo "-- $1: skipped (--quick)"
}

total_start=$(now_ms)
header "deps"
if ! bash scripts/deps.sh --test; then
	echo "deps: could not install the packages; nothing else was run"
	echo "0 passed, 1 failed"
	exit 1
fi

run_stage format stage_format
run_stage banned stage_banned
run_stage build+tests stage_build
if [ $QUICK -eq 1 ]; then
	skip_stage asan
	skip_stage fuzz
else
	run_stage asan stage_asan
	run_stage fuzz stage_fuzz
fi
run_stage rules-check stage_rules_check

passed=0
failed=0
skipped=0
header "summary"
for i in "${!names[@]}"; do
	case ${results[$i]} in
	passed) passed=$((passed + 1)) ;;
	FAILED) failed=$((failed + 1)) ;;
	skipped) skipped=$((skipped + 1)) ;;
	esac
	ms=${times[$i]}
	printf '  %-12s %-8s %6d.%ds\n' "${names[$i]}" "${results[$i]}" \
		$((ms / 1000)) $((ms % 1000 / 100))
done
ms=$(($(now_ms) - total_start))
printf '  %-12s %-8s %6d.%ds\n' total "" $((ms / 1000)) $((ms % 1000 / 100))
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
