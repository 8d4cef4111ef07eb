// pod → owning workload, from the controllers' pod labels (as the kubelet hands them to the CRI as
// sandbox labels) and, without labels, from the pod name's shape.
import { describe, expect, test } from 'vitest';
import { workloadKey, workloadOf } from '../../src/attribution/workload.js';

const ns = 'shop';

describe('from labels', () => {
  test.each([
    ['Deployment (pod-template-hash)', 'web-7d4b9c8f5-x2x9k', { app: 'web', 'pod-template-hash': '7d4b9c8f5' }, 'Deployment', 'web'],
    ['Deployment whose name has dashes and digits', 'payment-api-v2-5c9d8b7f6d-2xk7p', { 'pod-template-hash': '5c9d8b7f6d' }, 'Deployment', 'payment-api-v2'],
    ['StatefulSet (controller-revision-hash + statefulset pod-name)', 'postgres-0', { 'controller-revision-hash': 'postgres-6d7f8b9c5', 'statefulset.kubernetes.io/pod-name': 'postgres-0' }, 'StatefulSet', 'postgres'],
    ['StatefulSet, ordinal 12, name ending in a digit', 'redis-v2-12', { 'controller-revision-hash': 'redis-v2-77b6c9d5f4', 'statefulset.kubernetes.io/pod-name': 'redis-v2-12' }, 'StatefulSet', 'redis-v2'],
    ['DaemonSet (controller-revision-hash + pod-template-generation)', 'kube-proxy-x7f2q', { 'controller-revision-hash': '6d7f8b9c5', 'pod-template-generation': '1', 'k8s-app': 'kube-proxy' }, 'DaemonSet', 'kube-proxy'],
    ['Job (job-name)', 'migrate-db-7x2kq', { 'job-name': 'migrate-db', 'controller-uid': 'e1f0c2a8' }, 'Job', 'migrate-db'],
    ['Job (batch.kubernetes.io/job-name, 1.27+)', 'migrate-db-7x2kq', { 'batch.kubernetes.io/job-name': 'migrate-db' }, 'Job', 'migrate-db'],
    ['CronJob (its Job is <cronjob>-<scheduled minute>)', 'backup-29404320-k8s9z', { 'job-name': 'backup-29404320' }, 'CronJob', 'backup'],
  ])('%s', (_, name, labels, kind, owner) => {
    expect(workloadOf({ name, namespace: ns, labels })).toEqual({ kind, name: owner, namespace: ns, from: 'labels' });
  });
});

describe('from the name alone (no controller labels)', () => {
  test.each([
    ['web-7d4b9c8f5-x2x9k', 'Deployment', 'web'],
    ['coredns-5d78c9869d-8wqkz', 'Deployment', 'coredns'],
    ['backup-29404320-k8s9z', 'CronJob', 'backup'],
    ['postgres-3', 'StatefulSet', 'postgres'],
    ['fluent-bit-q2w4z', 'DaemonSet', 'fluent-bit'],
    ['debug', 'Pod', 'debug'],
    ['nginx-aeiou', 'Pod', 'nginx-aeiou'], // vowels: not a Kubernetes random suffix
  ])('%s', (name, kind, owner) => {
    expect(workloadOf({ name, namespace: ns })).toEqual({ kind, name: owner, namespace: ns, from: 'name' });
  });
});

test('replicas share one key; the key is <namespace>-<workload>', () => {
  const a = workloadOf({ name: 'web-7d4b9c8f5-x2x9k', namespace: ns, labels: { 'pod-template-hash': '7d4b9c8f5' } });
  const b = workloadOf({ name: 'web-7d4b9c8f5-q8j2m', namespace: ns, labels: { 'pod-template-hash': '7d4b9c8f5' } });
  const c = workloadOf({ name: 'web-6f8b7d9c4-zz7rt', namespace: ns, labels: { 'pod-template-hash': '6f8b7d9c4' } }); // after a rollout
  expect(workloadKey(a)).toBe('shop-web');
  expect(workloadKey(b)).toBe('shop-web');
  expect(workloadKey(c)).toBe('shop-web');
  expect(workloadKey(workloadOf({ name: 'postgres-1', namespace: 'db', labels: { 'controller-revision-hash': 'x', 'statefulset.kubernetes.io/pod-name': 'postgres-1' } }))).toBe('db-postgres');
});
