#!/usr/bin/env node
// npm run bench:fleet — fleet mode at scale, simulated on one machine (issue 15 part 4).
//
//   1. Per node: an audit log of --records SECCOMP records (the real auditd record shape) from
//      the containers of --workloads workloads × --replicas replicas spread over --nodes nodes,
//      with a procfs of its own (--proc-root: /proc/<pid>/stat and /proc/<pid>/cgroup in the
//      kubelet's cgroupfs layout), read by `syscribe audit --split-by container`: records/s and
//      peak RSS per node, next to `wc -l` and an awk one-liner on the same log.
//   2. Across nodes: --partials partial profiles (one per workload per node, as the node agent
//      writes them) merged by `syscribe merge --by workload`: wall time, peak RSS, and the size
//      of the largest merged object against etcd's 1.5 MiB object limit.
//
// Options: --nodes N (3), --workloads M (50), --replicas R (4), --records K per node (1000000),
// --partials P (1000: 100 workloads × 10 nodes). Needs nothing but node, awk and wc.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { measure } from './measure.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out', 'fleet');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const bin = join(root, 'bin', 'syscribe.js');
const args = process.argv.slice(2);
const opt = (name, d) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : d);
const NODES = opt('nodes', 3);
const WORKLOADS = opt('workloads', 50);
const REPLICAS = opt('replicas', 4);
const RECORDS = opt('records', 1_000_000);
const PARTIALS = opt('partials', 1000);


const hex = (s, n) => createHash('sha256').update(s).digest('hex').slice(0, n);
const uid = (s) => { const h = hex(s, 32); return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`; };
// Each workload calls 40–80 distinct x86_64 syscalls (numbers that exist in the table).
const NUMS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 19, 20, 21, 22, 23, 24, 25, 28, 32, 33, 35, 39, 41, 42, 43, 44, 45, 46, 47, 49, 50, 51, 52, 54, 55, 56, 57, 59, 60, 61, 62, 63, 72, 78, 79, 80, 89, 96, 97, 99, 102, 104, 107, 108, 110, 131, 137, 157, 158, 186, 202, 217, 218, 228, 230, 231, 232, 233, 257, 262, 270, 273, 281, 288, 290, 291, 293, 302, 318, 334, 435];
const callsOf = (w) => NUMS.filter((_, i) => (i * 7 + w) % 3 !== 0).slice(0, 40 + (w % 41));

function fmt(n, d = 2) { return n.toLocaleString('en-US', { maximumFractionDigits: d }); }

// ---- 1. per node ------------------------------------------------------------------------------
const rows = [];
for (let node = 0; node < NODES; node++) {
  const dir = join(out, `node-${node}`);
  const proc = join(dir, 'proc');
  mkdirSync(proc, { recursive: true });
  writeFileSync(join(proc, 'stat'), `cpu 0 0 0 0\nbtime ${Math.floor(Date.now() / 1000) - 3600}\n`);
  const local = [];
  for (let w = 0; w < WORKLOADS; w++) {
    for (let r = 0; r < REPLICAS; r++) {
      if ((w + r) % NODES !== node) continue; // replicas spread over the nodes
      const pid = 100000 + w * 100 + r;
      const pod = uid(`w${w}r${r}`);
      const cid = hex(`c${w}.${r}`, 64);
      mkdirSync(join(proc, String(pid)), { recursive: true });
      writeFileSync(join(proc, String(pid), 'stat'), `${pid} (app${w}) S 1 ${pid} ${pid} 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0\n`);
      writeFileSync(join(proc, String(pid), 'cgroup'), `0::/kubepods/besteffort/pod${pod}/${cid}\n`);
      local.push({ pid, w, calls: callsOf(w) });
    }
  }
  const log = join(dir, 'audit.log');
  const ws = createWriteStream(log, { highWaterMark: 1 << 20 });
  const t = Math.floor(Date.now() / 1000) - 60;
  let buf = '';
  for (let i = 0; i < RECORDS; i++) {
    const c = local[i % local.length];
    const nr = c.calls[(i * 31) % c.calls.length];
    buf += `type=SECCOMP msg=audit(${t + Math.floor(i / 10000)}.${String(i % 1000).padStart(3, '0')}:${i + 1}): auid=4294967295 uid=0 gid=0 ses=4294967295 subj=unconfined pid=${c.pid} comm="app${c.w}" exe="/usr/bin/app${c.w}" sig=0 arch=c000003e syscall=${nr} compat=0 ip=0x7f1 code=0x7ffc0000\n`;
    if (buf.length > 1 << 20) { if (!ws.write(buf)) await once(ws, 'drain'); buf = ''; }
  }
  ws.end(buf);
  await once(ws, 'finish');
  const bytes = statSync(log).size;
  const wc = await measure('wc', ['-l', log]);
  const awk = await measure('awk', ['{ for (i = 1; i <= NF; i++) if ($i ~ /^pid=/) p[$i] = 1 } END { for (k in p) n++; print n }', log]);
  const sy = await measure(process.execPath, [bin, 'audit', log, '--split-by', 'container', '--proc-root', proc, '--baseline', 'none', '--runtime', 'none', '-o', join(dir, 'profiles')], { allowFail: true });
  if (sy.code !== 0) throw new Error(`syscribe audit failed on node ${node}: ${sy.stderr.slice(-500)}`);
  const profiles = readdirSync(join(dir, 'profiles')).length;
  rows.push({ node, containers: local.length, bytes, records: RECORDS, wc: wc.secs, awk: awk.secs, sy: sy.secs, rssMiB: sy.rssKiB / 1024, profiles });
  rmSync(log);
}

// ---- 2. across nodes --------------------------------------------------------------------------
const pdir = join(out, 'partials');
const PER_NODE = 10;
const wl = Math.max(1, Math.round(PARTIALS / PER_NODE));
const names = Object.fromEntries(JSON.parse(await new Promise((res, rej) => {
  const c = spawn(process.execPath, ['--input-type=module', '-e', `import('${join(root, 'dist', 'resolve.js').replace(/'/g, "\\'")}').then(async (r) => { const { archById } = await import('${join(root, 'dist', 'arch.js')}'); const a = archById('x86_64'); console.log(JSON.stringify(${JSON.stringify(NUMS)}.map((n) => [n, r.syscallName(a, n)]))); })`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let s = '';
  c.stdout.on('data', (d) => (s += d));
  c.on('exit', (code) => (code === 0 ? res(s) : rej(new Error('name lookup failed'))));
})));
for (let n = 0; n < PER_NODE; n++) {
  const d = join(pdir, `node-${n}`);
  mkdirSync(d, { recursive: true });
  for (let w = 0; w < wl; w++) {
    // Each node saw most, not all, of the workload's calls.
    const seen = callsOf(w).filter((_, i) => (i + n) % 5 !== 0).map((x) => names[x]).sort();
    writeFileSync(join(d, `shop-w${w}.json`), `${JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: seen, action: 'SCMP_ACT_ALLOW' }] }, null, 2)}\n`);
  }
}
const merged = join(out, 'merged');
const mg = await measure(process.execPath, [bin, 'merge', '--by', 'workload', ...readdirSync(pdir).map((d) => join(pdir, d)), '--format', 'crd', '-o', merged], { allowFail: true });
if (mg.code !== 0) throw new Error(`merge --by workload failed: ${mg.stderr.slice(-500)}`);
const sizes = readdirSync(merged).map((f) => statSync(join(merged, f)).size);

// ---- report -------------------------------------------------------------------------------------
console.log(`fleet simulation: ${NODES} nodes × ${WORKLOADS} workloads × ${REPLICAS} replicas, ${fmt(RECORDS, 0)} records per node`);
console.log('node | containers | log MB | syscribe audit --split-by container | records/s | peak RSS | awk | wc -l | profiles');
for (const r of rows) {
  console.log(`${r.node} | ${r.containers} | ${fmt(r.bytes / 1e6, 0)} | ${fmt(r.sy)} s | ${fmt(r.records / r.sy / 1e6)} M | ${fmt(r.rssMiB, 0)} MiB | ${fmt(r.awk)} s (${fmt(r.sy / r.awk)} ×) | ${fmt(r.wc)} s | ${r.profiles}`);
}
console.log(`merge --by workload: ${PER_NODE * wl} partials (${wl} workloads × ${PER_NODE} nodes) → ${sizes.length} SeccompProfiles in ${fmt(mg.secs)} s, peak RSS ${fmt(mg.rssKiB / 1024, 0)} MiB; largest object ${fmt(Math.max(...sizes) / 1024, 1)} KiB (etcd limit 1536 KiB)`);
