#!/usr/bin/env node
// npm run bench — speed and memory goals, each measured against a baseline
// run in the same invocation on the same machine (ratios, not absolute times).
//
//   0. start-up: `syscribe --version` and `syscribe resolve 43 --arch x86_64` vs `node -e 0`
//      (min of 15 interleaved runs each; goal ≤ 1.5×).
//   1. strace input: 200 MB built from the real recordings of every strace style
//      (test/fixtures/strace, by bench/gen-mix.mjs with the seeds in bench/mix.json);
//      syscribe (--jobs 1 and --jobs 2) vs the simple mawk extractor (goal ≥ 1.0× its speed), the README's awk
//      match() one-liner, and a `wc -l` floor; peak RSS at 1 MB vs 200 MB input (goal: flat).
//   2. audit input, two logs of ≥1 M lines (auditd's own audit.log form; every form mixed): lines/s vs
//      an awk one-liner (goal ≥ 1 M lines/s), also with a filter (every field decoded); RSS flat;
//      follow latency: line appended → profile on disk (goal ≤ 1 s).
//   3. record backends on one syscall-heavy workload: bare, `strace -f -o /dev/null`,
//      `syscribe record --backend strace`, `syscribe record --backend bpftrace`
//      (goals: strace backend ≤ 1.05 × plain strace; bpftrace backend ≤ 1.2 × bare).
//
//      Also `record -- /bin/true` vs `strace -f -o /dev/null /bin/true` (fixed overhead; goal ≤ 0.2 s).
//
// Options: --only startup|strace|audit|record, --mb N (size of the big strace log, default 200).
// Needs: awk, wc (always); strace, bpftrace and root for part 3.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, writeSync, mkdirSync, readFileSync, statSync, appendFileSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { measure } from './measure.mjs';
import { generate } from './gen-mix.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const bin = join(root, 'bin', 'syscribe.js');
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const bigMb = args.includes('--mb') ? Number(args[args.indexOf('--mb') + 1]) : 200;


/** The first `bytes` bytes of src (whole lines) into path. */
function headInto(path, src, bytes) {
  if (existsSync(path) && statSync(path).size > 0) return;
  const inFd = openSync(src, 'r');
  const outFd = openSync(path, 'w');
  const buf = Buffer.alloc(1 << 20);
  for (let done = 0; done < bytes; ) {
    const n = readSync(inFd, buf, 0, Math.min(buf.length, bytes - done), null);
    if (n === 0) break;
    done += n;
    // The last piece ends at its last newline: whole lines only.
    writeSync(outFd, buf, 0, done >= bytes ? buf.subarray(0, n).lastIndexOf(10) + 1 : n);
  }
  closeSync(inFd);
  closeSync(outFd);
}

const fmt = (x, d = 2) => x.toFixed(d);
const results = [];
function report(name, value, unit, note = '') {
  results.push({ name, value, unit, note });
  console.log(`${name.padEnd(58)} ${typeof value === 'number' ? fmt(value) : value} ${unit}${note ? `  (${note})` : ''}`);
}

/** Min wall seconds of each command over `runs` interleaved runs (load spikes hit every command alike). */
async function minOf(runs, cmds) {
  const best = cmds.map(() => Infinity);
  for (let i = 0; i < runs; i++) {
    for (const [j, [cmd, argv]] of cmds.entries()) best[j] = Math.min(best[j], (await measure(cmd, argv, { allowFail: true })).secs);
  }
  return best;
}

async function benchStartup() {
  console.log('\n== start-up');
  const runs = 15;
  const [node0, version, resolve] = await minOf(runs, [
    [process.execPath, ['-e', '0']],
    [process.execPath, [bin, '--version']],
    [process.execPath, [bin, 'resolve', '43', '--arch', 'x86_64']],
  ]);
  report('node -e 0 (yardstick)', node0 * 1000, 'ms', `min of ${runs}`);
  report('syscribe --version', version * 1000, 'ms');
  report('syscribe resolve 43 --arch x86_64', resolve * 1000, 'ms');
  report('--version / node -e 0 (goal ≤ 1.5)', version / node0, '×');
  report('resolve / node -e 0 (goal ≤ 1.5)', resolve / node0, '×');
}

async function benchStrace() {
  console.log('\n== strace input');
  const mix = await generate('strace', { bytes: bigMb * 1e6 });
  const big = mix.path;
  const small = join(out, `mix-strace-${bigMb}mb-head-1mb.log`);
  const size = mix.bytes;
  headInto(small, big, 1e6);
  const lines = mix.lines;
  const mb = size / 1e6;
  console.log(`input: ${fmt(mb, 1)} MB, ${lines} lines, every strace style (${mix.files.length} files of test/fixtures/strace, bench/gen-mix.mjs)`);
  const wc = await measure('wc', ['-l', big]);
  const mawk = await measure('mawk', ['{s=$2; sub(/\\(.*/,"",s); a[s]=1}', big]);
  const awk = await measure('awk', ['match($0, /[a-z_0-9]+\\(/) { c[substr($0, RSTART, RLENGTH - 1)]++ } END { for (k in c) n++; print n }', big]);
  // --jobs 1: one pass on one thread; --jobs 2: byte ranges on two threads (the main thread and a worker)
  const sy = await measure(process.execPath, [bin, 'strace', big, '--baseline', 'none', '--runtime', 'none', '-q', '--jobs', '1', '-o', join(out, 'strace-big.json')]);
  const sy2 = await measure(process.execPath, [bin, 'strace', big, '--baseline', 'none', '--runtime', 'none', '-q', '--jobs', '2', '--debug', '-o', join(out, 'strace-big-j2.json')]);
  const ranges = /ranges; after the first: .*/.exec(sy2.stderr)?.[0] ?? '';
  const sySmall = await measure(process.execPath, [bin, 'strace', small, '--baseline', 'none', '--runtime', 'none', '-q', '--jobs', '1', '-o', join(out, 'strace-small.json')]);
  const mid = join(out, `mix-strace-${bigMb}mb-head-half.log`);
  headInto(mid, big, Math.round(size / 2));
  const syMid = await measure(process.execPath, [bin, 'strace', mid, '--baseline', 'none', '--runtime', 'none', '-q', '--jobs', '1', '-o', join(out, 'strace-mid.json')]);
  report('wc -l (floor)', mb / wc.secs, 'MB/s');
  report("mawk '{s=$2; sub(/\\(.*/,\"\",s); a[s]=1}' (simple extractor)", mb / mawk.secs, 'MB/s');
  report('awk match() one-liner extracting names (README)', mb / awk.secs, 'MB/s');
  report('syscribe strace --jobs 1', mb / sy.secs, 'MB/s', `${fmt(lines / sy.secs / 1e6)} M lines/s`);
  report('syscribe strace --jobs 2', mb / sy2.secs, 'MB/s', `${fmt(lines / sy2.secs / 1e6)} M lines/s; ${ranges}`);
  report('syscribe --jobs 1 speed / simple mawk extractor speed (goal ≥ 1.0)', mawk.secs / sy.secs, '×');
  report('syscribe --jobs 2 speed / simple mawk extractor speed (goal ≥ 1.0)', mawk.secs / sy2.secs, '×');
  report('speed-up --jobs 2 / --jobs 1', sy.secs / sy2.secs, '×');
  report('syscribe speed / awk match() one-liner speed', awk.secs / sy.secs, '×');
  report('syscribe wall time / wc -l wall time', sy.secs / wc.secs, '×');
  report('peak RSS at 1 MB input', sySmall.rssKiB / 1024, 'MiB');
  report(`peak RSS at ${fmt(mb / 2, 0)} MB input`, syMid.rssKiB / 1024, 'MiB');
  report(`peak RSS at ${fmt(mb, 0)} MB input`, sy.rssKiB / 1024, 'MiB');
  report(`peak RSS at ${fmt(mb, 0)} MB input, --jobs 2 (one more heap)`, sy2.rssKiB / 1024, 'MiB');
  report(`RSS ratio ${fmt(mb, 0)} MB / ${fmt(mb / 2, 0)} MB (goal: flat, ~1.0; a 1 MB run ends before the heap warms up)`, sy.rssKiB / syMid.rssKiB, '×');
}

async function benchAudit() {
  console.log('\n== audit input');
  // Two inputs (bench/gen-mix.mjs, seeds in bench/mix.json): (1) /var/log/audit/audit.log as auditd writes it
  // (the real auditd recordings: raw + ENRICHED), (2) every form the parser reads, mixed (printk, syslog,
  // journald, ausearch -i, JSON, loss lines, malformed): all of test/fixtures/audit.
  const inputs = [
    { label: 'auditd audit.log', recipe: 'auditd' },
    { label: 'all forms mixed', recipe: 'audit' },
  ];
  const awkProg = '/type=SECCOMP|type=1326/ { for (i = 1; i <= NF; i++) if ($i ~ /^(arch|syscall)=/) k = k $i; c[k]++; k = "" } END { for (x in c) n++; print n }';
  for (const inp of inputs) {
    const gen = await generate(inp.recipe);
    inp.path = gen.path;
    const size = gen.bytes;
    const lines = gen.lines;
    console.log(`${inp.label}: ${fmt(size / 1e6, 1)} MB, ${lines} lines (${gen.files.length} files: ${gen.files.map((f) => f.replace(/^test\/fixtures\/audit\//, '')).join(', ')})`);
    const awk = await measure('awk', [awkProg, inp.path]);
    const sy = await measure(process.execPath, [bin, 'audit', inp.path, '--baseline', 'none', '--runtime', 'none', '-q', '-o', join(out, 'audit-big.json')]);
    const syF = await measure(process.execPath, [bin, 'audit', inp.path, '--comm', 'sc-logtest', '--baseline', 'none', '--runtime', 'none', '-q', '-o', join(out, 'audit-big-comm.json')]);
    report(`[${inp.label}] awk one-liner (arch+syscall per record)`, lines / awk.secs / 1e6, 'M lines/s');
    report(`[${inp.label}] syscribe audit (goal ≥ 1 M lines/s)`, lines / sy.secs / 1e6, 'M lines/s');
    report(`[${inp.label}] syscribe wall time / awk wall time`, sy.secs / awk.secs, '×');
    report(`[${inp.label}] syscribe audit --comm X (every field decoded)`, lines / syF.secs / 1e6, 'M lines/s');
    if (inp === inputs[1]) {
      const small = join(out, 'mix-audit-head-1mb.log');
      headInto(small, inp.path, 1e6);
      const mid = join(out, 'mix-audit-head-half.log');
      headInto(mid, inp.path, Math.round(size / 2));
      const sySmall = await measure(process.execPath, [bin, 'audit', small, '--baseline', 'none', '--runtime', 'none', '-o', join(out, 'audit-small.json')]);
      const syMid = await measure(process.execPath, [bin, 'audit', mid, '--baseline', 'none', '--runtime', 'none', '-o', join(out, 'audit-mid.json')]);
      report(`peak RSS at 1 MB / ${fmt(size / 2e6, 0)} MB / ${fmt(size / 1e6, 0)} MB input`, `${fmt(sySmall.rssKiB / 1024)} / ${fmt(syMid.rssKiB / 1024)} / ${fmt(sy.rssKiB / 1024)}`, 'MiB');
      report(`RSS ratio ${fmt(size / 1e6, 0)} MB / ${fmt(size / 2e6, 0)} MB (goal: flat, ~1.0)`, sy.rssKiB / syMid.rssKiB, '×');
    }
  }

  // Follow latency: append a record with a syscall not seen yet, wait for it in the profile on disk.
  const followLog = join(out, 'follow.log');
  const followOut = join(out, 'follow.json');
  rmSync(followOut, { force: true });
  writeFileSync(followLog, '');
  const child = spawn(process.execPath, [bin, 'audit', followLog, '--follow', '--from-start', '--baseline', 'none', '--runtime', 'none', '-o', followOut], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise((r) => setTimeout(r, 1500));
  const lat = [];
  const calls = [[39, 'getpid'], [102, 'getuid'], [104, 'getgid'], [110, 'getppid'], [186, 'gettid']];
  for (const [i, [nr, name]] of calls.entries()) {
    // Appends spaced wider than --flush-interval (1 s): each one is a new syscall after a quiet spell.
    // (Within a burst, writes are at most one per interval by design.)
    if (i > 0) await new Promise((r) => setTimeout(r, 1100));
    const t0 = process.hrtime.bigint();
    appendFileSync(followLog, `type=SECCOMP msg=audit(1795413961.${100 + i}:${i}): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=77 comm="bench" exe="/bench" sig=0 arch=c000003e syscall=${nr} compat=0 ip=0x7f code=0x7ffc0000\n`);
    let secs = Infinity;
    while (Number(process.hrtime.bigint() - t0) / 1e9 < 10) {
      try {
        if (readFileSync(followOut, 'utf8').includes(`"${name}"`)) {
          secs = Number(process.hrtime.bigint() - t0) / 1e9;
          break;
        }
      } catch { /* not written yet */ }
      await new Promise((r) => setTimeout(r, 5));
    }
    lat.push(secs);
  }
  child.kill('SIGINT');
  await once(child, 'exit');
  report('follow latency, line appended → profile on disk (goal ≤ 1 s)', Math.max(...lat), 's', `max of ${lat.length} appends 1.1 s apart; median ${fmt([...lat].sort((x, y) => x - y)[2])} s; within a burst at most one write per --flush-interval`);
}

async function benchRecord() {
  console.log('\n== record backends');
  {
    const runs = 7;
    const [plain, rec] = await minOf(runs, [
      ['strace', ['-f', '-o', '/dev/null', '/bin/true']],
      [process.execPath, [bin, 'record', '--baseline', 'none', '--runtime', 'none', '-q', '-o', join(out, 'rec-true.json'), '--', '/bin/true']],
    ]);
    report('strace -f -o /dev/null /bin/true (yardstick)', plain * 1000, 'ms', `min of ${runs}`);
    report('syscribe record -- /bin/true', rec * 1000, 'ms');
    report('record fixed overhead over plain strace (goal ≤ 200 ms)', (rec - plain) * 1000, 'ms');
  }
  // A syscall-heavy workload: many small processes, each stat-ing files.
  const workload = ['sh', '-c', 'find /usr/share -type f -print0 2>/dev/null | head -z -n 40000 | xargs -0 -n 40 stat -c %s > /dev/null'];
  const runs = 3;
  const best = async (cmd, argv, opts) => {
    let b = Infinity;
    for (let i = 0; i < runs; i++) b = Math.min(b, (await measure(cmd, argv, opts)).secs);
    return b;
  };
  const bare = await best(workload[0], workload.slice(1));
  const strace = await best('strace', ['-f', '-o', '/dev/null', ...workload]);
  const straceFile = await best('strace', ['-f', '-o', join(out, 'record-strace.log'), ...workload]);
  const recS = await best(process.execPath, [bin, 'record', '--backend', 'strace', '--baseline', 'none', '--runtime', 'none', '-o', join(out, 'rec-strace.json'), '--', ...workload]);
  report('bare workload', bare, 's', `best of ${runs}`);
  report('strace -f -o /dev/null', strace, 's');
  report('syscribe record --backend strace', recS, 's');
  report('strace -f -o FILE (writing the log a user would read)', straceFile, 's');
  report('strace backend / plain strace -o /dev/null (goal ≤ 1.05)', recS / strace, '×');
  report('strace backend / strace -o FILE', recS / straceFile, '×');
  if (process.getuid() === 0) {
    const recB = await best(process.execPath, [bin, 'record', '--backend', 'bpftrace', '--baseline', 'none', '--runtime', 'none', '-o', join(out, 'rec-bpf.json'), '--', ...workload]);
    report('syscribe record --backend bpftrace', recB, 's');
    report('bpftrace backend / bare (goal ≤ 1.2)', recB / bare, '×');
    const startB = await best(process.execPath, [bin, 'record', '--backend', 'bpftrace', '--baseline', 'none', '--runtime', 'none', '-o', join(out, 'rec-bpf-true.json'), '--', 'true']);
    report('  of which fixed start-up (record --backend bpftrace -- true)', startB, 's');
    report('  bpftrace backend minus start-up / bare', (recB - startB) / bare, '×');
  } else console.log('bpftrace backend: skipped (needs root)');
}

const parts = { startup: benchStartup, strace: benchStrace, audit: benchAudit, record: benchRecord };
for (const [k, f] of Object.entries(parts)) {
  if (only && only !== k) continue;
  try {
    await f();
  } catch (e) {
    console.log(`${k}: FAILED: ${e.message}`);
    process.exitCode = 1;
  }
}
writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nresults: ${join(out, 'results.json')}`);
