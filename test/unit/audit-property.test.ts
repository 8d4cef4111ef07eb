// Properties of the audit parser: the kernel-order fast path and the general scanner agree on every
// real record; comm/exe survive the kernel's encoding whatever they hold; a SECCOMP record's arch and
// number always come back as printed.
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ARCHES } from '../../src/arch.js';
import { parseAuditLine } from '../../src/ingest/audit/index.js';
import type { LineResult } from '../../src/types.js';

const DIR = new URL('../fixtures/audit/', import.meta.url);

/** What the kernel prints for an untrusted string (audit_log_untrustedstring): quoted, or upper-case hex. */
function kernelString(v: string): string {
  const b = Buffer.from(v, 'utf8');
  return b.some((c) => c < 0x21 || c > 0x7e || c === 0x22) ? b.toString('hex').toUpperCase() : `"${v}"`;
}

describe('audit parser properties', () => {
  test('fast path = general scanner on every real record', () => {
    let n = 0;
    for (const f of ['auditd-enriched.log', 'ausearch-raw.log', 'dmesg.log', 'kmsg.log', 'syslog.log', 'journald-short.log', 'arches-raw.log']) {
      for (const line of readFileSync(new URL(f, DIR), 'utf8').split('\n')) {
        const fast = parseAuditLine(line);
        if (fast.kind !== 'parsed') continue;
        // A field the kernel never prints first: the fast path declines, the scanner reads the line.
        const at = line.indexOf('auid=');
        const slow = parseAuditLine(`${line.slice(0, at)}x=1 ${line.slice(at)}`);
        expect(slow, `${f}: ${line}`).toEqual(fast);
        n++;
      }
    }
    expect(n).toBeGreaterThan(100);
  });

  test('arch-and-number mode (no filter) gives every line the same kind, arch and number as the full parser', () => {
    const dir = new URL('../fixtures/audit/', import.meta.url);
    let quick = 0;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.log'))) {
      for (const line of readFileSync(new URL(f, dir), 'utf8').split('\n')) {
        const full = parseAuditLine(line, true);
        const min = parseAuditLine(line, false);
        const pick = (r: LineResult) => ({ kind: r.kind, reason: r.reason, lost: r.lost, obs: r.obs?.map((o) => ({ arch: o.arch, nr: o.nr, name: o.name })) });
        expect(pick(min), `${f}: ${line}`).toEqual(pick(full));
        if (min.obs?.[0] && min.obs[0].pid === undefined && full.obs?.[0]?.pid !== undefined) quick++;
      }
    }
    expect(quick).toBeGreaterThan(100); // the quick path really ran
  });

  test('comm and exe come back whatever they hold; arch and number as printed', () => {
    const codes = ARCHES.filter((a) => a.id !== 'x32').map((a) => a.audit);
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 16, unit: 'binary' }),
        fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }),
        fc.constantFrom(...codes),
        fc.integer({ min: -1, max: 5000 }),
        fc.constantFrom('type=SECCOMP msg=audit(1795356307.397:4): ', '[ 1.0] audit: type=1326 audit(1795356307.397:4): ', 'Nov 23 07:38:39 host audit[42]: SECCOMP '),
        (comm, exe, code, nr, prefix) => {
          // Lone surrogates cannot be encoded; the kernel's strings are bytes that journald/auditd show as UTF-8.
          fc.pre(Buffer.from(comm, 'utf8').toString('utf8') === comm && Buffer.from(exe, 'utf8').toString('utf8') === exe);
          const line = `${prefix}auid=1000 uid=1000 gid=1000 ses=3 pid=42 comm=${kernelString(comm)} exe=${kernelString(exe)} sig=0 arch=${code.toString(16)} syscall=${nr} compat=0 ip=0x7f code=0x7ffc0000`;
          const r = parseAuditLine(line);
          expect(r.kind).toBe('parsed');
          expect(parseAuditLine(line, false).obs!.map((m) => [m.arch, m.nr])).toEqual([[r.obs![0]!.arch, nr]]);
          const o = r.obs![0]!;
          expect([o.comm, o.exe, o.nr, o.pid, o.uid, o.action]).toEqual([comm, exe, nr, 42, 1000, 'log']);
          expect(ARCHES.find((a) => a.id === o.arch)!.audit).toBe(code);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
