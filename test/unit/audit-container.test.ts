// pid → container id from a fake /proc (cgroup v1 and v2 forms of containerd, CRI-O, Docker, Podman).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ContainerResolver, bootTimeFromProcStat, containerIdFromCgroup, startTimeFromStat } from '../../src/ingest/container.js';

const H = 'f'.repeat(8) + '0123456789abcdef'.repeat(3) + '01234567';
const K = '9'.repeat(64);

describe('containerIdFromCgroup', () => {
  test.each([
    ['containerd, cgroup v2, systemd driver', `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c.slice/cri-containerd-${H}.scope\n`],
    ['containerd, cgroup v1, cgroupfs driver', `12:pids:/kubepods/burstable/pod1b2c-3d4e/${H}\n11:memory:/kubepods/burstable/pod1b2c-3d4e/${H}\n0::/\n`],
    ['CRI-O', `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod5.slice/crio-${H}.scope\n`],
    ['Docker, systemd driver', `0::/system.slice/docker-${H}.scope\n`],
    ['Docker, cgroupfs driver (v1)', `13:cpuset:/docker/${H}\n`],
    ['Podman', `0::/machine.slice/libpod-${H}.scope/container\n`],
    ['nested (docker in a pod): the innermost id', `0::/kubepods/besteffort/pod7/${K}/docker/${H}\n`],
  ])('%s', (_, cg) => expect(containerIdFromCgroup(cg)).toBe(H));
  test('host processes and non-ids have none', () => {
    expect(containerIdFromCgroup('0::/user.slice/user-0.slice/session-1.scope\n')).toBeUndefined();
    expect(containerIdFromCgroup(`0::/system.slice/docker-${H.slice(1)}.scope\n`)).toBeUndefined(); // 63 hex
    expect(containerIdFromCgroup('')).toBeUndefined();
  });
});

describe('stat fields', () => {
  test('start time is field 22, after a comm holding spaces and parentheses', () => {
    expect(startTimeFromStat('42 (a) b) c) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 56789 1 1\n')).toBe('56789');
  });
  test('btime', () => expect(bootTimeFromProcStat('cpu  1 2 3\nbtime 1795400000\nprocesses 9\n')).toBe(1795400000));
});

describe('ContainerResolver', () => {
  const root = mkdtempSync(join(tmpdir(), 'syscribe-proc-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const mk = (pid: number, start: number, cgroup: string) => {
    mkdirSync(join(root, String(pid)), { recursive: true });
    writeFileSync(join(root, String(pid), 'stat'), `${pid} (my app) S 1 ${pid} ${pid} 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 ${start} 1 1 1\n`);
    writeFileSync(join(root, String(pid), 'cgroup'), cgroup);
  };
  writeFileSync(join(root, 'stat'), 'cpu  1 2 3\nbtime 1795400000\n');
  let clock = 0;
  const r = new ContainerResolver(root, { now: () => clock, recheckMs: 1000 });

  test('a running process in a container; host process; gone; no pid', () => {
    mk(100, 500, `0::/system.slice/docker-${H}.scope\n`);
    mk(101, 500, '0::/user.slice/session-1.scope\n');
    expect(r.idOf(100)).toBe(H);
    expect(r.idOf(101)).toBeUndefined();
    expect(r.idOf(102)).toBeUndefined();
    expect(r.idOf(undefined)).toBeUndefined();
  });

  test('cached within recheckMs; a reused pid (new start time) is looked up afresh', () => {
    mk(200, 1000, `0::/system.slice/docker-${H}.scope\n`);
    expect(r.idOf(200)).toBe(H);
    mk(200, 2000, `0::/kubepods/besteffort/pod7/${K}\n`);
    clock += 500;
    expect(r.idOf(200)).toBe(H); // not re-read yet
    clock += 600;
    expect(r.idOf(200)).toBe(K);
    rmSync(join(root, '200'), { recursive: true });
    clock += 1000;
    expect(r.idOf(200)).toBeUndefined();
  });

  test('a record older than the process now holding its pid is not attributed', () => {
    mk(300, 10_000, `0::/system.slice/docker-${H}.scope\n`); // started at btime + 100 s
    expect(r.idOf(300, 1795400000 + 100)).toBe(H);
    expect(r.idOf(300, 1795400000 + 99.5)).toBe(H); // within the 1 s of slack
    expect(r.idOf(300, 1795400000 + 50)).toBeUndefined();
  });

  test('no /proc/stat: the time check is skipped', () => {
    const bare = mkdtempSync(join(tmpdir(), 'syscribe-proc-'));
    try {
      mkdirSync(join(bare, '7'));
      writeFileSync(join(bare, '7', 'stat'), '7 (x) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 999 1 1\n');
      writeFileSync(join(bare, '7', 'cgroup'), `0::/system.slice/crio-${H}.scope\n`);
      expect(new ContainerResolver(bare).idOf(7, 1)).toBe(H);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
