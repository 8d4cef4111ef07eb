/**
 * One vocabulary: the generator commands (strace, audit, record, audit-profile)
 * and merge take the same `--default-action` values, read through their own
 * yargs builders.
 */
import { describe, expect, it } from 'vitest';
import type { CommandModule } from 'yargs';
import type { StatusCommand } from '../../src/cli/command.js';
import { type GeneratorArgs, generatorOptionsFrom, withGeneratorOptions } from '../../src/cli/generator-options.js';
import { makeMergeCommand, mergeOptionsFrom } from '../../src/cli/merge.js';
import { ACTIONS } from '../../src/profile/types.js';
import { ACTION_ALIASES, ACTION_ORDER, actionRank, errnoByName, errnoName } from '../../src/profile/vocabulary.js';
import { runCli } from '../helpers/cli.js';

type Parsed = { action?: string; error?: string };

/**
 * `syscribe <probe> ARGS` through the CLI (runCli): a probe command with the real builder reads
 * the options as the real command does. A refusal is exit 2 (a usage error); anything else throws.
 */
async function parse(args: string[], probe: (got: (v: unknown) => void) => CommandModule<object, never>): Promise<Parsed & { value?: unknown }> {
  let value: unknown;
  const r = await runCli(args, [probe((v) => { value = v; }) as unknown as StatusCommand<never>]);
  if (r.code === 2) return { error: 'refused' };
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.err}`);
  return { action: (value as { defaultAction?: string }).defaultAction, value };
}

const generatorProbe = (got: (v: unknown) => void): CommandModule<object, never> => ({
  command: 'gen-probe',
  describe: false,
  builder: (y) => withGeneratorOptions(y) as never,
  handler: (a) => got(generatorOptionsFrom(a as GeneratorArgs)),
});
const mergeProbe = (got: (v: unknown) => void): CommandModule<object, never> => ({
  ...(makeMergeCommand() as unknown as CommandModule<object, never>),
  command: 'merge-probe <inputs..>',
  handler: (a) => got(mergeOptionsFrom(a as never)),
});
const generator = async (v: string) => {
  const { value: _, ...p } = await parse(['gen-probe', '--default-action', v, '--runtime', 'none'], generatorProbe);
  return p;
};
const merge = async (v: string) => {
  const { value: _, ...p } = await parse(['merge-probe', 'a.json', '--default-action', v], mergeProbe);
  return p;
};

describe('--default-action', () => {
  const values = [...Object.keys(ACTION_ALIASES), ...ACTIONS, ...ACTIONS.map((a) => a.toLowerCase()), 'notify', 'KILL', 'bogus', ''];
  it.each(values)('%s: the generator commands and merge agree', async (v) => {
    const g = await generator(v);
    expect(g).toEqual(await merge(v));
    if (v.toUpperCase() === 'SCMP_ACT_NOTIFY' || v === 'notify' || v === 'bogus' || v === '') expect(g.error).toBe('refused');
    else expect(g.action).toMatch(/^SCMP_ACT_/);
  });

  it('the generator takes --errno with trace too, as merge does', async () => {
    expect((await parse(['gen-probe', '--default-action', 'trace', '--errno', 'ENOSYS', '--runtime', 'none'], generatorProbe)).value).toMatchObject({ defaultAction: 'SCMP_ACT_TRACE', errnoRet: 38 });
    const z = await runCli(['gen-probe', '--default-action', 'log', '--errno', '1', '--runtime', 'none'], [generatorProbe(() => undefined) as unknown as StatusCommand<never>]);
    expect([z.code, z.err]).toEqual([2, 'syscribe: --errno goes with --default-action errno or trace, not SCMP_ACT_LOG\n']);
  });
});

describe('vocabulary', () => {
  it('every action has a place in the order and a rank; KILL is KILL_THREAD', () => {
    expect([...ACTION_ORDER].sort()).toEqual([...ACTIONS].sort());
    expect(ACTION_ORDER.map(actionRank)).toEqual([8, 7, 6, 5, 4, 3, 2, 2, 1]);
  });

  it('errno names both ways', () => {
    expect(errnoByName('enosys')).toBe(38);
    expect(errnoByName('4095')).toBe(4095);
    expect(errnoByName('4096')).toBeUndefined();
    expect(errnoByName('EWHAT')).toBeUndefined();
    expect([0, 1, 13, 38, 99].map(errnoName)).toEqual(['success', 'EPERM', 'EACCES', 'ENOSYS', undefined]);
  });
});
