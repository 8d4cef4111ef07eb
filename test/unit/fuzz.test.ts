/**
 * Fuzzing in CI (issue 12): fast-check properties over both parsers (through
 * the real line splitter) and the profile loader.
 *   - arbitrary bytes, in arbitrary chunks;
 *   - the real fixtures (test/fixtures) cut into arbitrary chunks: the same
 *     result as read whole;
 *   - real lines with NUL, ESC, BOM, CR/CRLF or an over-long run injected.
 * Invariants: no exception escapes; every line the splitter delivers is
 * counted exactly once as parsed, ignored or malformed; no name outside the
 * syscall tables is ever allowed; every generated profile validates; the
 * loader either returns valid profiles or refuses with a UserError.
 *
 * Budget: SYSCRIBE_FUZZ_RUNS runs per property (default 25: a few seconds in
 * `npm test`; `npm run fuzz` sets 2000). A failure prints fast-check's
 * counterexample with its seed and path; SYSCRIBE_FUZZ_SEED=<seed> replays it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARCHES, archById } from '../../src/arch.js';
import { Collector, type Observed } from '../../src/collect/collector.js';
import { UserError } from '../../src/errors.js';
import { generateProfile } from '../../src/generate/index.js';
import { parseAuditLine } from '../../src/ingest/audit/index.js';
import { StraceParser } from '../../src/ingest/strace/index.js';
import { parseProfileText } from '../../src/profile/load.js';
import { validateProfile } from '../../src/profile/validate.js';
import { canonicalName, existsOn } from '../../src/resolve.js';
import { LineSplitter, MAX_LINE } from '../../src/sources/split-lines.js';

const RUNS = Number(process.env.SYSCRIBE_FUZZ_RUNS ?? 25);
const SEED = process.env.SYSCRIBE_FUZZ_SEED !== undefined ? Number(process.env.SYSCRIBE_FUZZ_SEED) : undefined;
const params = (runs = RUNS): fc.Parameters<unknown> => ({ numRuns: runs, ...(SEED !== undefined ? { seed: SEED } : {}) });

/** fc.assert, with the seed in the error message whatever the reporter does. */
function check<T>(prop: fc.IProperty<T>, runs?: number): void {
  const p = params(runs) as fc.Parameters<T>;
  const out = fc.check(prop, p);
  if (out.failed) {
    throw new Error(`fuzz property failed: replay with SYSCRIBE_FUZZ_SEED=${out.seed} (path ${out.counterexamplePath})\n${fc.defaultReportMessage(out)}`);
  }
}

const ROOT = new URL('../../', import.meta.url).pathname;
const files = (d: string, keep: (f: string) => boolean) => readdirSync(join(ROOT, d)).filter(keep).map((f) => readFileSync(join(ROOT, d, f)));
const STRACE_FIX = files('test/fixtures/strace', (f) => /\.strace$|^ff/.test(f));
const AUDIT_FIX = files('test/fixtures/audit', (f) => /\.log$/.test(f));
const STRACE_LINES = STRACE_FIX.flatMap((b) => b.toString('utf8').split('\n')).filter(Boolean);
const AUDIT_LINES = AUDIT_FIX.flatMap((b) => b.toString('utf8').split('\n')).filter(Boolean);

type Kind = 'strace' | 'audit';

/** Bytes, cut at `cuts`, through splitter → parser → collector. Returns the result and the number of lines delivered. */
function ingest(input: Buffer, kind: Kind, cuts: number[] = []): { o: Observed; delivered: number } {
  const c = new Collector();
  const p = new StraceParser({ defaultArch: 'x86_64' });
  let delivered = 0;
  const s = new LineSplitter((l, n) => {
    delivered++;
    c.line(kind === 'strace' ? p.line(l) : parseAuditLine(l), n, l, 'fuzz');
  });
  let prev = 0;
  for (const at of [...new Set(cuts.map((x) => x % (input.length + 1)))].sort((a, b) => a - b)) {
    s.push(input.subarray(prev, at));
    prev = at;
  }
  s.push(input.subarray(prev));
  s.end();
  if (kind === 'strace') for (const o of p.end()) c.add(o);
  return { o: c.result(), delivered };
}

/** The invariants every input must keep. */
function invariants(input: Buffer, kind: Kind, cuts: number[] = []): Observed {
  const { o, delivered } = ingest(input, kind, cuts);
  expect(o.lines.parsed + o.lines.ignored + o.lines.malformed).toBe(delivered);
  for (const [arch, m] of o.arches) for (const name of m.keys()) expect(existsOn(archById(arch), name), `${arch} ${name}`).toBe(true);
  // garbage is not even reported as a syscall name: only names some table knows reach the unknown list
  for (const u of o.unknown) if (u.name !== undefined) expect(canonicalName(u.name), u.name).toBeDefined();
  const { profile } = generateProfile(o, { baseline: 'none', runtime: 'none' });
  const v = validateProfile(profile);
  expect(v.ok, JSON.stringify(v)).toBe(true);
  const listed = (profile.architectures ?? []).map((s) => ARCHES.find((a) => a.scmp === s)!);
  for (const r of profile.syscalls ?? []) for (const n of r.names) expect(listed.some((a) => existsOn(a, n)), n).toBe(true);
  return o;
}

/** What a run's result is made of, for comparing two reads of one input. */
function digest(o: Observed) {
  const calls: Record<string, number> = {};
  for (const [arch, m] of o.arches) for (const [name, st] of m) calls[`${arch}:${name}`] = st.count;
  return { calls, lines: o.lines, unknown: o.unknown };
}

const kindArb = fc.constantFrom<Kind>('strace', 'audit');
const cutsArb = fc.array(fc.nat(), { maxLength: 12 });

describe('fuzz: parsers', () => {
  it('arbitrary bytes in arbitrary chunks: no exception, every line counted once, only table names, a valid profile', () => {
    check(fc.property(fc.uint8Array({ maxLength: 4096 }), kindArb, cutsArb, (bytes, kind, cuts) => {
      invariants(Buffer.from(bytes), kind, cuts);
    }));
  });

  it('arbitrary lines of printable text shaped like calls and records', () => {
    const nameish = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/);
    const straceLine = fc.tuple(fc.option(fc.nat(99999)), nameish, fc.string({ maxLength: 30 }), fc.constantFrom(') = 0', ') = ?', ' <unfinished ...>', '', ') is output', ' <detached ...>'))
      .map(([pid, n, a, end]) => `${pid !== null ? `[pid ${pid}] ` : ''}${n}(${a}${end}`);
    const auditLine = fc.tuple(fc.string({ maxLength: 10 }), fc.stringMatching(/^[0-9a-fA-F]{0,10}$/), fc.string({ maxLength: 25 }), fc.string({ maxLength: 10 }))
      .map(([comm, arch, nr, pre]) => `${pre}type=SECCOMP msg=audit(1.2:3): auid=0 uid=0 gid=0 ses=1 pid=2 comm=${comm} exe="/x" sig=0 arch=${arch} syscall=${nr} compat=0 ip=0x1 code=0x7ffc0000`);
    check(fc.property(fc.array(straceLine, { maxLength: 30 }), fc.array(auditLine, { maxLength: 30 }), cutsArb, (sl, al, cuts) => {
      invariants(Buffer.from(sl.join('\n')), 'strace', cuts);
      invariants(Buffer.from(al.join('\n')), 'audit', cuts);
    }));
  });

  it('real fixtures cut into arbitrary chunks give what they give read whole', () => {
    const whole = new Map<Buffer, ReturnType<typeof digest>>();
    const all: Array<[Buffer, Kind]> = [...STRACE_FIX.map((b) => [b, 'strace'] as [Buffer, Kind]), ...AUDIT_FIX.map((b) => [b, 'audit'] as [Buffer, Kind])];
    check(fc.property(fc.nat(all.length - 1), cutsArb, (i, cuts) => {
      const [buf, kind] = all[i]!;
      if (!whole.has(buf)) whole.set(buf, digest(ingest(buf, kind).o));
      const o = invariants(buf, kind, cuts);
      expect(digest(o)).toEqual(whole.get(buf));
    }), Math.max(RUNS, 10));
  });

  it('real lines with NUL, ESC, BOM, CR, CRLF or an over-long run injected', () => {
    const inject = fc.constantFrom('\0', '\0'.repeat(40), '\x1b', '\x1b[2J', '\ufeff', '\r', '\r\n', '\x1e', '\u202e', 'é', 'x'.repeat(MAX_LINE + 1));
    const mutate = (lines: string[]) =>
      fc.tuple(fc.array(fc.tuple(fc.nat(lines.length - 1), fc.nat(), inject), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(lines.length - 1), { minLength: 1, maxLength: 40 }))
        .map(([edits, picks]) => {
          const out = picks.map((k) => lines[k]!);
          for (const [li, at, what] of edits) {
            const l = out[li % out.length]!;
            const p = at % (l.length + 1);
            out[li % out.length] = l.slice(0, p) + what + l.slice(p);
          }
          return out.join('\n') + '\n';
        });
    check(fc.property(mutate(STRACE_LINES), mutate(AUDIT_LINES), cutsArb, (st, au, cuts) => {
      invariants(Buffer.from(st), 'strace', cuts);
      invariants(Buffer.from(au), 'audit', cuts);
    }));
  });
});

describe('fuzz: profile loader', () => {
  const REAL = JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }, { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] }] }, null, 2);

  function load(text: string): void {
    let got;
    try {
      got = parseProfileText(text, 'fuzz');
    } catch (e) {
      expect(e, String(e)).toBeInstanceOf(UserError);
      expect((e as Error).message.length).toBeGreaterThan(0);
      return;
    }
    for (const lp of got) {
      const v = validateProfile(lp.profile);
      expect(v.ok, JSON.stringify(v)).toBe(true);
    }
  }

  it('arbitrary JSON values, strings and YAML: valid profiles or a UserError', () => {
    const yamlish = fc.array(fc.constantFrom('defaultAction: SCMP_ACT_ERRNO', 'syscalls:', '- names: [read]', '  action: SCMP_ACT_ALLOW', 'a: &a [1,2]', 'b: [*a, *a]', 'kind: SeccompProfile', 'spec:', '  defaultAction: SCMP_ACT_LOG', '---', '[]', 'null', '~', '"x"', ':', '{'), { maxLength: 12 }).map((l) => l.join('\n'));
    check(fc.property(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string({ maxLength: 200 }), yamlish), (text) => load(text)));
  });

  it('a real profile with bytes replaced: valid profiles or a UserError', () => {
    check(fc.property(fc.array(fc.tuple(fc.nat(REAL.length - 1), fc.constantFrom('\0', '\x1b', '"', '{', '}', '[', ']', ',', ':', '9', '-1', '18446744073709551616', 'SCMP_ACT_KILL', '\ufeff', ' ')), { maxLength: 6 }), (edits) => {
      let t = REAL;
      for (const [at, what] of edits) t = t.slice(0, at) + what + t.slice(at + 1);
      load(t);
    }));
  });
});
