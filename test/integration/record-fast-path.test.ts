// `syscribe record` without yargs (src/cli/fast-path.ts) records exactly what the yargs path records:
// the same profile, summary and exit status (a real strace recording, so an integration test).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';

const run = (args: string[], env: Record<string, string> = {}) => runCli(args, [], { env });

describe('record fast path', () => {
  it('records the same profile, summary and exit status as the yargs path', async () => {
    requireTool('strace');
    const dir = mkdtempSync(join(tmpdir(), 'syscribe-fast-rec-'));
    try {
      const out = join(dir, 'p.json');
      const c = ['record', '--baseline', 'none', '--runtime', 'none', '-o', out, '--', 'sh', '-c', 'exit 3'];
      const fast = await run(c);
      const fastProfile = readFileSync(out, 'utf8');
      const slow = await run(c, { SYSCRIBE_NO_FAST_PATH: '1' });
      expect(fast).toEqual(slow);
      expect(fast.code).toBe(3);
      expect(readFileSync(out, 'utf8')).toBe(fastProfile);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
