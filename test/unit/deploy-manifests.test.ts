// Every manifest in deploy/ validates offline: SPO objects against SPO's CRD schemas (v1.0.0),
// built-in kinds against Kubernetes' OpenAPI schemas (kubernetes-models); and the validator
// itself rejects what the API server would (so these tests fail if a manifest is broken).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { k8sErrors } from '../helpers/k8s-schema.js';

const DEPLOY = new URL('../../deploy/', import.meta.url).pathname;
const BIN = new URL('../../bin/syscribe.js', import.meta.url).pathname;
const docs = readdirSync(DEPLOY).filter((f) => f.endsWith('.yaml')).sort().flatMap((f) =>
  parseAllDocuments(readFileSync(join(DEPLOY, f), 'utf8')).map((d, i) => ({ f: `${f}#${i}`, o: d.toJS() as { kind: string; spec?: any; metadata?: any } })));

describe('deploy/ manifests', () => {
  test('the expected objects are there', () => {
    expect(docs.map((d) => d.o.kind).sort()).toEqual(['DaemonSet', 'Namespace', 'ProfileRecording', 'SeccompProfile', 'ServiceAccount']);
  });
  test.each(docs.map((d) => [d.f, d.o] as const))('%s validates', async (_f, o) => {
    expect(await k8sErrors(o)).toEqual([]);
  });
  test('least privilege: no RBAC objects, no token, no added capability, read-only mounts of the log', () => {
    const ds = docs.find((d) => d.o.kind === 'DaemonSet')!.o;
    const pod = ds.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.hostPID).toBe(true);
    expect(docs.some((d) => /Role/.test(d.o.kind))).toBe(false);
    const c = pod.containers[0];
    expect(c.securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(c.securityContext.privileged).toBeUndefined();
    expect(c.volumeMounts.find((m: any) => m.name === 'audit-log').readOnly).toBe(true);
    expect(c.args.join(' ')).toMatch(/syscribe audit .*--split-by workload .*--format crd .*--cri-socket /);
    expect(c.env).toContainEqual({ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
  });
  test('the audit-mode profile logs every call', () => {
    const sp = docs.find((d) => d.o.kind === 'SeccompProfile')!.o;
    expect(sp.spec.defaultAction).toBe('SCMP_ACT_LOG');
    expect(sp.spec.syscalls).toBeUndefined();
  });
});

describe('the DaemonSet runs a real syscribe command line', () => {
  test('every flag in the manifest is accepted (run once here, host paths replaced)', async () => {
    const ds = docs.find((d) => d.o.kind === 'DaemonSet')!.o;
    const c = ds.spec.template.spec.containers[0];
    expect(c.command).toEqual(['/bin/sh', '-c']);
    const m = /syscribe (audit [^;]*);/.exec(c.args[0]);
    expect(m).not.toBeNull();
    const out = mkdtempSync(join(tmpdir(), 'syscribe-deploy-'));
    try {
      const fixture = new URL('../fixtures/audit/auditd-enriched.log', import.meta.url).pathname;
      const argv = m![1]!.trim().split(/\s+/).map((w) => w === '/host/var/log/audit/audit.log*' ? fixture : w === '/var/lib/syscribe/partials' ? out : w.startsWith('/host/run/') ? join(out, 'no-cri.sock') : w);
      expect(argv).toContain(fixture);
      const r = await execa('node', [BIN, ...argv], { reject: false });
      // Flags parsed, log read: the fixture's processes are in no container, so --namespace keeps nothing (exit 1, nothing written).
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/24 parsed.*\n.*pod filters: --namespace removed 24 \(0 kept\); no profile written/);
      expect(readdirSync(out)).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('the validator rejects what the API server rejects', () => {
  test('DaemonSet: a wrong type, a missing required field', async () => {
    const ds = docs.find((d) => d.o.kind === 'DaemonSet')!.o;
    const spec = ds.spec.template.spec;
    expect((await k8sErrors({ ...ds, spec: { ...ds.spec, template: { ...ds.spec.template, spec: { ...spec, hostPID: 'yes' } } } } as never)).join()).toMatch(/hostPID.*boolean/);
    const { name: _n, ...unnamed } = spec.containers[0];
    expect((await k8sErrors({ ...ds, spec: { ...ds.spec, template: { ...ds.spec.template, spec: { ...spec, containers: [unnamed] } } } } as never)).join()).toMatch(/name/);
  });
  test('a SeccompProfile: bad action, unknown spec field, a namespace on a cluster-scoped object, a bad label value', async () => {
    const e = await k8sErrors({ apiVersion: 'security-profiles-operator.x-k8s.io/v1beta1', kind: 'SeccompProfile', metadata: { name: 'x', namespace: 'y', labels: { 'spo.x-k8s.io/container-id': 'a/b' } }, spec: { defaultAction: 'SCMP_ACT_FOO', bogus: 1 } } as never);
    expect(e.join('\n')).toMatch(/allowed values/);
    expect(e.join('\n')).toMatch(/bogus/);
    expect(e.join('\n')).toMatch(/cluster-scoped/);
    expect(e.join('\n')).toMatch(/container-id=a\/b/);
  });
  test('ProfileRecording enums (Logs, Containers) are checked', async () => {
    const pr = docs.find((d) => d.o.kind === 'ProfileRecording')!.o;
    expect(await k8sErrors({ ...pr, spec: { ...pr.spec, mergeStrategy: 'containers' } } as never)).not.toEqual([]);
  });
  test('an unknown kind is an error, not a pass', async () => {
    expect(await k8sErrors({ apiVersion: 'v1', kind: 'Nope', metadata: { name: 'x' } } as never)).toEqual(['no schema for v1/Nope']);
  });
});
