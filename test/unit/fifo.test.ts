// The batched FIFO reader with a real FIFO and a real writer process.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { eachLineOfFifo } from '../../src/sources/fifo.js';

const dir = mkdtempSync(join(tmpdir(), 'syscribe-fifo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fifo(name: string): string {
  const p = join(dir, name);
  execFileSync('mkfifo', [p]);
  return p;
}

describe('eachLineOfFifo', () => {
  it('reads every line a writer sends in bursts (and the last one without newline), ends when the writer is done', async () => {
    const p = fifo('a');
    // 3 bursts with pauses longer than the read interval, 20 000 lines in all (more than the 64 KiB pipe holds at once).
    const script = `for b in 1 2 3; do i=0; while [ $i -lt 6666 ]; do echo "burst $b line $i"; i=$((i+1)); done; sleep 0.05; done; printf 'tail'`;
    const child = spawn('sh', ['-c', `exec > ${p}; ${script}`], { stdio: 'ignore' });
    const done = once(child, 'exit');
    const got: string[] = [];
    await eachLineOfFifo(p, (l, n) => {
      if (n === got.length + 1) got.push(l);
    }, done);
    expect(got.length).toBe(3 * 6666 + 1);
    expect(got[0]).toBe('burst 1 line 0');
    expect(got[6666]).toBe('burst 2 line 0');
    expect(got.at(-1)).toBe('tail');
  });

  it('reads the last lines as soon as the writer is done, without waiting out the interval (record -- /bin/true)', async () => {
    const p = fifo('d');
    const child = spawn('sh', ['-c', `exec > ${p}; echo one; echo two`], { stdio: 'ignore' });
    const done = once(child, 'exit');
    const got: string[] = [];
    const t0 = Date.now();
    // An interval of a minute: the read must end when the writer does, not when a timer fires.
    await eachLineOfFifo(p, (l) => got.push(l), done, 60_000);
    expect(got).toEqual(['one', 'two']);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('looks again soon while the writer is busy: a full pipe is not left stalling it for a whole interval', async () => {
    const p = fifo('e');
    // 8 MiB of lines as fast as the writer can: the 64 KiB pipe fills over and over. With a 40 ms
    // interval and nothing else, each fill stalls the writer up to 40 ms (measured: 1.1–1.5 s in all);
    // a busy writer is looked at every 1 ms.
    const child = spawn('sh', ['-c', `exec > ${p}; yes 0123456789abcdef | head -n 493448`], { stdio: 'ignore' });
    const done = once(child, 'exit');
    let lines = 0;
    const t0 = Date.now();
    await eachLineOfFifo(p, () => void lines++, done, 40);
    expect(lines).toBe(493448);
    expect(Date.now() - t0).toBeLessThan(700);
  });

  it('returns when the writer never opened the FIFO', async () => {
    const p = fifo('b');
    const got: string[] = [];
    await eachLineOfFifo(p, (l) => got.push(l), new Promise((r) => setTimeout(r, 50)));
    expect(got).toEqual([]);
  });

  it('a writer that fails to start ends the read too', async () => {
    const p = fifo('c');
    await expect(eachLineOfFifo(p, () => undefined, Promise.reject(new Error('spawn failed')))).resolves.toBeUndefined();
  });
});
