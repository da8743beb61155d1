#!/usr/bin/env bash
# Keeps man/backtalk.conf.5 in step with the configuration.  Fails when a key
# set (or shown commented out) in config/backtalk.conf, or accepted by the key
# tables of daemon/common/config.c, has no ".It Ic group.key" item in the page; when
# config/backtalk.conf shows a key that config.c does not accept; and when
# the page's Settings list names a key that config.c does not accept.
# Run by ctest as man_keys; by hand: bash scripts/man-keys.sh
# (MAN_KEYS_CONF, MAN_KEYS_SRC and MAN_KEYS_PAGE name other files to compare.)
# shellcheck disable=SC2034 # known and doc are read through check's nameref
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CONF=${MAN_KEYS_CONF:-$ROOT/config/backtalk.conf}
SRC=${MAN_KEYS_SRC:-$ROOT/daemon/common/config.c}
PAGE=${MAN_KEYS_PAGE:-$ROOT/man/backtalk.conf.5}

for f in "$CONF" "$SRC" "$PAGE"; do
	if [ ! -r "$f" ]; then
		echo "man-keys: cannot read $f" >&2
		exit 1
	fi
done

# Keys of the example configuration, as group.key, commented-out ones too:
# "#  base_url = ...;" inside "#infobip = {" counts.  A line is a setting
# when, without its leading "#" and blanks, it reads "name = value;".
conf_keys() {
	sed -e 's/^[[:space:]#]*//' "$CONF" | awk '
	function emit(name) { print (group != "" ? group "." : "") name }
	/^[a-z_][a-z0-9_]* = \{.*\};[[:space:]]*$/ {
		# a group on one line: name = { a = 1; b = 2; };
		g = $1; rest = $0; sub(/^[^{]*\{/, "", rest)
		while (match(rest, /[a-z_][a-z0-9_]* = /)) {
			print g "." substr(rest, RSTART, RLENGTH - 3)
			rest = substr(rest, RSTART + RLENGTH)
		}
		next
	}
	/^[a-z_][a-z0-9_]* = \{[[:space:]]*$/ { group = $1; next }
	/^\};/ { group = ""; next }
	/^[a-z_][a-z0-9_]* = [^{].*;[[:space:]]*$/ { emit($1) }
	'
}

# Keys of config.c: every entry of a config_*_keys table.  The root table
# names each group and its table; its other entries are top-level keys.
src_keys() {
	awk '
	/^static const struct config_key config_[a-z_]+_keys\[\] = \{/ {
		table = $0
		sub(/^static const struct config_key config_/, "", table)
		sub(/_keys.*/, "", table)
		next
	}
	table != "" && /^\};/ { table = ""; next }
	table != "" {
		line = $0
		if (match(line, /\{ *"[a-z_][a-z0-9_]*"/) ||
		    match(line, /\.name *= *"[a-z_][a-z0-9_]*"/)) {
			name = substr(line, RSTART, RLENGTH)
		} else {
			next
		}
		sub(/^[^"]*"/, "", name)
		sub(/"$/, "", name)
		if (table != "root") {
			tbl[++n] = table
			key[n] = name
		} else if (line ~ /KIND_GROUP/) {
			if (match(line, /config_[a-z_]+_keys/))
				groupof[substr(line, RSTART + 7, RLENGTH - 12)] = name
		} else {
			print name
		}
	}
	END {
		for (i = 1; i <= n; i++) {
			g = (tbl[i] in groupof) ? groupof[tbl[i]] : tbl[i]
			print g "." key[i]
		}
	}
	' "$SRC"
}

# Items of the page: ".It Ic name" anywhere, and those in its Settings list.
page_items() {
	sed -n 's/^\.It Ic \([a-z_][a-z0-9_.]*\)\([[:space:]].*\)\{0,1\}$/\1/p' "$PAGE"
}
page_settings() {
	awk '/^\.Ss Settings/ { on = 1; next } /^\.S[hs] / { on = 0 }
	on && /^\.It Ic / { print $3 }' "$PAGE"
}

mapfile -t from_conf < <(conf_keys | sort -u)
mapfile -t from_src < <(src_keys | sort -u)
mapfile -t documented < <(page_items | sort -u)
mapfile -t listed < <(page_settings | sort -u)

if [ ${#from_conf[@]} -eq 0 ] || [ ${#from_src[@]} -eq 0 ]; then
	echo "man-keys: found no keys in $CONF or $SRC; has the format" \
		"changed? Update scripts/man-keys.sh" >&2
	exit 1
fi
declare -A known=() doc=()
for k in "${from_src[@]}"; do known[$k]=1; done
for k in "${documented[@]}"; do doc[$k]=1; done

# check TABLE MESSAGE KEY...: complains about each KEY missing from TABLE
# (known or doc), with MESSAGE, where "%k" stands for the key.
fail=0
check() {
	local -n table=$1
	local msg=$2 k
	shift 2
	for k in "$@"; do
		if [ -z "${table[$k]:-}" ]; then
			echo "man-keys: ${msg//%k/$k}" >&2
			fail=1
		fi
	done
}
conf=${CONF#"$ROOT"/} src=${SRC#"$ROOT"/} page=${PAGE#"$ROOT"/}
check doc "%k is in $conf but not documented in $page; add an item \".It Ic %k\"" \
	"${from_conf[@]}"
check known "%k is in $conf but $src does not accept it" "${from_conf[@]}"
check doc "%k is accepted by $src but not documented in $page; add an item \".It Ic %k\"" \
	"${from_src[@]}"
check known "$page documents %k, which $src does not accept" "${listed[@]}"
if [ $fail -ne 0 ]; then
	exit 1
fi
echo "man-keys: ${#from_src[@]} keys (${#from_conf[@]} in $conf)," \
	"all documented in $page"
