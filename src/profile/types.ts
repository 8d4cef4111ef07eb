/**
 * The OCI runtime-spec `linux.seccomp` object (config-linux.md), the only
 * form syscribe writes. Key order here is the order written.
 */
export const ACTIONS = [
  'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY',
] as const;
export type Action = (typeof ACTIONS)[number];

export const OPERATORS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'] as const;
export type Operator = (typeof OPERATORS)[number];

export const FLAGS = ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] as const;
export type Flag = (typeof FLAGS)[number];

/**
 * A 64-bit unsigned argument value, exact: a number when it is a safe
 * integer (≤ 2^53-1), a bigint above (see src/profile/exact-json.ts).
 */
export type ArgValue = number | bigint;

export interface SeccompArg {
  index: number;
  /** The value compared with; for SCMP_CMP_MASKED_EQ the mask. */
  value: ArgValue;
  /** For SCMP_CMP_MASKED_EQ: the value the masked argument must equal. Omitted when 0. */
  valueTwo?: ArgValue;
  op: Operator;
}

export interface SyscallRule {
  names: string[];
  action: Action;
  errnoRet?: number;
  args?: SeccompArg[];
}

export interface SeccompProfile {
  defaultAction: Action;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: Flag[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: SyscallRule[];
}
