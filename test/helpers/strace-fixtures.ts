/** The strace fixtures as bytes, and one canonical text of a collector's result, for tests that compare two ways of parsing them. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Observed } from '../../src/collect/collector.js';

export const STRACE_FIXTURES = join(import.meta.dirname, '../fixtures/strace');

/** Every fixture file's content (gzip decompressed), by name, sorted; `newlineEnd`: a last line without a newline gets one. */
export function straceFixtures(o: { newlineEnd?: boolean } = {}): Array<[string, Buffer]> {
  return readdirSync(STRACE_FIXTURES)
    .filter((f) => statSync(join(STRACE_FIXTURES, f)).isFile() && f !== 'README.md' && f !== 'record.sh')
    .sort()
    .map((f) => {
      let d = readFileSync(join(STRACE_FIXTURES, f));
      if (d[0] === 0x1f && d[1] === 0x8b) d = gunzipSync(d);
      if (o.newlineEnd && d.length > 0 && d[d.length - 1] !== 10) d = Buffer.concat([d, Buffer.from('\n')]);
      return [f, d];
    });
}

/** A collector's result as one comparable string (Maps as entry lists, bigints marked). */
export const canon = (o: Observed): string =>
  JSON.stringify(o, (_k, v: unknown) => (v instanceof Map ? [...v] : typeof v === 'bigint' ? `${v}n` : v));
