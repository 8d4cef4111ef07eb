// The command registry: one module per command under src/cli/.
import type { CommandModule } from 'yargs';
import { resolveCommand } from './resolve.js';
import { straceCommand } from './strace.js';
import { auditCommand } from './audit.js';
import { auditProfileCommand } from './audit-profile.js';
import { recordCommand } from './record.js';
import { makeMergeCommand } from './merge.js';
import { Collector } from '../collect/collector.js';
import { observedToAllowProfile } from '../generate/index.js';
import { ingestRecording } from '../ingest/any.js';
import { diffCommand } from './diff.js';
import { EXIT_FINDING, UserError } from '../errors.js';
import { nothingObserved } from './report.js';
import { checkCommand } from './check.js';
import { installCommand } from './install.js';
import { verifyCommand } from './verify.js';
import { runtimeBaseCommand } from './runtime-base.js';

/** merge takes recordings too: each becomes a profile allowing exactly what it shows. */
const mergeCommand = makeMergeCommand({
  loadObservation: async (path, defaults) => {
    const c = new Collector();
    await ingestRecording(path, c);
    const observed = c.result();
    // A recording that shows no call would merge as nothing: say so instead (as strace/audit do).
    if (![...observed.arches.values()].some((m) => m.size > 0)) throw new UserError(`${path === '-' ? 'stdin (-)' : path}: ${nothingObserved(observed)}: nothing to merge from it`, EXIT_FINDING);
    return observedToAllowProfile(observed, defaults);
  },
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [straceCommand, auditCommand, recordCommand, auditProfileCommand, mergeCommand, diffCommand, checkCommand, verifyCommand, runtimeBaseCommand, installCommand, resolveCommand];
