/**
 * Property: splitting calls into `<unfinished ...>` / `<... resumed>` halves at
 * any point of their argument text, and interleaving the processes' lines in
 * any order, gives exactly what the unsplit log gives: the same syscalls per
 * arch, the same counts, the same decoded arguments.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Collector } from '../../src/collect/collector.js';
import { StraceParser } from '../../src/ingest/strace/index.js';

const CALLS: Array<[string, string]> = [
  ['read', '3, "abc) = 1 <unfinished ...>", 3'],
  ['openat', 'AT_FDCWD, "/etc/(x)", O_RDONLY|O_CLOEXEC'],
  ['newfstatat', '3, "", {st_mode=S_IFREG|0644, st_size=1, ...}, AT_EMPTY_PATH'],
  ['socket', 'AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP'],
  ['socket', 'AF_NETLINK, SOCK_RAW, NETLINK_AUDIT'],
  ['socket', '0xa /* AF_INET6 */, 0x2 /* SOCK_DGRAM */, 0 /* IPPROTO_IP */'],
  ['clone', 'child_stack=NULL, flags=CLONE_VM|CLONE_VFORK|SIGCHLD, child_tidptr=0x7f00'],
  ['personality', 'PER_LINUX32|UNAME26'],
  ['mmap2', 'NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0'],
  ['syscall_0x1d6', '0, 0, 0'],
  ['futex', '0x7f, FUTEX_WAIT_PRIVATE, 2, NULL'],
  ['execve', '"/bin/true", ["true"], 0x7ffd /* 1 var */'],
  ['vfork', ''],
];

interface Ev {
  call: number;
  split: number | undefined; // cut point in the argument text, or not split
}

const pidArb = fc.array(fc.record({ call: fc.nat(CALLS.length - 1), split: fc.option(fc.nat(80), { nil: undefined }) }), { minLength: 1, maxLength: 12 });

function linesOf(pid: number, evs: Ev[], style: number, splitting: boolean): string[] {
  const pre = style === 0 ? `[pid ${pid}] ` : style === 1 ? `${pid} ` : `${pid}  12:00:00.000001 `;
  const out: string[] = [];
  for (const e of evs) {
    const [name, args] = CALLS[e.call]!;
    if (!splitting || e.split === undefined) {
      out.push(`${pre}${name}(${args}) = 0`);
    } else {
      const k = Math.min(e.split, args.length);
      out.push(`${pre}${name}(${args.slice(0, k)} <unfinished ...>`);
      out.push(`${pre}<... ${name} resumed>${args.slice(k)}) = 0`);
    }
  }
  return out;
}

/** Merge per-pid line lists in the order `order` picks (each pick takes that pid's next line). */
function interleave(lists: string[][], order: number[]): string[] {
  const idx = lists.map(() => 0);
  const out: string[] = [];
  let k = 0;
  while (out.length < lists.reduce((n, l) => n + l.length, 0)) {
    const live = lists.map((l, i) => i).filter((i) => idx[i]! < lists[i]!.length);
    const pick = live[(order[k++ % Math.max(order.length, 1)] ?? 0) % live.length]!;
    out.push(lists[pick]![idx[pick]!++]!);
  }
  return out;
}

function summary(lines: string[]) {
  const p = new StraceParser({ defaultArch: 'x86_64' });
  const c = new Collector();
  lines.forEach((l, i) => c.line(p.line(l), i + 1, l));
  for (const o of p.end()) c.add(o);
  const r = c.result();
  const out: Record<string, unknown> = {};
  for (const [arch, m] of r.arches) {
    for (const [name, st] of m) {
      out[`${arch}:${name}`] = { count: st.count, noArgs: st.noArgs, args: st.args.map((a) => a.map((v) => (v === undefined ? '?' : v.toString())).join(',')).sort() };
    }
  }
  return { calls: out, unknown: r.unknown, malformed: r.lines.malformed };
}

describe('strace parser properties', () => {
  it('unfinished/resumed splitting and any interleaving across pids give the unsplit result', () => {
    fc.assert(
      fc.property(
        fc.array(pidArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(7), { maxLength: 64 }),
        fc.nat(2),
        (pids, order, style) => {
          const unsplit = pids.flatMap((evs, i) => linesOf(100 + i, evs, style, false));
          const split = interleave(pids.map((evs, i) => linesOf(100 + i, evs, style, true)), order);
          const a = summary(unsplit);
          const b = summary(split);
          expect(b).toEqual(a);
          expect(a.malformed).toBe(0);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('the decoded arguments survive the split (a spot check of what the property compares)', () => {
    const [whole] = [summary(['1 socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT) = 3'])];
    const split = summary(['1 socket(AF_NETL <unfinished ...>', '2 getpid() = 2', '1 <... socket resumed>INK, SOCK_RAW, NETLINK_AUDIT) = 3']);
    expect(whole.calls['x86_64:socket']).toEqual({ count: 1, noArgs: 0, args: ['16,3,9'] });
    expect(split.calls['x86_64:socket']).toEqual(whole.calls['x86_64:socket']);
  });
});
