/**
 * `syscribe record --backend bpftrace` (or `auto` where bpftrace can run):
 * bin/syscribe.js calls prestart() with the raw argv before the CLI is even
 * loaded, so bpftrace's own start-up (compiling the script, attaching the
 * probes: most of the backend's fixed cost) runs on the other core while node
 * loads and parses. The guess from the raw argv is only a guess: the record
 * command takes the session only when the parsed options ask for the same
 * tracing (record/prestart.ts takePrestarted), and anything not taken is
 * killed when the CLI is done (discardPrestarted), e.g. after a usage error.
 */
import type { BpftraceMode } from '../record/bpftrace-session.js';
import { bpftraceLikely, discardPrestarted, startEarly } from '../record/prestart.js';

export { discardPrestarted };

/** What `record` argv asks the bpftrace backend to watch, or undefined when it is not (obviously) a bpftrace recording. */
export function prestartTarget(argv: readonly string[]): { mode: BpftraceMode; target: number } | undefined {
  if (argv[0] !== 'record') return undefined;
  const end = argv.indexOf('--');
  const opts = argv.slice(1, end < 0 ? argv.length : end);
  let backend: string | undefined;
  let pid: number | undefined;
  for (let i = 0; i < opts.length; i++) {
    const a = opts[i]!;
    if (a === '--help' || a === '-h' || a === '--version' || a === '--in-container') return undefined;
    if (a === '--backend') backend = opts[++i];
    else if (a.startsWith('--backend=')) backend = a.slice('--backend='.length);
    else if (a === '--pid' || a.startsWith('--pid=')) {
      const v = a === '--pid' ? opts[++i] : a.slice('--pid='.length);
      if (!v || !/^[1-9][0-9]*$/.test(v)) return undefined;
      pid = Number(v);
    }
  }
  if (backend !== 'bpftrace' && !(backend === 'auto' && bpftraceLikely())) return undefined;
  return pid !== undefined ? { mode: 'pid', target: pid } : { mode: 'cmd', target: process.pid };
}

/** Start bpftrace now when argv is a bpftrace recording that can run here (a strace recording loads nothing more). */
export async function prestart(argv: readonly string[]): Promise<void> {
  const t = prestartTarget(argv);
  if (t && bpftraceLikely()) await startEarly(t.mode, t.target);
}
