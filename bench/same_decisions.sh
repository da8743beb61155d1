#!/bin/sh
# bench/same_decisions.sh: do two builds of backtalk decide the same way?
#
# usage: same_decisions.sh OLD_BACKTALK NEW_BACKTALK GEN_MESSAGES GEN_RULES
#                          [RULES_DIR]
#
# Runs `backtalk classify` (its default JSON lines) and `backtalk classify
# --explain` with both binaries over the same inputs and compares the
# outputs byte for byte:
#
#   - every message text (column 3) of tests/corpus/*.tsv and, when it
#     exists, /work/shared/corpus/dev.tsv (or $SAME_CORPUS_EXTRA);
#   - $SAME_MESSAGES (default 100,000) gen_messages texts, seed 1;
#
# each with the shipped rules (RULES_DIR, default <repo>/rules) and with
# 1,000 generated rules of which half are concept rules (gen_rules -c 50).
# It is for speed work: a faster classifier must not change one decision,
# one explanation or one byte of output.  Exit 0 when everything is
# identical, 1 on the first difference (shown with diff), 2 on misuse.
# Nothing here uses the network.
set -eu

if [ $# -ne 4 ] && [ $# -ne 5 ]; then
	echo "usage: same_decisions.sh OLD_BACKTALK NEW_BACKTALK" \
		"GEN_MESSAGES GEN_RULES [RULES_DIR]" >&2
	exit 2
fi
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
root=$(dirname -- "$here")
old=$1
new=$2
gen_messages=$3
gen_rules=$4
rules=${5:-$root/rules}
nmsg=${SAME_MESSAGES:-100000}
extra=${SAME_CORPUS_EXTRA:-/work/shared/corpus/dev.tsv}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/backtalk-same.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The texts: column 3 of every corpus line that is not a comment.
for f in "$root"/tests/corpus/*.tsv "$extra"; do
	[ -f "$f" ] || continue
	grep -v '^#' "$f" | awk -F '\t' 'NF >= 3 { print $3 }'
done >"$tmp/corpus.txt"
"$gen_messages" -n "$nmsg" -s 1 -o "$tmp/gen.txt"
"$gen_rules" -n 1000 -s 1 -c 50 -o "$tmp/genrules" >/dev/null

status=0
# compare LABEL RULES INPUT [ARGS...]
compare() {
	label=$1
	r=$2
	in=$3
	shift 3
	"$old" classify --rules "$r" "$@" <"$in" >"$tmp/old.out" 2>"$tmp/old.err" ||
		true
	"$new" classify --rules "$r" "$@" <"$in" >"$tmp/new.out" 2>"$tmp/new.err" ||
		true
	lines=$(wc -l <"$tmp/old.out")
	if cmp -s "$tmp/old.out" "$tmp/new.out" &&
		cmp -s "$tmp/old.err" "$tmp/new.err"; then
		echo "same: $label ($lines lines)"
	else
		echo "DIFFERENT: $label"
		diff "$tmp/old.out" "$tmp/new.out" | head -n 20
		diff "$tmp/old.err" "$tmp/new.err" | head -n 10
		status=1
	fi
}

for set in shipped generated; do
	if [ "$set" = shipped ]; then r=$rules; else r=$tmp/genrules; fi
	compare "corpus, $set rules" "$r" "$tmp/corpus.txt"
	compare "corpus, $set rules, --explain" "$r" "$tmp/corpus.txt" --explain
	compare "$nmsg messages, $set rules" "$r" "$tmp/gen.txt"
	compare "$nmsg messages, $set rules, --explain" "$r" "$tmp/gen.txt" \
		--explain
done
exit $status
