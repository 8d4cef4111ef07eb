// Measures the runtimes' post-filter calls for real and checks the stored sets. Needs root, runc, crun, auditd.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, requireTool } from '../helpers/tools.js';
import { measureRuntimeBase, runtimeBaseData, runtimeBaseSyscalls, toRuntimeBase } from '../../src/runtime/runtime-base.js';
import { UserError } from '../../src/errors.js';

const root = join(__dirname, '..', '..');
const bin = join(root, 'bin', 'syscribe.js');
let dir: string;

beforeAll(() => {
  if (!isRoot()) throw new Error('runtime-base runs containers with runc/crun and needs root');
  requireTool('runc');
  requireTool('crun');
  requireTool('auditd');
  if (spawnSync('pgrep', ['-x', 'auditd']).status !== 0) spawnSync('auditd');
  dir = mkdtempSync(join(tmpdir(), 'syscribe-runtime-base-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['runc' as const, 'runc:[2:INIT]'],
  ['crun' as const, 'crun'],
])('runtime-base (%s)', (runtime, comm) => {
  it('measures the init\'s calls after the filter, execve included, within the stored set, and proves them', async () => {
    const m = await measureRuntimeBase(runtime, 3);
    expect(m.records).toBeGreaterThan(0);
    expect(m.comms).toEqual([comm]);
    expect(m.syscalls).toContain('execve');
    expect(m.syscalls).toContain('close');
    expect(m.lost).toBe(0);
    expect(m.confirmed, m.confirmNote).toBe(true);
    expect(m.version).toMatch(new RegExp(`^${runtime} \\d+\\.\\d+`));
    // /bin/true's own calls are not the runtime's.
    expect(m.programSyscalls).toContain('exit_group');
    expect(m.syscalls).not.toContain('exit_group');
    const stored = runtimeBaseSyscalls(runtime);
    for (const s of m.syscalls) expect(stored, `${s} measured now but not stored`).toContain(s);
    for (const [s, n] of Object.entries(m.seenIn)) {
      expect(n).toBeLessThanOrEqual(3);
      expect(m.syscalls).toContain(s);
    }
  });

  it('stored data: version, date, arch, method, sorted syscalls', () => {
    const d = runtimeBaseData()[runtime]!;
    expect(d.version).toMatch(new RegExp(`^${runtime} `));
    expect(d.measured).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(d.arch).toBe('x86_64');
    expect(d.runs).toBeGreaterThanOrEqual(100);
    expect(d.method).toMatch(/SCMP_ACT_LOG/);
    expect(d.method).toMatch(/proven/);
    expect([...d.syscalls].sort()).toEqual(d.syscalls);
  });
});

describe('runtime-base data', () => {
  it('runc: the Go runtime\'s occasional calls are in (futex, rt_sigreturn)', () => {
    expect(runtimeBaseSyscalls('runc')).toEqual(expect.arrayContaining(['execve', 'futex', 'rt_sigreturn', 'getdents64', 'write', 'openat']));
  });

  it('works from dist too', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', "import('./dist/runtime/runtime-base.js').then(m => console.log(m.runtimeBaseSyscalls('crun').join(',')))"], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split(',')).toEqual(runtimeBaseSyscalls('crun'));
  });

  it('an unmeasured runtime is a UserError', () => {
    expect(() => runtimeBaseSyscalls('nope' as 'runc')).toThrow(UserError);
    expect(() => runtimeBaseSyscalls('toString' as 'runc')).toThrow(UserError);
  });

  it('toRuntimeBase keeps what the data file holds', () => {
    const e = toRuntimeBase({ runtime: 'crun', version: 'crun 1.8.1', arch: 'x86_64', runs: 2, syscalls: ['close', 'execve'], seenIn: {}, records: 4, comms: ['crun'], programSyscalls: [], confirmed: true, lost: 0 }, '2026-11-23');
    expect(Object.keys(e)).toEqual(['version', 'measured', 'arch', 'runs', 'method', 'syscalls']);
    expect(e.method).toMatch(/comm "crun"/);
  });
});

describe('syscribe runtime-base (CLI)', () => {
  it('prints the set, one per line, and --save -o updates only that runtime, atomically', () => {
    const out = join(dir, 'rb.json');
    writeFileSync(out, JSON.stringify({ other: { version: 'x', measured: '2000-01-01', arch: 'x86_64', runs: 1, method: 'm', syscalls: ['read'] } }));
    const r = spawnSync(process.execPath, [bin, 'runtime-base', '--runtime', 'crun', '--runs', '2', '--save', '-o', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(expect.arrayContaining(['close', 'execve']));
    expect(r.stderr).toMatch(/^proven: /m);
    const saved = JSON.parse(readFileSync(out, 'utf8'));
    expect(Object.keys(saved)).toEqual(['crun', 'other']);
    expect(saved.other.syscalls).toEqual(['read']);
    expect(saved.crun.runs).toBe(2);
    expect(statSync(out).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--runs 0 is a usage error', () => {
    const r = spawnSync(process.execPath, [bin, 'runtime-base', '--runs', '0'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--runs 0/);
  });
});
