#!/bin/sh
# Date and time parsers side by side: permanence (C) and chrono-node (JavaScript) on the
# same rows (rows.mjs), in one run. Builds the C benchmark in Release, installs
# chrono-node with `npm ci`, then runs each parser ROUNDS times in turn (default 5, each
# round RUNS timed passes, default 5) and prints every result and the medians.
# Usage: bench/nlu/run.sh [ROUNDS] [RUNS]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build="${PERMANENCE_BENCH_BUILD:-$top/build-bench}"
rounds=${1:-5}
runs=${2:-5}
rows=$(mktemp)
results=$(mktemp)
trap 'rm -f "$rows" "$results"' EXIT

cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target bench_nlu_datetime >/dev/null
(cd "$here" && npm ci --no-audit --no-fund >/dev/null)

export TZ=UTC
node "$here/chrono_bench.mjs" "$top/tests/corpus/datetime" 1 --export "$rows" >/dev/null
i=0
while [ "$i" -lt "$rounds" ]; do
	"$build/bench/nlu/bench_nlu_datetime" "$rows" "$runs" | tee -a "$results"
	node "$here/chrono_bench.mjs" "$top/tests/corpus/datetime" "$runs" | tee -a "$results"
	i=$((i + 1))
done

node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const by = (p) => lines.filter((l) => l.parser === p);
const ours = by("permanence"), theirs = by("chrono-node");
const a = median(ours.map((l) => l.utterances_per_second));
const b = median(theirs.map((l) => l.utterances_per_second));
console.log(`rows ${ours[0].rows}`);
console.log(`permanence   accuracy ${ours[0].accuracy.toFixed(1)} %  median ${Math.round(a)} utterances/s`);
console.log(`chrono-node  accuracy ${theirs[0].accuracy.toFixed(1)} %  median ${Math.round(b)} utterances/s`);
console.log(`throughput ratio ${(a / b).toFixed(1)}x`);
' "$results"
