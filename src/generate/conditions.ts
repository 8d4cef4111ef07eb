/**
 * Argument conditions of seccomp rules: evaluate them on recorded calls, and
 * say them in words. Pure.
 */
import type { ArgValue, SeccompArg } from '../profile/types.js';
import type { FlatRule } from './flatten.js';

const U64 = (1n << 64n) - 1n;

/** Does argument value `v` satisfy `a`? (seccomp compares 64-bit unsigned values) */
export function argHolds(a: SeccompArg, v: bigint): boolean {
  const x = v & U64;
  const val = BigInt(a.value) & U64;
  switch (a.op) {
    case 'SCMP_CMP_NE': return x !== val;
    case 'SCMP_CMP_LT': return x < val;
    case 'SCMP_CMP_LE': return x <= val;
    case 'SCMP_CMP_EQ': return x === val;
    case 'SCMP_CMP_GE': return x >= val;
    case 'SCMP_CMP_GT': return x > val;
    case 'SCMP_CMP_MASKED_EQ': return (x & val) === (BigInt(a.valueTwo ?? 0) & U64);
  }
}

/** true / false, or undefined when an argument the rule tests was not recorded. */
export function ruleHolds(r: FlatRule, tuple: ReadonlyArray<bigint | undefined>): boolean | undefined {
  let unknown = false;
  for (const a of r.args ?? []) {
    const v = tuple[a.index];
    if (v === undefined) {
      unknown = true;
      continue;
    }
    if (!argHolds(a, v)) return false;
  }
  return unknown ? undefined : true;
}

/**
 * Would the rules (all for one syscall) let this call through? Allowed when
 * some ALLOW rule holds and no non-ALLOW conditional rule holds (CRI-O pairs
 * an EPERM rule with ALLOW rules for socket). undefined: arguments unknown.
 */
export function callAllowed(rules: readonly FlatRule[], tuple: ReadonlyArray<bigint | undefined>): boolean | undefined {
  let allowed: boolean | undefined = false;
  for (const r of rules) {
    if (r.action !== 'SCMP_ACT_ALLOW') continue;
    const h = ruleHolds(r, tuple);
    if (h === true) { allowed = true; break; }
    if (h === undefined) allowed = undefined;
  }
  if (allowed === false) return false;
  for (const r of rules) {
    if (r.action === 'SCMP_ACT_ALLOW' || !r.args?.length) continue;
    const h = ruleHolds(r, tuple);
    if (h === true) return false;
    if (h === undefined) return undefined;
  }
  return allowed;
}

/** The argument indices a set of rules tests, sorted. */
export function testedIndices(rules: readonly FlatRule[]): number[] {
  return [...new Set(rules.flatMap((r) => (r.args ?? []).map((a) => a.index)))].sort((a, b) => a - b);
}

const OP_WORDS: Record<SeccompArg['op'], string> = {
  SCMP_CMP_NE: '!=', SCMP_CMP_LT: '<', SCMP_CMP_LE: '<=', SCMP_CMP_EQ: '==', SCMP_CMP_GE: '>=', SCMP_CMP_GT: '>', SCMP_CMP_MASKED_EQ: '&',
};

function hex(n: ArgValue): string {
  return n > 255 ? `0x${n.toString(16)}` : String(n);
}

export function argInWords(a: SeccompArg): string {
  if (a.op === 'SCMP_CMP_MASKED_EQ') return `(arg${a.index} & ${hex(a.value)}) == ${hex(a.valueTwo ?? 0)}`;
  return `arg${a.index} ${OP_WORDS[a.op]} ${hex(a.value)}`;
}

const CLONE_NS_MASK = 0x7e020000;

/** The condition under which `rules` allow `name`, in words a person can act on. */
export function conditionInWords(name: string, rules: readonly FlatRule[]): string {
  const allow = rules.filter((r) => r.action === 'SCMP_ACT_ALLOW' && r.args?.length);
  const sig = allow.map((r) => (r.args ?? []).map(argInWords).join(' && ')).sort().join(' | ');
  if (name === 'socket' && sig === 'arg0 < 38 | arg0 == 39 | arg0 > 40') return 'socket except AF_ALG (38) and AF_VSOCK (40)';
  if (name === 'socket' && /arg0 != 16/.test(sig) && /arg2 != 9/.test(sig)) return 'socket except AF_NETLINK with NETLINK_AUDIT (needs CAP_AUDIT_WRITE)';
  if (name === 'clone' && allow.every((r) => r.args?.length === 1 && r.args[0]!.op === 'SCMP_CMP_MASKED_EQ' && r.args[0]!.value === CLONE_NS_MASK)) {
    return 'clone without namespace flags (CLONE_NEWNS|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWCGROUP)';
  }
  if (name === 'personality' && allow.every((r) => r.args?.length === 1 && r.args[0]!.op === 'SCMP_CMP_EQ' && r.args[0]!.index === 0)) {
    const known: Record<string, string> = { 0: 'PER_LINUX', 8: 'PER_LINUX32', 0x20000: 'UNAME26', 0x20008: 'PER_LINUX32|UNAME26', 0xffffffff: '0xffffffff (query)' };
    return `personality only with ${allow.map((r) => known[Number(r.args![0]!.value)] ?? hex(r.args![0]!.value)).join(', ')}`;
  }
  return `${name} only when ${allow.map((r) => (r.args ?? []).map(argInWords).join(' && ')).join(' or ')}`;
}
