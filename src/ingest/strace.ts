/** strace output → observations: the parser lives in strace/ (see strace/index.ts). */
export * from './strace/index.js';
