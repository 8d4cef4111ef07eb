/** strace's name tables per arch family: which names a call line may carry, per-name flags, personalities, socketcall/ipc multiplexers. */
import { type Arch, type ArchId, ARCHES, archById } from '../../arch.js';
import { ALIASES, existsOn, tableEntries } from '../../resolve.js';
import { ARG_DECODED_SYSCALLS } from './args.js';
import { hashNames } from './scanner.js';

export const F_DECODE = 1; // arguments decoded (socket, personality, clone)
export const F_HINT32 = 2; // exists only in the 32-bit personality's table
export const F_HINT64 = 4; // exists only in the native (64-bit) table
export const F_FORK = 8; // returns a child pid
export const F_EXEC = 16; // replaces the program: arch unknown again after success
export const F_SOCKSUB = 32; // strace prints socketcall(2) subcalls under these names
export const F_IPCSUB = 64; // … and ipc(2) subcalls under these

const SOCKET_SUBCALLS = ['socket', 'bind', 'connect', 'listen', 'accept', 'getsockname', 'getpeername', 'socketpair', 'send', 'recv', 'sendto', 'recvfrom', 'shutdown', 'setsockopt', 'getsockopt', 'sendmsg', 'recvmsg', 'accept4', 'recvmmsg', 'sendmmsg'];
const IPC_SUBCALLS = ['semop', 'semget', 'semctl', 'semtimedop', 'msgsnd', 'msgrcv', 'msgget', 'msgctl', 'shmat', 'shmdt', 'shmget', 'shmctl'];

/** strace's personalities per native arch (strace: "32 bit", "x32"; "64 bit" is the native one). */
export const PERSONALITY_32: Partial<Record<ArchId, ArchId>> = {
  x86_64: 'x86', aarch64: 'arm', ppc64: 'ppc', s390x: 's390', mips64: 'mips', mipsel64: 'mipsel', parisc64: 'parisc',
};

export interface Family {
  native: ArchId;
  alt32: ArchId | undefined;
  flags: Map<string, number>;
  /** The names a call line may carry, by hash (see nameAt). */
  names: Map<number, string | string[]>;
}

const families = new Map<ArchId, Family>();

/** The native (64-bit) arch for a default arch, its 32-bit personality, and the per-name flags. */
export function familyOf(def: ArchId): Family {
  let f = families.get(def);
  if (f) return f;
  const d = archById(def);
  const native: Arch = d.bits === 64 ? d : (ARCHES.find((a) => a.bits === 64 && a.family.includes(def) && PERSONALITY_32[a.id] === def) ?? d);
  const alt32id = PERSONALITY_32[native.id];
  const alt32 = alt32id ? archById(alt32id) : undefined;
  const flags = new Map<string, number>();
  const or = (n: string, b: number) => flags.set(n, (flags.get(n) ?? 0) | b);
  for (const n of ARG_DECODED_SYSCALLS) or(n, F_DECODE);
  for (const n of ['clone', 'clone3', 'fork', 'vfork']) or(n, F_FORK);
  for (const n of ['execve', 'execveat']) or(n, F_EXEC);
  for (const n of SOCKET_SUBCALLS) or(n, F_SOCKSUB);
  for (const n of IPC_SUBCALLS) or(n, F_IPCSUB);
  if (alt32) {
    const sub = new Set([...SOCKET_SUBCALLS, ...IPC_SUBCALLS]);
    for (const [, n] of tableEntries(alt32)) if (!existsOn(native, n)) or(n, F_HINT32);
    // socketcall/ipc subcalls are printed by name on 32-bit too: never a 64-bit hint.
    for (const [, n] of tableEntries(native)) if (!existsOn(alt32, n) && !sub.has(n)) or(n, F_HINT64);
  }
  const known = new Set<string>(['restart_syscall', ...SOCKET_SUBCALLS, ...IPC_SUBCALLS]);
  const members = [...native.family.map((id) => archById(id)), ...(alt32 && !native.family.includes(alt32.id) ? [alt32] : [])];
  for (const a of members) for (const [, n] of tableEntries(a)) known.add(n);
  for (const [alias, cands] of Object.entries(ALIASES)) if (members.some((a) => cands.some((c) => existsOn(a, c)))) known.add(alias);
  f = { native: native.id, alt32: alt32id, flags, names: hashNames(known) };
  families.set(def, f);
  return f;
}

const multiplexers = new Map<ArchId, { socketcall: boolean; ipc: boolean }>();
export function multiplexerOf(arch: ArchId): { socketcall: boolean; ipc: boolean } {
  let m = multiplexers.get(arch);
  if (!m) {
    const a = archById(arch);
    m = { socketcall: existsOn(a, 'socketcall'), ipc: existsOn(a, 'ipc') };
    multiplexers.set(arch, m);
  }
  return m;
}

/**
 * strace names socketcall(2)/ipc(2) subcalls after the subcall (socket,
 * connect, semop, …). On an arch that has the multiplexer, without -n the
 * entry point the kernel saw is unknown: the multiplexer is recorded too.
 */
export function multiplexed(flags: Map<string, number>, name: string, arch: ArchId): string | undefined {
  const f = flags.get(name) ?? 0;
  if ((f & (F_SOCKSUB | F_IPCSUB)) === 0) return undefined;
  const m = multiplexerOf(arch);
  return f & F_SOCKSUB ? (m.socketcall ? 'socketcall' : undefined) : m.ipc ? 'ipc' : undefined;
}
