#!/bin/sh
# Fuzz the language-understanding library (nlu_parse, nlu_grammar_jsgf) with libFuzzer
# for SECONDS seconds. Builds with clang and -DPERMANENCE_FUZZ=ON in build-fuzz/ (or
# $PERMANENCE_FUZZ_BUILD), starts from tests/nlu/fuzz/seeds and keeps new inputs in a
# temporary folder. Needs the Debian packages clang and libclang-rt-14-dev.
# Usage: scripts/fuzz-nlu.sh SECONDS
set -eu

if [ $# -ne 1 ] || ! [ "$1" -gt 0 ] 2>/dev/null; then
	echo "usage: $0 SECONDS (a positive number of seconds to fuzz)" >&2
	exit 2
fi
top=$(cd "$(dirname "$0")/.." && pwd)
build="${PERMANENCE_FUZZ_BUILD:-$top/build-fuzz}"
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT

CC=clang cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DPERMANENCE_FUZZ=ON \
	-DPERMANENCE_SANITIZE=ON >/dev/null
cmake --build "$build" -j2 --target fuzz_nlu_parse
cp "$top"/tests/nlu/fuzz/seeds/* "$corpus"/
"$build"/tests/nlu/fuzz_nlu_parse -max_total_time="$1" -max_len=2048 -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 "$corpus"
