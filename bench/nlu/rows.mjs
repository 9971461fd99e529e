// The rows both date parsers are measured on, read from tests/corpus/datetime:
//   - every SGD spoken span (English), scored on the date or time the service booked;
//   - the chrono-node rows of chrono_fr.tsv and chrono_en.tsv whose expectation is one
//     instant or "no date", with their own reference instant (chrono's home ground).
// A row is: lang, reference (UTC, ISO 8601), text, kind (date, time, datetime, none),
// expected value ("2019-03-07", "16:00", "2012-08-10T17:00", "|" between alternatives).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function lines(path) {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
}

export function loadRows(corpusDir) {
  const rows = [];
  for (const line of lines(join(corpusDir, 'sgd_services_datetime_spans.tsv'))) {
    const f = line.split('\t');
    if (f[0] === 'split' || f.length < 7) continue;
    rows.push({ lang: 'en', reference: '2019-03-01T07:00:00', text: f[5],
      kind: f[4].includes('time') ? 'time' : 'date', expected: f[6] });
  }
  for (const file of ['chrono_fr.tsv', 'chrono_en.tsv']) {
    for (const line of lines(join(corpusDir, file))) {
      const f = line.split('\t');
      if (f.length < 6 || (f[0] !== 'fr' && f[0] !== 'en')) continue;
      if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(f[3])) continue;
      if (f[4] !== '' || (f[6] || '') !== '') continue;
      const expected = f[5];
      let kind;
      let value;
      if (expected === 'NO_MATCH') {
        kind = 'none';
        value = '';
      } else if (/^\d{4}-\d\d-\d\dT12:00:00$/.test(expected)) {
        kind = 'date';
        value = expected.slice(0, 10);
      } else if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:00$/.test(expected)) {
        kind = 'datetime';
        value = expected.slice(0, 16);
      } else {
        continue;
      }
      rows.push({ lang: f[0], reference: f[3], text: f[2], kind, expected: value });
    }
  }
  return rows;
}

// True when the parts found (year, month, day, hour, minute, or null for nothing) match.
export function scoreRow(row, found) {
  if (row.kind === 'none') return found === null;
  if (found === null) return false;
  const pad = (n) => String(n).padStart(2, '0');
  const date = `${found.year}-${pad(found.month)}-${pad(found.day)}`;
  const time = `${pad(found.hour)}:${pad(found.minute)}`;
  return row.expected.split('|').some((v) => {
    if (row.kind === 'date') return date === v;
    if (row.kind === 'time') return found.hasTime && time === v;
    return `${date}T${time}` === v;
  });
}
