// SPO partial-profile labels (src/attribution/spo.ts), grouping and merging of partials
// (src/algebra/merge-by.ts), and `syscribe merge --by workload` on files. The CLI run on files
// written by a real `audit --split-by workload --format crd` is in
// test/integration/fleet-containerd.test.ts.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { expandInputs, groupPartials, mergeGroups } from '../../src/algebra/merge-by.js';
import type { MemberInfo } from '../../src/attribution/group.js';
import {
  ALL_CONTAINERS, SPO_LABEL_CONTAINER, SPO_LABEL_PARTIAL, SPO_LABEL_RECORDING, SPO_LABEL_RECORDING_NAMESPACE, dns1123Label, partialKeyOf, spoMergedMeta, spoPartialMeta,
} from '../../src/attribution/spo.js';
import { profileToCrd, profileToJson } from '../../src/profile/serialize.js';
import type { SeccompProfile } from '../../src/profile/types.js';
import { runCli } from '../helpers/cli.js';
import { k8sErrors } from '../helpers/k8s-schema.js';

const dir = mkdtempSync(join(tmpdir(), 'syscribe-spo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const web = { kind: 'Deployment', name: 'web', namespace: 'shop', from: 'labels' } as const;
const member = (container: string, pod = 'web-7d4b9c8f5-x2x9k'): MemberInfo => ({ id: `${container}0123456789abcdef`, records: 3, container, pod, namespace: 'shop', workload: web });
const allow = (names: string[]): SeccompProfile => ({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names, action: 'SCMP_ACT_ALLOW' }] });

describe('labels of a partial profile (as SPO v1.0.0 profilerecorder.go profileLabels/createProfileName)', () => {
  test('one container: recording = workload, container-id = container name, partial=true, name <recording>-<container>-<node>', () => {
    const m = spoPartialMeta([member('app'), member('app', 'web-7d4b9c8f5-q8j2m')], 'node-a');
    expect(m).toEqual({
      name: 'web-app-node-a',
      labels: { [SPO_LABEL_RECORDING]: 'web', [SPO_LABEL_RECORDING_NAMESPACE]: 'shop', [SPO_LABEL_CONTAINER]: 'app', [SPO_LABEL_PARTIAL]: 'true' },
      annotations: { 'syscribe/workload': 'shop/Deployment/web', 'syscribe/node': 'node-a' },
    });
  });
  test('several containers in one workload profile: container-id all-containers', () => {
    expect(spoPartialMeta([member('app'), member('proxy')], 'n1')!.labels[SPO_LABEL_CONTAINER]).toBe(ALL_CONTAINERS);
  });
  test('no workload known (no CRI answer): no labels', () => {
    expect(spoPartialMeta([{ id: 'abc', records: 1 }], 'n1')).toBeUndefined();
  });
  test('names made valid: node names with dots and capitals, long names cut at 63', () => {
    expect(dns1123Label('Node.Example.COM')).toBe('node-example-com');
    expect(dns1123Label('x'.repeat(80))).toHaveLength(63);
    const m = spoPartialMeta([member('App_1')], 'ip-10-0-0-1.ec2.internal')!;
    expect(m.name).toBe('web-app-1-ip-10-0-0-1-ec2-internal');
  });
  test('the object validates against the SeccompProfile CRD (v1beta1 and v1), cluster-scoped (no namespace)', async () => {
    const m = spoPartialMeta([member('app')], 'node-a')!;
    for (const version of ['v1beta1', 'v1'] as const) {
      const o = parse(profileToCrd(allow(['read']), { name: m.name, version, labels: m.labels, annotations: m.annotations }));
      expect(o.metadata.namespace).toBeUndefined();
      expect(await k8sErrors(o)).toEqual([]);
    }
  });
  test('labels and annotations are written in a stable (sorted) order', () => {
    const a = profileToCrd(allow(['read']), { name: 'x', labels: { b: '1', a: '2' } });
    expect(a.indexOf('a: "2"')).toBeLessThan(a.indexOf('b: "1"'));
  });
});

describe('grouping as SPO listPartialProfiles / mergedProfileName', () => {
  test('partialKeyOf needs the partial label and the three ids', () => {
    const l = spoPartialMeta([member('app')], 'n')!.labels;
    expect(partialKeyOf(l)).toEqual({ recording: 'web', namespace: 'shop', container: 'app' });
    const { [SPO_LABEL_PARTIAL]: _p, ...notPartial } = l;
    expect(partialKeyOf(notPartial)).toBeUndefined();
    expect(spoMergedMeta(partialKeyOf(l)!)).toEqual({ name: 'web-app', labels: { [SPO_LABEL_RECORDING]: 'web', [SPO_LABEL_RECORDING_NAMESPACE]: 'shop' } });
  });

  const write = (sub: string, name: string, text: string): string => {
    mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, sub, name), text);
    return join(dir, sub, name);
  };
  const partial = (node: string, container: string, names: string[], ns = 'shop'): string => {
    const m = spoPartialMeta([{ ...member(container), namespace: ns, workload: { ...web, namespace: ns } }], node)!;
    return profileToCrd(allow(names), { name: m.name, labels: m.labels, annotations: m.annotations });
  };

  test('by labels across node directories; namespace and container keep groups apart; merge is the union', async () => {
    write('a', 'shop-web.yaml', partial('node-a', 'app', ['read', 'write']));
    write('b', 'shop-web.yaml', partial('node-b', 'app', ['read', 'openat']));
    write('b', 'other-web.yaml', partial('node-b', 'app', ['chroot'], 'other'));
    write('c', 'shop-web.yaml', partial('node-c', 'proxy', ['sendto']));
    write('c', 'notes.txt', 'not a profile');
    const files = await expandInputs([join(dir, 'a'), join(dir, 'b'), join(dir, 'c')]);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['a/shop-web.yaml', 'b/other-web.yaml', 'b/shop-web.yaml', 'c/shop-web.yaml']);
    const groups = await groupPartials(files);
    expect(groups.map((g) => [g.key, g.spo?.namespace, g.files.length])).toEqual([['web-app', 'other', 1], ['web-app', 'shop', 2], ['web-proxy', 'shop', 1]]);
    // Same merged name in two namespaces (SeccompProfile is cluster-scoped): refused, never one overwriting the other.
    await expect(mergeGroups(groups, { format: 'crd' })).rejects.toThrow(/both be written to web-app.yaml/);
    const merged = await mergeGroups(groups.filter((g) => g.spo?.namespace === 'shop'), { format: 'crd' });
    const webApp = parse(merged.find((m) => m.key === 'web-app')!.text);
    expect(webApp.metadata).toEqual({ name: 'web-app', labels: { [SPO_LABEL_RECORDING]: 'web', [SPO_LABEL_RECORDING_NAMESPACE]: 'shop' } });
    expect(webApp.spec.syscalls).toEqual([{ names: ['openat', 'read', 'write'], action: 'SCMP_ACT_ALLOW' }]);
    expect(await k8sErrors(webApp)).toEqual([]);
  });

  test('files without SPO labels group by file name (syscribe\'s <namespace>-<workload>.json)', async () => {
    write('x', 'shop-db.json', profileToJson(allow(['read'])));
    write('y', 'shop-db.json', profileToJson(allow(['ioprio_set'])));
    write('y', 'shop-web.json', profileToJson(allow(['write'])));
    const groups = await groupPartials(await expandInputs([join(dir, 'x'), join(dir, 'y')]));
    expect(groups.map((g) => [g.key, g.files.length])).toEqual([['shop-db', 2], ['shop-web', 1]]);
    const merged = await mergeGroups(groups, { format: 'oci' });
    expect(merged.map((m) => m.file)).toEqual(['shop-db.json', 'shop-web.json']);
    expect(JSON.parse(merged[0]!.text).syscalls[0].names).toEqual(['ioprio_set', 'read']);
  });
});

describe('syscribe merge --by workload (CLI)', () => {
  test('writes one profile per workload into -o; usage errors exit 2', async () => {
    const out = join(dir, 'merged');
    const r = await runCli(['merge', '--by', 'workload', join(dir, 'a'), join(dir, 'b', 'shop-web.yaml'), '--format', 'crd', '-o', out]);
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(out)).toEqual(['web-app.yaml']);
    expect(r.err).toMatch(/merged 2 files into 1 profile/);
    expect(r.err).toMatch(/web-app: 2 partials/);
    expect(parse(readFileSync(join(out, 'web-app.yaml'), 'utf8')).spec.syscalls[0].names).toEqual(['openat', 'read', 'write']);
    const noDir = await runCli(['merge', '--by', 'workload', join(dir, 'a')]);
    expect([noDir.code, noDir.err.trim()]).toEqual([2, 'syscribe: merge --by workload writes one profile per workload: -o must name a directory']);
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    const none = await runCli(['merge', '--by', 'workload', empty, '-o', out]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/no profiles/);
  });
});
