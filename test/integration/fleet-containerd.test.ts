// Fleet attribution against a REAL containerd (Debian's package) and its CRI plugin: pods and
// containers are created through the CRI socket the way the kubelet does (its labels, its cgroup
// parents for the three QoS classes, host network), each container under an audit-mode Localhost
// seccomp profile; the kernel's records land in auditd's log; `syscribe audit --split-by workload`
// must put every record of every container into its workload's profile, naming the right pod and
// container. Needs root, auditd, containerd + ctr, runc, busybox-static.
// syscribe runs in-process (runCli); the node agent (--follow) is spawned (spawnCli): it is stopped by SIGTERM.
import { createReadStream, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseAuditLine } from '../../src/ingest/audit/index.js';
import { type Mark, markLog, namesOf, recordsSince } from '../../src/runtime/denials.js';
import { eachLine } from '../../src/sources/lines.js';
import type { Observation } from '../../src/types.js';
import { type PrivateContainerd, logSince, removeCgroups, removeDir, startContainerd } from '../helpers/containerd.js';
import { k8sErrors } from '../helpers/k8s-schema.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { isRoot, requireTool } from '../helpers/tools.js';

const NS = `fleet-${process.pid}`;
const NONE = ['--baseline', 'none', '--runtime', 'none'];

interface PodSpec {
  name: string;
  uid: string;
  cgroupParent: string;
  labels: Record<string, string>;
  containers: Array<{ name: string; sh: string; marker: string }>;
  workload: string;
}

const uid = (n: number): string => `${String(process.pid % 100000).padStart(8, '0')}-f1ee-4${String(n).padStart(3, '0')}-8000-${'0'.repeat(11)}${n}`;
const loop = (cmd: string): string => `exec /bin/busybox ${cmd} /bin/busybox sleep 100000`;

// One distinctive syscall per workload (busybox applets that exec the next one: one pid per container).
const PODS: PodSpec[] = [
  { name: 'web-7d4b9c8f5-x2x9k', uid: uid(1), cgroupParent: `/kubepods/besteffort/pod${uid(1)}`, labels: { app: 'web', 'pod-template-hash': '7d4b9c8f5' }, workload: 'web',
    containers: [{ name: 'app', sh: loop('taskset 1'), marker: 'sched_setaffinity' }, { name: 'proxy', sh: loop('taskset 1'), marker: 'sched_setaffinity' }] },
  { name: 'web-7d4b9c8f5-q8j2m', uid: uid(2), cgroupParent: `/kubepods/besteffort/pod${uid(2)}`, labels: { app: 'web', 'pod-template-hash': '7d4b9c8f5' }, workload: 'web',
    containers: [{ name: 'app', sh: loop('taskset 1'), marker: 'sched_setaffinity' }] },
  { name: 'db-0', uid: uid(3), cgroupParent: `/kubepods/burstable/pod${uid(3)}`, labels: { app: 'db', 'controller-revision-hash': 'db-6d7f8b9c5', 'statefulset.kubernetes.io/pod-name': 'db-0' }, workload: 'db',
    containers: [{ name: 'postgres', sh: loop('ionice -c 3'), marker: 'ioprio_set' }] },
  { name: 'agent-x7f2q', uid: uid(4), cgroupParent: `/kubepods/pod${uid(4)}`, labels: { app: 'agent', 'controller-revision-hash': '5c9d8b7f6d', 'pod-template-generation': '1' }, workload: 'agent',
    containers: [{ name: 'agent', sh: loop('chroot /'), marker: 'chroot' }] },
  { name: 'backup-29404320-k8s9z', uid: uid(5), cgroupParent: `/kubepods/besteffort/pod${uid(5)}`, labels: { 'job-name': 'backup-29404320', 'controller-uid': uid(9) }, workload: 'backup',
    containers: [{ name: 'backup', sh: loop('linux32'), marker: 'personality' }] },
];

interface Started { pod: PodSpec; container: string; id: string; pid: number; marker: string }

let dir: string;
const QOS_PARENTS = ['/kubepods/besteffort', '/kubepods/burstable', '/kubepods'];
const preexisting = new Set(QOS_PARENTS.filter((p) => existsSync(`/sys/fs/cgroup/memory${p}`) || existsSync(`/sys/fs/cgroup${p}`)));
let cd: PrivateContainerd | undefined;
let mark: Mark;
let slice: string;
const started: Started[] = [];

/** In-process; `reject`: a non-zero exit throws (with its stderr). */
async function syscribe(args: string[], reject = true, env: Record<string, string> = {}) {
  const r = await runCli(args, [], { env });
  if (reject && r.code !== 0) throw new Error(`syscribe ${args.join(' ')}: exit ${r.code}: ${r.err}`);
  return { exitCode: r.code, stdout: r.out, stderr: r.err };
}

/** Records per pid in a log file (the same parser syscribe uses: this checks attribution, not parsing). */
async function recordsPerPid(file: string): Promise<Map<number, number>> {
  const m = new Map<number, number>();
  await eachLine(createReadStream(file), (l) => {
    for (const o of parseAuditLine(l).obs ?? []) if (o.pid !== undefined) m.set(o.pid, (m.get(o.pid) ?? 0) + 1);
  });
  return m;
}

beforeAll(async () => {
  if (!isRoot()) throw new Error('this test needs root (containerd, cgroups, auditd)');
  requireTool('auditd');
  if ((await execa('pgrep', ['-x', 'auditd'], { reject: false })).exitCode !== 0) await execa('auditd');
  dir = mkdtempSync('/tmp/syscribe-fleet-');
  cd = await startContainerd(dir, `localhost/syscribe-fleet:${process.pid}`);
  const profile = join(dir, 'audit-mode.json');
  // --no-log-denials: runc 1.1 (Debian 12) refuses profiles with `flags` ("seccomp flags are not yet supported by runc").
  await syscribe(['audit-profile', ...NONE, '--no-log-denials', '-o', profile]);
  mark = await markLog();
  expect(mark.source, 'auditd must be running (records are read from its log)').toBe('audit');

  const nsOpts = { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' };
  for (const pod of PODS) {
    const kubeLabels = { 'io.kubernetes.pod.name': pod.name, 'io.kubernetes.pod.namespace': NS, 'io.kubernetes.pod.uid': pod.uid };
    // What the kubelet sends (pkg/kubelet/kuberuntime/kuberuntime_sandbox.go): host network → no hostname.
    const config = {
      metadata: { name: pod.name, uid: pod.uid, namespace: NS, attempt: 0 },
      log_directory: join(dir, 'pods', `${NS}_${pod.name}_${pod.uid}`),
      dns_config: {},
      labels: { ...pod.labels, ...kubeLabels },
      annotations: { 'kubernetes.io/config.source': 'api', 'kubernetes.io/config.seen': new Date().toISOString() },
      linux: { cgroup_parent: pod.cgroupParent, security_context: { namespace_options: nsOpts } },
    };
    const sb = await cd.cri.call<{ pod_sandbox_id: string }>('RunPodSandbox', { config, runtime_handler: '' });
    for (const c of pod.containers) {
      const created = await cd.cri.call<{ container_id: string }>('CreateContainer', {
        pod_sandbox_id: sb.pod_sandbox_id,
        sandbox_config: config,
        config: {
          metadata: { name: c.name, attempt: 0 },
          image: { image: cd.image },
          command: ['/bin/busybox', 'sh', '-c', c.sh],
          labels: { ...kubeLabels, 'io.kubernetes.container.name': c.name },
          annotations: { 'io.kubernetes.container.restartCount': '0', 'io.kubernetes.container.terminationMessagePath': '/dev/termination-log' },
          log_path: `${c.name}/0.log`,
          linux: { security_context: { namespace_options: nsOpts, seccomp: { profile_type: 'Localhost', localhost_ref: profile } } },
        },
      });
      await cd.cri.call('StartContainer', { container_id: created.container_id });
      const st = await cd.cri.call<{ status: { state: string }; info: Record<string, string> }>('ContainerStatus', { container_id: created.container_id, verbose: true });
      const pid = (JSON.parse(st.info.info!) as { pid: number }).pid;
      started.push({ pod, container: c.name, id: created.container_id, pid, marker: c.marker });
    }
  }
  // Wait until every container's distinctive call is in the log (auditd writes asynchronously).
  const pids = new Set(started.map((s) => s.pid));
  const got = await recordsSince(mark, (o: Observation) => pids.has(o.pid!), {
    done: (rs) => started.every((s) => namesOf(rs.filter((o) => o.pid === s.pid)).includes(s.marker)),
    maxMs: 20_000,
  });
  for (const s of started) {
    expect(namesOf(got.records.filter((o) => o.pid === s.pid)), `${s.pod.name}/${s.container} (pid ${s.pid}) logged ${s.marker}`).toContain(s.marker);
  }
  // The log since the mark, as a file: every later run reads the same records.
  slice = join(dir, 'audit-since-mark.log');
  writeFileSync(slice, logSince(mark));
}, 180_000);

afterAll(async () => {
  await cd?.stop();
  if (dir) removeDir(dir);
  // The pod cgroups, then the QoS levels the test created (runc makes missing parents; the kubelet would own them).
  expect(removeCgroups([...PODS.map((p) => p.cgroupParent), ...QOS_PARENTS.filter((p) => !preexisting.has(p))]), 'cgroups left behind').toEqual([]);
}, 60_000);

interface Summary {
  profiles: Array<{ key: string; file: string; syscalls: number; containers: Array<{ id: string; records: number; container?: string; pod?: string; namespace?: string; podUid?: string; workload?: { kind: string; name: string } }> }>;
  filtered: number;
}
const allowed = (f: string): string[] =>
  (JSON.parse(readFileSync(f, 'utf8')) as { syscalls: Array<{ names: string[]; action: string }> }).syscalls.filter((s) => s.action === 'SCMP_ACT_ALLOW').flatMap((s) => s.names);

describe('real containerd + CRI', () => {
  test('the kubelet layout: cgroupfs driver, cgroup parent per QoS class, container id as leaf', () => {
    for (const s of started) {
      const cg = readFileSync(`/proc/${s.pid}/cgroup`, 'utf8');
      expect(cg).toContain(`${s.pod.cgroupParent}/${s.id}`);
    }
  });

  test('--split-by workload: every record of every container in its workload, naming pod and container', async () => {
    const out = join(dir, 'by-workload');
    const r = await syscribe(['audit', slice, ...NONE, '--split-by', 'workload', '--namespace', NS, '--cri-socket', cd!.socket, '-o', out, '--json']);
    const sum = JSON.parse(r.stdout) as Summary;
    if (process.env.FLEET_DEBUG) console.log(r.stderr, JSON.stringify(sum.profiles.map((p) => [p.key, p.syscalls, p.containers.map((m) => [m.pod, m.container, m.records])])));
    const workloads = [...new Set(PODS.map((p) => p.workload))].sort();
    expect(readdirSync(out).sort()).toEqual(workloads.map((w) => `${NS}-${w}.json`));
    expect(sum.profiles.map((p) => p.key)).toEqual(workloads.map((w) => `${NS}-${w}`));

    const perPid = await recordsPerPid(slice);
    const kinds: Record<string, string> = { web: 'Deployment', db: 'StatefulSet', agent: 'DaemonSet', backup: 'CronJob' };
    for (const p of sum.profiles) {
      const w = p.key.slice(NS.length + 1);
      const mine = started.filter((s) => s.pod.workload === w);
      // The right containers, with their pod, namespace, container name, pod UID and owner.
      expect(p.containers.map((m) => ({ id: m.id, pod: m.pod, container: m.container, namespace: m.namespace, podUid: m.podUid, kind: m.workload?.kind, name: m.workload?.name })).sort((a, b) => a.id.localeCompare(b.id)))
        .toEqual(mine.map((s) => ({ id: s.id, pod: s.pod.name, container: s.container, namespace: NS, podUid: s.pod.uid, kind: kinds[w], name: w })).sort((a, b) => a.id.localeCompare(b.id)));
      // Every record each container's process wrote is counted in its workload (one process per container).
      for (const m of p.containers) expect(m.records, `${m.pod}/${m.container}`).toBe(perPid.get(mine.find((s) => s.id === m.id)!.pid));
      // The profile has this workload's own call and none of the others'.
      const names = allowed(join(out, `${p.key}.json`));
      expect(names).toContain(mine[0]!.marker);
      for (const other of started.filter((s) => s.marker !== mine[0]!.marker)) expect(names, p.key).not.toContain(other.marker);
    }
    // Nothing of ours was left out: the records kept equal all our pids' records.
    const ours = started.reduce((n, s) => n + (perPid.get(s.pid) ?? 0), 0);
    expect(sum.profiles.flatMap((p) => p.containers).reduce((n, m) => n + m.records, 0)).toBe(ours);
  }, 60_000);

  test('--split-by pod: one profile per pod; replicas apart', async () => {
    const out = join(dir, 'by-pod');
    const r = await syscribe(['audit', slice, ...NONE, '--split-by', 'pod', '--namespace', NS, '--cri-socket', cd!.socket, '-o', out, '--json']);
    const sum = JSON.parse(r.stdout) as Summary;
    expect(sum.profiles.map((p) => p.key)).toEqual(PODS.map((p) => `${NS}-${p.name}`).sort());
    const web1 = sum.profiles.find((p) => p.key === `${NS}-web-7d4b9c8f5-x2x9k`)!;
    expect(web1.containers.map((m) => m.container).sort()).toEqual(['app', 'proxy']);
    // The human summary names pod/container per profile.
    const text = await syscribe(['audit', slice, ...NONE, '--split-by', 'pod', '--namespace', NS, '--cri-socket', cd!.socket, '-o', join(dir, 'by-pod-text')]);
    expect(text.stderr).toMatch(new RegExp(`${NS}-web-7d4b9c8f5-x2x9k: .*\\(\\d+ syscalls observed; web-7d4b9c8f5-x2x9k/(app, web-7d4b9c8f5-x2x9k/proxy|proxy, web-7d4b9c8f5-x2x9k/app)\\)`));
  }, 60_000);

  test('--workload and --namespace filter; one profile', async () => {
    const out = join(dir, 'db.json');
    const r = await syscribe(['audit', slice, ...NONE, '--workload', 'StatefulSet/db', '--namespace', NS, '--cri-socket', cd!.socket, '-o', out, '--json']);
    expect(allowed(out)).toContain('ioprio_set');
    for (const m of ['sched_setaffinity', 'chroot', 'personality']) expect(allowed(out)).not.toContain(m);
    const j = JSON.parse(r.stdout) as { filtered: number; kept: number; filteredByPod: Record<string, number> };
    expect(j.filteredByPod['--namespace / --workload']).toBeGreaterThan(0);
    expect(j.filtered).toBeGreaterThanOrEqual(j.filteredByPod['--namespace / --workload']!);
    // Kept: exactly the records of db-0's one process.
    const perPid = await recordsPerPid(slice);
    expect(j.kept).toBe(perPid.get(started.find((x) => x.pod.workload === 'db')!.pid));
    // Another namespace: nothing of ours.
    const none = join(dir, 'none');
    const o = await syscribe(['audit', slice, ...NONE, '--split-by', 'workload', '--namespace', `${NS}-other`, '--cri-socket', cd!.socket, '-o', none, '--json'], false);
    expect(o.exitCode, o.stderr).toBe(1); // nothing kept: no profiles written
    expect(JSON.parse(o.stdout)).toMatchObject({ empty: true, filteredByPod: { '--namespace': expect.any(Number) }, kept: 0 });
    expect(existsSync(none) ? readdirSync(none) : []).toEqual([]);
  }, 60_000);

  test('CRI socket not reachable: one clear line, attribution falls back to the cgroup (pod UID, container id)', async () => {
    const out = join(dir, 'no-cri');
    const r = await syscribe(['audit', slice, ...NONE, '--split-by', 'workload', '--cri-socket', join(dir, 'nope.sock'), '-o', out, '--json']);
    expect(r.stderr.trim().split('\n').filter((l) => l.includes('CRI'))).toEqual([`syscribe: CRI socket ${join(dir, 'nope.sock')} does not exist: attributing to container ids only`]);
    const keys = (JSON.parse(r.stdout) as Summary).profiles.map((p) => p.key);
    for (const p of PODS) expect(keys).toContain(`pod-${p.uid}`);
    // A filter that needs the runtime is refused (exit 2), never an empty profile with exit 0.
    const bad = await syscribe(['audit', slice, ...NONE, '--namespace', NS, '--cri-socket', join(dir, 'nope.sock'), '-o', join(dir, 'x.json')], false);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--namespace needs the container runtime's CRI: CRI socket .* does not exist/);
  }, 60_000);

  test('--format crd: SPO partial profiles per node; merge --by workload unites them per workload and container', async () => {
    // Two "nodes": each sees part of the fleet (the second replica of web runs on node-b; db on both).
    const pidsOf = (pred: (s: Started) => boolean): Set<number> => new Set(started.filter(pred).map((s) => s.pid));
    const web1app = started.find((s) => s.pod.name === 'web-7d4b9c8f5-x2x9k' && s.container === 'app')!;
    const nodes = {
      'node-a': pidsOf((s) => s === web1app || s.pod.workload === 'db'),
      'node-b': pidsOf((s) => s.pod.name === 'web-7d4b9c8f5-q8j2m' || s.pod.workload === 'db' || s.pod.workload === 'agent'),
    };
    const partials: Record<string, Record<string, { metadata: { name: string; labels: Record<string, string> }; spec: { syscalls: Array<{ names: string[] }> } }>> = {};
    for (const [node, pids] of Object.entries(nodes)) {
      const lines = readFileSync(slice, 'utf8').split('\n').filter((l) => (parseAuditLine(l).obs ?? []).some((o) => o.pid !== undefined && pids.has(o.pid)));
      const log = join(dir, `${node}.log`);
      writeFileSync(log, `${lines.join('\n')}\n`);
      const out = join(dir, 'partials', node);
      await syscribe(['audit', log, ...NONE, '--split-by', 'workload', '--namespace', NS, '--format', 'crd', '--cri-socket', cd!.socket, '-o', out], true, { NODE_NAME: node });
      partials[node] = {};
      for (const f of readdirSync(out)) {
        const o = parseYaml(readFileSync(join(out, f), 'utf8'));
        expect(await k8sErrors(o), `${node}/${f}`).toEqual([]);
        partials[node]![f] = o;
      }
    }
    expect(Object.keys(partials['node-a']!).sort()).toEqual([`${NS}-db.yaml`, `${NS}-web.yaml`]);
    expect(Object.keys(partials['node-b']!).sort()).toEqual([`${NS}-agent.yaml`, `${NS}-db.yaml`, `${NS}-web.yaml`]);
    // SPO's labels, as its recorder writes them for a ProfileRecording with mergeStrategy Containers.
    expect(partials['node-a']![`${NS}-web.yaml`]!.metadata).toMatchObject({
      name: 'web-app-node-a',
      labels: { 'spo.x-k8s.io/partial': 'true', 'spo.x-k8s.io/recording-id': 'web', 'spo.x-k8s.io/recording-namespace': NS, 'spo.x-k8s.io/container-id': 'app' },
    });
    expect(partials['node-b']![`${NS}-db.yaml`]!.metadata.name).toBe('db-postgres-node-b');

    const merged = join(dir, 'merged');
    const r = await syscribe(['merge', '--by', 'workload', join(dir, 'partials', 'node-a'), join(dir, 'partials', 'node-b'), '--format', 'crd', '-o', merged]);
    expect(readdirSync(merged).sort()).toEqual(['agent-agent.yaml', 'db-postgres.yaml', 'web-app.yaml']);
    expect(r.stderr).toMatch(/web-app: 2 partials/);
    expect(r.stderr).toMatch(/agent-agent: 1 partial /);
    const names = (o: { spec: { syscalls: Array<{ names: string[] }> } }): string[] => o.spec.syscalls.flatMap((x) => x.names).sort();
    const webApp = parseYaml(readFileSync(join(merged, 'web-app.yaml'), 'utf8'));
    expect(await k8sErrors(webApp)).toEqual([]);
    expect(webApp.metadata).toEqual({ name: 'web-app', labels: { 'spo.x-k8s.io/recording-id': 'web', 'spo.x-k8s.io/recording-namespace': NS } });
    // The union of both nodes' partials, nothing more; the web containers' call, not db's.
    expect(names(webApp)).toEqual([...new Set([...names(partials['node-a']![`${NS}-web.yaml`]!), ...names(partials['node-b']![`${NS}-web.yaml`]!)])].sort());
    expect(names(webApp)).toContain('sched_setaffinity');
    expect(names(webApp)).not.toContain('ioprio_set');
  }, 60_000);

  test('the node agent (--follow --split-by workload --format crd) writes the same partials as one pass, and its state', async () => {
    const env = { NODE_NAME: 'node-f' };
    const ref = join(dir, 'agent-ref');
    await syscribe(['audit', slice, ...NONE, '--split-by', 'workload', '--namespace', NS, '--format', 'crd', '--cri-socket', cd!.socket, '-o', ref], true, env);
    const out = join(dir, 'agent-out');
    const p = spawnCli(['audit', slice, '--follow', '--from-start', ...NONE, '--split-by', 'workload', '--namespace', NS, '--format', 'crd', '--cri-socket', cd!.socket, '--flush-interval', '0.5', '-o', out], { env });
    const size = statSync(slice).size;
    for (let i = 0; i < 100; i++) {
      try {
        if ((JSON.parse(readFileSync(`${out}.state.json`, 'utf8')) as { log?: { pos: number } }).log?.pos === size) break;
      } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    p.kill('SIGTERM');
    const r = await p;
    expect(r.exitCode, r.stderr).toBe(0);
    const files = (d: string) => Object.fromEntries(readdirSync(d).sort().map((f) => [f, readFileSync(join(d, f), 'utf8')]));
    expect(Object.keys(files(out))).toEqual([...new Set(PODS.map((x) => `${NS}-${x.workload}.yaml`))].sort());
    expect(files(out)).toEqual(files(ref));
    const st = JSON.parse(readFileSync(`${out}.state.json`, 'utf8')) as { groups: Record<string, { records: number; members: Array<{ container?: string }> }> };
    const perPid = await recordsPerPid(slice);
    expect(st.groups[`${NS}-db`]!.records).toBe(perPid.get(started.find((x) => x.pod.workload === 'db')!.pid));
    expect(st.groups[`${NS}-web`]!.members.map((m) => m.container).sort()).toEqual(['app', 'proxy']);
  }, 60_000);

  test('--container with the full id and a prefix (hex) still works on CRI containers', async () => {
    const s = started.find((x) => x.pod.workload === 'agent')!;
    const out = join(dir, 'agent-by-id.json');
    await syscribe(['audit', slice, ...NONE, '--container', s.id.slice(0, 12), '-o', out]);
    expect(allowed(out)).toContain('chroot');
    expect(allowed(out)).not.toContain('ioprio_set');
  }, 60_000);
});
