#!/usr/bin/env bash
# The Debian package, built, checked and run through dpkg in a scratch
# root (never this machine's own):
#   package-test.sh BUILD_DIR SOURCE_DIR [CPACK]
#
# 1. cpack -G DEB from BUILD_DIR's CPackConfig.cmake into a scratch
#    directory (the build directory gets no package and no _CPack_Packages).
# 2. Its metadata (name, version, Depends from dpkg-shlibdeps), its control
#    files (conffiles = every file under /etc; postinst, prerm and postrm
#    exactly debian/'s, 0755, /bin/sh with set -e) and its contents
#    (dpkg-deb -c): exactly the expected files, modes and owners, and only
#    their parent directories.
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
# 5. The maintainer scripts run for real: dpkg --root=SCRATCH
#    --force-script-chrootless (the scripts see DPKG_ROOT and work under
#    it) installs the package, upgrades it to a second .deb with a higher
#    version (the first repacked, two conffiles changed), removes and
#    purges it, with the files systemd and the operator would have added in
#    between.  After each step: which files exist, the unit's enablement
#    links (deb-systemd-helper makes them itself where the root has no
#    systemctl), the operator's conffile edits, and what purge printed.
#    Starting, restarting and stopping the daemon need a running systemd
#    and are not done under DPKG_ROOT: that part is not tested here.
# 6. lintian reports no error and no warning (its informational tags are
#    printed); it runs in the background from step 1 on.  Without lintian
#    every other step runs, then the test exits 77, which CTest reports as
#    skipped, saying why.
# Prints "ok: ..." per step, or "FAIL: why" and exits 1.
set -euo pipefail
BUILD=$1
SRC=$2
CPACK=${3:-cpack}

WORK=$(mktemp -d /tmp/backtalk-package.XXXXXX)
LINTIAN_PID=
cleanup() {
	if [ -n "$LINTIAN_PID" ]; then kill "$LINTIAN_PID" 2>/dev/null || true; fi
	rm -rf "$WORK"
}
trap cleanup EXIT
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

# lintian (step 6) takes the longest: it runs while the other steps do.
# Errors and warnings fail; overrides (debian/backtalk.lintian-overrides,
# each with its reason) are honoured; informational tags are shown.
if command -v lintian >/dev/null; then
	lintian --fail-on error,warning --display-info "$DEB" \
		>"$WORK/lintian" 2>&1 &
	LINTIAN_PID=$!
fi

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
	postinst | prerm | postrm)
		cmp -s "$f" "$SRC/debian/${f##*/}" ||
			fail "control file ${f##*/} is not debian/${f##*/}"
		[ "$(stat -c %a "$f")" = 755 ] ||
			fail "${f##*/} has mode $(stat -c %a "$f"), not 755"
		[ "$(head -n 1 "$f")" = "#!/bin/sh" ] || fail "${f##*/} is not /bin/sh"
		grep -qx 'set -e' "$f" || fail "${f##*/} does not set -e"
		sh -n "$f" || fail "${f##*/}: sh -n"
		;;
	*) fail "unexpected control file: ${f##*/}" ;;
	esac
done
for f in postinst prerm postrm; do
	[ -f "$WORK/control/$f" ] || fail "no $f in the package"
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
	./usr/share/lintian/overrides/backtalk
	./etc/backtalk/backtalk.conf
)
for rule in "$SRC"/rules/*.conf "$SRC"/rules/*.model; do
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
	"$(wc -l <"$WORK/conffiles.want") conffiles, postinst prerm postrm"
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

# --- 5. install, upgrade, remove, purge with dpkg in a scratch root -------
# dpkg --root works on SCRATCH's own database; --force-script-chrootless
# runs the maintainer scripts here with DPKG_ROOT=SCRATCH (they put it
# before every path), --force-depends because SCRATCH has none of the
# libraries.  The host's deb-systemd-helper state must not change.
DROOT=$WORK/dpkgroot
mkdir -p "$DROOT/var/lib/dpkg/info" "$DROOT/var/lib/dpkg/updates"
touch "$DROOT/var/lib/dpkg/status" "$DROOT/var/lib/dpkg/available"
DPKG=(dpkg "--root=$DROOT" --force-script-chrootless --force-depends
	--log=/dev/null)
[ "$(id -u)" -eq 0 ] || DPKG+=(--force-not-root)
# Prints what the maintainer scripts said, on stdout or stderr: every line
# but dpkg's own (its steps, its notes on the libraries SCRATCH lacks, on
# conffiles and on directories it leaves).
scratch_dpkg() {
	"${DPKG[@]}" "$@" </dev/null >"$WORK/dpkg.log" 2>&1 || {
		cat "$WORK/dpkg.log" >&2
		fail "dpkg $*"
	}
	grep -v -E -e '^$' \
		-e '^(Selecting previously unselected package|\(Reading database) ' \
		-e '^(Preparing to unpack|Unpacking|Setting up|Removing) ' \
		-e '^Purging configuration files for ' \
		-e '^dpkg: backtalk: dependency problems, but ' \
		-e '^ backtalk depends on |^  Package .* is not installed\.$' \
		-e "^Configuration file '/etc/backtalk/|^ ==> " \
		-e '^Installing new version of config file /etc/backtalk/' \
		-e "^dpkg: warning: while removing backtalk, directory '[^']*' not empty so not removed$" \
		"$WORK/dpkg.log" || true
}
status() {
	"${DPKG[@]}" -s backtalk 2>/dev/null |
		sed -n -e 's/^Status: //p' -e 's/^Version: / /p' | tr -d '\n'
}
present() {
	local p
	for p in "$@"; do
		[ -e "$DROOT$p" ] || [ -L "$DROOT$p" ] || fail "$WHEN: $p is missing"
	done
}
absent() {
	local p
	for p in "$@"; do
		if [ -e "$DROOT$p" ] || [ -L "$DROOT$p" ]; then
			fail "$WHEN: $p is still there"
		fi
	done
}
host_dsh=/var/lib/systemd/deb-systemd-helper-enabled
host_before=$(find "$host_dsh" -name 'backtalkd*' 2>/dev/null | sort || true)
WANTS=/etc/systemd/system/multi-user.target.wants/backtalkd.service
UNITDIR=${unit%/*}
UNITDIR=${UNITDIR#.}
V1=$(field Version)

# The second package: the first, version V1+upgradetest, with the config
# (which the operator will have edited too) and a rule file changed.
V2=$V1+upgradetest
dpkg-deb -R "$DEB" "$WORK/v2"
sed -i "s/^Version: .*/Version: $V2/" "$WORK/v2/DEBIAN/control"
echo "# changed in $V2" >>"$WORK/v2/etc/backtalk/backtalk.conf"
echo "# changed in $V2" >>"$WORK/v2/etc/backtalk/rules.d/50-info.conf"
(cd "$WORK/v2" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' |
	sort -z | xargs -0 md5sum >DEBIAN/md5sums)
dpkg-deb --root-owner-group -Znone -b "$WORK/v2" "$WORK/backtalk-v2.deb" \
	>"$WORK/v2.log" 2>&1 || {
	cat "$WORK/v2.log" >&2
	fail "dpkg-deb -b of the second package"
}

WHEN="install $V1"
out=$(scratch_dpkg -i "$DEB")
[ -z "$out" ] || fail "$WHEN: the scripts said: $out"
[ "$(status)" = "install ok installed $V1" ] || fail "$WHEN: status '$(status)'"
present /usr/sbin/backtalkd /etc/backtalk/backtalk.conf \
	"$UNITDIR/backtalkd.service" "$UNITDIR/backtalkd@.service"
[ "$(readlink "$DROOT$WANTS")" = "$UNITDIR/backtalkd.service" ] ||
	fail "$WHEN: postinst did not enable backtalkd.service ($WANTS)"
if [ -n "$(find "$DROOT/etc/systemd" -name 'backtalkd@*')" ]; then
	fail "$WHEN: postinst enabled the template backtalkd@.service"
fi
[ "$(stat -c %a "$DROOT/etc/backtalk/credentials")" = 700 ] ||
	fail "$WHEN: /etc/backtalk/credentials is not 700"
echo "ok: $WHEN: files in place, backtalkd.service enabled (not the template), the scripts silent"

# What the operator and systemd add: the token, an edit of the config, a
# second instance's directory; the state and cache directories the unit's
# StateDirectory= and CacheDirectory= make with DynamicUser= (private/,
# and a link to it).  Then the operator disables the unit, as systemctl
# disable does: by removing its link.
printf '%s' 0123456789abcdef0123456789abcdef \
	>"$DROOT/etc/backtalk/credentials/twilio-token"
echo "# the operator's edit" >>"$DROOT/etc/backtalk/backtalk.conf"
mkdir -p "$DROOT/etc/backtalk/clinic2/credentials"
touch "$DROOT/etc/backtalk/clinic2/backtalk.conf" \
	"$DROOT/etc/backtalk/clinic2/credentials/infobip-key"
for d in lib cache; do
	install -d -m 700 "$DROOT/var/$d/private" \
		"$DROOT/var/$d/private/backtalk" "$DROOT/var/$d/private/backtalk/clinic2"
	ln -s private/backtalk "$DROOT/var/$d/backtalk"
done
touch "$DROOT/var/lib/private/backtalk/state.db" \
	"$DROOT/var/lib/private/backtalk/clinic2/state.db" \
	"$DROOT/var/cache/private/backtalk/prefilter.db"
rm "$DROOT$WANTS"

WHEN="upgrade to $V2"
out=$(scratch_dpkg --force-confold -i "$WORK/backtalk-v2.deb")
[ -z "$out" ] || fail "$WHEN: the scripts said: $out"
[ "$(status)" = "install ok installed $V2" ] || fail "$WHEN: status '$(status)'"
grep -q "^# the operator's edit" "$DROOT/etc/backtalk/backtalk.conf" ||
	fail "$WHEN: the operator's edit of backtalk.conf is lost"
grep -q "^# changed in $V2" "$DROOT/etc/backtalk/backtalk.conf.dpkg-dist" ||
	fail "$WHEN: no backtalk.conf.dpkg-dist with the new packaged config"
grep -q "^# changed in $V2" "$DROOT/etc/backtalk/rules.d/50-info.conf" ||
	fail "$WHEN: the unedited rules.d/50-info.conf was not updated"
present /etc/backtalk/credentials/twilio-token /var/lib/backtalk \
	/var/lib/private/backtalk/state.db /etc/backtalk/clinic2/backtalk.conf
absent "$WANTS"
echo "ok: $WHEN: the operator's config edit kept (new one in .dpkg-dist)," \
	"an unedited rule file updated, the token and state kept, disabled stays disabled"

# The operator enables it again (systemctl enable makes the link); a
# reinstall keeps it.
ln -s "$UNITDIR/backtalkd.service" "$DROOT$WANTS"
WHEN="reinstall $V2"
out=$(scratch_dpkg -i "$WORK/backtalk-v2.deb")
[ -z "$out" ] || fail "$WHEN: the scripts said: $out"
present "$WANTS"
echo "ok: $WHEN: enabled stays enabled"

WHEN="remove"
out=$(scratch_dpkg -r backtalk)
[ -z "$out" ] || fail "$WHEN: the scripts said: $out"
[ "$(status)" = "deinstall ok config-files $V2" ] ||
	fail "$WHEN: status '$(status)'"
absent /usr/sbin/backtalkd /usr/bin/backtalk "$UNITDIR/backtalkd.service"
present /etc/backtalk/backtalk.conf /etc/backtalk/rules.d/10-emergency.conf \
	/etc/backtalk/credentials/twilio-token /var/lib/backtalk \
	/var/lib/private/backtalk/state.db /var/cache/private/backtalk/prefilter.db
echo "ok: $WHEN: programs and units gone; config, token, state and cache kept"

WHEN="purge"
out=$(scratch_dpkg -P backtalk)
removed="/var/lib/backtalk /var/lib/private/backtalk /var/cache/backtalk"
removed+=" /var/cache/private/backtalk /etc/backtalk/credentials"
kept="/etc/backtalk/clinic2/backtalk.conf"
kept+=" /etc/backtalk/clinic2/credentials/infobip-key"
want="backtalk: purge removed the state database (health data), the cache"
want+=" and the credentials: $removed"
want+=$'\n'"backtalk: kept what you added to /etc/backtalk: $kept"
[ "$out" = "$want" ] || {
	printf 'said:\n%s\nwanted:\n%s\n' "$out" "$want" >&2
	fail "$WHEN: postrm did not say what it removed and kept"
}
[ -z "$(status)" ] || fail "$WHEN: status '$(status)'"
# shellcheck disable=SC2086 # word lists
absent $removed /etc/backtalk/backtalk.conf /etc/backtalk/backtalk.conf.dpkg-dist \
	/etc/backtalk/rules.d "$WANTS" /var/lib/systemd/deb-systemd-helper-enabled
# shellcheck disable=SC2086
present $kept /var/lib/private /var/cache/private
echo "ok: $WHEN: state, cache, credentials, conffiles and the unit's links gone;" \
	"the operator's own files kept and named"

host_after=$(find "$host_dsh" -name 'backtalkd*' 2>/dev/null | sort || true)
[ "$host_before" = "$host_after" ] ||
	fail "the maintainer scripts changed this machine's $host_dsh"

# --- 6. lintian ------------------------------------------------------------
if [ -z "$LINTIAN_PID" ]; then
	echo "SKIP: lintian not found: every other check passed, lintian's did" \
		"not run (apt-get install lintian, or scripts/deps.sh --test)"
	exit 77
fi
lintian_rc=0
wait "$LINTIAN_PID" || lintian_rc=$?
LINTIAN_PID=
if [ "$lintian_rc" -ne 0 ]; then
	cat "$WORK/lintian" >&2
	fail "lintian found errors or warnings (exit $lintian_rc)"
fi
echo "ok: lintian: no errors, no warnings; informational tags:"
awk '/^I: / { n[$3]++ } END { for (t in n) printf "    %s (%d)\n", t, n[t] }' \
	"$WORK/lintian" | sort
