/**
 * container id → pod namespace, pod name, pod UID, container name and the pod's
 * labels, from the node's container runtime through the CRI: one
 * ListPodSandbox + ListContainers per refresh (both are cached), then
 * ContainerStatus / PodSandboxStatus for an id the lists did not have (created
 * since, or a prefix). The kubelet's labels are read: io.kubernetes.pod.name,
 * io.kubernetes.pod.namespace, io.kubernetes.pod.uid, io.kubernetes.container.name
 * (the CRI metadata fields when a label is missing).
 */
import type { OptionNamer } from '../errors.js';
import { CriClient, CriError, DEFAULT_CRI_SOCKETS, findCriSocket } from './cri.js';

export interface PodContainer {
  id: string;
  /** Container name in the pod spec. */
  name: string;
  podName: string;
  podNamespace: string;
  podUid: string;
  podSandboxId: string;
  /** The pod's labels (pod-template-hash, controller-revision-hash, job-name, …). */
  podLabels: Record<string, string>;
}

interface CriContainer {
  id: string;
  pod_sandbox_id: string;
  metadata?: { name?: string };
  labels?: Record<string, string>;
}
interface CriSandbox {
  id: string;
  metadata?: { name?: string; uid?: string; namespace?: string };
  labels?: Record<string, string>;
}

export class PodDirectory {
  private client: CriClient | undefined;
  private readonly containers = new Map<string, PodContainer | null>();
  private readonly sandboxes = new Map<string, CriSandbox>();
  private loaded = false;
  /** Why the runtime could not be asked (one line), once it failed. */
  failure: string | undefined;

  /** `socket` undefined: the first of DEFAULT_CRI_SOCKETS that exists. `name`: how the caller names an option in `failure` (default its own name). */
  constructor(readonly socket?: string, private readonly timeoutMs = 5000, private readonly name: OptionNamer = (x) => x) {}

  private async connect(): Promise<CriClient | undefined> {
    if (this.client || this.failure) return this.client;
    const sock = this.socket ?? findCriSocket();
    if (!sock) {
      this.failure = `no CRI socket (tried ${DEFAULT_CRI_SOCKETS.join(', ')}; give ${this.name('criSocket')})`;
      return undefined;
    }
    try {
      this.client = await CriClient.connect(sock, this.timeoutMs);
    } catch (e) {
      this.failure = e instanceof CriError ? e.message : `CRI socket ${sock}: ${(e as Error).message}`;
    }
    return this.client;
  }

  private podOf(c: CriContainer, sb: CriSandbox | undefined): PodContainer {
    const l = c.labels ?? {};
    const sl = sb?.labels ?? {};
    return {
      id: c.id,
      name: l['io.kubernetes.container.name'] ?? c.metadata?.name ?? '',
      podName: l['io.kubernetes.pod.name'] ?? sb?.metadata?.name ?? '',
      podNamespace: l['io.kubernetes.pod.namespace'] ?? sb?.metadata?.namespace ?? '',
      podUid: l['io.kubernetes.pod.uid'] ?? sb?.metadata?.uid ?? '',
      podSandboxId: c.pod_sandbox_id,
      podLabels: Object.fromEntries(Object.entries(sl).filter(([k]) => !k.startsWith('io.kubernetes.'))),
    };
  }

  /** Read every pod sandbox and container the runtime knows (running or exited, until removed). */
  private async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    const cri = await this.connect();
    if (!cri) return;
    try {
      const pods = await cri.call<{ items: CriSandbox[] }>('ListPodSandbox', {});
      for (const p of pods.items ?? []) this.sandboxes.set(p.id, p);
      const cs = await cri.call<{ containers: CriContainer[] }>('ListContainers', {});
      for (const c of cs.containers ?? []) this.containers.set(c.id, this.podOf(c, this.sandboxes.get(c.pod_sandbox_id)));
    } catch (e) {
      this.failure = (e as Error).message;
    }
  }

  private async status(id: string): Promise<PodContainer | null> {
    const cri = this.client;
    if (!cri) return null;
    try {
      const st = await cri.call<{ status?: CriContainer & { labels?: Record<string, string> } }>('ContainerStatus', { container_id: id, verbose: false });
      if (!st.status) return null;
      const l = st.status.labels ?? {};
      // ContainerStatus has no sandbox id: find the sandbox by the pod UID label.
      let sb = [...this.sandboxes.values()].find((s) => s.metadata?.uid === l['io.kubernetes.pod.uid']);
      if (!sb && l['io.kubernetes.pod.uid']) {
        const ps = await cri.call<{ items: CriSandbox[] }>('ListPodSandbox', { filter: { label_selector: { 'io.kubernetes.pod.uid': l['io.kubernetes.pod.uid'] } } });
        sb = ps.items?.[0];
        if (sb) this.sandboxes.set(sb.id, sb);
      }
      return this.podOf({ ...st.status, pod_sandbox_id: sb?.id ?? '' }, sb);
    } catch {
      return null;
    }
  }

  /** Pod and container of these ids (64-hex ids or prefixes); absent from the map when unknown. */
  async resolve(ids: Iterable<string>): Promise<Map<string, PodContainer>> {
    await this.load();
    const out = new Map<string, PodContainer>();
    for (const id of ids) {
      let hit = this.containers.get(id);
      if (hit === undefined && this.client) {
        hit = await this.status(id);
        this.containers.set(id, hit);
      }
      if (hit) out.set(id, hit);
    }
    return out;
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
  }
}
