// The command registry: one module per command under src/cli/.
import type { CommandModule } from 'yargs';
import { resolveCommand } from './resolve.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [resolveCommand];
