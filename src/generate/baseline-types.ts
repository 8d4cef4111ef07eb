import type { Action, SeccompArg } from '../profile/types.js';

/** A RuntimeDefault rule as the runtimes ship it: conditions evaluated per target before use. */
export interface BaselineRule {
  names: string[];
  action: Action;
  errnoRet?: number;
  args?: SeccompArg[];
  /** All must hold: arch (moby evaluator names: amd64, x86, x32, arm, arm64, …), every cap in the bounding set, kernel ≥ minKernel. */
  includes?: { arches?: string[]; caps?: string[]; minKernel?: string };
  /** The rule is dropped when the arch matches, when ANY of the caps is in the bounding set, or when kernel ≥ minKernel. */
  excludes?: { arches?: string[]; caps?: string[]; minKernel?: string };
}

export interface BaselineData {
  source: string;
  defaultAction: Action;
  defaultErrnoRet?: number;
  rules: BaselineRule[];
}
