// Grouping per-container observations when the runtime cannot be asked (the CRI path itself is
// exercised against a real containerd in test/integration/fleet-containerd.test.ts), and the flags.
import { describe, expect, test } from 'vitest';
import { Collector } from '../../src/collect/collector.js';
import { podOptionsFrom } from '../../src/cli/audit-options.js';
import { NO_CONTAINER, groupContainers } from '../../src/attribution/group.js';
import { PodDirectory } from '../../src/attribution/pods.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const UID = '5f0c2a8e-4b1d-4c3e-9a7f-2d6b8e1c0f93';

function per() {
  const mk = (name: string, records: number, podUid?: string) => {
    const c = new Collector();
    c.add({ arch: 'x86_64', name });
    return { collector: c, records, ...(podUid ? { podUid } : {}) };
  };
  return new Map([[A, mk('read', 3, UID)], [B, mk('write', 2)], ['runc-named', mk('openat', 1)], [NO_CONTAINER, mk('close', 4)]]);
}

describe('groupContainers without the CRI', () => {
  test('keys fall back to pod-<uid> (from the cgroup), then the container id; nothing dropped', async () => {
    const pods = new PodDirectory('/nonexistent/cri.sock');
    const g = await groupContainers(per(), pods, { by: 'workload' });
    expect(g.notice).toBe('CRI socket /nonexistent/cri.sock does not exist');
    expect(g.groups.map((x) => [x.key, x.records])).toEqual([[B, 2], [NO_CONTAINER, 4], [`pod-${UID}`, 3], ['runc-named', 1]]);
    expect(g.filtered).toBe(0);
  });
  test('--namespace / --workload need the runtime: a usage error, never an empty profile', async () => {
    await expect(groupContainers(per(), new PodDirectory('/nonexistent/cri.sock'), { by: 'container', namespaces: new Set(['shop']) }))
      .rejects.toThrow(/^namespaces needs the container runtime's CRI: CRI socket \/nonexistent\/cri.sock does not exist/);
  });
  test('--split-by container does not ask the runtime', async () => {
    const pods = new PodDirectory('/nonexistent/cri.sock');
    const g = await groupContainers(per(), pods, { by: 'container' });
    expect(g.notice).toBeUndefined();
    expect(pods.failure).toBeUndefined();
  });
});

describe('podOptionsFrom', () => {
  test('only pod/workload splits and the pod filters ask the runtime', () => {
    expect(podOptionsFrom({ split: 'container' })).toBeUndefined();
    expect(podOptionsFrom({})).toBeUndefined();
    expect(podOptionsFrom({ split: 'workload' })).toEqual({ by: 'workload' });
    expect(podOptionsFrom({ namespace: ['a,b', 'c'], workload: ['Deployment/web'], criSocket: '/x.sock' }))
      .toEqual({ by: 'container', namespaces: new Set(['a', 'b', 'c']), workloads: new Set(['Deployment/web']), criSocket: '/x.sock' });
  });
  test('combinations that cannot work are usage errors', () => {
    expect(() => podOptionsFrom({ split: 'exe', namespace: ['shop'] })).toThrow(/--namespace \/ --workload go with --split-by container, pod or workload/);
    expect(() => podOptionsFrom({ criSocket: '/x.sock' })).toThrow(/--cri-socket goes with/);
  });
});
