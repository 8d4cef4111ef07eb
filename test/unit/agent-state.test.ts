// The node agent's state (src/collect/agent-state.ts) and its bounds: the state round-trips exactly,
// members per group are capped, and the pid → container cache forgets idle pids.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { MAX_MEMBERS, absorbGroup, emptyState, loadState, saveState, stateToText } from '../../src/collect/agent-state.js';
import { Collector } from '../../src/collect/collector.js';
import { ContainerResolver } from '../../src/ingest/container.js';

const dir = mkdtempSync(join(tmpdir(), 'syscribe-agent-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const coll = (names: string[], arch = 'x86_64'): Collector => {
  const c = new Collector();
  for (const name of names) c.add({ arch: arch as never, name });
  return c;
};

describe('agent state', () => {
  test('round trip: sets, records, members, log position', async () => {
    const s = emptyState();
    absorbGroup(s, 'shop-web', coll(['read', 'write']), 5, [{ id: 'a'.repeat(64), records: 5, container: 'app' }]);
    absorbGroup(s, 'shop-web', coll(['openat']), 2, [{ id: 'b'.repeat(64), records: 2, container: 'app' }]);
    absorbGroup(s, 'shop-db', coll(['getpid'], 'x86'), 1, []);
    s.log = { path: '/var/log/audit/audit.log', ino: 12, dev: 34, pos: 5678 };
    const f = join(dir, 's.json');
    await saveState(f, s);
    const back = await loadState(f);
    expect(stateToText(back)).toBe(stateToText(s));
    const web = back.groups.get('shop-web')!;
    expect([...web.collector.arches.get('x86_64' as never)!.keys()].sort()).toEqual(['openat', 'read', 'write']);
    expect(web.records).toBe(7);
    // One member per container name; records add up.
    expect([...web.members.values()]).toEqual([{ id: 'a'.repeat(64), records: 7, container: 'app' }]);
  });
  test('a missing state is an empty one; members are capped', async () => {
    expect((await loadState(join(dir, 'none.json'))).groups.size).toBe(0);
    const s = emptyState();
    for (let i = 0; i < MAX_MEMBERS + 10; i++) absorbGroup(s, 'k', coll(['read']), 1, [{ id: `c${i}`, records: 1 }]);
    expect(s.groups.get('k')!.members.size).toBe(MAX_MEMBERS);
    expect(s.groups.get('k')!.records).toBe(MAX_MEMBERS + 10);
  });
});

describe('the pid → container cache is bounded', () => {
  test('prune forgets pids not looked up for the idle time', () => {
    const root = join(dir, 'proc');
    for (const pid of [10, 11]) {
      mkdirSync(join(root, String(pid)), { recursive: true });
      writeFileSync(join(root, String(pid), 'stat'), `${pid} (x) S 1 ${pid} ${pid} 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 100 1 1 1\n`);
      writeFileSync(join(root, String(pid), 'cgroup'), '0::/system.slice/docker-' + 'c'.repeat(64) + '.scope\n');
    }
    let clock = 0;
    const r = new ContainerResolver(root, { now: () => clock });
    r.idOf(10);
    clock = 30_000;
    r.idOf(11);
    expect(r.size).toBe(2);
    clock = 60_000;
    r.prune(60_000);
    expect(r.size).toBe(1);
    expect(r.idOf(11)).toBe('c'.repeat(64));
  });
});
