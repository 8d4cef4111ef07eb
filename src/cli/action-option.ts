/**
 * `--default-action` and `--errno`, the same for every command that takes them
 * (the generator commands and merge): one set of values, one message.
 */
import { UserError } from '../errors.js';
import type { Action } from '../profile/types.js';
import { ACTION_ALIASES, ERRNOS, actionByName, errnoByName, isDefaultAction } from '../profile/vocabulary.js';

/** For --help: the values `--default-action` takes. */
export const DEFAULT_ACTION_VALUES = `${Object.keys(ACTION_ALIASES).join(', ')} or an SCMP_ACT_* name (not NOTIFY)`;

/** "errno", "kill-process", "SCMP_ACT_LOG" → Action; UserError for anything else, SCMP_ACT_NOTIFY included. */
export function parseDefaultAction(s: string): Action {
  const a = actionByName(s);
  if (!a || !isDefaultAction(a)) throw new UserError(`--default-action ${s}: want ${DEFAULT_ACTION_VALUES}`);
  return a;
}

/** "EPERM" / "enosys" / "38" → number; UserError otherwise. */
export function parseErrno(s: string): number {
  const n = errnoByName(s);
  if (n === undefined) throw new UserError(`--errno ${s}: want ${Object.keys(ERRNOS).join(', ')} or a number 0-4095`);
  return n;
}
