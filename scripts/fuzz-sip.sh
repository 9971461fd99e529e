#!/bin/sh
# Fuzz the SIP and SDP parsers (request checks, SDP offer/answer, identity, INFO and
# sipfrag bodies, multipart, RFC 4733 and the jitter buffer) with libFuzzer for SECONDS
# seconds. Builds with clang and -DPERMANENCE_FUZZ=ON in build-fuzz/ (or
# $PERMANENCE_FUZZ_BUILD), starts from tests/sip/fuzz/seeds and the RFC 4475 messages,
# and keeps new inputs in a temporary folder. Needs the Debian packages clang and
# libclang-rt-14-dev.
# Usage: scripts/fuzz-sip.sh SECONDS
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
cmake --build "$build" -j2 --target fuzz_sip
"$build"/tests/sip/fuzz_sip -max_total_time="$1" -max_len=8192 -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 "$corpus" "$top"/tests/sip/fuzz/seeds \
	"$top"/tests/corpus/sip/rfc4475
