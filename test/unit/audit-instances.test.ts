// Two audit parsers never share scratch state (field positions, date cache): interleaving two
// instances line by line over two different logs gives exactly what each gives alone.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { AuditParser, parseAuditLine } from '../../src/ingest/audit/index.js';
import type { LineResult } from '../../src/types.js';

const DIR = new URL('../fixtures/audit/', import.meta.url);
const lines = (file: string) => {
  const l = readFileSync(new URL(file, DIR), 'utf8').split('\n');
  if (l.at(-1) === '') l.pop();
  return l;
};

// Pairs that exercise different forms and both caches: ausearch -i (interpreted fields, local-time stamps,
// the date cache) against raw/enriched auditd, journald JSON (re-enters the dispatch) against printk.
const PAIRS: Array<[string, string]> = [
  ['ausearch-i.log', 'auditd-enriched.log'],
  ['ausearch-i-arches.log', 'ausearch-i.log'],
  ['journald-real-json.log', 'dmesg-T.log'],
  ['syslog.log', 'journald-real-short.log'],
  ['other-forms.log', 'malformed.log'],
];

function alone(file: string, detail: boolean): LineResult[] {
  const p = new AuditParser();
  return lines(file).map((l) => p.line(l, detail));
}

/** Line i of a, then line i of b, … (the longer one's tail last). */
function interleaved(a: string[], b: string[], parseA: (l: string) => LineResult, parseB: (l: string) => LineResult) {
  const ra: LineResult[] = [];
  const rb: LineResult[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) ra.push(parseA(a[i]!));
    if (i < b.length) rb.push(parseB(b[i]!));
  }
  return [ra, rb];
}

describe('AuditParser instances', () => {
  for (const detail of [true, false]) {
    for (const [fa, fb] of PAIRS) {
      test(`${fa} and ${fb} interleaved (detail ${detail}) = each alone`, () => {
        const a = lines(fa), b = lines(fb);
        const pa = new AuditParser(), pb = new AuditParser();
        const [ra, rb] = interleaved(a, b, (l) => pa.line(l, detail), (l) => pb.line(l, detail));
        const wantA = alone(fa, detail), wantB = alone(fb, detail);
        expect(wantA.some((r) => r.kind === 'parsed') || wantB.some((r) => r.kind === 'parsed')).toBe(true);
        expect(ra).toEqual(wantA);
        expect(rb).toEqual(wantB);
      });
    }
  }

  test('one parser\'s scratch state is untouched by another\'s lines', () => {
    const a = lines('ausearch-i.log').find((l) => l.includes('SECCOMP'))!;
    const b = lines('auditd-enriched.log').find((l) => l.includes('SECCOMP'))!;
    const pa = new AuditParser(), pb = new AuditParser();
    pa.line(a);
    const v0 = [...pa.fields.v0], v1 = [...pa.fields.v1], date = pa.dates.lastDate;
    expect(date).not.toBe('');
    pb.line(b);
    expect([...pa.fields.v0]).toEqual(v0);
    expect([...pa.fields.v1]).toEqual(v1);
    expect(pa.dates.lastDate).toBe(date);
    expect(pb.dates.lastDate).toBe('');
  });

  // The module-level parser (parseAuditLine) is shared by every caller in a process: safe because each
  // line sets every field position it reads before reading it. Same check through it.
  for (const [fa, fb] of PAIRS) {
    test(`parseAuditLine: ${fa} and ${fb} interleaved = each alone`, () => {
      const a = lines(fa), b = lines(fb);
      const [ra, rb] = interleaved(a, b, (l) => parseAuditLine(l), (l) => parseAuditLine(l));
      expect(ra).toEqual(a.map((l) => parseAuditLine(l)));
      expect(rb).toEqual(b.map((l) => parseAuditLine(l)));
    });
  }
});
