// The command registry: one module per command under src/cli/.
import type { CommandModule } from 'yargs';
import { resolveCommand } from './resolve.js';
import { straceCommand } from './strace.js';
import { auditProfileCommand } from './audit-profile.js';
import { recordCommand } from './record.js';
import { mergeCommand } from './merge.js';
import { diffCommand } from './diff.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [straceCommand, recordCommand, auditProfileCommand, mergeCommand, diffCommand, resolveCommand];
