#!/bin/sh
# scripts/train-model.sh: trains the red-flag model (rules/redflag.model)
# or, with -c, the category model (rules/categories.model).
#
#   scripts/train-model.sh [-b BUILD_DIR] [-c CLASSES] [-d DIM] [-t THRESHOLD]
#                          [-o OUT] [CORPUS ...]
#
# The model is a logistic regression (liblinear, -s 0, C = 1, with a bias)
# over the words and word pairs of each normalised message, hashed into
# 65,536 features (-d: another number, for tests) by `backtalk features` (the classifier's own function).
# It learns from the labelled corpora (default: tests/corpus/*.tsv and
# tests/data/dev.tsv): a message is a red flag when its first acceptable
# category is emergency or urgent.  The threshold (default 0.9) was chosen
# by five-fold cross-validation on those corpora: the least that added
# under half a percent of false red flags there (bench/README.md).
#
# With -c tip,referral,info,fallback it trains the category model instead:
# the same features and solver, one-vs-rest over those classes, on the
# messages whose first acceptable category is one of them; the file is a
# "backtalk-model 2" with a weight column per class, in the order of -c.
# Its threshold (default 0.8) was chosen by leaving each corpus out in turn
# (bench/topic_cv.py, rules/README.md).
#
# Deterministic: the same corpora give the same file, byte for byte (the
# test model_reproducible checks the shipped one).  Needs liblinear-train
# (Debian: liblinear-tools) and a build of backtalk.  Nothing here uses the
# network.
set -eu

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
root=$(dirname -- "$here")
build=$root/build
threshold=
out=
classes=
dim=65536
while getopts b:c:d:t:o: opt; do
	case $opt in
	b) build=$OPTARG ;;
	c) classes=$OPTARG ;;
	d) dim=$OPTARG ;;
	t) threshold=$OPTARG ;;
	o) out=$OPTARG ;;
	*)
		echo "usage: train-model.sh [-b BUILD_DIR] [-c CLASSES] [-d DIM] [-t THRESHOLD] [-o OUT] [CORPUS ...]" >&2
		exit 2
		;;
	esac
done
if [ -n "$classes" ]; then
	: "${threshold:=0.8}" "${out:=$root/rules/categories.model}"
	nclass=$(echo "$classes" | tr ',' '\n' | grep -c .)
	if [ "$nclass" -lt 3 ]; then
		echo "train-model.sh: -c wants three or more classes (two are a backtalk-model 1)" >&2
		exit 2
	fi
else
	: "${threshold:=0.9}" "${out:=$root/rules/redflag.model}"
fi
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
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -n "$classes" ]; then
	"$backtalk" features --dim "$dim" --classes "$classes" "$@" >"$tmp/train.txt"
else
	"$backtalk" features --dim "$dim" "$@" >"$tmp/train.txt"
fi
liblinear-train -s 0 -c 1 -B 1 -q "$tmp/train.txt" "$tmp/model.ll" >/dev/null

header() {
	echo "# Trained on $(grep -c . "$tmp/train.txt") messages from:"
	for f in "$@"; do
		echo "#   ${f#"$root"/}"
	done
}

if [ -n "$classes" ]; then
	# liblinear's model: a header whose "label" line says which class
	# each weight column is (the labels are places in -c, in the order
	# first met), "w", then a line per feature and the bias's last.
	# Written here with a column per class in the order of -c.
	{
		echo "backtalk-model 2"
		echo "# The category model: made by scripts/train-model.sh -c $classes; do not edit."
		header "$@"
		echo "classes $(echo "$classes" | tr ',' ' ')"
		echo "dim $dim"
		echo "threshold $threshold"
		awk -v dim="$dim" -v k="$nclass" '
			/^nr_class / {
				if ($2 != k) {
					print "train-model.sh: the data have " $2 " of the " k " classes" > "/dev/stderr"
					exit 1
				}
			}
			/^label / { for (j = 2; j <= NF; j++) col[$j] = j - 1 }
			/^nr_feature / { nf = $2 }
			/^w$/ { inw = 1; i = 0; next }
			inw {
				i++
				for (j = 0; j < k; j++)
					v[i, j] = $(col[j])
			}
			END {
				line = "bias"
				for (j = 0; j < k; j++)
					line = line sprintf(" %.6g", v[nf + 1, j])
				print line
				for (f = 1; f <= nf; f++) {
					line = f; nz = 0
					for (j = 0; j < k; j++) {
						line = line sprintf(" %.6g", v[f, j])
						if (v[f, j] != 0) nz = 1
					}
					if (nz) print line
				}
			}
		' "$tmp/model.ll"
	} >"$tmp/out"
	mv "$tmp/out" "$out"
	echo "train-model.sh: wrote $out ($(grep -c . "$out") lines)"
	exit 0
fi

# liblinear's model: a header, "w", then one weight per feature and the
# bias's last.  Its weights favour the first label it lists: turned round
# when that is -1.
{
	echo "backtalk-model 1"
	echo "# The red-flag model: made by scripts/train-model.sh; do not edit."
	header "$@"
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
