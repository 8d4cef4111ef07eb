/**
 * Servers under verify: wait until a server in a container is ready (a TCP
 * port on 127.0.0.1 accepts connections, or a host command exits 0), then run
 * client commands (probes) from the host against it. Everything runs without
 * a shell; the container shares the host's network.
 */
import { connect } from 'node:net';
import type { OptionNamer } from '../errors.js';
import { loadExeca } from '../util/exec.js';

export interface Readiness {
  /** TCP port on 127.0.0.1 that accepts a connection once the server is ready. */
  port?: number;
  /** A host command (argv) that exits 0 once the server is ready; retried. */
  cmd?: string[];
  /** Give up after this many seconds. */
  timeoutSec: number;
}

/** Does 127.0.0.1:port accept a TCP connection (within `ms`)? */
export function portOpen(port: number, ms = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    const end = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(ms, () => end(false));
    s.once('connect', () => end(true));
    s.once('error', () => end(false));
  });
}

export interface ReadyOutcome {
  ready: boolean;
  /** Seconds from the start of waiting until ready (or until giving up). */
  seconds: number;
  /** Why it is not ready, in words. */
  why?: string;
  /** The last attempt of --ready-cmd (exit status, first stderr line). */
  lastAttempt?: { exitCode?: number; stderr: string };
}

/**
 * Poll until ready, until `gone()` says the server is over (it exited: not
 * ready), or until the timeout. Polls every 100 ms (port) or runs the command
 * again 200 ms after each failed attempt, each attempt limited to the time left.
 */
/** Wait until the server is ready (`name`: how the caller names an option in `why`; default its own name). */
export async function waitReady(r: Readiness, gone: () => boolean, name: OptionNamer = (x) => x): Promise<ReadyOutcome> {
  const t0 = Date.now();
  const left = () => r.timeoutSec * 1000 - (Date.now() - t0);
  const secs = () => Math.round((Date.now() - t0) / 100) / 10;
  let lastAttempt: ReadyOutcome['lastAttempt'];
  for (;;) {
    if (r.port !== undefined) {
      if (await portOpen(r.port, Math.max(100, Math.min(1000, left())))) return { ready: true, seconds: secs() };
    } else if (r.cmd) {
      const execa = await loadExeca();
      const [file, ...args] = r.cmd as [string, ...string[]];
      const res = await execa(file, args, { reject: false, stdin: 'ignore', encoding: 'utf8', timeout: Math.max(100, left()), forceKillAfterDelay: 1000 });
      if (res.exitCode === 0) return { ready: true, seconds: secs() };
      if ((res as { code?: string }).code === 'ENOENT') return { ready: false, seconds: secs(), why: `${name('readyCmd')} ${file}: command not found` };
      lastAttempt = { stderr: String(res.stderr ?? '') };
      if (res.exitCode !== undefined) lastAttempt.exitCode = res.exitCode;
    }
    if (gone()) return { ready: false, seconds: secs(), why: 'the server exited before it was ready', ...(lastAttempt ? { lastAttempt } : {}) };
    if (left() <= 0) {
      const what = r.port !== undefined ? `nothing accepted connections on 127.0.0.1:${r.port}` : 'the ready command never exited 0';
      return { ready: false, seconds: secs(), why: `not ready within ${r.timeoutSec}s: ${what}`, ...(lastAttempt ? { lastAttempt } : {}) };
    }
    await new Promise((res) => setTimeout(res, r.port !== undefined ? 100 : 200));
  }
}

export interface ProbeRun {
  /** The probe's exit status (undefined when it did not run or was killed). */
  exitCode?: number;
  ok: boolean;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Why it did not run (e.g. command not found). */
  error?: string;
  seconds: number;
}

/** Run one probe on the host (no shell, stdin /dev/null); ok = exit 0 within the timeout. */
export async function runProbe(argv: string[], timeoutSec: number): Promise<ProbeRun> {
  const execa = await loadExeca();
  const [file, ...args] = argv as [string, ...string[]];
  const t0 = Date.now();
  const r = await execa(file, args, { reject: false, stdin: 'ignore', encoding: 'utf8', timeout: timeoutSec * 1000, forceKillAfterDelay: 1000, maxBuffer: 16 << 20 });
  const out: ProbeRun = {
    ok: r.exitCode === 0 && !r.timedOut,
    timedOut: !!r.timedOut,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    seconds: Math.round((Date.now() - t0) / 10) / 100,
  };
  if (r.exitCode !== undefined) out.exitCode = r.exitCode;
  const code = (r as { code?: string }).code;
  if (code === 'ENOENT') out.error = `${file}: command not found`;
  return out;
}
