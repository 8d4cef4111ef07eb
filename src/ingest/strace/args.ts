/**
 * Decode the arguments strace printed for the few syscalls whose
 * RuntimeDefault rules test arguments (socket, personality, clone), back to
 * the numbers the kernel (and seccomp) saw. Pure; not on the hot path (the
 * parser calls it only for these names).
 *
 * Accepted forms, as strace 6 prints them:
 *   socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP)       default (-X abbrev)
 *   socket(0xa /* AF_INET6 *\/, 0x1 /* SOCK_STREAM *\/|0x80000 …)  -X verbose
 *   socket(0xa, 0x80001, 0x6)                                     -X raw
 *   socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))
 *   personality(PER_LINUX32|ADDR_NO_RANDOMIZE), personality(0xffffffff)
 *   clone(child_stack=NULL, flags=CLONE_VM|CLONE_VFORK|SIGCHLD, …)
 * Anything else (an unknown name, a cut-off argument, program output mixed
 * into the line) decodes to undefined: a value is never guessed.
 */
import type { ArchId } from '../../arch.js';

/** The syscalls whose arguments are decoded (the ones RuntimeDefault profiles condition on). */
export const ARG_DECODED_SYSCALLS: ReadonlySet<string> = new Set(['socket', 'personality', 'clone']);

type Names = ReadonlyMap<string, bigint>;

const map = (o: Record<string, number | bigint>): Names => new Map(Object.entries(o).map(([k, v]) => [k, BigInt(v)]));

/** Address families (include/linux/socket.h); PF_* are the same numbers. */
const AF: Record<string, number> = {
  AF_UNSPEC: 0, AF_UNIX: 1, AF_LOCAL: 1, AF_FILE: 1, AF_INET: 2, AF_AX25: 3, AF_IPX: 4, AF_APPLETALK: 5,
  AF_NETROM: 6, AF_BRIDGE: 7, AF_ATMPVC: 8, AF_X25: 9, AF_INET6: 10, AF_ROSE: 11, AF_DECnet: 12, AF_DECNET: 12,
  AF_NETBEUI: 13, AF_SECURITY: 14, AF_KEY: 15, AF_NETLINK: 16, AF_ROUTE: 16, AF_PACKET: 17, AF_ASH: 18,
  AF_ECONET: 19, AF_ATMSVC: 20, AF_RDS: 21, AF_SNA: 22, AF_IRDA: 23, AF_PPPOX: 24, AF_WANPIPE: 25, AF_LLC: 26,
  AF_IB: 27, AF_MPLS: 28, AF_CAN: 29, AF_TIPC: 30, AF_BLUETOOTH: 31, AF_IUCV: 32, AF_RXRPC: 33, AF_ISDN: 34,
  AF_PHONET: 35, AF_IEEE802154: 36, AF_CAIF: 37, AF_ALG: 38, AF_NFC: 39, AF_VSOCK: 40, AF_KCM: 41,
  AF_QIPCRTR: 42, AF_SMC: 43, AF_XDP: 44, AF_MCTP: 45,
};
const DOMAINS: Names = map({ ...AF, ...Object.fromEntries(Object.entries(AF).map(([k, v]) => [`PF_${k.slice(3)}`, v])) });

/** Socket types and flags. MIPS swaps DGRAM/STREAM and has its own O_NONBLOCK; PA-RISC has its own SOCK_NONBLOCK/O_CLOEXEC. */
function socketTypes(arch: ArchId): Names {
  const mips = arch.startsWith('mips');
  const parisc = arch.startsWith('parisc');
  return map({
    SOCK_STREAM: mips ? 2 : 1,
    SOCK_DGRAM: mips ? 1 : 2,
    SOCK_RAW: 3, SOCK_RDM: 4, SOCK_SEQPACKET: 5, SOCK_DCCP: 6, SOCK_PACKET: 10,
    SOCK_CLOEXEC: parisc ? 0x200000 : 0x80000,
    SOCK_NONBLOCK: mips ? 0x80 : parisc ? 0x40000000 : 0x800,
  });
}
const SOCK_TYPES = new Map<ArchId, Names>();

/** Protocol names strace prints for the socket families (IPPROTO_*, NETLINK_*, BTPROTO_*, CAN_*, …). */
const PROTOCOLS: Names = map({
  IPPROTO_IP: 0, IPPROTO_HOPOPTS: 0, IPPROTO_ICMP: 1, IPPROTO_IGMP: 2, IPPROTO_IPIP: 4, IPPROTO_TCP: 6, IPPROTO_EGP: 8,
  IPPROTO_PUP: 12, IPPROTO_UDP: 17, IPPROTO_IDP: 22, IPPROTO_TP: 29, IPPROTO_DCCP: 33, IPPROTO_IPV6: 41,
  IPPROTO_ROUTING: 43, IPPROTO_FRAGMENT: 44, IPPROTO_RSVP: 46, IPPROTO_GRE: 47, IPPROTO_ESP: 50, IPPROTO_AH: 51,
  IPPROTO_ICMPV6: 58, IPPROTO_NONE: 59, IPPROTO_DSTOPTS: 60, IPPROTO_MTP: 92, IPPROTO_BEETPH: 94, IPPROTO_ENCAP: 98,
  IPPROTO_PIM: 103, IPPROTO_COMP: 108, IPPROTO_L2TP: 115, IPPROTO_SCTP: 132, IPPROTO_MH: 135, IPPROTO_UDPLITE: 136,
  IPPROTO_MPLS: 137, IPPROTO_ETHERNET: 143, IPPROTO_RAW: 255, IPPROTO_MPTCP: 262,
  NETLINK_ROUTE: 0, NETLINK_UNUSED: 1, NETLINK_USERSOCK: 2, NETLINK_FIREWALL: 3, NETLINK_SOCK_DIAG: 4,
  NETLINK_INET_DIAG: 4, NETLINK_NFLOG: 5, NETLINK_XFRM: 6, NETLINK_SELINUX: 7, NETLINK_ISCSI: 8, NETLINK_AUDIT: 9,
  NETLINK_FIB_LOOKUP: 10, NETLINK_CONNECTOR: 11, NETLINK_NETFILTER: 12, NETLINK_IP6_FW: 13, NETLINK_DNRTMSG: 14,
  NETLINK_KOBJECT_UEVENT: 15, NETLINK_GENERIC: 16, NETLINK_SCSITRANSPORT: 18, NETLINK_ECRYPTFS: 19,
  NETLINK_RDMA: 20, NETLINK_CRYPTO: 21, NETLINK_SMC: 22,
  BTPROTO_L2CAP: 0, BTPROTO_HCI: 1, BTPROTO_SCO: 2, BTPROTO_RFCOMM: 3, BTPROTO_BNEP: 4, BTPROTO_CMTP: 5,
  BTPROTO_HIDP: 6, BTPROTO_AVDTP: 7, BTPROTO_ISO: 8,
  CAN_RAW: 1, CAN_BCM: 2, CAN_TP16: 3, CAN_TP20: 4, CAN_MCNET: 5, CAN_ISOTP: 6, CAN_J1939: 7,
  SMCPROTO_SMC: 0, SMCPROTO_SMC6: 1, PX_PROTO_OE: 0, PX_PROTO_OL2TP: 1, PX_PROTO_PPTP: 2, KCM_PROTO_TCP: 0,
});

/** Ethernet protocol ids strace shows inside htons() for AF_PACKET sockets. */
const ETH_P: Record<string, number> = {
  ETH_P_LOOP: 0x0060, ETH_P_ALL: 0x0003, ETH_P_802_3: 0x0001, ETH_P_AX25: 0x0002, ETH_P_802_2: 0x0004,
  ETH_P_IP: 0x0800, ETH_P_X25: 0x0805, ETH_P_ARP: 0x0806, ETH_P_RARP: 0x8035, ETH_P_8021Q: 0x8100,
  ETH_P_IPV6: 0x86dd, ETH_P_PAUSE: 0x8808, ETH_P_SLOW: 0x8809, ETH_P_MPLS_UC: 0x8847, ETH_P_PPP_DISC: 0x8863,
  ETH_P_PPP_SES: 0x8864, ETH_P_PAE: 0x888e, ETH_P_8021AD: 0x88a8, ETH_P_LLDP: 0x88cc, ETH_P_1588: 0x88f7,
  ETH_P_FCOE: 0x8906, ETH_P_TDLS: 0x890d, ETH_P_CAN: 0x000c, ETH_P_CANFD: 0x000d,
};

/**
 * personality(2). strace prints the low byte with personality_types (the bare
 * type number: PER_SVR4 is 1 there, not the kernel header's composite) and the
 * other bits with personality_flags, so that is what these mean. The kernel's
 * composite aliases strace never prints are accepted with their header values.
 */
const PERSONALITY: Names = map({
  PER_LINUX: 0, PER_SVR4: 1, PER_SVR3: 2, PER_OSR5: 3, PER_WYSEV386: 4, PER_ISCR4: 5, PER_BSD: 6, PER_XENIX: 7,
  PER_LINUX32: 8, PER_IRIX32: 9, PER_IRIXN32: 10, PER_IRIX64: 11, PER_RISCOS: 12, PER_SOLARIS: 13, PER_UW7: 14,
  PER_OSF4: 15, PER_HPUX: 16,
  UNAME26: 0x0020000, ADDR_NO_RANDOMIZE: 0x0040000, FDPIC_FUNCPTRS: 0x0080000, MMAP_PAGE_ZERO: 0x0100000,
  ADDR_COMPAT_LAYOUT: 0x0200000, READ_IMPLIES_EXEC: 0x0400000, ADDR_LIMIT_32BIT: 0x0800000, SHORT_INODE: 0x1000000,
  WHOLE_SECONDS: 0x2000000, STICKY_TIMEOUTS: 0x4000000, ADDR_LIMIT_3GB: 0x8000000,
  PER_LINUX_32BIT: 0x0800000, PER_LINUX_FDPIC: 0x0080000, PER_LINUX32_3GB: 0x8000008,
});

/** clone(2) flags (include/uapi/linux/sched.h). */
const CLONE_FLAGS: Record<string, number | bigint> = {
  CLONE_NEWTIME: 0x80, CLONE_VM: 0x100, CLONE_FS: 0x200, CLONE_FILES: 0x400, CLONE_SIGHAND: 0x800,
  CLONE_PIDFD: 0x1000, CLONE_PTRACE: 0x2000, CLONE_VFORK: 0x4000, CLONE_PARENT: 0x8000, CLONE_THREAD: 0x10000,
  CLONE_NEWNS: 0x20000, CLONE_SYSVSEM: 0x40000, CLONE_SETTLS: 0x80000, CLONE_PARENT_SETTID: 0x100000,
  CLONE_CHILD_CLEARTID: 0x200000, CLONE_DETACHED: 0x400000, CLONE_UNTRACED: 0x800000,
  CLONE_CHILD_SETTID: 0x1000000, CLONE_NEWCGROUP: 0x2000000, CLONE_NEWUTS: 0x4000000, CLONE_NEWIPC: 0x8000000,
  CLONE_NEWUSER: 0x10000000, CLONE_NEWPID: 0x20000000, CLONE_NEWNET: 0x40000000, CLONE_IO: 0x80000000,
  CLONE_CLEAR_SIGHAND: 0x100000000n, CLONE_INTO_CGROUP: 0x200000000n,
};

/** Signal numbers (the exit signal in clone's low byte). Generic Linux numbering, with MIPS's and PA-RISC's own. */
const SIG_GENERIC: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGIOT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17,
  SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25,
  SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29, SIGPOLL: 29, SIGPWR: 30, SIGSYS: 31,
};
const SIG_MIPS: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGIOT: 6, SIGEMT: 7, SIGFPE: 8, SIGKILL: 9,
  SIGBUS: 10, SIGSEGV: 11, SIGSYS: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGUSR1: 16, SIGUSR2: 17,
  SIGCHLD: 18, SIGPWR: 19, SIGWINCH: 20, SIGURG: 21, SIGIO: 22, SIGPOLL: 22, SIGSTOP: 23, SIGTSTP: 24,
  SIGCONT: 25, SIGTTIN: 26, SIGTTOU: 27, SIGVTALRM: 28, SIGPROF: 29, SIGXCPU: 30, SIGXFSZ: 31,
};
const SIG_PARISC: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGIOT: 6, SIGSTKFLT: 7, SIGFPE: 8,
  SIGKILL: 9, SIGBUS: 10, SIGSEGV: 11, SIGXCPU: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGUSR1: 16,
  SIGUSR2: 17, SIGCHLD: 18, SIGPWR: 19, SIGVTALRM: 20, SIGPROF: 21, SIGIO: 22, SIGPOLL: 22, SIGWINCH: 23,
  SIGSTOP: 24, SIGTSTP: 25, SIGCONT: 26, SIGTTIN: 27, SIGTTOU: 28, SIGURG: 29, SIGXFSZ: 30, SIGSYS: 31,
};

function cloneNames(arch: ArchId): Names {
  const sig = arch.startsWith('mips') ? SIG_MIPS : arch.startsWith('parisc') ? SIG_PARISC : SIG_GENERIC;
  const m = new Map<string, bigint>();
  for (const [k, v] of Object.entries(CLONE_FLAGS)) m.set(k, BigInt(v));
  for (const [k, v] of Object.entries(sig)) m.set(k, BigInt(v));
  // strace: SIGRTMIN is 32, SIGRT_n is 32+n (kernel numbering).
  m.set('SIGRTMIN', 32n);
  for (let n = 1; n <= 32; n++) m.set(`SIGRT_${n}`, BigInt(32 + n));
  return m;
}
const CLONE_NAMES = new Map<ArchId, Names>();

const BIG_ENDIAN: ReadonlySet<ArchId> = new Set<ArchId>(['mips', 'mips64', 'mips64n32', 'parisc', 'parisc64', 'ppc', 'ppc64', 's390', 's390x', 'm68k', 'sheb']);

function cached(cache: Map<ArchId, Names>, arch: ArchId, make: (a: ArchId) => Names): Names {
  let m = cache.get(arch);
  if (!m) {
    m = make(arch);
    cache.set(arch, m);
  }
  return m;
}

/**
 * Split strace's argument text (everything after the opening parenthesis) at
 * top-level commas, up to the closing parenthesis. Strings, brackets, braces
 * and comments are skipped over. When the closing parenthesis is missing (a
 * line cut short, program output mixed in), the last argument is dropped: it
 * may be cut off, so it must not be read as a value.
 */
export function splitArgs(text: string): string[] {
  return scanArgs(text).args;
}

/** splitArgs, plus where the argument list ends (the closing parenthesis, or -1 when it is missing). */
function scanArgs(text: string): { args: string[]; end: number } {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
    } else if (c === 47 /* / */ && text.charCodeAt(i + 1) === 42 /* * */) {
      const e = text.indexOf('*/', i + 2);
      if (e < 0) return { args: out, end: -1 };
      i = e + 1;
    } else if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 /* ) */ || c === 93 || c === 125) {
      if (depth === 0) {
        if (c === 41) {
          const last = text.slice(start, i).trim();
          if (last !== '' || out.length > 0) out.push(last);
          return { args: out, end: i };
        }
      } else depth--;
    } else if (c === 44 /* , */ && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return { args: out, end: -1 }; // not closed: the trailing argument is dropped
}

const NUM_RE = /^(?:0x[0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*|-[1-9][0-9]*)$/;

function parseNum(t: string): bigint | undefined {
  if (!NUM_RE.test(t)) return undefined;
  if (t.length > 1 && t[0] === '0' && t[1] !== 'x' && t[1] !== 'X') return BigInt(`0o${t.slice(1)}`);
  return BigInt(t);
}

/** One strace constant expression: NAME|NAME|0x10, numbers, -X verbose comments, htons(…), 1<<N. */
export function decodeExpr(expr: string, names: Names, arch?: ArchId): bigint | undefined {
  let t = expr;
  if (t.includes('/*')) t = t.replace(/\/\*[^*]*\*\//g, '');
  t = t.trim();
  if (t === '') return undefined;
  let v = 0n;
  for (const raw of t.split('|')) {
    const term = raw.trim();
    let x: bigint | undefined;
    if (term.startsWith('htons(') && term.endsWith(')')) {
      const inner = term.slice(6, -1).trim();
      const e = ETH_P[inner] !== undefined ? BigInt(ETH_P[inner]) : parseNum(inner);
      if (e === undefined || e < 0n || e > 0xffffn) return undefined;
      x = arch !== undefined && BIG_ENDIAN.has(arch) ? e : ((e & 0xffn) << 8n) | (e >> 8n);
    } else if (term.includes('<<')) {
      const [a, b] = term.split('<<').map((s) => s.trim());
      const av = a === undefined ? undefined : parseNum(a);
      const bv = b === undefined ? undefined : parseNum(b);
      if (av === undefined || bv === undefined || bv < 0n || bv > 63n) return undefined;
      x = av << bv;
    } else {
      x = parseNum(term) ?? names.get(term);
    }
    if (x === undefined) return undefined;
    v |= x;
  }
  return v;
}

/** The kernel argument index of clone's flags: the stack comes first on s390/s390x. */
export function cloneFlagsIndex(arch: ArchId): number {
  return arch === 's390' || arch === 's390x' ? 1 : 0;
}

/**
 * Decode the arguments of `name` from strace's text after the opening
 * parenthesis (it may go on past the closing one: `…) = 3`). Returns
 * undefined for a syscall whose arguments are not decoded; otherwise an array
 * (at most 6 slots) with undefined for every argument that cannot be decoded.
 */
export function decodeArgs(name: string, argText: string, arch: ArchId): Array<bigint | undefined> | undefined {
  if (!ARG_DECODED_SYSCALLS.has(name)) return undefined;
  const { args, end } = scanArgs(argText);
  // The same calls recur (a server's socket() per connection): remember decoded argument lists.
  const key = end >= 0 && end < 256 ? `${name}\0${arch}\0${argText.slice(0, end)}` : undefined;
  if (key !== undefined) {
    const hit = MEMO.get(key);
    if (hit !== undefined) return hit.slice();
  }
  const v = decodeList(name, args, arch);
  if (key !== undefined && v !== undefined) {
    if (MEMO.size >= MEMO_MAX) MEMO.clear();
    MEMO.set(key, v.slice());
  }
  return v;
}

const MEMO = new Map<string, Array<bigint | undefined>>();
const MEMO_MAX = 4096;

function decodeList(name: string, args: string[], arch: ArchId): Array<bigint | undefined> | undefined {
  switch (name) {
    case 'socket': {
      const types = cached(SOCK_TYPES, arch, socketTypes);
      return [
        args[0] === undefined ? undefined : decodeExpr(args[0], DOMAINS, arch),
        args[1] === undefined ? undefined : decodeExpr(args[1], types, arch),
        args[2] === undefined ? undefined : decodeExpr(args[2], PROTOCOLS, arch),
      ];
    }
    case 'personality':
      return [args[0] === undefined ? undefined : decodeExpr(args[0], PERSONALITY, arch)];
    case 'clone': {
      let flags: bigint | undefined;
      for (const a of args) {
        if (a.startsWith('flags=')) {
          flags = decodeExpr(a.slice(6), cached(CLONE_NAMES, arch, cloneNames), arch);
          break;
        }
      }
      const out: Array<bigint | undefined> = [];
      const idx = cloneFlagsIndex(arch);
      for (let i = 0; i < idx; i++) out.push(undefined);
      out.push(flags);
      return out;
    }
  }
  return undefined;
}
