/** The pure model: no I/O, no clocks, no randomness; safe to import from Temporal workflow code. */
export * from './types.js';
export * from './limits.js';
export * from './policy.js';
export { isKnownAttribute, readAttribute } from './attributes.js';
export { normalizePhone, type PhoneResult } from './phone.js';
export * from './user-mapping.js';
export * from './scope.js';
export * from './numbers.js';
export * from './groups.js';
export * from './evaluate-directory.js';
export * from './sync-plan.js';
export * from './extension-diff.js';
export * from './link-table.js';
export * from './user-decision.js';
export * from './guard.js';
export * from './summary.js';
export * from './problem-kinds.js';
export * from './presence.js';
