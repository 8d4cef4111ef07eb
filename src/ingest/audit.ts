/** Kernel seccomp audit records → observations: the parser lives in audit/ (see audit/index.ts). */
export * from './audit/index.js';
