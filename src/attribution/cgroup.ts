/**
 * What a process's cgroup path says about it: the container (id or name), and
 * — when the kubelet placed it — the pod's UID and QoS class. Pure functions
 * over the text of /proc/<pid>/cgroup (cgroup v1: one line per hierarchy;
 * v2: the single `0::` line).
 *
 * Layouts understood (the innermost container segment wins):
 *
 * | who | cgroup driver | container's cgroup |
 * |---|---|---|
 * | kubelet + containerd | cgroupfs | `/kubepods[/besteffort|/burstable]/pod<uid>/<id>` |
 * | kubelet + containerd | systemd | `/kubepods.slice[/kubepods-<qos>.slice]/kubepods[-<qos>]-pod<uid_>.slice/cri-containerd-<id>.scope` |
 * | kubelet + CRI-O | cgroupfs | `/kubepods[/<qos>]/pod<uid>/crio-<id>` |
 * | kubelet + CRI-O | systemd | `…/kubepods[-<qos>]-pod<uid_>.slice/crio-<id>.scope` |
 * | kubelet + cri-dockerd | either | `…/pod<uid>/<id>`, `…/docker-<id>.scope` |
 * | Docker / Podman | either | `/docker/<id>`, `docker-<id>.scope`, `libpod-<id>.scope` |
 * | runc without cgroupsPath | cgroupfs / systemd | `/<name>` or `…/<caller's scope or service>/<name>`, `/system.slice/runc-<name>.scope` |
 * | LXC | either | `/lxc/<name>`, `/lxc.payload.<name>` |
 *
 * Guaranteed pods sit directly under kubepods (no QoS level). The pod UID in a
 * systemd slice name has its dashes turned into underscores; it is given back
 * with dashes. `crio-conmon-<id>` is CRI-O's monitor, not the container.
 */

export type QosClass = 'guaranteed' | 'burstable' | 'besteffort';

export interface CgroupAttribution {
  /** 64-hex id, or a runtime's name for a named container (runc, LXC). */
  containerId: string;
  /** Whether containerId is a name rather than a 64-hex id. */
  named: boolean;
  /** Pod UID (with dashes), when the container's parent is a kubelet pod cgroup. */
  podUid?: string;
  qos?: QosClass;
  /** The path the attribution was read from. */
  path: string;
}

const HEX64_SEG = /^(?:cri-containerd-|crio-|docker-|libpod-)?([0-9a-f]{64})(?:\.scope)?$/;
/** A pod cgroup: `pod<uid>` (cgroupfs) or `[<root>-]kubepods[-qos]-pod<uid_>.slice` (systemd; kind's kubelet uses the root `kubelet`). */
const POD_SEG = /^(?:pod([0-9a-fA-F][0-9a-fA-F-]*)|(?:[A-Za-z0-9_]+-)?kubepods(?:-(besteffort|burstable))?-pod([0-9a-fA-F][0-9a-fA-F_]*)\.slice)$/;
const NAME = '[A-Za-z0-9_+-][A-Za-z0-9_+.-]{0,1023}';
const RUNC_SCOPE = new RegExp(`^(?:runc)-(${NAME})\\.scope$`);
const LXC_PAYLOAD = new RegExp(`^lxc\\.payload\\.(${NAME})$`);
const TOP_NAME = new RegExp(`^${NAME}$`);
/** Top-level cgroups that are never a container: systemd units and the usual roots. */
const NOT_A_NAME = /\.(?:slice|scope|service|mount|socket|swap)$|^(?:kubepods|docker|lxc|machine|init|user|system|besteffort|burstable)$/;

export interface PodCgroup {
  podUid: string;
  qos: QosClass;
}

/** A pod cgroup segment (and the segment before it, for the cgroupfs QoS level) → UID and QoS. */
export function podOfSegment(seg: string, parent: string | undefined): PodCgroup | undefined {
  const m = POD_SEG.exec(seg);
  if (!m) return undefined;
  if (m[1] !== undefined) {
    const qos: QosClass = parent === 'besteffort' || parent === 'burstable' ? parent : 'guaranteed';
    return { podUid: m[1], qos };
  }
  return { podUid: m[3]!.replace(/_/g, '-'), qos: (m[2] as QosClass | undefined) ?? 'guaranteed' };
}

/** One cgroup path (the part after `hierarchy:controllers:`) → attribution, or undefined. */
export function attributePath(path: string): CgroupAttribution | undefined {
  const segs = path.split('/').filter((s) => s !== '');
  for (let i = segs.length - 1; i >= 0; i--) {
    const m = HEX64_SEG.exec(segs[i]!);
    if (!m) continue;
    const out: CgroupAttribution = { containerId: m[1]!, named: false, path };
    const pod = i > 0 ? podOfSegment(segs[i - 1]!, segs[i - 2]) : undefined;
    if (pod) {
      out.podUid = pod.podUid;
      out.qos = pod.qos;
    }
    return out;
  }
  // Named containers (no 64-hex id anywhere on the path).
  for (let i = segs.length - 1; i >= 0; i--) {
    const s = segs[i]!;
    const m = RUNC_SCOPE.exec(s) ?? LXC_PAYLOAD.exec(s);
    if (m) return { containerId: m[1]!, named: true, path };
    if (i > 0 && segs[i - 1] === 'lxc' && TOP_NAME.test(s)) return { containerId: s, named: true, path };
  }
  // runc's default for a container without cgroupsPath (cgroupfs driver): the name joined to runc's
  // own cgroup: `/<name>`, or — run from a login session or a service — `…/session-1.scope/<name>`,
  // `…/<unit>.service/<name>` (systemd leaves no other non-unit cgroups below scopes and services).
  const leaf = segs[segs.length - 1];
  if (leaf !== undefined && TOP_NAME.test(leaf) && !NOT_A_NAME.test(leaf)) {
    const parent = segs[segs.length - 2];
    if (parent === undefined || /\.(?:scope|service)$/.test(parent)) return { containerId: leaf, named: true, path };
  }
  return undefined;
}

/**
 * The attribution named by a /proc/<pid>/cgroup file: the first line (in file
 * order) whose path names a container. cgroup v1 controllers agree for
 * containers; v2 has one line.
 */
export function attributeCgroupFile(text: string): CgroupAttribution | undefined {
  for (const line of text.split('\n')) {
    // "hierarchy-ID:controllers:path" (the path may itself hold ':').
    const c1 = line.indexOf(':');
    const c2 = c1 < 0 ? -1 : line.indexOf(':', c1 + 1);
    if (c2 < 0) continue;
    const a = attributePath(line.slice(c2 + 1));
    if (a) return a;
  }
  return undefined;
}

/** A 64-hex container id (as opposed to a runtime's container name). */
export function isHexId(id: string): boolean {
  return /^[0-9a-f]{64}$/.test(id);
}
