import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Two projects:
 * - unit (test/unit): pure code, fixtures, temp dirs of their own, `bin/` spawned without root or
 *   system services: files run in parallel.
 * - integration (test/integration): real strace, auditd, runc/crun, podman, docker, bpftrace,
 *   tracefs. They share auditd, runc container ids and /var/log/audit: files run one at a time,
 *   after the unit files (groupOrder), so their timings do not compete with them.
 * `npx vitest run --project unit` runs only the fast half. Unit files run as many at a time as there
 * are cores (vitest's default, CPUs − 1, is one file at a time on a 2-core machine; the unit tests
 * are CPU-bound and the main process mostly waits).
 * globalSetup compiles dist/ first (test/helpers/build.ts): tests that spawn bin/syscribe.js
 * (spawnCli) run the code under test, never a stale build.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    maxWorkers: availableParallelism(),
    hookTimeout: 120_000,
    globalSetup: ['test/helpers/build.ts'],
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
