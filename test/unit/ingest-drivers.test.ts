// The file driver (ingest/drivers/any.ts) tells audit logs from strace logs by content and feeds each
// recording through its own parser instance: same observations as the parsers line by line.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { Collector, observedNames } from '../../src/collect/collector.js';
import { AuditParser } from '../../src/ingest/audit/index.js';
import { ingestRecording } from '../../src/ingest/drivers/any.js';
import { StraceParser } from '../../src/ingest/strace/index.js';

const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));
const byLines = (path: string, parse: (l: string) => ReturnType<AuditParser['line']>, end?: () => ReturnType<StraceParser['end']>) => {
  const c = new Collector();
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((l, i) => c.line(parse(l), i + 1, l, path));
  if (end) for (const o of end()) c.add(o);
  return c.result();
};

test('an audit log and a strace log, each told apart and parsed like the parsers do', async () => {
  const audit = fixture('audit/ausearch-i.log');
  const a = new Collector();
  expect(await ingestRecording(audit, a)).toBe('audit');
  const p = new AuditParser();
  const want = byLines(audit, (l) => p.line(l));
  expect(observedNames(a.result(), 'x86_64')).toEqual(observedNames(want, 'x86_64'));
  expect(observedNames(a.result(), 'x86_64').length).toBeGreaterThan(0);

  const strace = fixture('strace/C.strace');
  const s = new Collector();
  expect(await ingestRecording(strace, s, { defaultArch: 'x86_64' })).toBe('strace');
  const sp = new StraceParser({ defaultArch: 'x86_64' });
  const wantS = byLines(strace, (l) => sp.line(l), () => sp.end());
  expect(observedNames(s.result(), 'x86_64')).toEqual(observedNames(wantS, 'x86_64'));
  expect(observedNames(s.result(), 'x86_64').length).toBeGreaterThan(0);
});
