/**
 * Parallel parsing of one strace log (issue 14): a file cut into byte ranges,
 * ranges after the first parsed from a guessed entry state and checked
 * against the real one (ingest/strace/range.ts, ingest/drivers/strace-ranges.ts),
 * must give byte for byte what one pass gives — line counts, syscalls per
 * arch, counts, argument tuples, unknown numbers, malformed samples with
 * their line numbers — wherever the cuts fall. The ranges run in-process
 * here (the worker thread only wraps parseStraceRange).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { canon, straceFixtures } from '../helpers/strace-fixtures.js';
import { Collector } from '../../src/collect/collector.js';
import { ingestStrace } from '../../src/ingest/drivers/strace-files.js';
import { ingestStraceRanges, parseStraceRange } from '../../src/ingest/drivers/strace-ranges.js';

const tmp = mkdtempSync(join(tmpdir(), `syscribe-ranges-${process.pid}-`));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const fixtures = straceFixtures({ newlineEnd: true });


let n = 0;
function file(data: Buffer): { path: string; starts: number[] } {
  const path = join(tmp, `in-${n++}.log`); // no .PID suffix: one plain log
  writeFileSync(path, data);
  const starts: number[] = [];
  for (let i = data.indexOf(10); i >= 0 && i + 1 < data.length; i = data.indexOf(10, i + 1)) starts.push(i + 1);
  return { path, starts };
}

async function onePass(path: string): Promise<string> {
  const c = new Collector();
  await ingestStrace([path], c, { defaultArch: 'x86_64' });
  return canon(c.result());
}

/** Checkpoints after 3, 12, 48, … lines of a range: the small fixtures pass several. */
const CHECKPOINT = 3;

async function inRanges(path: string, cuts: number[]): Promise<{ text: string; again: number; lines: number }> {
  const c = new Collector();
  const stats = await ingestStraceRanges(path, c, { defaultArch: 'x86_64', jobs: cuts.length - 1, cuts, run: parseStraceRange, checkpoint: CHECKPOINT });
  return { text: canon(c.result()), again: stats.linesAgain, lines: stats.lines };
}

/** Cut at every line start (or every `stride`-th, phase varying with the file), 2 ranges each; returns [lines parsed again, lines after the cuts, cuts]. */
async function everyCut(data: Buffer, maxCuts: number): Promise<[number, number, number]> {
  const { path, starts } = file(data);
  const want = await onePass(path);
  const stride = Math.max(1, Math.ceil(starts.length / maxCuts));
  let again = 0;
  let lines = 0;
  let cuts = 0;
  for (let i = stride > 1 ? (starts.length * 7) % stride : 0; i < starts.length; i += stride) {
    const r = await inRanges(path, [0, starts[i]!, data.length]);
    if (r.text !== want) throw new Error(`cut at byte ${starts[i]} (line ${i + 2}) differs from one pass`);
    expect(r.text).toBe(want);
    again += r.again;
    lines += r.lines;
    cuts++;
  }
  return [again, lines, cuts];
}

describe('strace log parsed in ranges = one pass', () => {
  it.each(fixtures.map(([f]) => f))('%s cut at every line start (every k-th on the large ones)', async (f) => {
    const data = fixtures.find(([g]) => g === f)![1];
    await everyCut(data, 400);
  });

  it('property: any concatenation of fixtures, 2–5 ranges at any line starts, any checkpoint spacing', async () => {
    const small = fixtures.filter(([, d]) => d.length < 60_000);
    const runs = Number(process.env.SYSCRIBE_FUZZ_RUNS ?? 40);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: small.length - 1 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 40 }),
        async (picks, at, checkpoint) => {
          const data = Buffer.concat(picks.map((i) => small[i]![1]));
          const { path, starts } = file(data);
          const want = await onePass(path);
          const cuts = [...new Set(at.map((x) => starts[Math.floor(x * starts.length)] ?? data.length))].sort((a, b) => a - b);
          const c = new Collector();
          await ingestStraceRanges(path, c, { defaultArch: 'x86_64', jobs: cuts.length + 1, cuts: [0, ...cuts, data.length], run: parseStraceRange, checkpoint });
          expect(canon(c.result())).toBe(want);
        },
      ),
      { numRuns: runs },
    );
  });

  it('a plain log (no -f) of a program that forks: its unprefixed process is never linked to a pid, and the ranges are still taken', async () => {
    const block = (k: number) => [
      'brk(NULL)                               = 0x5603b69b7000',
      `openat(AT_FDCWD, "/tmp/f${k}", O_RDONLY|O_CLOEXEC) = 3`,
      `clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0eb8065a10) = ${2000 + k}`,
      'wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = ' + (2000 + k),
      `--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=${2000 + k}, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---`,
      'close(3)                                = 0',
    ];
    const log = [
      'execve("/bin/sh", ["sh", "-c", "x"], 0x7ffd /* 1 var */) = 0',
      'newfstatat(AT_FDCWD, "/etc", {st_mode=S_IFDIR|0755, st_size=4096, ...}, 0) = 0',
      ...Array.from({ length: 40 }, (_, k) => block(k)).flat(),
      'exit_group(0)                           = ?',
      '+++ exited with 0 +++',
      '',
    ].join('\n');
    const data = Buffer.from(log);
    const { path, starts } = file(data);
    const want = await onePass(path);
    let again = 0;
    let lines = 0;
    for (const at of starts) {
      const r = await inRanges(path, [0, at, data.length]);
      expect(r.text).toBe(want);
      again += r.again;
      lines += r.lines;
    }
    expect(again / lines).toBeLessThan(0.2);
  });

  it('children a range announces while the unprefixed first process has no pid yet reach the state after it', async () => {
    const log = [
      'execve("/bin/prog", ["prog"], 0x7ffd /* 1 var */) = 0',
      'newfstatat(AT_FDCWD, "/etc", {st_mode=S_IFDIR|0755, st_size=4096, ...}, 0) = 0',
      'brk(NULL)                               = 0x5655a000',
      'strace: Process 2345 attached',
      '[pid  2345] getpid()                    = 2345',
      '[pid  2345] +++ exited with 0 +++',
      'getuid()                                = 0',
      'mmap2(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xf7f00000',
      '',
    ].join('\n');
    const data = Buffer.from(log);
    const { path, starts } = file(data);
    const want = await onePass(path);
    // 2345 is a child, not the first process: getuid stays the (64-bit, settled) first process's, made before mmap2
    const arches = new Map<string, Map<string, unknown>>((JSON.parse(want).arches as Array<[string, Array<[string, unknown]>]>).map(([a, m]) => [a, new Map(m)]));
    expect(arches.get('x86_64')?.has('getuid')).toBe(true);
    expect(arches.get('x86')?.has('getuid')).toBe(false);
    for (let i = 0; i < starts.length; i++) {
      for (let j = i + 1; j < starts.length; j++) {
        expect((await inRanges(path, [0, starts[i]!, starts[j]!, data.length])).text).toBe(want);
      }
    }
  });

  it('a worker that fails costs time, not results: the main thread parses its range', async () => {
    const data = Buffer.concat(fixtures.filter(([f]) => /^f[.-]/.test(f)).map(([, d]) => d));
    const { path, starts } = file(data);
    const want = await onePass(path);
    const c = new Collector();
    const told: string[] = [];
    const cuts = [0, starts[Math.floor(starts.length / 3)]!, starts[Math.floor((2 * starts.length) / 3)]!, data.length];
    const stats = await ingestStraceRanges(path, c, {
      defaultArch: 'x86_64', jobs: 3, cuts,
      run: async (job) => (job.start === cuts[1] ? Promise.reject(new Error('worker exited with 1 before answering')) : parseStraceRange(job)),
      onFallback: (r, why) => told.push(`${r}: ${why}`),
    });
    expect(canon(c.result())).toBe(want);
    expect(told[0]).toBe('2: its worker failed: worker exited with 1 before answering');
    expect(stats.again).toBeGreaterThanOrEqual(1);
  });

  it('program output while a call from before the cut is pending (the range cannot know it is)', async () => {
    const log = [
      '100 execve("/bin/prog", ["prog"], 0x7ffd /* 1 var */) = 0',
      '100 newfstatat(AT_FDCWD, "/etc", {st_mode=S_IFDIR|0755, st_size=4096, ...}, 0) = 0',
      '100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 101',
      '101 getpid()                          = 101',
      '100 read(0,  <unfinished ...>',
      '101 getppid()                         = 100',
      'hello from the program',
      '101 getuid()                          = 0',
      '100 <... read resumed>"x", 1)          = 1',
      'more program output',
      '100 exit_group(0)                     = ?',
      '100 +++ exited with 0 +++',
      '',
    ].join('\n');
    const data = Buffer.from(log);
    const { path, starts } = file(data);
    const want = await onePass(path);
    expect(JSON.parse(want).lines).toEqual({ parsed: 9, ignored: 2, malformed: 1 });
    for (const at of starts) expect((await inRanges(path, [0, at, data.length])).text).toBe(want);
  });

  it('all fixtures concatenated (as the bench mix is), cut at spread line starts; most of the second range is taken from it', async () => {
    const data = Buffer.concat(fixtures.map(([, d]) => d));
    const [again, lines, cuts] = await everyCut(data, 300);
    expect(cuts).toBeGreaterThan(250);
    expect(again / lines).toBeLessThan(0.5);
  });

  it('the small fixtures concatenated twice in two orders, 3 and 4 ranges at pseudo-random cuts', async () => {
    const small = fixtures.filter(([, d]) => d.length < 100_000);
    const rev = [...small].reverse();
    const data = Buffer.concat([...small, ...rev, ...small].map(([, d]) => d));
    const { path, starts } = file(data);
    const want = await onePass(path);
    let seed = 14;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let again = 0;
    let lines = 0;
    for (let t = 0; t < 120; t++) {
      const k = 2 + (t % 3);
      const picks = [...new Set(Array.from({ length: k }, () => starts[Math.floor(rnd() * starts.length)]!))].sort((a, b) => a - b);
      const r = await inRanges(path, [0, ...picks, data.length]);
      if (r.text !== want) throw new Error(`cuts ${picks.join(',')} differ from one pass`);
      again += r.again;
      lines += r.lines;
    }
    // the merge path is taken (not only the fallback): ranges whose results come from the range parser
    expect(again / lines).toBeLessThan(0.8);
  });
});
