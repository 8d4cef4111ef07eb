// Shared by the benches: run a command and measure it.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';

/** Run a command (argv, no shell); wall seconds and peak RSS (KiB, from /proc VmHWM, polled). */
export async function measure(cmd, argv, opts = {}) {
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd, argv, { stdio: ['ignore', opts.stdout ?? 'ignore', 'pipe'], ...opts.spawn });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let peak = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]));
    } catch { /* exited */ }
  }, 5);
  const [code] = await once(child, 'exit');
  clearInterval(poll);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (code !== 0 && !opts.allowFail) throw new Error(`${cmd} ${argv.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`);
  return { secs, rssKiB: peak, code, stderr };
}
