/** Moved to strace/args.ts (kept for existing imports). */
export * from './strace/args.js';
