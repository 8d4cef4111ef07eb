/** Moved to drivers/strace-files.ts (kept for existing imports). */
export * from './drivers/strace-files.js';
