// Accuracy and throughput of chrono-node on the benchmark rows (see rows.mjs).
// Usage: node chrono_bench.mjs CORPUS_DIR [RUNS] [--export ROWS.tsv]
// Prints one JSON line: rows, passed, accuracy, and utterances per second of CPU time
// (process.cpuUsage: user and system, median of the timed runs); node runs the parser on
// one thread. Times are read in UTC, as the C benchmark does.
import { writeFileSync } from 'node:fs';
import * as chrono from 'chrono-node';
import { loadRows, scoreRow } from './rows.mjs';

const corpus = process.argv[2];
const runs = Number(process.argv[3] || 5);
const exportAt = process.argv.indexOf('--export');
const rows = loadRows(corpus);

if (exportAt > 0) {
  const out = rows.map((r) => [r.lang, r.reference, r.text, r.kind, r.expected].join('\t'));
  writeFileSync(process.argv[exportAt + 1], out.join('\n') + '\n');
}

function parse(row) {
  const parser = row.lang === 'fr' ? chrono.fr : chrono.en;
  const results = parser.parse(row.text, new Date(row.reference + 'Z'));
  if (results.length === 0) return null;
  const s = results[0].start;
  return { year: s.get('year'), month: s.get('month'), day: s.get('day'), hour: s.get('hour'),
    minute: s.get('minute'), hasTime: s.isCertain('hour') };
}

let passed = 0;
for (const row of rows) if (scoreRow(row, parse(row))) passed++;

const rates = [];
for (let run = 0; run < runs; run++) {
  const start = process.cpuUsage();
  for (const row of rows) parse(row);
  const used = process.cpuUsage(start);
  const seconds = (used.user + used.system) / 1e6;
  rates.push(rows.length / seconds);
}
rates.sort((a, b) => a - b);
console.log(JSON.stringify({ parser: 'chrono-node', rows: rows.length, passed,
  accuracy: (100 * passed) / rows.length, utterances_per_second: rates[Math.floor(runs / 2)] }));
