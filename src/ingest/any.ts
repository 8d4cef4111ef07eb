/** Moved to drivers/any.ts (kept for existing imports). */
export * from './drivers/any.js';
