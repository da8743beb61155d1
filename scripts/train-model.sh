#!/bin/sh
# scripts/train-model.sh: trains the red-flag model (rules/redflag.model).
#
#   scripts/train-model.sh [-b BUILD_DIR] [-t THRESHOLD] [-o OUT] [CORPUS ...]
#
# The model is a logistic regression (liblinear, -s 0, C = 1, with a bias)
# over the words and word pairs of each normalised message, hashed into
# 65,536 features by `backtalk features` (the classifier's own function).
# It learns from the labelled corpora (default: tests/corpus/*.tsv and
# tests/data/dev.tsv): a message is a red flag when its first acceptable
# category is emergency or urgent.  The threshold (default 0.9) was chosen
# by five-fold cross-validation on those corpora: the least that added
# under half a percent of false red flags there (bench/README.md).
#
# Deterministic: the same corpora give the same file, byte for byte (the
# test model_reproducible checks the shipped one).  Needs liblinear-train
# (Debian: liblinear-tools) and a build of backtalk.  Nothing here uses the
# network.
set -eu

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
root=$(dirname -- "$here")
build=$root/build
threshold=0.9
out=$root/rules/redflag.model
while getopts b:t:o: opt; do
	case $opt in
	b) build=$OPTARG ;;
	t) threshold=$OPTARG ;;
	o) out=$OPTARG ;;
	*)
		echo "usage: train-model.sh [-b BUILD_DIR] [-t THRESHOLD] [-o OUT] [CORPUS ...]" >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
if [ $# -eq 0 ]; then
	set -- "$root"/tests/corpus/*.tsv "$root"/tests/data/dev.tsv
fi
backtalk=$build/daemon/backtalk
if [ ! -x "$backtalk" ]; then
	echo "train-model.sh: no $backtalk (build first, or -b BUILD_DIR)" >&2
	exit 1
fi
if ! command -v liblinear-train >/dev/null 2>&1; then
	echo "train-model.sh: liblinear-train not found (apt-get install liblinear-tools)" >&2
	exit 1
fi
dim=65536
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$backtalk" features --dim "$dim" "$@" >"$tmp/train.txt"
liblinear-train -s 0 -c 1 -B 1 -q "$tmp/train.txt" "$tmp/model.ll" >/dev/null

# liblinear's model: a header, "w", then one weight per feature and the
# bias's last.  Its weights favour the first label it lists: turned round
# when that is -1.
{
	echo "backtalk-model 1"
	echo "# The red-flag model: made by scripts/train-model.sh; do not edit."
	echo "# Trained on $(grep -c . "$tmp/train.txt") messages from:"
	for f in "$@"; do
		echo "#   ${f#"$root"/}"
	done
	echo "dim $dim"
	echo "threshold $threshold"
	awk -v dim="$dim" '
		/^label / { sign = ($2 == "-1") ? -1 : 1 }
		/^nr_feature / { nf = $2 }
		/^w$/ { inw = 1; i = 0; next }
		inw {
			i++
			v = sign * $1
			if (i <= nf) {
				if (v != 0) w[i] = v
			} else {
				bias = v
			}
		}
		END {
			printf "bias %.6g\n", bias
			for (k = 1; k <= nf; k++)
				if (k in w) printf "%d %.6g\n", k, w[k]
		}
	' "$tmp/model.ll"
} >"$tmp/out"
mv "$tmp/out" "$out"
echo "train-model.sh: wrote $out ($(grep -c . "$out") lines)"
