#!/bin/sh
# model_reproducible.sh BUILD_DIR SOURCE_DIR: trains the red-flag model and
# the category model from the repository's corpora and compares them with
# rules/redflag.model and rules/categories.model.
set -eu
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
# model_reproducible_check NAME [train-model.sh options]
model_reproducible_check() {
	name=$1
	shift
	sh "$src/scripts/train-model.sh" -b "$build" "$@" -o "$tmp/$name" >/dev/null
	if ! cmp -s "$tmp/$name" "$src/rules/$name"; then
		echo "model_reproducible: rules/$name is not what" \
			"scripts/train-model.sh $* makes from the corpora now;" \
			"run: sh scripts/train-model.sh $*" >&2
		diff "$src/rules/$name" "$tmp/$name" | head -n 20 >&2
		status=1
		return
	fi
	echo "model_reproducible: rules/$name is reproduced byte for byte"
}
model_reproducible_check redflag.model
model_reproducible_check categories.model -c tip,referral,info,fallback
exit $status
