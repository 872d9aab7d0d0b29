export { GraphSource, DELTA_LATEST, MAX_PRESENCE_IDS, type UserQuery } from './source.js';
export { GraphErrorType, type GraphFailureDetails, parseRetryAfter } from './errors.js';
export { createCredential, createGraphClient } from './client.js';
export type { GraphAuth, GraphSourceOptions } from './options.js';
export type * from './types.js';
