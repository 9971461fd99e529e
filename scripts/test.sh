#!/bin/sh
# Build permanence with AddressSanitizer and UndefinedBehaviorSanitizer, warnings as
# errors, and run every test. Usage: scripts/test.sh [ctest arguments...]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build="${PERMANENCE_TEST_BUILD:-$top/build-test}"
jobs=$(nproc 2>/dev/null || echo 2)

# The dashboard test drives Chromium with playwright-core, from tests/e2e's lock file.
if [ ! -d "$top/tests/e2e/node_modules" ]; then
	(cd "$top/tests/e2e" && npm ci --no-audit --no-fund)
fi
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DPERMANENCE_SANITIZE=ON \
	-DPERMANENCE_WERROR=ON >/dev/null
cmake --build "$build" -j "$jobs"
# ASan's leak checker runs in every test case; abort on the first UBSan report.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --test-dir "$build" --output-on-failure "$@"
