#!/usr/bin/env bash
# The Debian package, built and checked without installing it:
#   package-test.sh BUILD_DIR SOURCE_DIR [CPACK]
#
# 1. cpack -G DEB from BUILD_DIR's CPackConfig.cmake into a scratch
#    directory (the build directory gets no package and no _CPack_Packages).
# 2. Its metadata (name, version, Depends from dpkg-shlibdeps), its control
#    files (conffiles = every file under /etc, no maintainer scripts) and
#    its contents (dpkg-deb -c): exactly the expected files, modes and
#    owners, and only their parent directories.
# 3. dpkg-deb -x into a scratch root.  Debian policy's files: the copyright
#    file is DEP-5 with the ISC text of LICENSE, the changelog and the man
#    pages are their sources through gzip -9n (so reproducible), the
#    changelog's version is the package's; mandoc -T lint on the packaged
#    (compressed) man pages; the packaged units' programs and credentials
#    directory match the package and the packaged config.
# 4. The packaged backtalkd --check-config (and backtalk check --config) on
#    the packaged config and rules.  That config names absolute paths
#    (/etc/backtalk/rules.d, /var/lib/backtalk/state.db), so the check runs
#    on a copy in which only those quoted prefixes are moved under the
#    scratch root; the copy is diffed against the packaged file to show
#    nothing else changed.  The unit's twilio-token credential comes from a
#    scratch $CREDENTIALS_DIRECTORY holding a dummy token named as systemd
#    names the files of the unit's credentials directory.
# Prints "ok: ..." per step, or "FAIL: why" and exits 1.
set -euo pipefail
BUILD=$1
SRC=$2
CPACK=${3:-cpack}

WORK=$(mktemp -d /tmp/backtalk-package.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/root

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# --- 1. build the package -------------------------------------------------
if ! "$CPACK" --config "$BUILD/CPackConfig.cmake" -G DEB -B "$WORK/out" \
	>"$WORK/cpack.log" 2>&1; then
	cat "$WORK/cpack.log" >&2
	fail "cpack -G DEB failed"
fi
debs=("$WORK"/out/*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
	fail "expected one .deb in $WORK/out, found: ${debs[*]}"
fi
DEB=${debs[0]}
echo "ok: built $(basename "$DEB") ($(stat -c %s "$DEB") bytes)"

# --- 2. metadata, control files, contents ---------------------------------
field() {
	dpkg-deb -f "$DEB" "$1"
}
[ "$(field Package)" = backtalk ] || fail "Package is '$(field Package)'"
for f in Version Maintainer Description Section Priority Architecture; do
	[ -n "$(field "$f")" ] || fail "no $f field"
done
[[ "$(field Depends)" == *libc6* ]] ||
	fail "Depends '$(field Depends)' was not computed by dpkg-shlibdeps"

dpkg-deb -e "$DEB" "$WORK/control"
for f in "$WORK"/control/*; do
	case ${f##*/} in
	control | md5sums | conffiles) ;;
	*) fail "unexpected control file (a maintainer script?): ${f##*/}" ;;
	esac
done

# Every file the package should hold, and nothing else: the unit's
# directory is whatever systemd's pkg-config file said.
expected=(
	./usr/bin/backtalk
	./usr/sbin/backtalkd
	./usr/share/man/man1/backtalk.1.gz
	./usr/share/man/man5/backtalk-rules.5.gz
	./usr/share/man/man5/backtalk.conf.5.gz
	./usr/share/man/man8/backtalkd.8.gz
	./usr/share/doc/backtalk/copyright
	./usr/share/doc/backtalk/changelog.gz
	./etc/backtalk/backtalk.conf
)
for rule in "$SRC"/rules/*.conf; do
	expected+=("./etc/backtalk/rules.d/$(basename "$rule")")
done
dpkg-deb -c "$DEB" >"$WORK/contents"
unit=$(awk '$6 ~ /\/systemd\/system\/backtalkd\.service$/ { print $6 }' \
	"$WORK/contents")
case $unit in
./lib/systemd/system/backtalkd.service | ./usr/lib/systemd/system/backtalkd.service)
	expected+=("$unit" "${unit%/*}/backtalkd@.service")
	;;
*) fail "no backtalkd.service under lib/systemd/system: '$unit'" ;;
esac
printf '%s\n' "${expected[@]}" | sort >"$WORK/expected"

# dpkg-deb -c: MODE OWNER SIZE DATE TIME PATH.  Executables 0755, the rest
# 0644, all root's; a directory only where an expected file is below it.
awk -v expected="$WORK/expected" '
	BEGIN { while ((getline f < expected) > 0) want[f] = 1 }
	$2 != "root/root" { print "owner " $2 ": " $6; bad = 1 }
	# The units credentials directory: empty, private.
	/^d/ && $6 == "./etc/backtalk/credentials/" {
		if ($1 != "drwx------") { print "mode " $1 " (not drwx------): " $6; bad = 1 }
		creddir = 1
		next
	}
	/^d/ {
		d = $6
		ok = 0
		for (f in want)
			if (index(f, d) == 1) ok = 1
		if (!ok) { print "unexpected directory: " d; bad = 1 }
		next
	}
	/^-/ {
		if (!($6 in want)) { print "unexpected file: " $6; bad = 1; next }
		mode = $6 ~ /\/s?bin\// ? "-rwxr-xr-x" : "-rw-r--r--"
		if ($1 != mode) { print "mode " $1 " (not " mode "): " $6; bad = 1 }
		seen[$6] = 1
		next
	}
	{ print "unexpected entry: " $0; bad = 1 }
	END {
		for (f in want)
			if (!(f in seen)) { print "missing: " f; bad = 1 }
		if (!creddir) { print "missing: ./etc/backtalk/credentials/"; bad = 1 }
		exit bad
	}
' "$WORK/contents" >&2 || fail "package contents differ from the expected"

grep './etc/' "$WORK/expected" | sed 's/^\.//' >"$WORK/conffiles.want"
sort "$WORK/control/conffiles" | diff -u "$WORK/conffiles.want" - >&2 ||
	fail "conffiles are not exactly the files under /etc"
echo "ok: $(field Package) $(field Version): ${#expected[@]} files," \
	"$(wc -l <"$WORK/conffiles.want") conffiles, no maintainer scripts"
echo "    Depends: $(field Depends)"

# --- 3. extract; man pages; unit against package and config --------------
dpkg-deb -x "$DEB" "$ROOT"
BACKTALKD=$ROOT/usr/sbin/backtalkd
BACKTALK=$ROOT/usr/bin/backtalk
CONF=$ROOT/etc/backtalk/backtalk.conf
UNIT=$ROOT${unit#.}

version=$("$BACKTALKD" -V)
[ "$version" = "backtalkd $(field Version)" ] ||
	fail "backtalkd -V says '$version', the package $(field Version)"

# Debian policy's files.  The copyright file: DEP-5, every file ISC, the
# licence's text that of LICENSE (whose first two lines are the copyright
# line and a blank one).
COPYRIGHT=$ROOT/usr/share/doc/backtalk/copyright
[ "$(head -n 1 "$COPYRIGHT")" = \
	"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" ] ||
	fail "the copyright file is not in the DEP-5 format"
awk '/^Files: \*$/ { f = 1; next } f && /^$/ { exit } f { print }' \
	"$COPYRIGHT" >"$WORK/files-star"
grep -qx 'License: ISC' "$WORK/files-star" ||
	fail "the copyright file's 'Files: *' stanza is not ISC"
grep -qx "Copyright: $(sed -n '1s/^Copyright (c) //p' "$SRC/LICENSE")" \
	"$WORK/files-star" || fail "the copyright file's holder is not LICENSE's"
awk '/^License: ISC$/ { body = ""; f = 1; next }
	f && /^ / { line = substr($0, 2); if (line == ".") line = ""
		body = body line "\n"; next }
	{ f = 0 }
	END { printf "%s", body }' "$COPYRIGHT" >"$WORK/isc"
tail -n +3 "$SRC/LICENSE" | diff -u - "$WORK/isc" >&2 ||
	fail "the copyright file's ISC text differs from LICENSE"

# The changelog and the man pages: their sources through gzip -9n, byte
# for byte (no name, no time: the same source makes the same package).
gz_is() {
	gzip -9n -c "$1" | cmp -s - "$2" ||
		fail "${2#"$ROOT"} is not $1 compressed with gzip -9n"
}
CHANGELOG=$ROOT/usr/share/doc/backtalk/changelog.gz
gz_is "$SRC/debian/changelog" "$CHANGELOG"
zcat "$CHANGELOG" >"$WORK/changelog"
[ "$(dpkg-parsechangelog -l "$WORK/changelog" -S Version)" = "$(field Version)" ] ||
	fail "the changelog's version is not the package's $(field Version)"
for page in "$ROOT"/usr/share/man/man*/*; do
	gz_is "$SRC/man/$(basename "$page" .gz)" "$page"
done
echo "ok: copyright (DEP-5, ISC as LICENSE), changelog $(field Version)," \
	"man pages: gzip -9n of their sources"

# One mandoc a page: mandoc 1.14.6 decompresses only the first .gz file of
# its command line.
for page in "$ROOT"/usr/share/man/man*/*; do
	mandoc -T lint -W warning "$page" >&2 ||
		fail "mandoc -T lint found problems in ${page#"$ROOT"}"
done
echo "ok: mandoc -T lint on the packaged man pages"

# The unit runs programs from the package with the packaged config, gives
# it the credential and the state directory that config names.
while read -r prog; do
	[ -x "$ROOT$prog" ] || fail "the unit runs $prog, not in the package"
done < <(sed -n 's/^ExecStart\(Pre\)\{0,1\}=\([^ ]*\).*/\2/p' "$UNIT")
grep -q -- "-c /etc/backtalk/backtalk.conf" "$UNIT" ||
	fail "the unit does not run with /etc/backtalk/backtalk.conf"
cred=$(sed -n 's/^ *auth_token_credential = "\(.*\)";/\1/p' "$CONF")
grep -q "^LoadCredential=backtalk:/etc/backtalk/credentials$" "$UNIT" ||
	fail "the unit does not load the credentials directory that holds '$cred'"
[ -d "$ROOT/etc/backtalk/credentials" ] ||
	fail "the package has no /etc/backtalk/credentials for the unit to load"
state_dir=$(sed -n 's/^StateDirectory=//p' "$UNIT")
grep -q "^state = \"/var/lib/$state_dir/" "$CONF" ||
	fail "the config's state is not in the unit's StateDirectory $state_dir"
echo "ok: unit runs packaged programs; credential $cred, /var/lib/$state_dir"

# --- 4. the packaged programs check the packaged config and rules --------
CHECK=$WORK/check.conf
sed -e "s|\"/etc/backtalk/|\"$ROOT/etc/backtalk/|g" \
	-e "s|\"/var/lib/backtalk/|\"$ROOT/var/lib/backtalk/|g" \
	"$CONF" >"$CHECK"
diff "$CONF" "$CHECK" >"$WORK/check.diff" || true
changed=$(grep -c '^>' "$WORK/check.diff" || true)
if [ "$changed" -eq 0 ] || grep '^>' "$WORK/check.diff" | grep -v "$ROOT" >/dev/null; then
	fail "rewriting the config's paths changed more than paths"
fi

mkdir -m 700 "$WORK/credentials" "$WORK/cache"
# named as systemd names the files of the unit's credentials directory
printf '%s' 0123456789abcdef0123456789abcdef \
	>"$WORK/credentials/backtalk_$cred"
chmod 600 "$WORK/credentials/backtalk_$cred"
export CREDENTIALS_DIRECTORY=$WORK/credentials
export BACKTALK_CACHE_DIR=$WORK/cache
unset CACHE_DIRECTORY JOURNAL_STREAM

out=$("$BACKTALKD" --check-config -c "$CHECK" 2>&1) || {
	echo "$out" >&2
	fail "packaged backtalkd --check-config rejects the packaged config"
}
[[ "$out" == *"rules from $ROOT/etc/backtalk/rules.d;"* ]] || {
	echo "$out" >&2
	fail "backtalkd did not read the packaged rules.d"
}
echo "ok: ${out#"$WORK/"}"
out=$("$BACKTALK" check --config "$CHECK" 2>&1) || {
	echo "$out" >&2
	fail "packaged backtalk check rejects the packaged config"
}
echo "ok: backtalk check --config: $(tail -n 1 <<<"$out")"

# The packaged programs look where the package puts things, whatever
# prefix the build had: the rules in /etc/backtalk/rules.d, the config in
# /etc/backtalk/backtalk.conf.  And they work from there: classify with
# the packaged rules.
"$BACKTALK" --help | grep -q 'else /etc/backtalk/rules.d)' ||
	fail "the packaged backtalk's default rules are not /etc/backtalk/rules.d: $("$BACKTALK" --help | grep -A1 'BACKTALK_RULES')"
"$BACKTALKD" -h 2>&1 | grep -q '/etc/backtalk/backtalk.conf' ||
	fail "the packaged backtalkd's default config is not /etc/backtalk/backtalk.conf"
out=$(BACKTALK_RULES=$ROOT/etc/backtalk/rules.d "$BACKTALK" classify "my leg went numb")
[[ $out == *'"category":"urgent"'* ]] ||
	fail "the packaged backtalk with the packaged rules: $out"
echo "ok: default paths /etc/backtalk; the packaged rules classify"

