/**
 * The typed options of pod attribution (what to group by, which namespaces
 * and workloads to keep, the CRI socket); src/cli/audit-options.ts makes them
 * from the flags. Kept apart from ./index.ts so `syscribe audit` loads the
 * attribution code (and gRPC) only when a run needs pods.
 */
import type { OptionNamer } from '../errors.js';

export type GroupBy = 'container' | 'pod' | 'workload';

/** The group key of records whose process is in no container. */
export const NO_CONTAINER = 'no-container';

export interface PodAttributionOptions {
  by: GroupBy;
  namespaces?: Set<string>;
  workloads?: Set<string>;
  criSocket?: string;
  /** How the caller names an option in a notice (the CLI: its flag); default the option's own name (criSocket). */
  name?: OptionNamer;
}
