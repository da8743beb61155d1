#!/usr/bin/env bash
# Installs the Debian 12 packages backtalk needs.
#
#   scripts/deps.sh          what building and running need (scripts/run.sh)
#   scripts/deps.sh --test   that, and what the tests, sanitizers, fuzzers and
#                            the conformance test need (scripts/test.sh),
#                            including Prism from the npm registry
#
# Fast when everything is there already: one dpkg-query, no apt-get.
set -euo pipefail

TEST=0
case ${1:-} in
"") ;;
--test) TEST=1 ;;
*)
	echo "usage: scripts/deps.sh [--test]" >&2
	exit 2
	;;
esac

PACKAGES=(
	# toolchain
	build-essential cmake pkg-config
	# rule engine
	libpcre2-dev libconfig-dev libvectorscan-dev libjansson-dev
	# word forms and Unicode folding for concept terms
	libstemmer-dev libutf8proc-dev
	# word lists: a real word is never read as a misspelling (lexicon.c)
	wamerican wspanish wbrazilian
	# daemon: gateway client, store, systemd notify, local HTTP
	libcurl4-openssl-dev libsqlite3-dev libsystemd-dev libmicrohttpd-dev
)
if [ $TEST -eq 1 ]; then
	PACKAGES+=(
		clang clang-format libclang-rt-14-dev # libFuzzer, sanitizers
		libcmocka-dev valgrind hyperfine mandoc
		# trains the red-flag model (scripts/train-model.sh, model_reproducible)
		liblinear-tools
		# End-to-end tests drive the fake gateway with these.
		curl python3 sqlite3
		# admin golden tests print times in another zone
		tzdata
		# The unit test rates the systemd unit with systemd-analyze.
		systemd
		# packaging: cpack -G DEB computes Depends with dpkg-shlibdeps;
		# the package test runs lintian on the package
		dpkg-dev lintian
	)
	# The conformance test runs Prism from npm (tests/prism).  A machine
	# image may bring its own node; Debian's otherwise.
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		PACKAGES+=(nodejs npm)
	fi
fi
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# npm ci when tests/prism/node_modules is missing or older than the lockfile
# (npm writes node_modules/.package-lock.json on every install).
npm_deps() {
	[ $TEST -eq 1 ] || return 0
	local dir=$ROOT/tests/prism
	if [ -x "$dir/node_modules/.bin/prism" ] &&
		[ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
		echo "deps: npm packages in tests/prism installed"
		return 0
	fi
	echo "deps: npm ci in tests/prism"
	npm ci --prefix "$dir" --no-audit --no-fund </dev/null
}

# dpkg-query exits non-zero when it knows some name not at all; the
# comparison below catches those too.
installed=" $(dpkg-query -W -f='${Package}=${db:Status-Status} ' \
	"${PACKAGES[@]}" 2>/dev/null || true)"
missing=()
for p in "${PACKAGES[@]}"; do
	[[ $installed == *" $p=installed "* ]] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PACKAGES[@]} packages installed"
	npm_deps
	exit 0
fi
echo "deps: installing ${missing[*]}"

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null; then
		echo "deps: not root and no sudo; install as root:" \
			"apt-get install ${missing[*]}" >&2
		exit 1
	fi
	SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q </dev/null

# Name the package that does not exist instead of apt-get's generic error.
unknown=()
for p in "${missing[@]}"; do
	cand=$(apt-cache policy "$p" | awk '/Candidate:/ { print $2 }')
	if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
		unknown+=("$p")
	fi
done
if [ ${#unknown[@]} -gt 0 ]; then
	echo "deps: no installable candidate for: ${unknown[*]}" \
		"(is this Debian 12 with its main archive?)" >&2
	exit 1
fi
"${SUDO[@]}" apt-get install -y -q --no-install-recommends \
	"${missing[@]}" </dev/null
npm_deps
echo "deps: done"
