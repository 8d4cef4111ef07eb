// The CRI client's failure messages against real sockets that are not a CRI server (a missing path,
// a stale socket file nobody listens on, a server that hangs up). The happy path runs against a real
// containerd in test/integration/fleet-containerd.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { CriClient } from '../../src/attribution/cri.js';
import { PodDirectory } from '../../src/attribution/pods.js';

const dir = mkdtempSync(join(tmpdir(), 'syscribe-cri-'));
const servers: Server[] = [];
const sockets: Socket[] = [];
afterAll(async () => {
  for (const c of sockets) c.destroy();
  for (const s of servers) await new Promise((r) => s.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function listen(path: string, onConn: (s: Socket) => void): Promise<Server> {
  const srv = createServer((c) => {
    sockets.push(c);
    onConn(c);
  });
  servers.push(srv);
  return new Promise((r) => srv.listen(path, () => r(srv)));
}

test('a missing socket: one line, no gRPC needed', async () => {
  await expect(CriClient.connect(join(dir, 'missing.sock'))).rejects.toThrow(`CRI socket ${join(dir, 'missing.sock')} does not exist`);
});

test('a server that hangs up on every connection: "does not answer", within the timeout', async () => {
  const p = join(dir, 'hangup.sock');
  await listen(p, (s) => s.destroy());
  const t0 = Date.now();
  const err = await CriClient.connect(p, 1500).then(() => undefined, (e: Error) => e);
  expect(err?.message).toMatch(new RegExp(`^CRI socket ${p} does not answer: `));
  expect(err?.message).not.toContain('\n');
  expect(Date.now() - t0).toBeLessThan(5000);
}, 15_000);

test('a server that never speaks HTTP/2: "does not answer" after the deadline', async () => {
  const p = join(dir, 'silent.sock');
  await listen(p, () => undefined);
  const err = await CriClient.connect(p, 800).then(() => undefined, (e: Error) => e);
  expect(err?.message).toMatch(/does not answer: .*(Deadline|deadline)/);
}, 15_000);

test('PodDirectory keeps the one-line failure and resolves nothing', async () => {
  const pods = new PodDirectory(join(dir, 'missing.sock'));
  expect((await pods.resolve(['a'.repeat(64)])).size).toBe(0);
  expect(pods.failure).toBe(`CRI socket ${join(dir, 'missing.sock')} does not exist`);
  pods.close();
});
