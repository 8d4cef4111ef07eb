// Every manifest in deploy/ validates offline: SPO objects against SPO's CRD schemas (v1.0.0),
// built-in kinds against Kubernetes' OpenAPI schemas (kubernetes-models); and the validator
// itself rejects what the API server would (so these tests fail if a manifest is broken).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { spawnCli } from '../helpers/cli.js';
import { k8sErrors } from '../helpers/k8s-schema.js';

const DEPLOY = new URL('../../deploy/', import.meta.url).pathname;
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
    expect(c.args.join(' ')).toMatch(/^audit \/host\/var\/log\/audit\/audit.log --follow --split-by workload .*--format crd .*--cri-socket /);
    expect(c.env).toContainEqual({ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
  });
  test('the audit-mode profile logs every call', () => {
    const sp = docs.find((d) => d.o.kind === 'SeccompProfile')!.o;
    expect(sp.spec.defaultAction).toBe('SCMP_ACT_LOG');
    expect(sp.spec.syscalls).toBeUndefined();
  });
});

describe('the DaemonSet runs a real syscribe command line', () => {
  test('every flag in the manifest is accepted: the agent starts, follows, stops on SIGTERM (host paths replaced)', async () => {
    const ds = docs.find((d) => d.o.kind === 'DaemonSet')!.o;
    const c = ds.spec.template.spec.containers[0];
    expect(c.command).toBeUndefined(); // the image's ENTRYPOINT is syscribe
    const out = mkdtempSync(join(tmpdir(), 'syscribe-deploy-'));
    try {
      const log = join(out, 'audit.log');
      writeFileSync(log, '');
      const argv = (c.args as string[]).map((w) => w === '/host/var/log/audit/audit.log' ? log : w === '/var/lib/syscribe/partials' ? join(out, 'partials') : w.startsWith('/host/run/') ? join(out, 'no-cri.sock') : w);
      expect(argv).toContain(log);
      // Spawned (spawnCli): the agent follows until SIGTERM, as in the pod.
      const p = spawnCli(argv);
      for (let i = 0; i < 50 && !existsSync(join(out, 'partials')); i++) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 300));
      p.kill('SIGTERM');
      const r = await p;
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^following .*audit\.log; one profile per workload in .*partials/);
      // Nothing read yet, but the state holds the position taken up: a restart loses nothing appended meanwhile.
      expect(JSON.parse(readFileSync(join(out, 'partials.state.json'), 'utf8')).log).toMatchObject({ path: log, pos: 0 });
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
