import { describe, expect, test } from 'vitest';
import { keep } from '../../src/ingest/audit-filter.js';
import { filterFrom, parseTime } from '../../src/cli/audit-options.js';
import type { Observation } from '../../src/types.js';

const o: Observation = { arch: 'x86_64', nr: 0, pid: 42, comm: 'my app', exe: '/tmp/my app', uid: 1000, time: 1795419507.597, action: 'log' };

describe('audit filter', () => {
  test('times: epoch seconds or ISO', () => {
    expect(parseTime('1795419507.5', '--since')).toBe(1795419507.5);
    expect(parseTime('2026-11-23T07:38:27.597Z', '--since')).toBeCloseTo(1795419507.597, 3);
    expect(() => parseTime('soon', '--since')).toThrow(/--since soon: not a time/);
  });
  test('each filter keeps and drops', () => {
    expect(keep(o, filterFrom({}))).toBe(true);
    expect(keep(o, filterFrom({ pid: ['41,42'] }))).toBe(true);
    expect(keep(o, filterFrom({ pid: [43] }))).toBe(false);
    expect(keep(o, filterFrom({ comm: ['my app'] }))).toBe(true);
    expect(keep(o, filterFrom({ exe: ['/tmp/other'] }))).toBe(false);
    expect(keep(o, filterFrom({ uid: ['0'] }))).toBe(false);
    expect(keep(o, filterFrom({ since: '1795419507.597', until: '1795419508' }))).toBe(true);
    expect(keep(o, filterFrom({ since: '1795419508' }))).toBe(false);
    expect(keep(o, filterFrom({ action: ['errno', 'log'] }))).toBe(true);
    expect(keep(o, filterFrom({ action: ['kill-process'] }))).toBe(false);
    expect(keep(o, filterFrom({ action: ['all'] }))).toBe(true);
    expect(keep(o, filterFrom({ container: ['abc'] }), () => 'abcdef')).toBe(true);
    expect(keep(o, filterFrom({ container: ['abd'] }), () => 'abcdef')).toBe(false);
    expect(keep(o, filterFrom({ container: ['abc'] }), () => undefined)).toBe(false);
  });
  test('--container NAME: runc/crun/LXC container names match exactly, hex values are id prefixes', () => {
    expect(keep(o, filterFrom({ container: ['web-1'] }), () => 'web-1')).toBe(true);
    expect(keep(o, filterFrom({ container: ['web'] }), () => 'web-1')).toBe(false); // names are not prefixes
    expect(keep(o, filterFrom({ container: ['Web-1'] }), () => 'web-1')).toBe(false); // case matters for names
    expect(keep(o, filterFrom({ container: ['ABC'] }), () => 'abcdef')).toBe(true); // hex: case-insensitive prefix
    expect(keep(o, filterFrom({ container: ['fleet_db.2'] }), () => 'fleet_db.2')).toBe(true);
  });
  test('ausearch -i code=kill (either kill action) passes kill_thread, kill_process and kill', () => {
    const k: Observation = { ...o, action: 'kill' };
    expect(keep(k, filterFrom({ action: ['kill_thread'] }))).toBe(true);
    expect(keep(k, filterFrom({ action: ['kill-process'] }))).toBe(true);
    expect(keep(k, filterFrom({ action: ['log'] }))).toBe(false);
    expect(keep({ ...o, action: 'kill_thread' }, filterFrom({ action: ['kill'] }))).toBe(true);
    expect(keep({ ...o, action: 'kill_process' }, filterFrom({ action: ['kill'] }))).toBe(true);
    expect(keep({ ...o, action: 'kill_process' }, filterFrom({ action: ['kill_thread'] }))).toBe(false);
  });
  test('bad values are usage errors', () => {
    expect(() => filterFrom({ pid: ['x'] })).toThrow(/--pid x: not a number/);
    expect(() => filterFrom({ action: ['maybe'] })).toThrow(/--action maybe/);
    expect(() => filterFrom({ container: ['a/b'] })).toThrow(/--container a\/b: not a container id .* nor a container name/);
    expect(() => filterFrom({ container: ['x y'] })).toThrow(/--container x y/);
    expect(() => filterFrom({ since: '2', until: '1' })).toThrow(/--since is after --until/);
  });
});
