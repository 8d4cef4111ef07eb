import { UserError } from '../errors.js';

/** The errno names the flags accept (Linux generic values, the same on the arches runtimes support). */
export const ERRNOS: Readonly<Record<string, number>> = { EPERM: 1, ENOENT: 2, EACCES: 13, EINVAL: 22, ENOSYS: 38 };

/** "EPERM" / "enosys" / "38" → number; UserError otherwise. */
export function parseErrno(s: string): number {
  const n = ERRNOS[s.toUpperCase()] ?? (/^\d+$/.test(s) ? Number(s) : undefined);
  if (n === undefined || n > 4095) throw new UserError(`--errno ${s}: want ${Object.keys(ERRNOS).join(', ')} or a number 0-4095`);
  return n;
}
