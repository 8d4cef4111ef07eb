/**
 * A minimal client of the kubelet's Container Runtime Interface (CRI,
 * runtime.v1.RuntimeService) over the runtime's unix socket: containerd
 * (/run/containerd/containerd.sock) or CRI-O (/var/run/crio/crio.sock).
 *
 * gRPC and protobuf are heavy (≈1 s to import on a busy node): they are loaded
 * on first use only, so commands that never ask the runtime do not pay for
 * them. The service definition is the upstream api.proto, kept as data in
 * src/data/upstream/ (see its README for provenance).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where the CRI socket usually is, in the order they are tried. */
export const DEFAULT_CRI_SOCKETS = ['/run/containerd/containerd.sock', '/var/run/crio/crio.sock', '/run/crio/crio.sock'];

const PROTO = fileURLToPath(new URL('../../src/data/upstream/cri-api-runtime-v1.proto', import.meta.url));

/** Raw messages as proto-loader gives them (keepCase: snake_case fields, enums as strings, 64-bit as strings). */
export type CriMessage = Record<string, unknown>;

type Unary = (req: CriMessage, opts: { deadline: number }, cb: (err: Error | null, res: CriMessage) => void) => void;
interface RawClient {
  close(): void;
  [method: string]: unknown;
}

let loaded: Promise<{ grpc: typeof import('@grpc/grpc-js'); service: new (addr: string, creds: unknown) => RawClient }> | undefined;

function loadGrpc(): NonNullable<typeof loaded> {
  loaded ??= (async () => {
    const [grpc, loader] = await Promise.all([import('@grpc/grpc-js'), import('@grpc/proto-loader')]);
    const def = loader.loadSync(PROTO, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { runtime: { v1: { RuntimeService: new (addr: string, creds: unknown) => RawClient } } };
    return { grpc, service: pkg.runtime.v1.RuntimeService };
  })();
  return loaded;
}

export class CriError extends Error {}

/** The first socket of `candidates` that exists, or undefined. */
export function findCriSocket(candidates = DEFAULT_CRI_SOCKETS): string | undefined {
  return candidates.find((p) => existsSync(p));
}

export class CriClient {
  private constructor(readonly socket: string, private readonly raw: RawClient, private readonly timeoutMs: number) {}

  /**
   * Connect and check the runtime answers (Version). Throws CriError with a
   * one-line reason when the socket is missing, refused, or not a CRI server.
   */
  static async connect(socket: string, timeoutMs = 5000): Promise<CriClient> {
    if (!existsSync(socket)) throw new CriError(`CRI socket ${socket} does not exist`);
    const { grpc, service } = await loadGrpc();
    const raw = new service(`unix://${socket}`, grpc.credentials.createInsecure());
    const c = new CriClient(socket, raw, timeoutMs);
    try {
      await c.call('Version', { version: 'v1' });
    } catch (e) {
      raw.close();
      throw new CriError(`CRI socket ${socket} does not answer: ${(e as Error).message.split('\n')[0]}`);
    }
    return c;
  }

  /** One unary call of runtime.v1.RuntimeService (method name as in the proto, e.g. 'ListContainers'). */
  call<T = CriMessage>(method: string, req: CriMessage = {}, timeoutMs = this.timeoutMs): Promise<T> {
    const lower = method[0]!.toLowerCase() + method.slice(1);
    const fn = (this.raw[method] ?? this.raw[lower]) as Unary | undefined;
    if (typeof fn !== 'function') return Promise.reject(new CriError(`CRI has no method ${method}`));
    return new Promise<T>((resolve, reject) => {
      fn.call(this.raw, req, { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolve(res as T)));
    }).catch((e: Error & { details?: string }) => {
      throw new CriError(`CRI ${method}: ${e.details || e.message}`);
    });
  }

  close(): void {
    this.raw.close();
  }
}
