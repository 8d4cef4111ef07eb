import { describe, expect, it } from 'vitest';
import { Progress } from '../../src/sources/progress.js';

function fakeTty(columns = 200) {
  const writes: string[] = [];
  return { writes, out: { isTTY: true, columns, write: (s: string) => (writes.push(s), true) } as unknown as NodeJS.WriteStream };
}

describe('Progress', () => {
  it('draws nothing before 2 s, then at most every 250 ms; bytes / total and lines/s; erased at the end', () => {
    let t = 0;
    const { out, writes } = fakeTty();
    const p = new Progress({ out, total: 200e6, now: () => t });
    for (t = 0; t < 2000; t += 100) p.update(t * 1000, t * 10);
    expect(writes).toEqual([]);
    for (; t <= 3000; t += 50) p.update(t * 1000, t * 10);
    expect(writes.length).toBe(5); // 2000, 2250, 2500, 2750, 3000
    expect(writes.at(-1)).toBe('\rreading: 3.0 MB / 200.0 MB (1%), 30000 lines, 10000 lines/s\x1b[K');
    p.done();
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });

  it('counts across inputs; without a total (stdin) shows bytes only; never wider than the terminal', () => {
    let t = 5000;
    const { out, writes } = fakeTty(30);
    const p = new Progress({ out, now: () => t, afterMs: 0 });
    t = 6000;
    p.update(2e6, 1e6);
    p.nextInput();
    t = 7000;
    p.update(1e6, 2e6);
    expect(p.text()).toBe('reading: 3.0 MB, 3000000 line'); // 29 columns of 30
    expect(writes.every((w) => w.replace('\x1b[K', '').length <= 30)).toBe(true);
    (out as { columns: number }).columns = 100;
    expect(p.text()).toBe('reading: 3.0 MB, 3000000 lines, 1.50 M lines/s');
  });

  it('is not created when stderr is not a terminal or with --quiet', () => {
    expect(Progress.forInputs(['x'], false, { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream)).toBeUndefined();
    expect(Progress.forInputs(['x'], true, fakeTty().out)).toBeUndefined();
    expect(Progress.forInputs(['-'], false, fakeTty().out)).toBeInstanceOf(Progress);
  });
});
