// Named (non-hex) container ids: a real runc container started as `runc run NAME` without
// cgroupsPath sits in the cgroup `/NAME` (cgroupfs driver); `syscribe audit --container NAME` and
// `--split-by container` must attribute its records to NAME (the old code refused NAME: "not a
// container id (hex, a prefix is enough)" and put its records under no-container).
// Needs root, auditd, runc, busybox-static. syscribe runs in-process (runCli).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, expect, test } from 'vitest';
import { makeBundle } from '../../src/runtime/bundle.js';
import { markLog, namesOf, recordsSince } from '../../src/runtime/denials.js';
import type { SeccompProfile } from '../../src/profile/types.js';
import { logSince } from '../helpers/containerd.js';
import { runCli } from '../helpers/cli.js';
import { isRoot, requireTool } from '../helpers/tools.js';

const NONE = ['--baseline', 'none', '--runtime', 'none'];
const dir = mkdtempSync(join(tmpdir(), 'syscribe-named-'));
const NAME = `fleet_named-${process.pid}.a`;
const runcRoot = join(dir, 'runc');
const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const allowed = (f: string): string[] =>
  (JSON.parse(readFileSync(f, 'utf8')) as { syscalls: Array<{ names: string[]; action: string }> }).syscalls.filter((s) => s.action === 'SCMP_ACT_ALLOW').flatMap((s) => s.names);

test('runc run NAME: --container NAME and --split-by container name it', async () => {
  if (!isRoot()) throw new Error('this test needs root (runc, auditd)');
  const runc = requireTool('runc');
  requireTool('busybox', 'busybox-static');
  requireTool('auditd');
  if ((await execa('pgrep', ['-x', 'auditd'], { reject: false })).exitCode !== 0) await execa('auditd');
  const profileFile = join(dir, 'audit-mode.json');
  expect((await runCli(['audit-profile', ...NONE, '--no-log-denials', '-o', profileFile])).code).toBe(0);
  const seccomp = JSON.parse(readFileSync(profileFile, 'utf8')) as SeccompProfile;
  const bundle = await makeBundle({ args: ['/bin/busybox', 'sh', '-c', 'exec /bin/busybox ionice -c 3 /bin/busybox sleep 100000'], cwd: '/', seccomp });
  cleanup.push(() => bundle.remove());

  const mark = await markLog();
  expect(mark.source).toBe('audit');
  await execa(runc, ['--root', runcRoot, 'run', '-d', '--bundle', bundle.dir, NAME], { stdio: 'ignore' });
  cleanup.push(() => execa(runc, ['--root', runcRoot, 'delete', '-f', NAME], { reject: false }));
  const pid = (JSON.parse((await execa(runc, ['--root', runcRoot, 'state', NAME])).stdout) as { pid: number }).pid;
  expect(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toMatch(new RegExp(`:/${NAME.replace(/\./g, '\\.')}\\n`));
  const got = await recordsSince(mark, (o) => o.pid === pid, { done: (rs) => namesOf(rs).includes('ioprio_set'), maxMs: 15_000 });
  expect(namesOf(got.records)).toContain('ioprio_set');
  if (mark.source !== 'audit') return;
  const slice = join(dir, 'since-mark.log');
  writeFileSync(slice, logSince(mark));

  const one = join(dir, 'named.json');
  const r1 = await runCli(['audit', slice, ...NONE, '--container', NAME, '-o', one]);
  expect(r1.code, r1.err).toBe(0);
  expect(allowed(one)).toContain('ioprio_set');
  // A name is not a prefix: the first letters select nothing.
  const prefix = join(dir, 'prefix.json');
  const r = await runCli(['audit', slice, ...NONE, '--container', NAME.slice(0, 5), '-o', prefix]);
  expect(r.code, r.err).toBe(1); // nothing kept: no profile written
  expect(existsSync(prefix)).toBe(false);

  const split = join(dir, 'split');
  const r2 = await runCli(['audit', slice, ...NONE, '--split-by', 'container', '-o', split]);
  expect(r2.code, r2.err).toBe(0);
  expect(readdirSync(split)).toContain(`${NAME}.json`);
  expect(allowed(join(split, `${NAME}.json`))).toContain('ioprio_set');
}, 60_000);
