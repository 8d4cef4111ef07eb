/**
 * The words of a seccomp profile, defined once: actions, their order and
 * precedence, the short names the flags accept for them, errno names, and the
 * Security Profiles Operator's API group. Capabilities have their own owner
 * (profile/capabilities.ts). Pure: no flag names, no messages.
 *
 * Facts the runtimes agree on (runc libcontainer/seccomp, crun
 * src/libcrun/seccomp.c, through libseccomp):
 * - SCMP_ACT_KILL and SCMP_ACT_KILL_THREAD are the same action (libseccomp 0x0).
 * - ERRNO and TRACE take a return value (errnoRet); without one they return EPERM.
 */
import { ACTIONS, type Action } from './types.js';

/**
 * Least restrictive first: the order rules are written in (canonical.ts) and
 * the precedence of a union ("least restrictive wins", algebra/effect.ts):
 * ALLOW > LOG > NOTIFY > TRACE > ERRNO > TRAP > KILL_THREAD (= KILL) > KILL_PROCESS.
 * SCMP_ACT_KILL is written just before SCMP_ACT_KILL_THREAD and ranks the same.
 */
export const ACTION_ORDER: readonly Action[] = [
  'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY', 'SCMP_ACT_TRACE', 'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRAP', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_KILL_PROCESS',
];

/** Position in ACTION_ORDER (for sorting). */
export function actionOrder(a: Action): number {
  return ACTION_ORDER.indexOf(a);
}

/** Distinct behaviours, least restrictive first (SCMP_ACT_KILL is SCMP_ACT_KILL_THREAD). */
const BEHAVIOURS = ACTION_ORDER.filter((a) => a !== 'SCMP_ACT_KILL');
const RANK = new Map<Action, number>(BEHAVIOURS.map((a, i) => [a, BEHAVIOURS.length - i]));
RANK.set('SCMP_ACT_KILL', RANK.get('SCMP_ACT_KILL_THREAD')!);

/** Higher is less restrictive (ALLOW 8 … KILL_PROCESS 1). KILL and KILL_THREAD share a rank. */
export function actionRank(a: Action): number {
  return RANK.get(a)!;
}

/** The actions that return a value (errnoRet). */
export function takesErrno(a: Action): boolean {
  return a === 'SCMP_ACT_ERRNO' || a === 'SCMP_ACT_TRACE';
}

/** Short names for actions, as `--default-action` takes them (besides the SCMP_ACT_* names themselves). */
export const ACTION_ALIASES: Readonly<Record<string, Action>> = {
  allow: 'SCMP_ACT_ALLOW', log: 'SCMP_ACT_LOG', errno: 'SCMP_ACT_ERRNO', trace: 'SCMP_ACT_TRACE', trap: 'SCMP_ACT_TRAP',
  kill: 'SCMP_ACT_KILL_THREAD', 'kill-thread': 'SCMP_ACT_KILL_THREAD', 'kill-process': 'SCMP_ACT_KILL_PROCESS',
};

/** "errno", "kill-process", "SCMP_ACT_LOG" (any case) → Action; undefined for anything else. */
export function actionByName(s: string): Action | undefined {
  return ACTION_ALIASES[s.toLowerCase()] ?? ACTIONS.find((x) => x === s.toUpperCase());
}

/**
 * A default action the runtimes accept: every action but SCMP_ACT_NOTIFY
 * (runc and crun refuse a notify default: the agent would have to answer every call).
 */
export function isDefaultAction(a: Action): boolean {
  return a !== 'SCMP_ACT_NOTIFY';
}

export const EPERM = 1;
export const ENOSYS = 38;

/** The errno names the flags accept (Linux generic values, the same on the arches runtimes support). */
export const ERRNOS: Readonly<Record<string, number>> = { EPERM, ENOENT: 2, EACCES: 13, EINVAL: 22, ENOSYS };

const ERRNO_NAMES = new Map<number, string>([[0, 'success'], ...Object.entries(ERRNOS).map(([k, v]): [number, string] => [v, k])]);

/** 1 → "EPERM", 0 → "success"; undefined for a number without a name here. */
export function errnoName(n: number): string | undefined {
  return ERRNO_NAMES.get(n);
}

/** "EPERM" / "enosys" / "38" → number (0-4095); undefined for anything else. */
export function errnoByName(s: string): number | undefined {
  const n = ERRNOS[s.toUpperCase()] ?? (/^\d+$/.test(s) ? Number(s) : undefined);
  return n === undefined || n > 4095 ? undefined : n;
}

/** The Security Profiles Operator's API group and the SeccompProfile versions syscribe reads and writes. */
export const SPO_GROUP = 'security-profiles-operator.x-k8s.io';
export const SPO_VERSIONS = ['v1beta1', 'v1'] as const;
export type SpoVersion = (typeof SPO_VERSIONS)[number];
