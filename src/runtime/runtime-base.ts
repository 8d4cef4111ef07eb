/**
 * The syscalls an OCI runtime itself makes after it installs the container's
 * seccomp filter (before and including the execve of the user program).
 * A profile must allow them or the container never starts. Measured with
 * `syscribe runtime-base --save` (see src/data/runtime-base.json for how).
 */
import { createRequire } from 'node:module';
import { UserError } from '../errors.js';

export interface RuntimeBase {
  version: string;
  measured: string;
  arch: string;
  runs: number;
  method: string;
  syscalls: string[];
}

const require = createRequire(import.meta.url);
/** The data file lives in src/data; dist/runtime and src/runtime are both two levels below the package root. */
const DATA_PATH = require.resolve('../../src/data/runtime-base.json');

export function runtimeBaseData(): Record<string, RuntimeBase> {
  return require(DATA_PATH) as Record<string, RuntimeBase>;
}

export function runtimeBaseSyscalls(runtime: 'runc' | 'crun'): string[] {
  const d = runtimeBaseData()[runtime];
  if (!d) {
    throw new UserError(`no measured post-filter syscall set for ${runtime} (measure it with: syscribe runtime-base --runtime ${runtime} --save), or use --runtime none`);
  }
  return [...d.syscalls];
}

export function runtimeBasePath(): string {
  return DATA_PATH;
}

/**
 * Measure a runtime's post-filter calls: run /bin/true `runs` times under a
 * SCMP_ACT_LOG profile (native family listed) and collect the records of the
 * container's init process made before the user program took over: runc's
 * init is comm "runc:[2:INIT]"; for others, records of the init pid before
 * its execve completes (comm is still the runtime's).
 */
export async function measureRuntimeBase(runtime: 'runc' | 'crun', runs = 5): Promise<{ syscalls: string[]; records: number; version: string }> {
  const { makeBundle, runBundle, assertCanRun } = await import('./bundle.js');
  const { markLog, namesOf, recordsSince } = await import('./denials.js');
  const { execa } = await import('execa');
  const { archById, hostArch } = await import('../arch.js');
  assertCanRun(runtime);
  const arches = archById(hostArch().id).family.map((a) => archById(a).scmp);
  const bundle = await makeBundle({ args: ['/bin/true'], cwd: '/', seccomp: { defaultAction: 'SCMP_ACT_LOG', architectures: arches, syscalls: [] } });
  const all = [];
  try {
    for (let i = 0; i < runs; i++) {
      const mark = await markLog();
      const r = await runBundle(bundle, runtime);
      if (r.exitCode !== 0 || r.pid === undefined) throw new UserError(`${runtime} could not run a trivial container: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.exitCode}`}`);
      const recs = await recordsSince(mark, (o) => o.pid === r.pid && o.comm !== 'true');
      if (!recs.length) throw new UserError(`no seccomp records from ${runtime}'s container init (pid ${r.pid}): is auditd running, or the kernel logging SECCOMP records?`);
      all.push(...recs);
    }
  } finally {
    await bundle.remove();
  }
  const v = await execa(runtime, ['--version'], { reject: false });
  return { syscalls: namesOf(all), records: all.length, version: String(v.stdout ?? '').split('\n').slice(0, 1).join(' ').trim() };
}
