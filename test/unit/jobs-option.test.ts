// --jobs: what `auto` means per command (strace: one pass, measured faster on 2 cores; audit: the cores).
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { AUTO_CORES, AUTO_ONE, jobsFrom } from '../../src/cli/jobs-option.js';
import { runCli } from '../helpers/cli.js';

describe('--jobs', () => {
  it('auto is one pass for strace and the cores (at most 4) for audit; a number is taken as given', () => {
    expect(jobsFrom('auto', AUTO_ONE)).toBe(1);
    expect(jobsFrom(undefined, AUTO_ONE)).toBe(1);
    expect(jobsFrom('auto', AUTO_CORES)).toBe(Math.max(1, Math.min(4, availableParallelism())));
    expect(jobsFrom('3', AUTO_ONE)).toBe(3);
    for (const bad of ['0', 'many', '-1', '2.5', '']) expect(() => jobsFrom(bad, AUTO_CORES), bad).toThrow(/--jobs .*: a number of threads/);
  });

  it("each command's --help says what its auto means", async () => {
    const strace = await runCli(['strace', '--help']);
    const audit = await runCli(['audit', '--help']);
    const flat = (s: string) => s.replace(/\s+/g, ' ');
    expect(flat(strace.out)).toContain('auto: one pass');
    expect(flat(audit.out)).toContain('auto: the cores, at most 4');
  });
});
