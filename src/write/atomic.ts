/**
 * Kept for callers not yet moved to write/output.ts: writes by the same rules
 * (regular files atomically, keeping mode and owner; devices, FIFOs and symlink
 * targets written through). New code: use writeOutput.
 */
import { writeOutput } from './output.js';

export async function writeFileAtomic(path: string, data: string | Buffer, mode?: number): Promise<void> {
  await writeOutput(path, data, mode !== undefined ? { mode } : {});
}
