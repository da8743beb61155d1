#!/bin/sh
# model_reproducible.sh BUILD_DIR SOURCE_DIR: trains the red-flag model
# from the repository's corpora and compares it with rules/redflag.model.
set -eu
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh "$src/scripts/train-model.sh" -b "$build" -o "$tmp/redflag.model" >/dev/null
if ! cmp -s "$tmp/redflag.model" "$src/rules/redflag.model"; then
	echo "model_reproducible: rules/redflag.model is not what" \
		"scripts/train-model.sh makes from the corpora now;" \
		"run: sh scripts/train-model.sh" >&2
	diff "$src/rules/redflag.model" "$tmp/redflag.model" | head -n 20 >&2
	exit 1
fi
echo "model_reproducible: rules/redflag.model is reproduced byte for byte"
