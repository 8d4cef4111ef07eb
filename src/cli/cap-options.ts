/** The capability flags, shared by the generator commands and check (src/profile/capabilities.ts has the logic). */
import type { Argv } from 'yargs';
import type { CapSpec } from '../profile/capabilities.js';
import type { Declared } from './command.js';

/** --cap / --cap-add / --cap-drop (generator commands and check). */
export function withCapOptions<T>(y: Argv<T>, group?: string) {
  const g = group ? { group } : {};
  return y
    .option('cap', { type: 'string', array: true, describe: 'The EXACT capability set of the container (repeatable, comma lists; replaces the runtime\'s default set; ALL = all 41)', ...g })
    .option('cap-add', { type: 'string', array: true, describe: 'Capability added to the runtime\'s default set, as securityContext.capabilities.add (repeatable; SYS_ADMIN or CAP_SYS_ADMIN)', ...g })
    .option('cap-drop', { type: 'string', array: true, describe: 'Capability removed from the runtime\'s default set, as capabilities.drop (repeatable; ALL drops every one; add wins over drop)', ...g });
}

export type CapArgs = Declared<typeof withCapOptions>;

/** The capability flags as a CapSpec. */
export function capSpecFrom(a: CapArgs): CapSpec {
  return { ...(a.cap ? { exact: a.cap } : {}), ...(a['cap-add'] ? { add: a['cap-add'] } : {}), ...(a['cap-drop'] ? { drop: a['cap-drop'] } : {}) };
}
