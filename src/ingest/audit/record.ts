/** The record builder: scanned fields → one observation (or why the record is malformed). */
import { type Arch, X32_SYSCALL_BIT, archById, archForRecord, findArch } from '../../arch.js';
import type { LineResult, Observation } from '../../types.js';
import { INTERPRETED_ACTIONS, INTERPRETED_ARCHES, actionOf, hexIn, intIn, isName } from './decode.js';
import { type Fields, K_ARCH, K_AUID, K_CODE, K_EXE, K_COMM, K_GID, K_PID, K_SYSCALL, K_UID, numIn, untrusted } from './fields.js';
import type { Stamp } from './time.js';

/**
 * Which observation fields a caller needs besides arch and number (a mask of
 * these bits; `true` = all): a filter on --comm needs only comm, so the others
 * are left undefined and not decoded. The line's kind, arch and number never
 * depend on the mask.
 */
export const D_PID = 1, D_UID = 2, D_GID = 4, D_AUID = 8, D_COMM = 16, D_EXE = 32, D_ACTION = 64, D_TIME = 128;
export const D_ALL = 255;

/** The scanner slots (fields.ts) a D_* mask needs: arch and syscall always. */
export function slotsFor(want: number): number {
  let m = (1 << K_ARCH) | (1 << K_SYSCALL);
  if (want & D_PID) m |= 1 << K_PID;
  if (want & D_UID) m |= 1 << K_UID;
  if (want & D_GID) m |= 1 << K_GID;
  if (want & D_AUID) m |= 1 << K_AUID;
  if (want & D_COMM) m |= 1 << K_COMM;
  if (want & D_EXE) m |= 1 << K_EXE;
  if (want & D_ACTION) m |= 1 << K_CODE;
  return m;
}

/** The scanned fields (over s) → result; `want` (D_* bits) says which fields besides arch and number to decode. */
export function record(f: Fields, s: string, interpreted: boolean, stamp: Stamp | undefined, want = D_ALL): LineResult {
  const a0 = f.v0[K_ARCH]!, s0 = f.v0[K_SYSCALL]!;
  if (a0 < 0) return { kind: 'malformed', reason: 'seccomp record without arch=' };
  if (s0 < 0) return { kind: 'malformed', reason: 'seccomp record without syscall=' };
  const a1 = f.v1[K_ARCH]!, s1 = f.v1[K_SYSCALL]!;
  let arch: Arch | undefined;
  let nr = intIn(s, s0, s1);
  let name: string | undefined;
  let nrText: string | undefined;
  if (nr === nr && !Number.isSafeInteger(nr)) {
    // No kernel prints such a number (it is an int); a double would round it: keep the digits, and no x32 guess.
    nrText = s.slice(s0, s1);
    nr = -1;
  }
  if (!interpreted) {
    const code = hexIn(s, a0, a1);
    if (code !== code) return { kind: 'malformed', reason: `arch=${s.slice(a0, a1)} is not an audit arch code` };
    if (nr !== nr) return { kind: 'malformed', reason: `syscall=${s.slice(s0, s1)} is not a number` };
    arch = archForRecord(code, nr);
    if (!arch) return { kind: 'malformed', reason: `unknown audit arch 0x${s.slice(a0, a1)}` };
  } else {
    // ausearch -i: arch and syscall names; numbers it cannot name as unknown-syscall(N), arches as unknown-elf-type(HEX).
    const archV = s.slice(a0, a1);
    const sysV = s.slice(s0, s1);
    if (nr !== nr && sysV.startsWith('unknown-syscall(') && sysV.endsWith(')')) nr = intIn(sysV, 16, sysV.length - 1);
    if (nr !== nr) {
      if (!isName(sysV)) return { kind: 'malformed', reason: `syscall=${sysV} is neither a number nor a name` };
      name = sysV;
    }
    if (archV.startsWith('unknown-elf-type(') && archV.endsWith(')')) {
      const hex = archV.slice(17, -1);
      const code = hexIn(hex, 0, hex.length);
      arch = code === code ? archForRecord(code, nr === nr ? nr : 0) : undefined;
      if (!arch) return { kind: 'malformed', reason: `unknown audit arch 0x${hex}` };
      // ausearch named the number with a table that is not this arch's: only a number it left alone can be trusted.
      if (name !== undefined) return { kind: 'malformed', reason: `ausearch -i does not know arch 0x${hex} (${arch.id}) and named syscall=${name} from another arch's table; read the log raw (ausearch --raw)` };
    } else {
      arch = findArch(INTERPRETED_ARCHES[archV] ?? archV);
      if (!arch) return { kind: 'malformed', reason: `unknown arch '${archV}'` };
      if (arch.id === 'x86_64' && nr === nr && nr >= 0 && (nr & X32_SYSCALL_BIT) !== 0) arch = archById('x32');
    }
  }
  let action: string | undefined;
  const c0 = want & D_ACTION ? f.v0[K_CODE]! : -1;
  if (c0 >= 0) {
    const c1 = f.v1[K_CODE]!;
    const code = hexIn(s, c0, c1);
    if (code === code) action = actionOf(code);
    else {
      const v = s.slice(c0, c1);
      if (v.startsWith('unknown-seccomp-code(')) {
        const x = hexIn(v, 21, v.length - 1);
        action = x === x ? actionOf(x) : v;
      } else action = INTERPRETED_ACTIONS[v.toLowerCase()] ?? v;
    }
  }
  let auid = want & D_AUID ? numIn(f, s, K_AUID) : undefined;
  if (want & D_AUID && interpreted && auid === undefined && f.v0[K_AUID]! >= 0 && s.startsWith('unset', f.v0[K_AUID]!)) auid = 4294967295;
  // One literal, one shape: fields a form does not carry are undefined.
  const o: Observation = {
    arch: arch.id, name, nr: name === undefined && nrText === undefined ? nr : undefined,
    pid: want & D_PID ? numIn(f, s, K_PID) : undefined,
    comm: want & D_COMM ? untrusted(f, s, K_COMM, interpreted) : undefined,
    exe: want & D_EXE ? untrusted(f, s, K_EXE, interpreted) : undefined,
    uid: want & D_UID ? numIn(f, s, K_UID) : undefined, gid: want & D_GID ? numIn(f, s, K_GID) : undefined, auid,
    time: want & D_TIME ? stamp?.time : undefined, serial: want & D_TIME ? stamp?.serial : undefined, action,
  };
  if (nrText !== undefined) o.nrText = nrText;
  return { kind: 'parsed', obs: [o] };
}

