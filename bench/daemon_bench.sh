#!/usr/bin/env bash
# bench/daemon_bench.sh: backtalkd end to end against the fake gateway
# (tests/fakegw) on 127.0.0.1, Twilio driver, plain http to loopback.
#
# Builds backtalkd, backtalk, fakegw and gen_messages (Release) in its own
# build directory if needed, generates the messages, then runs
# bench/daemon_bench.py, which starts fakegw and backtalkd with a fresh
# state database on disk (under the work directory) for each phase:
#
#   latency     an idle daemon, poll_interval_ms = 1000; BENCH_LATENCY
#               messages added one at a time after a random 0..1.5 s pause;
#               latency = when fakegw received the reply (time_ms in
#               /_control/sent) - just before the message was added
#   throughput  BENCH_MESSAGES messages (one sender each) in one
#               POST /_control/inbound/bulk; timed from that request until
#               fakegw has every expected reply AND the state database has
#               them as sent (outbox.state = 'sent', read with sqlite3).
#               STOP/START/HELP get no reply (Twilio answers them:
#               gateway_handles_keywords), so the expected count comes from
#               `backtalk classify` over the same messages.  A run that would
#               take longer than BENCH_MAX_SECONDS stops early and reports
#               the rate over what was done.
#   memory      VmRSS/VmHWM of backtalkd at rest after start, after the
#               messages and after a few idle seconds
#   loaded      (informational, no target) BENCH_LOADED single messages
#               while the gateway still lists all the others
#
# Daemon settings: guard.send_rate = 0 (no limit), replies_per_sender =
# 1000, http.max_pages_per_poll = 1000, twilio.page_size = 1000,
# http.parallel_sends = 16 (BENCH_PARALLEL; the shipped default is 4),
# poll_interval_ms = 1000 (BENCH_POLL_MS), log level info (to a file).
#
# Targets (reported, not enforced; exit 0 either way, non-zero only when
# something failed to build, start, or crashed):
#   throughput   >= 5,000 messages/s
#   latency      p99 <= poll interval + 50 ms
#   memory       VmRSS < 24 MiB at rest and after the messages
#
# Environment (all optional):
#   BENCH_BUILD_DIR     build directory      (default: /tmp/backtalk-dbench)
#   BENCH_MESSAGES      throughput messages  (default: 100000)
#   BENCH_LATENCY       latency messages     (default: 200)
#   BENCH_LOADED        loaded-latency messages (default: 20; 0 skips)
#   BENCH_POLL_MS       poll_interval_ms     (default: 1000)
#   BENCH_PARALLEL      http.parallel_sends  (default: 16)
#   BENCH_LOG_LEVEL     log.level            (default: info)
#   BENCH_MAX_SECONDS   throughput time limit (default: 300)
#   BENCH_SEED          generator seed       (default: 1)
#   BENCH_PHASES        latency,throughput   (default: both)
#   BENCH_TIMEOUT       kill everything after this many seconds (default 1200)
#   BENCH_KEEP          when set, keep the work directory (logs, databases)
#   BENCH_SMAPS         when set, copy /proc/PID/smaps of the idle daemon
#                       after the throughput run into the work directory
#   BENCH_WORK          work directory parent (default: /tmp; must be a real
#                       disk, not tmpfs, for the fsync cost to be counted)
#   BENCH_CONVO         when set (a share, e.g. 0.2; 1 means 0.2), turn
#                       conversations.screening on and make that share of
#                       the throughput messages conversations: a report
#                       that asks the screening question, and later "2"
#                       from the same number, the answer (daemon_bench.py)
#   BENCH_RULES         the rules (default: the tree's rules/), e.g. an
#                       older tree's when BENCH_BUILD_DIR is its build
# Nothing leaves 127.0.0.1.
set -euo pipefail

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
root=$(dirname -- "$here")
build=${BENCH_BUILD_DIR:-/tmp/backtalk-dbench}
nmsg=${BENCH_MESSAGES:-100000}
nlat=${BENCH_LATENCY:-200}
nloaded=${BENCH_LOADED:-20}
poll_ms=${BENCH_POLL_MS:-1000}
max_s=${BENCH_MAX_SECONDS:-300}
seed=${BENCH_SEED:-1}
phases=${BENCH_PHASES:-latency,throughput}
limit=${BENCH_TIMEOUT:-1200}
workdir=${BENCH_WORK:-/tmp}
rules=${BENCH_RULES:-$root/rules}
convo=${BENCH_CONVO:-0}
[ "$convo" = 1 ] && convo=0.2

say() { printf '%s\n' "$*"; }
die() {
	say "daemon_bench: FAILED: $*" >&2
	exit 1
}

for tool in python3 sqlite3 cmake timeout; do
	command -v "$tool" >/dev/null || die "$tool is not installed"
done

# --- build -------------------------------------------------------------
say "== build ($build) =="
if [ ! -f "$build/CMakeCache.txt" ]; then
	mkdir -p "$build"
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
		>"$build/configure.log" 2>&1 || {
		cat "$build/configure.log" >&2
		die "cannot configure $build"
	}
fi
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
[ "$btype" = Release ] || say "daemon_bench: warning: $build is a" \
	"'$btype' build, not Release; the numbers may not be representative" >&2
cmake --build "$build" -j2 --target backtalkd backtalk fakegw gen_messages \
	>"$build/daemon-bench-build.log" 2>&1 || {
	tail -n 40 "$build/daemon-bench-build.log" >&2
	die "build failed"
}
backtalkd=$build/daemon/backtalkd
backtalk=$build/daemon/backtalk
fakegw=$build/tests/fakegw
gen=$build/bench/gen_messages
for f in "$backtalkd" "$backtalk" "$fakegw" "$gen"; do
	[ -x "$f" ] || die "$f was not built (is BACKTALK_TESTS off in $build?)"
done

# --- work directory and cleanup ------------------------------------------
work=$(mktemp -d "$workdir/backtalk-dbench.XXXXXX")
fstype=$(stat -f -c %T "$work" 2>/dev/null || echo '?')
helper=
# shellcheck disable=SC2317 # invoked by the trap
cleanup() {
	local rc=$? pid
	# The helper kills what it started; this catches anything left if the
	# helper itself was killed (it records each child's pid): only those
	# pids, and only while they still run our fakegw or backtalkd.
	[ -n "$helper" ] && kill "$helper" 2>/dev/null
	if [ -f "$work/pids" ]; then
		while read -r pid; do
			case $({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null) in
			"$fakegw "* | "$backtalkd "*) kill -9 "$pid" 2>/dev/null ;;
			esac
		done <"$work/pids"
	fi
	wait 2>/dev/null || true
	if [ -n "${BENCH_KEEP:-}" ] || [ "$rc" -ne 0 ]; then
		say "daemon_bench: kept $work"
	else
		rm -rf "$work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- inputs ------------------------------------------------------------
say "== inputs =="
"$gen" -n "$nmsg" -s "$seed" -o "$work/messages.txt"
"$backtalk" classify --rules "$rules" <"$work/messages.txt" \
	>"$work/classified.json" || die "backtalk classify failed"
say "$nmsg messages (seed $seed), rules $rules, conversations $convo," \
	"work directory $work on $fstype"
[ "$fstype" = tmpfs ] && say "daemon_bench: warning: $work is on tmpfs;" \
	"fsync costs nothing there, so throughput is flattered" >&2
say "backtalkd $("$backtalkd" -V | sed 's/^backtalkd //'), $(sqlite3 --version | cut -d' ' -f1-2 | sed 's/^/sqlite3 CLI /'), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- run ---------------------------------------------------------------
set +e
timeout --signal=TERM --kill-after=10 "$limit" python3 "$here/daemon_bench.py" \
	--backtalkd "$backtalkd" --fakegw "$fakegw" --rules "$rules" \
	--messages "$work/messages.txt" --classified "$work/classified.json" \
	--work "$work" --poll-ms "$poll_ms" --latency-count "$nlat" \
	--loaded-count "$nloaded" --max-seconds "$max_s" --seed "$seed" \
	--phases "$phases" --convo "$convo" --json "$work/result.json" &
helper=$!
wait "$helper"
rc=$?
helper=
set -e
[ "$rc" -eq 124 ] && say "daemon_bench: FAILED: timed out after $limit s" >&2
exit "$rc"
