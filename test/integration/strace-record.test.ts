/**
 * Record afresh with the installed strace, in several output styles, and
 * parse: the parser must find what the programs really did. Programs are the
 * fixture sources (test/fixtures/strace/src), built here with gcc (and
 * gcc -m32 for 32-bit mode). strace and gcc are required (no skipping).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchId } from '../../src/arch.js';
import { Collector, type Observed } from '../../src/collect/collector.js';
import { ingestStrace } from '../../src/ingest/drivers/strace-files.js';
import { StraceParser } from '../../src/ingest/strace/index.js';
import { eachLine } from '../../src/sources/lines.js';
import { requireTool } from '../helpers/tools.js';

const SRC = join(import.meta.dirname, '../fixtures/strace/src');
const dir = mkdtempSync(join(tmpdir(), 'syscribe-strace-'));
const bin = (n: string) => join(dir, n);
let strace = '';

beforeAll(async () => {
  strace = requireTool('strace');
  const gcc = requireTool('gcc');
  await execa(gcc, ['-O1', '-pthread', '-o', bin('threads'), join(SRC, 'threads.c')]);
  await execa(gcc, ['-o', bin('unknown'), join(SRC, 'unknown.c')]);
  try {
    await execa(gcc, ['-m32', '-o', bin('m32'), join(SRC, 'm32.c')]);
    await execa(gcc, ['-m32', '-static', '-o', bin('m32s'), join(SRC, 'm32.c')]);
  } catch (e) {
    throw new Error(`gcc -m32 failed: install gcc-multilib (apt-get install -y gcc-multilib)\n${(e as Error).message}`);
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function parse(files: string[]): Promise<Observed> {
  const c = new Collector();
  await ingestStrace(files, c, { defaultArch: 'x86_64' });
  return c.result();
}
const has = (o: Observed, arch: ArchId, ...names: string[]) => expect([...(o.arches.get(arch)?.keys() ?? [])]).toEqual(expect.arrayContaining(names));

describe('strace recordings made now', () => {
  it('plain -o', async () => {
    const log = join(dir, 'plain.log');
    await execa(strace, ['-o', log, '--', 'sh', '-c', 'echo hi; exec cat /etc/hostname'], { stdout: 'ignore' });
    const o = await parse([log]);
    has(o, 'x86_64', 'execve', 'openat', 'write', 'read', 'exit_group');
    expect(o.lines.malformed).toBe(0);
    expect(o.unknown).toEqual([]);
  });

  it('-f -tt -T -yy -o, threads and a fork, socket/personality/clone arguments', async () => {
    const log = join(dir, 'f.log');
    await execa(strace, ['-f', '-tt', '-T', '-yy', '-o', log, '--', bin('threads')], { stdout: 'ignore' });
    const o = await parse([log]);
    has(o, 'x86_64', 'execve', 'openat', 'write', 'exit_group', 'clone', 'clone3', 'socket', 'personality', 'exit');
    expect(o.lines.malformed).toBe(0);
    const x = o.arches.get('x86_64')!;
    expect(x.get('socket')!.args).toEqual(expect.arrayContaining([[16n, 0x80003n, 9n], [40n, 1n, 0n], [17n, 3n, 0x300n]]));
    expect(x.get('personality')!.args).toEqual(expect.arrayContaining([[0xffffffffn], [0x40000n], [0n]]));
    expect(x.get('clone')!.args).toEqual([[0x1200011n]]);
  });

  it('-f on stderr with the program\'s output mixed in', async () => {
    // strace's stderr and the program's stdout on one file descriptor, as in a terminal
    const log = join(dir, 'stderr.log');
    const fd = openSync(log, 'w');
    try {
      const r = spawnSync(strace, ['-f', '--', bin('threads')], { stdio: ['ignore', fd, fd] });
      expect(r.status).toBe(0);
    } finally {
      closeSync(fd);
    }
    // The program's own output lands wherever the scheduler puts it: on its own line, or inside a strace line.
    expect(readFileSync(log, 'utf8')).toContain('thread 0');
    const o = await parse([log]);
    has(o, 'x86_64', 'execve', 'openat', 'write', 'exit_group', 'clone', 'clone3', 'wait4');
    // The program's own lines ("thread 0", "child") are counted, as ignored while a write is in progress;
    // output cut into the middle of a strace line can make that one line malformed (counted, not fatal).
    expect(o.lines.malformed).toBeLessThanOrEqual(4);
    expect(o.arches.get('x86_64')!.get('write')!.count).toBeGreaterThanOrEqual(1);
  });

  it('-ff -o: one file per process', async () => {
    const prefix = join(dir, 'ff');
    await execa(strace, ['-ff', '-o', prefix, '--', 'sh', '-c', 'echo hi | cat'], { stdout: 'ignore' });
    const files = readdirSync(dir).filter((f) => f.startsWith('ff.')).map((f) => join(dir, f));
    expect(files.length).toBeGreaterThanOrEqual(2);
    const o = await parse(files);
    has(o, 'x86_64', 'execve', 'openat', 'write', 'read', 'exit_group', 'pipe2', 'wait4');
    expect(o.lines.malformed).toBe(0);
  });

  it('-n, unknown syscalls', async () => {
    const log = join(dir, 'n.log');
    await execa(strace, ['-n', '-o', log, '--', bin('unknown')]);
    const o = await parse([log]);
    has(o, 'x86_64', 'execve', 'exit_group', 'listns');
    expect(o.unknown).toEqual([{ arch: 'x86_64', nr: 999, count: 1 }]);
  });

  it('-c summary', async () => {
    const log = join(dir, 'c.log');
    await execa(strace, ['-c', '-f', '-o', log, '--', 'sh', '-c', 'echo hi'], { stdout: 'ignore' });
    const o = await parse([log]);
    has(o, 'x86_64', 'execve', 'openat', 'write');
    expect(o.lines.malformed).toBe(0);
    expect(o.lines.parsed).toBeGreaterThan(10);
  });

  it('32-bit programs: -f -o (no banner), stderr (banner), static with -n', async () => {
    const fo = join(dir, 'm32-f.log');
    await execa(strace, ['-f', '-o', fo, '--', 'sh', '-c', bin('m32')], { stdout: 'ignore' });
    const a = await parse([fo]);
    has(a, 'x86', 'mmap2', 'set_thread_area', '_llseek', 'brk', 'exit_group', 'socket', 'socketcall');
    has(a, 'x86_64', 'execve', 'vfork', 'wait4');
    expect(a.arches.get('x86_64')!.has('mmap2')).toBe(false);
    expect(a.arches.get('x86_64')!.has('set_thread_area')).toBe(false);

    const r = await execa(strace, ['-f', '--', 'sh', '-c', bin('m32')], { stdout: 'ignore', stderr: 'pipe' });
    expect(r.stderr).toMatch(/\[ Process PID=\d+ runs in 32 bit mode\. \]/);
    const se = join(dir, 'm32-stderr.log');
    writeFileSync(se, r.stderr);
    const b = await parse([se]);
    expect([...b.arches.get('x86')!.keys()].sort()).toEqual([...a.arches.get('x86')!.keys()].sort());

    const sn = join(dir, 'm32s-n.log');
    await execa(strace, ['-n', '-o', sn, '--', bin('m32s')], { stdout: 'ignore' });
    const c = await parse([sn]);
    has(c, 'x86', 'set_thread_area', 'socketcall', 'exit_group');
    expect(c.arches.get('x86')!.has('socket')).toBe(false);
  });

  it('streaming from a live strace (its stderr, a pipe) through eachLine', async () => {
    // (-o /dev/stdout cannot be opened on the socket Node gives a child as stdout: ENXIO)
    const child = execa(strace, ['-f', '-qq', '--', 'sh', '-c', 'echo hi | cat >/dev/null'], { stdout: 'ignore', stderr: 'pipe', buffer: false });
    const p = new StraceParser({ defaultArch: 'x86_64' });
    const c = new Collector();
    await eachLine(child.stderr!, (line, n) => c.line(p.line(line), n, line, 'strace'));
    await child;
    for (const o of p.end()) c.add(o);
    const o = c.result();
    has(o, 'x86_64', 'execve', 'openat', 'write', 'exit_group', 'pipe2', 'clone');
    expect(o.lines.malformed).toBe(0);
  });
});
