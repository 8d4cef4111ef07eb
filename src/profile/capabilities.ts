/**
 * Linux capabilities: the fixed list (include/uapi/linux/capability.h,
 * CAP_CHOWN = 0 … CAP_CHECKPOINT_RESTORE = 40), the container runtimes'
 * default sets, and the securityContext vocabulary for changing them
 * (capabilities.add / capabilities.drop, `ALL` allowed as in Kubernetes).
 * Every other module takes its capability names and sets from here.
 */
import { OptionError } from '../errors.js';
import { closest } from '../util/suggest.js';

/** All 41 Linux capabilities, in kernel number order (index = number). */
export const LINUX_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

export type Capability = (typeof LINUX_CAPABILITIES)[number];

/**
 * The default set of containerd, Docker/moby and runc's `spec` (the OCI
 * default): what a container gets without capabilities.add/drop.
 */
export const OCI_DEFAULT_CAPS: readonly Capability[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** CRI-O's default_capabilities (crio.conf): no MKNOD, NET_RAW, SETFCAP, SYS_CHROOT, AUDIT_WRITE. */
export const CRIO_DEFAULT_CAPS: readonly Capability[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_KILL',
];

/** The default set of the runtime behind a baseline ('none': the OCI default). */
export function runtimeDefaultCaps(baseline: string): Capability[] {
  return [...(baseline === 'crio' ? CRIO_DEFAULT_CAPS : OCI_DEFAULT_CAPS)];
}

const KNOWN = new Set<string>(LINUX_CAPABILITIES);

/** "sys_admin" / "SYS_ADMIN" / "cap_sys_admin" → "CAP_SYS_ADMIN" (unchecked). */
export function capName(c: string): string {
  const u = c.trim().toUpperCase().replace(/-/g, '_');
  return u.startsWith('CAP_') ? u : `CAP_${u}`;
}

/** A known capability by any spelling, or undefined. */
export function knownCap(c: string): Capability | undefined {
  const n = capName(c);
  return KNOWN.has(n) ? (n as Capability) : undefined;
}

/** The closest known capability, when it is close. */
export function suggestCap(c: string): Capability | undefined {
  const n = capName(c);
  return closest(n, LINUX_CAPABILITIES, Math.max(2, Math.floor((n.length - 4) / 3)));
}

/** Parse a capability of the `option` (caps.exact, caps.add, caps.drop); `ALL` only where `allowAll`. Throws a one-line OptionError. */
export function parseCap(c: string, option: string, allowAll = true): Capability | 'ALL' {
  if (allowAll && c.trim().toUpperCase() === 'ALL') return 'ALL';
  const k = knownCap(c);
  if (k) return k;
  const s = suggestCap(c);
  throw new OptionError((n) => `${n(option)} ${c}: not a Linux capability${s ? ` (did you mean ${s}?)` : ''}; names as in capabilities(7), with or without CAP_ (e.g. SYS_ADMIN)`);
}

/** The capability flags: an exact set, or changes to the runtime's default set. */
export interface CapSpec {
  /** --cap: exactly these (replaces the default set). */
  exact?: string[];
  /** --cap-add: added to the default set (after drops, as in Kubernetes). */
  add?: string[];
  /** --cap-drop: removed from the default set; ALL removes every one. */
  drop?: string[];
}

const split = (l: string[] | undefined): string[] => (l ?? []).flatMap((c) => c.split(',')).map((c) => c.trim()).filter(Boolean);

/** Check every name now (before any work); throws on unknown names and on --cap with --cap-add/--cap-drop. */
export function checkCapSpec(s: CapSpec): void {
  const exact = split(s.exact);
  const add = split(s.add);
  const drop = split(s.drop);
  if (exact.length && (add.length || drop.length)) throw new OptionError((n) => `${n('caps.exact')} is the exact set; ${n('caps.add')}/${n('caps.drop')} change the runtime's default set: give one or the other`);
  for (const c of exact) parseCap(c, 'caps.exact');
  for (const c of add) parseCap(c, 'caps.add');
  for (const c of drop) parseCap(c, 'caps.drop');
}

/** Is anything set? (no flags: the generator uses the baseline's default set) */
export function hasCapSpec(s: CapSpec): boolean {
  return split(s.exact).length + split(s.add).length + split(s.drop).length > 0;
}

/**
 * The bounding set for a baseline's runtime: --cap exactly, else the
 * default set minus --cap-drop plus --cap-add (Kubernetes: drop first, add
 * wins). Sorted, deduplicated, CAP_ names.
 */
export function capsFor(baseline: string, s: CapSpec): Capability[] {
  checkCapSpec(s);
  const all = (l: string[], option: string): Capability[] => {
    const out = new Set<Capability>();
    for (const c of l) {
      const p = parseCap(c, option);
      if (p === 'ALL') LINUX_CAPABILITIES.forEach((k) => out.add(k));
      else out.add(p);
    }
    return [...out];
  };
  const exact = split(s.exact);
  let set: Set<Capability>;
  if (exact.length) set = new Set(all(exact, 'caps.exact'));
  else {
    set = new Set(runtimeDefaultCaps(baseline));
    for (const c of all(split(s.drop), 'caps.drop')) set.delete(c);
    for (const c of all(split(s.add), 'caps.add')) set.add(c);
  }
  return [...set].sort();
}
