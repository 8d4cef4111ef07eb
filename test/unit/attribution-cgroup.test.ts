// cgroup paths of the kubelet (cgroupfs and systemd drivers, containerd and CRI-O, cgroup v1 and
// v2, the three QoS classes) → container id + pod UID + QoS; named containers of runc/crun/LXC.
import { describe, expect, test } from 'vitest';
import { attributeCgroupFile, attributePath, podOfSegment } from '../../src/attribution/cgroup.js';

const ID = '3c7d8e1f5a9b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d';
const UID = '5f0c2a8e-4b1d-4c3e-9a7f-2d6b8e1c0f93';
const UID_ = UID.replace(/-/g, '_');

/** A cgroup v1 file: every controller holds the same path (what runc writes for a container). */
const v1 = (path: string): string =>
  ['12:hugetlb', '11:pids', '10:memory', '9:cpu,cpuacct', '8:blkio', '7:devices', '6:freezer', '5:net_cls,net_prio', '4:cpuset', '3:perf_event', '2:rdma', '1:name=systemd']
    .map((h) => `${h}:${path}`).join('\n') + '\n0::/\n';
const v2 = (path: string): string => `0::${path}\n`;

describe('kubelet layouts → container id, pod UID, QoS', () => {
  const cases: Array<[string, string, 'guaranteed' | 'burstable' | 'besteffort']> = [
    // cgroupfs driver, containerd: <parent>/<id>
    ['cgroupfs containerd besteffort', `/kubepods/besteffort/pod${UID}/${ID}`, 'besteffort'],
    ['cgroupfs containerd burstable', `/kubepods/burstable/pod${UID}/${ID}`, 'burstable'],
    ['cgroupfs containerd guaranteed', `/kubepods/pod${UID}/${ID}`, 'guaranteed'],
    // cgroupfs driver, CRI-O: <parent>/crio-<id>
    ['cgroupfs CRI-O besteffort', `/kubepods/besteffort/pod${UID}/crio-${ID}`, 'besteffort'],
    ['cgroupfs CRI-O guaranteed', `/kubepods/pod${UID}/crio-${ID}`, 'guaranteed'],
    // systemd driver, containerd: cri-containerd-<id>.scope in the pod slice
    ['systemd containerd besteffort', `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/cri-containerd-${ID}.scope`, 'besteffort'],
    ['systemd containerd burstable', `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/cri-containerd-${ID}.scope`, 'burstable'],
    ['systemd containerd guaranteed', `/kubepods.slice/kubepods-pod${UID_}.slice/cri-containerd-${ID}.scope`, 'guaranteed'],
    // systemd driver, CRI-O: crio-<id>.scope
    ['systemd CRI-O besteffort', `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/crio-${ID}.scope`, 'besteffort'],
    ['systemd CRI-O burstable', `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/crio-${ID}.scope`, 'burstable'],
    ['systemd CRI-O guaranteed', `/kubepods.slice/kubepods-pod${UID_}.slice/crio-${ID}.scope`, 'guaranteed'],
    // cri-dockerd, systemd driver
    ['systemd cri-dockerd burstable', `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/docker-${ID}.scope`, 'burstable'],
    // kind / k3s-in-docker: the node is itself a container; cgroupns shows the node's view
    ['kind node (nested under the node container)', `/docker/${'a'.repeat(64)}/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod${UID_}.slice/cri-containerd-${ID}.scope`, 'besteffort'],
  ];
  for (const [what, path, qos] of cases) {
    test(`${what}, cgroup v1`, () => {
      expect(attributeCgroupFile(v1(path))).toEqual({ containerId: ID, named: false, podUid: UID, qos, path });
    });
    test(`${what}, cgroup v2`, () => {
      expect(attributeCgroupFile(v2(path))).toEqual({ containerId: ID, named: false, podUid: UID, qos, path });
    });
  }

  test('a hybrid v1 host where only some controllers are set (first container line wins)', () => {
    const path = `/kubepods/burstable/pod${UID}/${ID}`;
    const text = `12:cpuset:/\n11:memory:${path}\n1:name=systemd:${path}\n0::/\n`;
    expect(attributeCgroupFile(text)).toMatchObject({ containerId: ID, podUid: UID, qos: 'burstable' });
  });

  test("CRI-O's conmon and the pod cgroup itself are not containers", () => {
    expect(attributeCgroupFile(v2(`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/crio-conmon-${ID}.scope`))).toBeUndefined();
    expect(attributeCgroupFile(v1(`/kubepods/besteffort/pod${UID}/crio-conmon-${ID}`))).toBeUndefined();
    expect(attributeCgroupFile(v1(`/kubepods/besteffort/pod${UID}`))).toBeUndefined();
  });

  test('static pods: the UID is a 32-hex hash', () => {
    const h = '8a9c0d2e4f6b8a0c2e4f6a8b0c2d4e6f';
    expect(attributePath(`/kubepods/burstable/pod${h}/${ID}`)).toMatchObject({ podUid: h, qos: 'burstable' });
  });

  test('docker in a pod: the inner container is not the pod\'s (no pod UID on it)', () => {
    const inner = 'b'.repeat(64);
    const a = attributePath(`/kubepods/besteffort/pod${UID}/${ID}/docker/${inner}`);
    expect(a).toEqual({ containerId: inner, named: false, path: `/kubepods/besteffort/pod${UID}/${ID}/docker/${inner}` });
  });

  test('podOfSegment', () => {
    expect(podOfSegment(`pod${UID}`, 'kubepods')).toEqual({ podUid: UID, qos: 'guaranteed' });
    expect(podOfSegment(`kubepods-burstable-pod${UID_}.slice`, 'kubepods-burstable.slice')).toEqual({ podUid: UID, qos: 'burstable' });
    expect(podOfSegment('podman', undefined)).toBeUndefined();
    expect(podOfSegment('kubepods-besteffort.slice', undefined)).toBeUndefined();
  });
});

describe('Docker, Podman (no pod)', () => {
  test.each([
    [`/docker/${ID}`],
    [`/system.slice/docker-${ID}.scope`],
    [`/machine.slice/libpod-${ID}.scope/container`],
  ])('%s', (p) => expect(attributeCgroupFile(v2(p))).toEqual({ containerId: ID, named: false, path: p }));
});

describe('named containers (runc, crun, LXC)', () => {
  test.each([
    ['runc/crun without cgroupsPath, cgroupfs driver, v1', v1('/fleet-db_1'), 'fleet-db_1'],
    ['runc without cgroupsPath, cgroupfs driver, v2', v2('/fleet-db_1'), 'fleet-db_1'],
    ['runc --systemd-cgroup without cgroupsPath', v2('/system.slice/runc-web.2.scope'), 'web.2'],
    ['LXC 4+ (cgroup v2)', v2('/lxc.payload.builder'), 'builder'],
    ['LXC (cgroup v1)', v1('/lxc/builder'), 'builder'],
    // runc joins a relative cgroup to its own: run from a login shell on a systemd host (runc issue 4047's listing)
    ['runc from a login session, cgroup v2', v2('/user.slice/user-0.slice/session-1.scope/container-1'), 'container-1'],
    ['runc from a login session, cgroup v1 (some controllers nested, some at the root)',
      '12:rdma:/container-1\n11:pids:/user.slice/user-0.slice/session-1.scope/container-1\n1:name=systemd:/user.slice/user-0.slice/session-1.scope/container-1\n0::/container-1\n', 'container-1'],
    ['runc from a service', v2('/system.slice/ci-runner.service/job-42'), 'job-42'],
  ])('%s', (_, text, name) => expect(attributeCgroupFile(text)).toMatchObject({ containerId: name, named: true }));

  test('host processes are not containers', () => {
    for (const p of ['/', '/init.scope', '/user.slice/user-1000.slice/user@1000.service/init.scope', '/user.slice/user-1000.slice/user@1000.service/app.slice/dbus.service', '/system.slice/docker.service', '/user.slice/user-0.slice/session-3.scope', '/system.slice/ssh.service', '/kubepods', '/docker', '/system.slice', '/process_api/614bf96eae83a462d382d5a35a1fa664']) {
      expect(attributeCgroupFile(v1(p)), p).toBeUndefined();
      expect(attributeCgroupFile(v2(p)), p).toBeUndefined();
    }
    expect(attributeCgroupFile('')).toBeUndefined();
    expect(attributeCgroupFile('garbage\n')).toBeUndefined();
  });
});
