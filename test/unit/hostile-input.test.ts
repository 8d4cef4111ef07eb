/**
 * Hostile and broken input (issue 12): garbage never becomes a syscall, a BOM
 * or NUL padding never hides a record, an over-long line is counted and
 * skipped, numbers too big for a double are reported exactly.
 * Each case failed on the code before the fix.
 */
import { describe, expect, it } from 'vitest';
import { ARCHES, archForRecord } from '../../src/arch.js';
import { Collector, type Observed } from '../../src/collect/collector.js';
import { generateProfile } from '../../src/generate/index.js';
import { parseAuditLine } from '../../src/ingest/audit/index.js';
import { StraceParser } from '../../src/ingest/strace/index.js';
import { canonicalName } from '../../src/resolve.js';
import { LineSplitter, MAX_LINE, OVERLONG_LINE } from '../../src/sources/split-lines.js';
import { escapeControl } from '../../src/util/escape.js';
import { resolveQuery } from '../../src/cli/resolve.js';

/** A deterministic byte generator (xorshift32). */
function randomBytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** Bytes → splitter → parser → collector, in chunks of `chunk` bytes. */
function ingest(input: Buffer, kind: 'strace' | 'audit', chunk = 65536): Observed {
  const c = new Collector();
  const p = new StraceParser({ defaultArch: 'x86_64' });
  const s = new LineSplitter((l, n) => c.line(kind === 'strace' ? p.line(l) : parseAuditLine(l), n, l, 'in'));
  for (let i = 0; i < input.length; i += chunk) s.push(input.subarray(i, i + chunk));
  s.end();
  if (kind === 'strace') for (const o of p.end()) c.add(o);
  return c.result();
}

const names = (o: Observed): string[] => [...o.arches.values()].flatMap((m) => [...m.keys()]);
const REC = (nr: string, arch = 'c000003e') =>
  `type=SECCOMP msg=audit(1795419519.781:7): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=7 comm="a" exe="/a" sig=0 arch=${arch} syscall=${nr} compat=0 ip=0x7f code=0x7ffc0000`;

describe('strace: only known syscalls with the shape of a call', () => {
  it('5 MB of random bytes make no call at all', () => {
    for (const seed of [1, 2, 3]) {
      const o = ingest(randomBytes(5 << 20, seed), 'strace');
      expect(names(o)).toEqual([]);
      expect(o.unknown).toEqual([]);
      expect(o.lines.parsed).toBe(0);
      expect(o.lines.parsed + o.lines.ignored + o.lines.malformed).toBeGreaterThan(10000);
    }
  });

  it('a name that is no syscall of the arch is not a call: Bx(…) = 0, e9(…) = 0, arm_fadvise64_64 on x86_64', () => {
    const o = ingest(Buffer.from('Bx(1, 2) = 0\ne9() = 0\n[pid 3] arm_fadvise64_64(0) = 0\nread(0, "", 1) = 0\n'), 'strace');
    expect(names(o)).toEqual(['read']);
    expect(o.unknown).toEqual([]);
    expect(o.lines).toEqual({ parsed: 1, ignored: 0, malformed: 3 });
  });

  it('a tracee line that looks like a call but has no result adds nothing (ptrace)', () => {
    const lines = ['execve("/bin/app", ["app"], 0x7ffd /* 1 var */) = 0', 'ptrace(PTRACE_TRACEME) is what strace uses', 'exit_group(0) = ?', '+++ exited with 0 +++'];
    const o = ingest(Buffer.from(lines.join('\n') + '\n'), 'strace');
    expect(names(o).sort()).toEqual(['execve', 'exit_group']);
    // …also when it is the last line, and when another call of the process follows it
    expect(names(ingest(Buffer.from('ptrace(PTRACE_TRACEME) is what strace uses\n'), 'strace'))).toEqual([]);
    expect(names(ingest(Buffer.from('ptrace(PTRACE_TRACEME) is what strace uses\nread(0, "", 1) = 0\n'), 'strace'))).toEqual(['read']);
  });

  it('the shapes of a call still count: = ?, <unfinished ...>, resumed, <detached ...>, syscall_0x3e7', () => {
    const lines = [
      '[pid 5] exit(0) = ?',
      '[pid 6] read(3,  <unfinished ...>',
      '[pid 7] <... futex resumed>) = 0',
      '[pid 8] wait4(-1,  <detached ...>',
      '[pid 9] syscall_0x3e7(0, 0) = -1 ENOSYS (Function not implemented)',
    ];
    const o = ingest(Buffer.from(lines.join('\n') + '\n'), 'strace');
    expect(names(o).sort()).toEqual(['exit', 'futex', 'read', 'wait4']);
    expect(o.unknown).toEqual([{ arch: 'x86_64', nr: 0x3e7, count: 1 }]);
  });
});

describe('BOM, NUL padding, json-seq, journald byte arrays', () => {
  it('a UTF-8 BOM before the first line does not hide it (strace: execve)', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const text = Buffer.from('execve("/bin/true", ["true"], 0x7ffd /* 1 var */) = 0\nexit_group(0) = ?\n');
    expect(names(ingest(Buffer.concat([bom, text]), 'strace')).sort()).toEqual(['execve', 'exit_group']);
    // the BOM cut between two chunks
    expect(names(ingest(Buffer.concat([bom, text]), 'strace', 1)).sort()).toEqual(['execve', 'exit_group']);
    // once per input: a BOM later on is text (this line is then not strace)
    expect(ingest(Buffer.concat([text, bom, text]), 'strace').lines.malformed).toBe(1);
  });

  it('a UTF-8 BOM before the first audit record does not hide it', () => {
    const o = ingest(Buffer.from(`\ufeff${REC('59')}\n`), 'audit');
    expect(names(o)).toEqual(['execve']);
  });

  it('a record after NUL padding (copytruncate with a writer that kept its offset) is found', () => {
    const o = ingest(Buffer.concat([Buffer.alloc(4096), Buffer.from(`${REC('59')}\n${REC('0')}\n`)]), 'audit');
    expect(names(o).sort()).toEqual(['execve', 'read']);
    expect(o.lines).toEqual({ parsed: 2, ignored: 0, malformed: 0 });
  });

  it('json-seq (RFC 7464: RS before each text) records are found', () => {
    const j = { _TRANSPORT: 'audit', _AUDIT_TYPE: '1326', _AUDIT_FIELD_ARCH: 'c000003e', _AUDIT_FIELD_SYSCALL: '59', MESSAGE: 'auid=0 uid=0 gid=0 ses=1 pid=7 comm="a" exe="/a" sig=0 arch=c000003e syscall=59 compat=0 ip=0x7f code=0x7ffc0000' };
    const o = ingest(Buffer.from(`\x1e${JSON.stringify(j)}\n\x1e${JSON.stringify({ ...j, _AUDIT_FIELD_SYSCALL: '0', MESSAGE: undefined })}\n`), 'audit');
    expect(names(o).sort()).toEqual(['execve', 'read']);
  });

  it('journald JSON: MESSAGE as a byte array (kernel transport, ESC in comm) or missing (fields only) still yields the record', () => {
    const msg = `audit: type=1326 audit(1795419519.781:1123): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=7473 comm=\x1b[2J exe="/x" sig=0 arch=c000003e syscall=257 compat=0 ip=0x7f code=0x7ffc0000`;
    const kernel = JSON.stringify({ _TRANSPORT: 'kernel', MESSAGE: [...Buffer.from(msg)] });
    const r = parseAuditLine(kernel);
    expect(r.kind).toBe('parsed');
    expect(r.obs![0]).toMatchObject({ arch: 'x86_64', nr: 257, comm: '\x1b[2J' });
    const fieldsOnly = JSON.stringify({ _TRANSPORT: 'audit', _AUDIT_TYPE_NAME: 'SECCOMP', _AUDIT_FIELD_ARCH: 'c000003e', _AUDIT_FIELD_SYSCALL: '59', _COMM: 'a' });
    expect(parseAuditLine(fieldsOnly).obs![0]).toMatchObject({ arch: 'x86_64', nr: 59, comm: 'a' });
  });
});

describe('over-long lines', () => {
  it('a line over MAX_LINE is delivered as OVERLONG_LINE (malformed, with its number) and the next line is read', () => {
    const got: Array<[string, number]> = [];
    const s = new LineSplitter((l, n) => got.push([l.length > 100 ? `len ${l.length}` : l, n]));
    const big = Buffer.alloc(3 * MAX_LINE, 'a');
    s.push('first\n');
    for (let i = 0; i < big.length; i += 65536) s.push(big.subarray(i, i + 65536));
    s.push('\nexit_group(0) = ?\n');
    s.push(Buffer.alloc(MAX_LINE + 1, 'b')); // a last line without a newline, too long as well
    s.end();
    expect(got).toEqual([['first', 1], [OVERLONG_LINE, 2], ['exit_group(0) = ?', 3], [OVERLONG_LINE, 4]]);
    const o = ingest(Buffer.concat([Buffer.from('read(0, "", 1) = 0\n'), big, Buffer.from('\nexit_group(0) = ?\n')]), 'strace');
    expect(names(o).sort()).toEqual(['exit_group', 'read']);
    expect(o.lines).toEqual({ parsed: 2, ignored: 0, malformed: 1 });
    expect(o.malformed[0]).toMatchObject({ line: 2, reason: expect.stringMatching(/longer than/), text: '(not shown)' });
    const a = ingest(Buffer.concat([big, Buffer.from(`\n${REC('59')}\n`)]), 'audit');
    expect([names(a), a.lines]).toEqual([['execve'], { parsed: 1, ignored: 0, malformed: 1 }]);
  });

  it('a line of exactly MAX_LINE characters is kept', () => {
    const got: string[] = [];
    const s = new LineSplitter((l) => got.push(l));
    s.push(Buffer.alloc(MAX_LINE, 'x'));
    s.push('\n');
    s.end();
    expect(got.map((l) => l.length)).toEqual([MAX_LINE]);
  });
});

describe('exact numbers, and the arch of unknown numbers', () => {
  it('syscall=99999999999999999999999 is an unknown x86_64 number, reported digit for digit', () => {
    const c = new Collector();
    const line = REC('99999999999999999999999');
    c.line(parseAuditLine(line), 1, line);
    c.line(parseAuditLine(line, false), 2, line);
    expect(c.result().unknown).toEqual([{ arch: 'x86_64', nrText: '99999999999999999999999', count: 2 }]);
  });

  it('-1 and 2^32+2^30 are x86_64 numbers, not x32', () => {
    expect(archForRecord('c000003e', -1)!.id).toBe('x86_64');
    expect(archForRecord('c000003e', 2 ** 32 + 2 ** 30)!.id).toBe('x86_64');
    expect(archForRecord('c000003e', 2 ** 30)!.id).toBe('x32');
    expect(parseAuditLine(REC('-1')).obs![0]).toMatchObject({ arch: 'x86_64', nr: -1 });
    expect(() => resolveQuery('-1', 'x86_64')).toThrow(/not known on x86_64/);
    expect(() => resolveQuery(String(2 ** 32 + 2 ** 30), 'x86_64')).toThrow(/not known on x86_64/);
    expect(resolveQuery('0x40000000', 'x86_64')[0]).toMatchObject({ arch: 'x32', name: 'read' });
  });

  it('an arch whose every record is an unknown number is still listed', () => {
    const c = new Collector();
    for (const [i, l] of [REC('511'), REC('999'), REC('1099511627776')].entries()) c.line(parseAuditLine(l), i + 1, l);
    const { report, profile } = generateProfile(c.result(), { baseline: 'none', runtime: 'none' });
    expect(profile.architectures).toEqual(['SCMP_ARCH_X86_64']);
    expect(report.observed).toEqual([{ arch: 'x86_64', syscalls: 0, calls: 0 }]);
    expect(report.unknown.map((u) => u.nr)).toEqual([511, 999, 1099511627776]);
  });
});

describe('escapeControl', () => {
  it('escapes C0, DEL, C1 and the bidi/line separators; leaves the rest', () => {
    expect(escapeControl('\x1b[2Jcomm\x07\x7f\x9b\u202e\u2028ok é \\')).toBe('\\x1b[2Jcomm\\x07\\x7f\\x9b\\u202e\\u2028ok é \\');
    const plain = 'type=SECCOMP comm="a"';
    expect(escapeControl(plain)).toBe(plain);
  });
});

it('every name a parser can produce is in the tables (sanity for the checks above)', () => {
  expect(ARCHES.length).toBeGreaterThan(0);
  expect(canonicalName('execve')).toBe('execve');
});
