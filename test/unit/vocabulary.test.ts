/**
 * One vocabulary: the generator commands (strace, audit, record, audit-profile)
 * and merge take the same `--default-action` values, read through their own
 * yargs builders.
 */
import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { generatorOptionsFrom, withGeneratorOptions } from '../../src/cli/generator-options.js';
import { makeMergeCommand, mergeOptionsFrom } from '../../src/cli/merge.js';
import { UserError } from '../../src/errors.js';
import { ACTIONS } from '../../src/profile/types.js';
import { ACTION_ALIASES, ACTION_ORDER, actionRank, errnoByName, errnoName } from '../../src/profile/vocabulary.js';

type Parsed = { action?: string; error?: string };

async function parse(args: string[], build: (y: ReturnType<typeof yargs>) => unknown, read: (argv: never) => string | undefined): Promise<Parsed> {
  try {
    const y = build(yargs(args)) as ReturnType<typeof yargs>;
    const argv = await y.strict().fail((m, e) => { throw e ?? new UserError(m); }).parseAsync();
    return { action: read(argv as never) };
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return { error: 'refused' };
  }
}

const generator = (v: string) => parse(['--default-action', v, '--runtime', 'none'], (y) => withGeneratorOptions(y), (a) => generatorOptionsFrom(a).defaultAction);
const mergeBuilder = makeMergeCommand().builder as (y: ReturnType<typeof yargs>) => unknown;
const merge = (v: string) => parse(['a.json', '--default-action', v], (y) => mergeBuilder(y.command('$0 <inputs..>', '', () => {})), (a) => mergeOptionsFrom(a).defaultAction);

describe('--default-action', () => {
  const values = [...Object.keys(ACTION_ALIASES), ...ACTIONS, ...ACTIONS.map((a) => a.toLowerCase()), 'notify', 'KILL', 'bogus', ''];
  it.each(values)('%s: the generator commands and merge agree', async (v) => {
    const g = await generator(v);
    expect(g).toEqual(await merge(v));
    if (v.toUpperCase() === 'SCMP_ACT_NOTIFY' || v === 'notify' || v === 'bogus' || v === '') expect(g.error).toBe('refused');
    else expect(g.action).toMatch(/^SCMP_ACT_/);
  });

  it('the generator takes --errno with trace too, as merge does', async () => {
    const y = withGeneratorOptions(yargs(['--default-action', 'trace', '--errno', 'ENOSYS', '--runtime', 'none']));
    expect(generatorOptionsFrom(await y.parseAsync())).toMatchObject({ defaultAction: 'SCMP_ACT_TRACE', errnoRet: 38 });
    const z = withGeneratorOptions(yargs(['--default-action', 'log', '--errno', '1', '--runtime', 'none']));
    expect(() => generatorOptionsFrom(z.parseSync())).toThrow('--errno goes with --default-action errno or trace, not SCMP_ACT_LOG');
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
