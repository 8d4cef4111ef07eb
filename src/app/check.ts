/**
 * check, the use-case: inputs (strace logs, audit logs, profiles, mixed) →
 * what each RuntimeDefault would do with what the app calls. Typed options in,
 * a result out: no flags, no printing, no exit codes (cli/check.ts does those).
 */
import { ARCHES, type ArchId, archById } from '../arch.js';
import { sniffInput } from '../algebra/inputs.js';
import { Collector, type Observed } from '../collect/collector.js';
import { UserError } from '../errors.js';
import { type CheckResult, checkObserved } from '../generate/check.js';
import { ingestRecording } from '../ingest/drivers/any.js';
import { type CapSpec, capsFor, checkCapSpec, hasCapSpec } from '../profile/capabilities.js';
import { type LoadOptions, loadProfileFile } from '../profile/load.js';
import { canonicalName } from '../resolve.js';
import { inputLabel, isStreamInput } from '../sources/lines.js';

/** The RuntimeDefaults check compares against. */
export const CHECK_BASELINES = ['containerd', 'crio', 'docker'] as const;
export type CheckBaseline = (typeof CHECK_BASELINES)[number];

export interface CheckOptions {
  /** Paths; '-' is stdin. */
  inputs: string[];
  baselines: CheckBaseline[];
  /** The node's arch (default: the recording's, else x86_64 for a profile without architectures). */
  arch?: ArchId;
  /** Node kernel X.Y (default: the running kernel). */
  kernel?: string;
  caps?: CapSpec;
  /** How a moby-format profile among the inputs is flattened. */
  load?: LoadOptions;
  /** Told as each input is read: how a profile among them was read (e.g. flattened). */
  onNote?: (note: string) => void;
}

export interface CheckRun {
  observed: Observed;
  /** One per baseline, in the order asked. */
  results: CheckResult[];
  /** Distinct syscalls seen (0 with no unknown numbers: nothing to check). */
  seen: number;
  /** Some baseline would block something. */
  blocked: boolean;
  /** Unknown syscall numbers: anything may be blocked. */
  cannotTell: boolean;
}

/**
 * Profiles count as "what the app calls": every name a rule allows or logs.
 * An input that is neither (empty, `[]`, `null`, a YAML alias bomb, a text
 * with no line either parser understands) is an input error: the loader's
 * own one-line reason — never "nothing would be blocked".
 */
export async function collectInputs(paths: readonly string[], collector: Collector, arch: ArchId | undefined, load: LoadOptions, onNote: (note: string) => void = () => {}): Promise<void> {
  for (const p of paths) {
    let profiles = (await sniffInput(p)) === 'profile' ? await loadProfileFile(p, load) : undefined;
    if (!profiles) {
      const mine = new Collector();
      await ingestRecording(p, mine);
      const r = mine.result();
      if (r.lines.parsed === 0 && r.lines.ignored === 0) {
        // A pipe cannot be read again for the loader's reason: say it here.
        if (await isStreamInput(p)) throw new UserError(`${inputLabel(p)}: ${r.lines.malformed ? 'neither a seccomp profile nor a strace or audit log' : 'empty input'}`);
        profiles = await loadProfileFile(p, load); // throws its reason
      }
      else collector.absorb(r);
    }
    if (profiles) {
      for (const lp of profiles) {
        for (const n of lp.notes) onNote(n);
        const arches = (lp.profile.architectures ?? []).map((s) => ARCHES.find((a) => a.scmp === s)!.id);
        const on: ArchId[] = arch ? [arch] : arches.length ? arches : ['x86_64'];
        for (const r of lp.profile.syscalls ?? []) {
          if (r.action !== 'SCMP_ACT_ALLOW' && r.action !== 'SCMP_ACT_LOG') continue;
          for (const name of r.names) {
            const a = on.find((x) => canonicalName(name, archById(x)) !== undefined) ?? on[0]!;
            collector.add({ arch: a, name });
          }
        }
      }
    }
  }
}

export async function runCheck(o: CheckOptions): Promise<CheckRun> {
  const caps = o.caps ?? {};
  checkCapSpec(caps);
  const collector = new Collector();
  await collectInputs(o.inputs, collector, o.arch, o.load ?? {}, o.onNote);
  const observed = collector.result();
  let seen = 0;
  for (const m of observed.arches.values()) seen += m.size;
  const opts = {
    ...(o.kernel ? { kernel: o.kernel } : {}),
    ...(o.arch ? { arches: [o.arch] } : {}),
  };
  const results = seen === 0 && observed.unknown.length === 0
    ? []
    : o.baselines.map((b) => checkObserved(observed, b, hasCapSpec(caps) ? { ...opts, caps: capsFor(b, caps) } : opts));
  return { observed, results, seen, blocked: results.some((r) => r.blocked), cannotTell: observed.unknown.length > 0 };
}
