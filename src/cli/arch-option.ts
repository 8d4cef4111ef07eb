import { ARCHES, type Arch, findArch } from '../arch.js';
import { UserError } from '../errors.js';

/** An architecture named on the command line (any spelling), or a UserError listing the known ones. */
export function archOption(name: string, flag = '--arch'): Arch {
  const a = findArch(name);
  if (!a) throw new UserError(`${flag} ${name}: unknown architecture (known: ${ARCHES.map((x) => x.id).join(', ')})`);
  return a;
}
