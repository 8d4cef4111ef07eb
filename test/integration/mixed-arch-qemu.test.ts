/**
 * Mixed-architecture clusters against real aarch64 behaviour: Debian's arm64 busybox-static runs
 * here under qemu-aarch64-static, whose -strace prints the guest's own aarch64 calls. The same
 * applets (the amd64 busybox-static of the same Debian release) are recorded with strace on
 * x86_64; the profile syscribe derives for aarch64 from that x86_64 recording must cover every
 * call the arm64 runs made. scripts/test-system.sh fetches the arm64 package into .cache/arm64.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';
import { archById } from '../../src/arch.js';
import { existsOn, syscallName } from '../../src/resolve.js';

const root = resolve(__dirname, '../..');
const armBusybox = process.env.SYSCRIBE_ARM64_BUSYBOX ?? join(root, '.cache', 'arm64', 'bin', 'busybox');
const aarch64 = archById('aarch64');

// qemu-user 7.2 gives aarch64 guests no vDSO (qemu 8.1 added one), so glibc's clock_gettime and
// gettimeofday become real syscalls under qemu; on an aarch64 kernel they are vDSO calls, as on x86_64.
const QEMU_ONLY = new Set(['clock_gettime', 'gettimeofday']);

let dir = '';
const applets = (d: string): string[][] => [
  ['echo', 'hi'],
  ['cat', '/etc/hostname'],
  ['ls', '-la', '/etc/apt'],
  ['mkdir', '-p', `${d}/a/b`],
  ['cp', '/etc/hostname', `${d}/a/b/h`],
  ['mv', `${d}/a/b/h`, `${d}/a/h2`],
  ['ln', '-s', `${d}/a/h2`, `${d}/link`],
  ['readlink', `${d}/link`],
  ['stat', `${d}/a/h2`],
  ['chmod', '600', `${d}/a/h2`],
  ['touch', `${d}/t`],
  ['find', d],
  ['du', '-s', d],
  ['sort', '/etc/hostname'],
  ['sha256sum', '/etc/hostname'],
  ['tar', '-cf', `${d}/x.tar`, '-C', d, 'a'],
  ['sh', '-c', `x=1; read y < /etc/hostname; echo "$x" > ${d}/v; test -e ${d}/v && echo ok`],
  ['rm', '-rf', `${d}/a`, `${d}/link`, `${d}/t`, `${d}/v`, `${d}/x.tar`],
  ['date'],
  ['sleep', '0.01'],
];

/** The aarch64 calls of one run, from qemu's -strace (its "Unknown syscall N" lines resolved with the aarch64 table). */
function armCalls(args: string[]): Set<string> {
  const r = spawnSync('qemu-aarch64-static', ['-strace', armBusybox, ...args], { encoding: 'utf8' });
  expect(r.status, `${args.join(' ')} under qemu: ${r.stderr.slice(-300)}`).toBe(0);
  const names = new Set<string>();
  for (const line of r.stderr.split('\n')) {
    let m = /^\d+ ([a-z_0-9]+)\(/.exec(line);
    if (m) { names.add(m[1]!); continue; }
    m = /^\d+ Unknown syscall (\d+)/.exec(line);
    if (m) names.add(syscallName(aarch64, Number(m[1])) ?? `#${m[1]}`);
  }
  return names;
}

beforeAll(() => {
  requireTool('qemu-aarch64-static', 'qemu-user-static');
  requireTool('strace');
  requireTool('busybox', 'busybox-static');
  if (!existsSync(armBusybox)) throw new Error(`${armBusybox} is missing: scripts/test-system.sh fetches Debian's busybox-static:arm64 there (npm run test:system)`);
  dir = mkdtempSync(join(tmpdir(), 'syscribe-qemu-'));
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('x86_64 recording, profile derived for aarch64, checked against real aarch64 runs', () => {
  it('covers every call the arm64 busybox makes, where the x86_64 names alone do not', async () => {
    const work = join(dir, 'w');
    // x86_64: strace -f of each applet, one log per applet.
    const logs: string[] = [];
    applets(work).forEach((a, i) => {
      const log = join(dir, `x86-${i}.strace`);
      const r = spawnSync('strace', ['-f', '-o', log, 'busybox', ...a], { encoding: 'utf8' });
      expect(r.status, `${a.join(' ')} on x86_64: ${r.stderr}`).toBe(0);
      logs.push(log);
    });
    const out = join(dir, 'arm.json');
    const g = await runCli(['strace', ...logs, '--baseline', 'none', '--runtime', 'none', '--arch', 'aarch64', '-o', out]);
    expect(g.code, g.err).toBe(0);
    expect(g.err).toMatch(/aarch64 is listed but nothing was recorded on aarch64: its part of the profile is derived, not observed/);
    expect(g.err).toMatch(/for aarch64: .*→/);
    const profile = JSON.parse(readFileSync(out, 'utf8')) as { architectures: string[]; syscalls: Array<{ names: string[] }> };
    expect(profile.architectures).toEqual(['SCMP_ARCH_AARCH64']);
    const allowed = new Set(profile.syscalls.flatMap((r) => r.names));
    for (const n of allowed) expect(existsOn(aarch64, n), `${n} is listed but is no aarch64 syscall`).toBe(true);

    // aarch64: the same applets under qemu.
    const arm = new Set<string>();
    for (const a of applets(work)) for (const n of armCalls(a)) arm.add(n);
    expect(arm.size).toBeGreaterThan(25);
    const missing = [...arm].filter((n) => !allowed.has(n) && !QEMU_ONLY.has(n)).sort();
    expect(missing).toEqual([]);

    // The control: without translation (the x86_64 names as recorded) aarch64 would be missing calls.
    const plain = await runCli(['strace', ...logs, '--baseline', 'none', '--runtime', 'none', '--json', '-o', join(dir, 'x86.json')]);
    expect(plain.code, plain.err).toBe(0);
    const x86 = new Set((JSON.parse(readFileSync(join(dir, 'x86.json'), 'utf8')) as { syscalls: Array<{ names: string[] }> }).syscalls.flatMap((r) => r.names));
    const wouldMiss = [...arm].filter((n) => !x86.has(n) && !QEMU_ONLY.has(n));
    expect(wouldMiss.length).toBeGreaterThan(0);
    writeFileSync(join(dir, 'note.txt'), `translated in: ${wouldMiss.join(' ')}\n`);
  });
});
